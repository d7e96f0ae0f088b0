//! Which names and which parts of a string are secrets: the one policy
//! every redaction follows (parsed trees, text that does not parse, the
//! warnings that say to rotate a credential).

use std::ops::Range;

/// Whether a key names a credential: passwords, secrets, tokens, API and
/// access keys, `*_key`, authorization headers.
pub fn is_secret_key(key: &str) -> bool {
    const WORDS: &[&[u8]] = &[
        b"password",
        b"passwd",
        b"passphrase",
        b"secret",
        b"token",
        b"apikey",
        b"accesskey",
        b"privatekey",
        b"credential",
        b"authorization",
        b"cookie",
        b"signature",
    ];
    let bytes = key.as_bytes();
    if bytes.len() < 3 {
        return false;
    }
    if bytes.len() >= 4 {
        let tail = &bytes[bytes.len() - 4..];
        if tail.eq_ignore_ascii_case(b"_key") || tail.eq_ignore_ascii_case(b"-key") {
            return true;
        }
    }
    // The key lowercased with separators removed, without allocating for
    // the usual short keys.
    let mut buffer = [0u8; 64];
    let mut owned = Vec::new();
    let squashed: &[u8] = if bytes.len() <= buffer.len() {
        let mut n = 0;
        for &b in bytes.iter().filter(|b| b.is_ascii_alphanumeric()) {
            buffer[n] = b.to_ascii_lowercase();
            n += 1;
        }
        &buffer[..n]
    } else {
        owned.extend(
            bytes
                .iter()
                .filter(|b| b.is_ascii_alphanumeric())
                .map(u8::to_ascii_lowercase),
        );
        &owned
    };
    squashed == b"pwd"
        || WORDS
            .iter()
            .any(|w| squashed.len() >= w.len() && squashed.windows(w.len()).any(|win| win == *w))
}

/// Query parameters that carry credentials in URLs although their names
/// say little: InfluxDB's `p`, Google's `key`, signed URLs' `sig`.
const SECRET_QUERY_NAMES: &[&str] = &["p", "pw", "pass", "key", "sig", "auth"];

/// Whether a URL query parameter name names a credential.
pub fn is_secret_query_name(name: &str) -> bool {
    is_secret_key(name)
        || SECRET_QUERY_NAMES
            .iter()
            .any(|n| n.eq_ignore_ascii_case(name))
}

/// Ranges of credentials inside a string: the user info of a URL
/// (`scheme://user:password@host`, or `user:password@host:port` without a
/// scheme), the values of secret query parameters (`?token=...`), and the
/// value of a `name=value` or `name: value` pair whose name is a
/// credential (`apikey=...` in a tag list, `Authorization: Bearer ...`).
pub fn string_secret_ranges(value: &str) -> Vec<Range<usize>> {
    if let Some(pair) = pair_value_range(value) {
        return vec![pair];
    }
    let mut ranges = Vec::new();
    credential_scan(value, &mut ranges);
    ranges
}

/// The value of `name=value` or `name: value` when `name` (a single word)
/// names a credential.
fn pair_value_range(value: &str) -> Option<Range<usize>> {
    let separator = value.find(['=', ':'])?;
    let name = &value[..separator];
    if name.is_empty()
        || name.contains(|c: char| c.is_whitespace() || c == '/')
        || !is_secret_key(name)
    {
        return None;
    }
    let rest = &value[separator + 1..];
    let start = separator + 1 + (rest.len() - rest.trim_start().len());
    (start < value.len()).then_some(start..value.len())
}

