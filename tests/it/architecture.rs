//! The shape of the crate (docs/design.md): its layers and the direction
//! of imports between them, a bound on function length, and a thin
//! command line.
//!
//! Layers, in order: `syntax` < `model` < `migration` < `workspace` <
//! `report` < `cli`. A module may use its own layer and earlier ones,
//! never a later one. Every `crate::<layer>` path in code (comments and
//! strings aside) is checked, in `use` declarations and inline alike.

use std::path::{Path, PathBuf};

const LAYERS: [&str; 6] = ["syntax", "model", "migration", "workspace", "report", "cli"];

/// The longest a function may be, in lines, in every layer but `cli`.
const MAX_LINES: usize = 120;

/// The command line only parses, builds settings, calls and prints: it
/// stays under this many lines in all, with functions of at most
/// `CLI_FUNCTION_LINES`.
const CLI_LINES: usize = 900;
const CLI_FUNCTION_LINES: usize = 60;

/// Functions allowed to be longer: lookup tables, by file and name, with
/// the reason. (None needs it today: the diagnostic code table is one
/// macro invocation, not a function.)
const LONG_TABLES: &[(&str, &str, &str)] = &[];

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// `text` with comments, strings and character literals blanked out
/// (newlines kept), so that only code is left to read.
fn code_of(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let blank = |out: &mut Vec<u8>, piece: &[u8]| {
        out.extend(piece.iter().map(|&b| if b == b'\n' { b'\n' } else { b' ' }));
    };
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        let end = if rest.starts_with(b"//") {
            i + rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len())
        } else if rest.starts_with(b"/*") {
            block_comment_end(bytes, i)
        } else if let Some(len) = raw_string_len(bytes, i) {
            i + len
        } else if rest[0] == b'"' {
            string_end(bytes, i)
        } else if rest[0] == b'\'' {
            char_end(bytes, i)
        } else {
            out.push(bytes[i]);
            i += 1;
            continue;
        };
        blank(&mut out, &bytes[i..end.min(bytes.len())]);
        i = end.max(i + 1);
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn block_comment_end(bytes: &[u8], start: usize) -> usize {
    let mut depth = 0;
    let mut i = start;
    while i + 1 < bytes.len() {
        if bytes[i..].starts_with(b"/*") {
            depth += 1;
            i += 2;
        } else if bytes[i..].starts_with(b"*/") {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    bytes.len()
}

/// The length of a raw string (`r"..."`, `r#"..."#`, `br"..."`) at `i`.
fn raw_string_len(bytes: &[u8], i: usize) -> Option<usize> {
    let ident_before = i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
    if ident_before {
        return None;
    }
    let mut j = i + usize::from(bytes[i] == b'b');
    if bytes.get(j) != Some(&b'r') {
        return None;
    }
    j += 1;
    let hashes = bytes[j..].iter().take_while(|&&b| b == b'#').count();
    j += hashes;
    if bytes.get(j) != Some(&b'"') {
        return None;
    }
    let mut close = vec![b'"'];
    close.extend(std::iter::repeat_n(b'#', hashes));
    let body = &bytes[j + 1..];
    let end = body
        .windows(close.len())
        .position(|w| w == close.as_slice())
        .map_or(bytes.len(), |p| j + 1 + p + close.len());
    Some(end - i)
}

fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The end of a character literal at `start`, or just past the quote of
/// a lifetime (`'a`).
fn char_end(bytes: &[u8], start: usize) -> usize {
    if bytes.get(start + 1) == Some(&b'\\') {
        let close = bytes[start + 2..].iter().position(|&b| b == b'\'');
        return close.map_or(bytes.len(), |c| start + 2 + c + 1);
    }
    // One character (of up to four UTF-8 bytes), then the closing quote.
    let width = match bytes.get(start + 1) {
        Some(b) if *b >= 0xf0 => 4,
        Some(b) if *b >= 0xe0 => 3,
        Some(b) if *b >= 0xc0 => 2,
        _ => 1,
    };
    if bytes.get(start + 1 + width) == Some(&b'\'') {
        start + 2 + width
    } else {
        start + 1
    }
}

/// The layers a piece of code names with `crate::<layer>` (also inside
/// `use crate::{a, b}`), with their line numbers.
fn layer_paths(code: &str) -> Vec<(&'static str, usize)> {
    let mut out = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            let ident_before = rest[..at]
                .chars()
                .last()
                .is_some_and(|c| c.is_alphanumeric() || c == '_');
            let after = &rest[at + "crate::".len()..];
            rest = after;
            if ident_before {
                continue;
            }
            let names: Vec<&str> = match after.strip_prefix('{') {
                Some(group) => group
                    .split('}')
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .map(|p| p.trim().split("::").next().unwrap_or_default())
                    .collect(),
                None => vec![
                    after
                        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .next()
                        .unwrap_or_default(),
                ],
            };
            for name in names {
                if let Some(layer) = LAYERS.iter().find(|l| **l == name) {
                    out.push((*layer, n + 1));
                }
            }
        }
    }
    out
}

