//! Host names out of the addresses legacy exporters were given.
//!
//! OpenCensus exporters took URLs (`http://jaeger:14268/api/traces`) or
//! `host:port` pairs; KrakenD's OTLP exporter wants a bare host and a port.
//! User info in a URL (`http://user:pass@host`) is a credential: it is
//! never copied, and the caller is told it was there.

/// The parts of an address oc2otel needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub scheme: Option<String>,
    pub host: String,
    pub port: Option<u16>,
    /// The address carried `user[:password]@`.
    pub had_userinfo: bool,
    /// Path, query and fragment as written (empty if none).
    pub rest: String,
}

/// `host` as it goes in front of `:port`: an IPv6 literal in brackets
/// (KrakenD joins host and port as they are, and so do people reading them).
pub fn bracketed(host: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

impl Address {
    /// The names of query and fragment parameters that carry credentials
    /// (`?token=...`, InfluxDB's `?p=...` or `?%70=...`, an OAuth
    /// `#access_token=...`): never copied.
    pub fn secret_query_params(&self) -> Vec<&str> {
        let (query, fragment) = self.query_and_fragment();
        params(query)
            .chain(params(fragment))
            .filter(|param| is_secret_param(param))
            .filter_map(|param| param.split_once('=').map(|(name, _)| name))
            .collect()
    }

    /// The query (without `?`) and the fragment (without `#`), or `""`.
    fn query_and_fragment(&self) -> (&str, &str) {
        let (before, fragment) = self.rest.split_once('#').unwrap_or((&self.rest, ""));
        let query = before.split_once('?').map_or("", |(_, q)| q);
        (query, fragment)
    }

    /// Path, query and fragment with the secret parameters removed.
    fn rest_without_secrets(&self) -> String {
        let (before, fragment) = match self.rest.split_once('#') {
            Some((before, fragment)) => (before, Some(fragment)),
            None => (self.rest.as_str(), None),
        };
        let (path, query) = match before.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (before, None),
        };
        let mut out = path.to_string();
        let kept = |part: &str| -> Vec<String> {
            params(part)
                .filter(|p| !p.is_empty() && !is_secret_param(p))
                .map(str::to_string)
                .collect()
        };
        if let Some(query) = query {
            let kept = kept(query);
            if !kept.is_empty() {
                out.push('?');
                out.push_str(&kept.join("&"));
            }
        }
        if let Some(fragment) = fragment {
            // A fragment of parameters (`#access_token=...&state=...`)
            // loses its secret ones; any other fragment is kept as it is.
            if fragment.contains('=') {
                let kept = kept(fragment);
                if !kept.is_empty() {
                    out.push('#');
                    out.push_str(&kept.join("&"));
                }
            } else {
                out.push('#');
                out.push_str(fragment);
            }
        }
        out
    }

    /// The address without credentials (user info, secret query
    /// parameters), for the collector config.
    pub fn without_credentials(&self) -> String {
        let mut out = String::new();
        if let Some(scheme) = &self.scheme {
            out.push_str(scheme);
            out.push_str("://");
        }
        if self.host.contains(':') {
            out.push('[');
            out.push_str(&self.host);
            out.push(']');
        } else {
            out.push_str(&self.host);
        }
        if let Some(port) = self.port {
            out.push(':');
            out.push_str(&port.to_string());
        }
        out.push_str(&self.rest_without_secrets());
        out
    }

    /// The InfluxDB write URL the legacy client used: the address's path
    /// joined with `write` (influxdb client v2 `client.go` ~411-412),
    /// without credentials.
    pub fn influx_legacy_write_url(&self) -> String {
        self.with_path(|path| format!("{}/write", path.trim_end_matches('/')))
    }

    /// The InfluxDB write URL the collector's `influxdb` exporter uses for
    /// this endpoint: the endpoint itself when its path is not empty or
    /// `/`, else with `/write` appended (contrib
    /// `exporter/influxdbexporter/writer.go`, `composeWriteURL`).
    pub fn influx_collector_write_url(&self) -> String {
        self.with_path(|path| {
            if path.is_empty() || path == "/" {
                "/write".to_string()
            } else {
                path.to_string()
            }
        })
    }

    /// The address without credentials, its path replaced by `f(path)`.
    fn with_path(&self, f: impl Fn(&str) -> String) -> String {
        let end = self.rest.find(['?', '#']).unwrap_or(self.rest.len());
        let mut changed = self.clone();
        changed.rest = format!("{}{}", f(&self.rest[..end]), &self.rest[end..]);
        changed.without_credentials()
    }

    /// Whether the host is an unexpanded placeholder (`${VAR}`, `{{ .x }}`).
    pub fn is_placeholder(&self) -> bool {
        self.host.contains("${") || self.host.contains("{{")
    }
}

/// The `name=value` parameters of a query or a fragment.
fn params(part: &str) -> impl Iterator<Item = &str> {
    part.split(['&', ';'])
}

/// A parameter whose name, as the server decodes it, is a credential,
/// with a value.
fn is_secret_param(param: &str) -> bool {
    param.split_once('=').is_some_and(|(name, value)| {
        !value.is_empty() && crate::model::redact::is_secret_query_name(name)
    })
}