/// Credentials in URLs and URL-like text, in one pass over `text`; the
/// same scan serves string values (of parsed files) and raw text (of
/// files that do not parse, where a stray quote may have cut a URL into
/// words), so a file never shows more once it breaks.
///
/// * On `@`: the segment before it (since a quote, a space, `,{[(`, an
///   earlier `@` or a `://`) is user info if it holds a `:`
///   (`user:password@`, with or without a scheme, even with a raw `/` in
///   the password), or if it directly follows `://` and holds no `/`
///   (`https://user@host`, but not `http://host/npm/@scope`).
/// * After `?`, `&` or `;`: the value of a parameter whose name is a
///   credential (`token=`, InfluxDB's `p=`), up to `&`, `;`, `#`, a space
///   or a quote.
pub(super) fn credential_scan(text: &str, out: &mut Vec<Range<usize>>) {
    let bytes = text.as_bytes();
    let is_break =
        |b: u8| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b',' | b'{' | b'[' | b'(');
    let (mut segment, mut colon, mut slash, mut after_scheme) = (0, false, false, false);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if is_break(b) {
            (segment, colon, slash, after_scheme) = (i + 1, false, false, false);
        } else if bytes[i..].starts_with(b"://") {
            i += 3;
            (segment, colon, slash, after_scheme) = (i, false, false, true);
            continue;
        } else if b == b':' {
            colon = true;
        } else if b == b'/' {
            slash = true;
        } else if b == b'@' {
            if i > segment && (colon || after_scheme && !slash) {
                out.push(segment..i);
            }
            (segment, colon, slash, after_scheme) = (i + 1, false, false, false);
        } else if matches!(b, b'?' | b'&' | b';') {
            let name_start = i + 1;
            let mut j = name_start;
            // The name ends at the next `?`, `&` or `;` too, so that each
            // byte is looked at a bounded number of times (`?a?a?a...`).
            while j < bytes.len()
                && !is_break(bytes[j])
                && !matches!(bytes[j], b'=' | b'?' | b'&' | b';' | b'#')
            {
                j += 1;
            }
            if j < bytes.len() && bytes[j] == b'=' && is_secret_query_name(&text[name_start..j]) {
                let value_start = j + 1;
                let mut end = value_start;
                while end < bytes.len()
                    && !bytes[end].is_ascii_whitespace()
                    && !matches!(bytes[end], b'"' | b'\'' | b'&' | b';' | b'#')
                {
                    end += 1;
                }
                if end > value_start {
                    out.push(value_start..end);
                }
                // Go on after the hidden value (`?p=?p=?p=...` stays linear).
                i = end;
                continue;
            }
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_credential_keys() {
        for key in [
            "access_key_id",
            "secret_access_key",
            "password",
            "api_key",
            "token",
            "Authorization",
            "client-secret",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in [
            "key",
            "region",
            "tag_host",
            "service_name",
            "path_aggregation",
        ] {
            assert!(!is_secret_key(key), "{key}");
        }
    }

    #[test]
    fn finds_credentials_in_urls() {
        fn hidden(value: &str) -> Vec<&str> {
            string_secret_ranges(value)
                .into_iter()
                .map(|r| &value[r])
                .collect()
        }
        assert_eq!(hidden("http://u:pw@h:1/p"), ["u:pw"]);
        assert_eq!(hidden("https://user@h/p"), ["user"]);
        // Found by a property test: a raw `/` in the password.
        assert_eq!(hidden("http://u:SEK/RET+1@influx:8086/x"), ["u:SEK/RET+1"]);
        assert!(hidden("http://h/npm/@scope/pkg").is_empty());
        assert_eq!(hidden("agent-user:pw@agent:55678"), ["agent-user:pw"]);
        assert_eq!(hidden("apikey=K1"), ["K1"]);
        assert_eq!(hidden("Authorization: Bearer T1"), ["Bearer T1"]);
        assert!(hidden("env:prod").is_empty());
        assert!(hidden("the token: none").is_empty());
        assert_eq!(
            hidden("http://h/api?u=writer&p=PW1&token=T2;key=K3#frag"),
            ["PW1", "T2", "K3"]
        );
        // Not credentials: e-mail addresses, empty values, plain URLs.
        assert!(hidden("ops@example.com").is_empty());
        assert!(hidden("http://h/x?token=&region=eu").is_empty());
        assert!(hidden("http://jaeger:14268/api/traces").is_empty());
    }
}