/// Every function of `code`: its name, first line and length in lines.
fn functions(code: &str) -> Vec<(String, usize, usize)> {
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let mut search = 0;
    while let Some(found) = code[search..].find("fn ") {
        let at = search + found;
        search = at + 3;
        let word_start =
            at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_');
        let name: String = code[at + 3..]
            .trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if !word_start || name.is_empty() {
            continue;
        }
        // The body opens at the first `{` outside brackets; a `;` first
        // means a declaration without a body.
        let mut depth = 0i32;
        let mut open = None;
        for (i, &b) in bytes.iter().enumerate().skip(at) {
            match b {
                b'(' | b'[' => depth += 1,
                b')' | b']' => depth -= 1,
                b';' if depth == 0 => break,
                b'{' if depth == 0 => {
                    open = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let Some(open) = open else { continue };
        let mut braces = 0i32;
        let mut close = bytes.len();
        for (i, &b) in bytes.iter().enumerate().skip(open) {
            match b {
                b'{' => braces += 1,
                b'}' => {
                    braces -= 1;
                    if braces == 0 {
                        close = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let first = code[..at].matches('\n').count() + 1;
        let last = code[..close.min(code.len())].matches('\n').count() + 1;
        out.push((name, first, last - first + 1));
    }
    out
}

fn src() -> PathBuf {
    crate::common::manifest_dir().join("src")
}

#[test]
fn no_layer_imports_a_later_one() {
    let mut violations = Vec::new();
    for (rank, layer) in LAYERS.iter().enumerate() {
        for file in rust_files(&src().join(layer)) {
            let code = code_of(&std::fs::read_to_string(&file).unwrap());
            for (used, line) in layer_paths(&code) {
                let used_rank = LAYERS.iter().position(|l| *l == used).unwrap();
                if used_rank > rank {
                    violations.push(format!(
                        "{}:{line}: `{layer}` imports the later layer `{used}`",
                        file.display()
                    ));
                }
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn no_function_is_too_long() {
    let mut long = Vec::new();
    let mut seen = 0;
    for layer in LAYERS {
        for file in rust_files(&src().join(layer)) {
            let code = code_of(&std::fs::read_to_string(&file).unwrap());
            let relative = file.strip_prefix(src()).unwrap().display().to_string();
            for (name, line, lines) in functions(&code) {
                seen += 1;
                let exempt = LONG_TABLES
                    .iter()
                    .any(|(f, n, _)| *f == relative && *n == name);
                let limit = if layer == "cli" {
                    CLI_FUNCTION_LINES
                } else {
                    MAX_LINES
                };
                if lines > limit && !exempt {
                    long.push(format!("src/{relative}:{line}: `{name}` is {lines} lines"));
                }
            }
        }
    }
    assert!(long.is_empty(), "{}", long.join("\n"));
    // The scan reads every function (about 900 today), not none.
    assert!(seen > 500, "only {seen} functions found");
}

#[test]
fn the_command_line_stays_thin() {
    let files = rust_files(&src().join("cli"));
    let lines: usize = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap().lines().count())
        .sum();
    assert!(lines < CLI_LINES, "src/cli is {lines} lines");
    // Only the command line knows clap: below it, settings are plain data.
    for layer in LAYERS.iter().filter(|l| **l != "cli") {
        for file in rust_files(&src().join(layer)) {
            let code = code_of(&std::fs::read_to_string(&file).unwrap());
            assert!(!code.contains("clap::"), "{} uses clap", file.display());
        }
    }
}

#[test]
fn the_checks_see_what_they_look_for() {
    let code = code_of(
        "use crate::{syntax::tree, migration::x};\n// crate::cli in a comment\nlet s = \"crate::report\";\nfn f<'a>(c: char) { if c == '{' { crate::workspace::w() } }\n",
    );
    let paths = layer_paths(&code);
    assert_eq!(paths, [("syntax", 1), ("migration", 1), ("workspace", 4)]);
    let body = "    x();\n".repeat(MAX_LINES);
    let code = code_of(&format!(
        "fn short(a: [u8; 2]) -> u8 {{ 1 }}\nfn long() {{\n{body}}}\nfn decl();\n"
    ));
    let found = functions(&code);
    assert_eq!(found[0], ("short".to_string(), 1, 1));
    assert_eq!(found[1], ("long".to_string(), 2, MAX_LINES + 2));
    assert_eq!(found.len(), 2);
    assert!(
        code_of("let r = r#\"fn x() {\"#; 'a';")
            .find("fn")
            .is_none()
    );
}
