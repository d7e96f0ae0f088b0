//! Which names and which parts of a string are secrets: the one policy
//! every redaction follows (parsed trees, text that does not parse, the
//! warnings that say to rotate a credential, the addresses copied into the
//! collector config, the words of messages).

use std::borrow::Cow;
use std::ops::Range;

use super::view::MARKER;

/// Whether a key names a credential: passwords, secrets, tokens, API and
/// access keys, `*_key`, authorization headers.
pub fn is_secret_key(key: &str) -> bool {
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
    squashed == b"pwd" || (0..squashed.len()).any(|i| secret_word_at(&squashed[i..]))
}

/// What the policy says of the keys of one document, remembered: a config
/// repeats a few dozen keys (`endpoint`, `backend`, `url_pattern`)
/// thousands of times, and a hit costs one short comparison where the
/// answers cost passes over the key. Direct-mapped, so a miss only
/// replaces one slot. The keys are copied in (those up to
/// [`SHORT_KEY`] bytes; longer ones are answered each time), so that one
/// cache serves a whole document, also the containers a focused parse
/// left unbuilt, each read again into a tree of its own: a cache per
/// tree missed every key of each of a large config's 4,000 endpoints.
pub struct SecretKeys {
    slots: [Option<(ShortKey, KeyVerdict)>; 64],
}

/// The longest key [`SecretKeys`] remembers.
const SHORT_KEY: usize = 30;

/// A key of at most [`SHORT_KEY`] bytes, held in place.
#[derive(Clone, Copy, PartialEq, Eq)]
struct ShortKey {
    len: u8,
    bytes: [u8; SHORT_KEY],
}

impl ShortKey {
    fn of(key: &str) -> Option<ShortKey> {
        let mut bytes = [0u8; SHORT_KEY];
        bytes.get_mut(..key.len())?.copy_from_slice(key.as_bytes());
        Some(ShortKey {
            len: key.len() as u8,
            bytes,
        })
    }

    fn is(&self, key: &str) -> bool {
        &self.bytes[..usize::from(self.len)] == key.as_bytes()
    }
}

/// The policy's two answers about a key.
#[derive(Clone, Copy)]
struct KeyVerdict {
    /// [`is_secret_key`]: its value is a secret.
    names_secret: bool,
    /// [`string_secret_ranges`] finds a credential in the key itself.
    holds_credential: bool,
}

impl SecretKeys {
    pub fn new() -> SecretKeys {
        SecretKeys { slots: [None; 64] }
    }

    /// [`is_secret_key`] of `key`.
    pub fn is_secret(&mut self, key: &str) -> bool {
        self.verdict(key).names_secret
    }

    /// Whether `key` holds a credential itself (`"password: x"` written as
    /// a key): [`string_secret_ranges`] finds one in it.
    pub fn holds_credential(&mut self, key: &str) -> bool {
        self.verdict(key).holds_credential
    }

    fn verdict(&mut self, key: &str) -> KeyVerdict {
        let bytes = key.as_bytes();
        let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
            return KeyVerdict {
                names_secret: false,
                holds_credential: false,
            };
        };
        // The length and three letters, mixed by a multiply whose top six
        // bits pick the slot. The length and two letters shifted into a
        // few low bits put a config's common keys in the same slots: 8,000
        // of the 52,000 keys of a 4,000-endpoint config missed, where only
        // its 37 distinct keys miss now.
        let middle = bytes[bytes.len() / 2];
        let mix = bytes.len() as u64
            ^ u64::from(first) << 8
            ^ u64::from(last) << 16
            ^ u64::from(middle) << 24;
        let slot = (mix.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize;
        match &self.slots[slot] {
            Some((cached, verdict)) if cached.is(key) => *verdict,
            _ => {
                let verdict = KeyVerdict {
                    names_secret: is_secret_key(key),
                    holds_credential: !string_secret_ranges(key).is_empty(),
                };
                if let Some(short) = ShortKey::of(key) {
                    self.slots[slot] = Some((short, verdict));
                }
                verdict
            }
        }
    }
}

impl Default for SecretKeys {
    fn default() -> Self {
        SecretKeys::new()
    }
}