/// Parse `scheme://user@host:port/path`, `host:port` or `host`.
pub fn parse(input: &str) -> Option<Address> {
    let input = input.trim();
    let (scheme, rest) = match input.split_once("://") {
        Some((scheme, rest))
            if !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-')) =>
        {
            (Some(scheme.to_string()), rest)
        }
        _ => (None, input),
    };
    // Placeholders may contain '/' or '}' — keep `${...}` whole.
    let authority_end = find_authority_end(rest);
    let (authority, path) = rest.split_at(authority_end);
    let (had_userinfo, hostport) = match authority.rsplit_once('@') {
        Some((_, hostport)) => (true, hostport),
        None => (false, authority),
    };
    let (host, port) = if let Some(inner) = hostport.strip_prefix('[') {
        let (host, after) = inner.split_once(']')?;
        (host, after.strip_prefix(':'))
    } else {
        match hostport.rsplit_once(':') {
            Some((host, port)) if !host.contains(':') && !port.contains('}') => (host, Some(port)),
            _ => (hostport, None),
        }
    };
    let port = match port {
        None | Some("") => None,
        Some(p) => Some(p.parse::<u16>().ok()?),
    };
    let templated = host.contains("{{");
    if host.is_empty() || (!templated && host.chars().any(char::is_whitespace)) {
        return None;
    }
    Some(Address {
        scheme,
        host: host.to_string(),
        port,
        had_userinfo,
        rest: path.to_string(),
    })
}

fn find_authority_end(s: &str) -> usize {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Compare bytes: `i` walks bytes and may sit inside a multi-byte
        // character, where slicing the `str` would panic. It is on a
        // character boundary whenever it is at an ASCII `$` or `{`.
        if bytes[i..].starts_with(b"${") || bytes[i..].starts_with(b"{{") {
            let close = if bytes[i] == b'$' { "}" } else { "}}" };
            // An unclosed `${` is a literal (a password may hold one):
            // the authority still ends at the next `/`.
            if let Some(end) = s[i..].find(close) {
                i += end + close.len();
                continue;
            }
        }
        if matches!(bytes[i], b'/' | b'?' | b'#') {
            return i;
        }
        i += 1;
    }
    s.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_shapes_legacy_configs_use() {
        let a = parse("http://jaeger:14268/api/traces").unwrap();
        assert_eq!(
            (a.host.as_str(), a.port, a.rest.as_str()),
            ("jaeger", Some(14268), "/api/traces")
        );
        let a = parse("localhost:6831").unwrap();
        assert_eq!(
            (a.host.as_str(), a.port, a.scheme),
            ("localhost", Some(6831), None)
        );
        let a = parse("https://user:secret@influx.example.com:8086").unwrap();
        assert!(a.had_userinfo);
        assert_eq!(a.without_credentials(), "https://influx.example.com:8086");
        let a = parse("http://influx:8086/write?u=me&p=PW&db=k#x").unwrap();
        assert_eq!(a.secret_query_params(), ["p"]);
        assert_eq!(
            a.without_credentials(),
            "http://influx:8086/write?u=me&db=k#x"
        );
        let a = parse("https://u:${PW@zipkin:9411/api/v2/spans").unwrap();
        assert_eq!((a.host.as_str(), a.port), ("zipkin", Some(9411)));
        assert_eq!(a.without_credentials(), "https://zipkin:9411/api/v2/spans");
        let a = parse("http://zipkin:9411/api/v2/spans?token=T").unwrap();
        assert_eq!(a.without_credentials(), "http://zipkin:9411/api/v2/spans");
        // Issue 12, point 4: names as the server decodes them, fragments.
        let a = parse("http://influx:8086/?u=writer&%70=PW&db=k").unwrap();
        assert_eq!(a.secret_query_params(), ["%70"]);
        assert_eq!(a.without_credentials(), "http://influx:8086/?u=writer&db=k");
        let a = parse("http://z:9411/x?to%6Ben=T&token[]=A&a=1#access_token=F&state=s").unwrap();
        assert_eq!(
            a.secret_query_params(),
            ["to%6Ben", "token[]", "access_token"]
        );
        assert_eq!(a.without_credentials(), "http://z:9411/x?a=1#state=s");
        let a = parse("http://z:9411/x#top").unwrap();
        assert_eq!(a.without_credentials(), "http://z:9411/x#top");
        let a = parse("[::1]:55678").unwrap();
        assert_eq!((a.host.as_str(), a.port), ("::1", Some(55678)));
        let a = parse("${JAEGER_HOST}").unwrap();
        assert!(a.is_placeholder());
        let a = parse("http://{{ .jaeger.host }}:14268/api/traces").unwrap();
        assert_eq!(a.host, "{{ .jaeger.host }}");
        let a = parse("https://u:p@h/influxdb").unwrap();
        assert_eq!(a.influx_legacy_write_url(), "https://h/influxdb/write");
        assert_eq!(a.influx_collector_write_url(), "https://h/influxdb");
        let a = parse("http://influx:8086/").unwrap();
        assert_eq!(a.influx_legacy_write_url(), "http://influx:8086/write");
        assert_eq!(a.influx_collector_write_url(), "http://influx:8086/write");
        assert!(parse("").is_none());
        assert!(parse("http://").is_none());
        assert!(parse("host:notaport").is_none());
        // Found by the fuzz target `migrate`: a multi-byte character in
        // the authority used to panic.
        let a = parse("ja\u{660}eclient:1/x").unwrap();
        assert_eq!((a.host.as_str(), a.port), ("ja\u{660}eclient", Some(1)));
        assert!(parse("h\u{e9}${X}\u{e9}:2").is_some());
    }
}