/// Whether `rest` starts with a credential word. Every key of a config
/// goes through here at every position, so the words are sorted by their
/// first two letters: most positions are turned away on one comparison.
fn secret_word_at(rest: &[u8]) -> bool {
    let words: &[&[u8]] = match rest {
        [b'a', b'p', ..] => &[b"apikey"],
        [b'a', b'c', ..] => &[b"accesskey"],
        [b'a', b'u', ..] => &[b"authorization"],
        [b'c', b'r', ..] => &[b"credential"],
        [b'c', b'o', ..] => &[b"cookie"],
        [b'p', b'a', ..] => &[b"password", b"passwd", b"passphrase"],
        [b'p', b'r', ..] => &[b"privatekey"],
        [b's', b'e', ..] => &[b"secret"],
        [b's', b'i', ..] => &[b"signature"],
        [b't', b'o', ..] => &[b"token"],
        _ => return false,
    };
    // Byte by byte: a mismatch is nearly always early, where a slice
    // comparison would first call `memcmp`.
    words
        .iter()
        .any(|w| rest.len() >= w.len() && rest.iter().zip(w.iter()).all(|(a, b)| a == b))
}

/// Whether a value is only a reference to an environment variable
/// (`${env:INFLUXDB_PASSWORD}`, as the collector config reads its
/// credentials, or `${NAME}`): it names where a secret is, it holds none.
pub fn is_reference(value: &str) -> bool {
    let Some(inner) = value
        .trim()
        .strip_prefix("${")
        .and_then(|v| v.strip_suffix('}'))
    else {
        return false;
    };
    let name = inner.strip_prefix("env:").unwrap_or(inner);
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Query parameters that carry credentials in URLs although their names
/// say little: InfluxDB's `p`, Google's `key`, signed URLs' `sig`.
const SECRET_QUERY_NAMES: &[&str] = &["p", "pw", "pass", "key", "sig", "auth"];

/// Whether a URL query or fragment parameter name names a credential, as
/// the server reads it: percent-decoded (InfluxDB decodes `%70` to `p`),
/// `+` as a space, and without the `[]` or `[index]` that PHP-style and
/// Rails-style servers strip (`token[]`).
pub fn is_secret_query_name(name: &str) -> bool {
    let decoded = percent_decode(name);
    let base = match decoded.find('[') {
        Some(i) if i > 0 => &decoded[..i],
        _ => &decoded[..],
    };
    is_secret_key(base)
        || SECRET_QUERY_NAMES
            .iter()
            .any(|n| n.eq_ignore_ascii_case(base.trim()))
}

/// `%XX` decoded (invalid sequences kept as written) and `+` read as a
/// space, as servers read query names.
pub fn percent_decode(text: &str) -> Cow<'_, str> {
    if !text.contains(['%', '+']) {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// Whether a header-like name (the `name` beside a `value` in martian's
/// header modifiers, `{"name": "Authorization", "value": "Basic ..."}`)
/// names a credential.
pub fn is_secret_header_name(name: &str) -> bool {
    is_secret_key(name) || name.eq_ignore_ascii_case("x-api-key")
}

/// The member names that hold a header's name, and its value, in a
/// name/value pair object.
pub const PAIR_NAME_KEYS: &[&str] = &["name", "key", "header"];
pub const PAIR_VALUE_KEYS: &[&str] = &["value", "val"];

/// Ranges of credentials inside a string value (the whole value is known,
/// so a URL may hold any character): the user info of a URL
/// (`scheme://user:password@host`, or `user:password@host:port` without a
/// scheme), the values of query and fragment parameters whose decoded
/// name is a credential (`?token=`, `#access_token=`, `?%70=`), and the
/// value of a `name=value` or `name: value` pair whose name is a
/// credential (`apikey=...` in a tag list, `Authorization: Bearer ...`).
pub fn string_secret_ranges(value: &str) -> Vec<Range<usize>> {
    if !marks(value).separator {
        return Vec::new();
    }
    credential_ranges(value)
}

/// What one pass over a string's bytes says to the secret checks. (A
/// table and a plain loop: most strings are short, where memchr's setup
/// costs more than the scan.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Marks {
    /// A byte every credential shape needs (`name=value`, `name: value`,
    /// `user@host`, `?name=value`): most strings of a config (paths,
    /// methods, hosts) have none.
    pub(super) separator: bool,
    /// A line break: the string may hold a config of its own.
    pub(super) line_break: bool,
}

const SEPARATOR: u8 = 1;
const LINE_BREAK: u8 = 2;

/// Each byte's marks.
static BYTE_MARKS: [u8; 256] = {
    let mut table = [0u8; 256];
    table[b'=' as usize] = SEPARATOR;
    table[b':' as usize] = SEPARATOR;
    table[b'@' as usize] = SEPARATOR;
    table[b'\n' as usize] = LINE_BREAK;
    table
};

/// The [`Marks`] of `value`.
pub(super) fn marks(value: &str) -> Marks {
    let found = value
        .bytes()
        .fold(0u8, |found, b| found | BYTE_MARKS[usize::from(b)]);
    Marks {
        separator: found & SEPARATOR != 0,
        line_break: found & LINE_BREAK != 0,
    }
}

/// [`string_secret_ranges`] of a value whose [`Marks`] say it has a
/// separator (without one, there is none).
pub(super) fn credential_ranges(value: &str) -> Vec<Range<usize>> {
    if let Some(pair) = pair_value_range(value) {
        return vec![pair];
    }
    let mut ranges = Vec::new();
    userinfo_in_string(value, &mut ranges);
    parameters(value, true, &mut ranges);
    ranges.sort_by_key(|r| (r.start, r.end));
    ranges
}

/// `value` with its credentials replaced by the marker, for a message that
/// quotes a value the policy may class as a secret.
pub fn redact_str(value: &str) -> Cow<'_, str> {
    let ranges = string_secret_ranges(value);
    if ranges.is_empty() {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len());
    let mut cursor = 0;
    for r in super::view::merge(ranges) {
        out.push_str(&value[cursor..r.start]);
        out.push_str(MARKER);
        cursor = r.end;
    }
    out.push_str(&value[cursor..]);
    Cow::Owned(out)
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

/// User info in a whole string value. After each `scheme://`, up to the
/// next `://` (another URL), the part before the last `@` is user info if
/// it holds a `:` or no `/` (`https://token@host`, but not
/// `http://host/npm/@scope`): whatever characters it holds, since RFC
/// 3986 allows sub-delimiters (`,(';=`) there and a hostile value may
/// hold more (`"`, `[`, a space). Before the first `://` (or without
/// one), a word of the value that ends at an `@` is user info if it holds
/// a `:` (`agent-user:pw@agent:55678`).
fn userinfo_in_string(value: &str, out: &mut Vec<Range<usize>>) {
    if !value.contains('@') {
        return;
    }
    let schemes: Vec<usize> = value.match_indices("://").map(|(i, _)| i + 3).collect();
    let first = schemes.first().map_or(value.len(), |&s| s - 3);
    // Without a scheme: words separated by whitespace (whether the word
    // holds a `:` so far is kept as it is read: `a@a@a@...` stays linear).
    let (mut word, mut colon) = (0, false);
    for (i, c) in value[..first].char_indices() {
        if c.is_whitespace() {
            (word, colon) = (i + c.len_utf8(), false);
        } else if c == ':' {
            colon = true;
        } else if c == '@' && colon {
            out.push(word..i);
        }
    }
    for (n, &start) in schemes.iter().enumerate() {
        let end = schemes.get(n + 1).map_or(value.len(), |&next| next - 3);
        let region = &value[start..end];
        if let Some(at) = region.rfind('@') {
            let candidate = &region[..at];
            if at > 0 && (candidate.contains(':') || !candidate.contains('/')) {
                out.push(start..start + at);
            }
        }
    }
}

/// The values of query and fragment parameters whose decoded name is a
/// credential: after `?`, `&`, `;` or `#`, `name=value`. In a whole string
/// (`whole`) a value runs to the next `&`, `;` or `#`; in raw text it also
/// stops at whitespace and quotes, which end the string it is in.
fn parameters(text: &str, whole: bool, out: &mut Vec<Range<usize>>) {
    if !text.contains('=') {
        return;
    }
    let bytes = text.as_bytes();
    let stops_name = |b: u8| {
        matches!(b, b'=' | b'?' | b'&' | b';' | b'#')
            || !whole && (b.is_ascii_whitespace() || matches!(b, b'"' | b'\''))
    };
    let stops_value = |b: u8| {
        matches!(b, b'&' | b';' | b'#')
            || !whole && (b.is_ascii_whitespace() || matches!(b, b'"' | b'\''))
    };
    let mut i = 0;
    while i < bytes.len() {
        if !matches!(bytes[i], b'?' | b'&' | b';' | b'#') {
            i += 1;
            continue;
        }
        let name_start = i + 1;
        let mut j = name_start;
        // The name ends at the next `?`, `&`, `;` or `#` too, so that each
        // byte is looked at a bounded number of times (`?a?a?a...`).
        while j < bytes.len() && !stops_name(bytes[j]) {
            j += 1;
        }
        if j < bytes.len() && bytes[j] == b'=' && is_secret_query_name(&text[name_start..j]) {
            let value_start = j + 1;
            let mut end = value_start;
            while end < bytes.len() && !stops_value(bytes[end]) {
                end += 1;
            }
            if end > value_start {
                out.push(value_start..end);
            }
            // Go on after the hidden value (`?p=?p=?p=...` stays linear).
            i = end;
            continue;
        }
        i = j.max(i + 1);
    }
}

/// Credentials in URLs and URL-like raw text (a file that does not parse,
/// a comment), in one pass over `text`, where a stray quote may have cut
/// a URL into words and a value may run into the next one:
///
/// * On `@`: the stretch before it (since whitespace, a quote or a
///   `://`; an earlier `@` does not end it, so `u:p@ss@host` hides
///   `u:p@ss`) is user info if it holds a `:`, or if it directly follows
///   `://` and holds no `/` (`https://user@host`, but not
///   `http://host/npm/@scope`);
/// * after `?`, `&`, `;` or `#`: the value of a parameter whose decoded
///   name is a credential, up to `&`, `;`, `#`, whitespace or a quote.
pub(super) fn credential_scan(text: &str, out: &mut Vec<Range<usize>>) {
    let bytes = text.as_bytes();
    let is_break = |b: u8| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'');
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
        } else if b == b'@' && i > segment && (colon || after_scheme && !slash) {
            out.push(segment..i);
        }
        i += 1;
    }
    parameters(text, false, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_verdicts_and_marks_answer_as_the_policy_does() {
        let keys = [
            "endpoint",
            "password",
            "api_key",
            "x",
            "",
            "password: hunter2",
            "token=abc",
            "user:pw@host",
            "backend",
            "endpoint",
            "password: hunter2",
            "é",
            "a\nb",
            "Authorization",
            "url_pattern",
            "host",
            "headers",
            "user@host",
            // Longer than a remembered key: answered each time.
            "a_key_name_longer_than_thirty_bytes_password",
            "a_key_name_longer_than_thirty_bytes_plain",
            "a_key_name_longer_than_thirty_bytes_password",
        ];
        let mut remembered = SecretKeys::new();
        // Twice round: the second reads what the first remembered, and
        // keys of one slot replace each other.
        for key in keys.iter().chain(keys.iter()) {
            assert_eq!(remembered.is_secret(key), is_secret_key(key), "{key:?}");
            let holds = !string_secret_ranges(key).is_empty();
            assert_eq!(remembered.holds_credential(key), holds, "{key:?}");
            let m = marks(key);
            assert_eq!(m.separator, key.contains(['=', ':', '@']), "{key:?}");
            assert_eq!(m.line_break, key.contains('\n'), "{key:?}");
        }
    }

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

    /// Each credential word names a credential wherever it stands in a
    /// key, in any case and between any separators; one letter short, or
    /// one letter changed, it does not. (`pwd` only as the whole key.)
    #[test]
    fn every_credential_word_is_found_at_any_place() {
        const WORDS: [&str; 12] = [
            "apikey",
            "accesskey",
            "authorization",
            "credential",
            "cookie",
            "password",
            "passwd",
            "passphrase",
            "privatekey",
            "secret",
            "signature",
            "token",
        ];
        assert!(is_secret_key("PWD") && is_secret_key("p-wd") && !is_secret_key("my_pwd"));
        for word in WORDS {
            let upper = word.to_ascii_uppercase();
            for key in [
                word.to_string(),
                format!("my_{word}"),
                format!("x{upper}y"),
                format!("{}-{}", &word[..2], &word[2..]),
            ] {
                assert!(is_secret_key(&key), "{key}");
            }
            let short = &word[..word.len() - 1];
            let changed = format!("{short}q");
            assert!(!is_secret_key(&format!("my_{short}")), "{short}");
            assert!(!is_secret_key(&format!("my_{changed}")), "{changed}");
        }
    }

    fn hidden(value: &str) -> Vec<&str> {
        string_secret_ranges(value)
            .into_iter()
            .map(|r| &value[r])
            .collect()
    }

    #[test]
    fn finds_credentials_in_urls() {
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

    #[test]
    fn user_info_may_hold_any_character() {
        // Issue 12, point 1: characters RFC 3986 allows in user info, and
        // some it does not.
        for (url, secret) in [
            ("http://svc:Pa,ss-S1@search:9200", "svc:Pa,ss-S1"),
            ("https://svc:x(S2@zipkin:9411/api/v2/spans", "svc:x(S2"),
            ("http://svc:a'b[c{d\"e S3@h:1", "svc:a'b[c{d\"e S3"),
            ("http://u:p@ss@host/x", "u:p@ss"),
            ("http://u:p#w?x@host", "u:p#w?x"),
            ("http://u:p;w=&x@host", "u:p;w=&x"),
            ("user:pa,ss@host:1", "user:pa,ss"),
        ] {
            assert_eq!(hidden(url), [secret], "{url}");
        }
        // Two URLs in one value: each its own.
        assert_eq!(hidden("http://a:S4@h1/x http://h2/npm/@scope"), ["a:S4"]);
    }

    #[test]
    fn parameter_names_are_read_as_the_server_reads_them() {
        // Issue 12, point 4.
        assert_eq!(hidden("http://i:8086/?u=writer&%70=S1"), ["S1"]);
        assert_eq!(hidden("http://z/x?to%6Ben=S2"), ["S2"]);
        assert_eq!(hidden("http://z/x?token[]=S3&token[0]=S4"), ["S3", "S4"]);
        assert_eq!(hidden("http://z/x#access_token=S5&state=ok"), ["S5"]);
        assert_eq!(hidden("http://z/x?to+ken=S6"), ["S6"]);
        assert_eq!(hidden("http://z/x?p%5B%5D=S7"), ["S7"]);
        assert!(hidden("http://z/x?u=writer&db=k#top").is_empty());
        assert!(is_secret_query_name("%70"));
        assert!(!is_secret_query_name("%7"));
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%e9t%C3%A9"), "\u{fffd}t\u{e9}");
    }

    #[test]
    fn raw_text_stops_at_quotes_and_whitespace() {
        let text =
            r#""u": "http://svc:x(S1@h:1/?p=S2", "mail": "ops@example.com", "x": "http://h/a@b""#;
        let mut ranges = Vec::new();
        credential_scan(text, &mut ranges);
        let found: Vec<&str> = ranges.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(found, ["svc:x(S1", "S2"]);
    }

    #[test]
    fn environment_references_hold_no_secret() {
        assert!(is_reference("${env:INFLUXDB_PASSWORD}"));
        assert!(is_reference(" ${TOKEN} "));
        assert!(!is_reference("${env:X}tail"));
        assert!(!is_reference("${env:X Y}"));
        assert!(!is_reference("${}"));
        assert!(!is_reference("S3CR3T"));
    }

    #[test]
    fn messages_quote_values_redacted() {
        assert_eq!(redact_str("token=T1"), "token=<redacted>");
        assert_eq!(redact_str("krakend"), "krakend");
        assert_eq!(
            redact_str("http://u:p@h/?sig=S"),
            "http://<redacted>@h/?sig=<redacted>"
        );
    }
}
