//! Size limits of the outer layers (issue 9): the command line stays thin
//! (`src/cli` under 900 lines in all, no function over 60 lines: it parses,
//! builds settings, calls an operation and a reporter), and no function of
//! `src/workspace` or `src/report` is over 120 lines (the issue allows
//! lookup tables past it; none is that long today, so none is exempt).
//!
//! Also, `workspace` imports neither `report` nor `cli`, `report` not
//! `cli`, and neither sees clap (the settings are made in `cli`).
//!
//! Functions are found by a small scanner that knows enough Rust to skip
//! comments, strings and character literals, so that a `{` in a message or
//! a `fn` in a comment cannot throw the count off; its own tests below
//! show that it finds what it must.

use std::fs;
use std::path::{Path, PathBuf};

const CLI_LINES: usize = 900;
const CLI_FUNCTION_LINES: usize = 60;
const FUNCTION_LINES: usize = 120;

/// A function found in a source file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Function {
    name: String,
    /// 1-based line of the `fn` keyword.
    line: usize,
    /// Lines from the `fn` keyword to the closing brace, both included.
    lines: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Ident(String),
    Punct(char),
}

/// The identifiers and punctuation of Rust source, each with its line;
/// comments, strings and character literals are left out.
fn tokens(source: &str) -> Vec<(Token, usize)> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    // Skip to the end of a quoted literal opened before `i`, counting lines.
    let skip_quoted = |i: &mut usize, line: &mut usize, quote: char| {
        while *i < chars.len() && chars[*i] != quote {
            if chars[*i] == '\\' {
                *i += 1;
            }
            if chars.get(*i) == Some(&'\n') {
                *line += 1;
            }
            *i += 1;
        }
        *i += 1;
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    line += usize::from(chars[i] == '\n');
                    i += 1;
                }
            }
        } else if c == '"' {
            i += 1;
            skip_quoted(&mut i, &mut line, '"');
        } else if c == '\'' {
            // A character literal ('x', '\n', '{') or a lifetime ('a).
            if next == Some('\\') || chars.get(i + 2) == Some(&'\'') {
                i += 1;
                skip_quoted(&mut i, &mut line, '\'');
            } else {
                i += 1;
            }
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            // Raw strings: r"..", r#".."#, br#".."# (and b".." above).
            let raw = matches!(word.as_str(), "r" | "br" | "cr");
            if raw && matches!(chars.get(i), Some('"' | '#')) {
                let hashes = chars[i..].iter().take_while(|&&c| c == '#').count();
                i += hashes + 1;
                let close: Vec<char> = std::iter::once('"')
                    .chain(std::iter::repeat_n('#', hashes))
                    .collect();
                while i < chars.len() && !chars[i..].starts_with(&close) {
                    line += usize::from(chars[i] == '\n');
                    i += 1;
                }
                i += close.len();
            } else if matches!(word.as_str(), "b" | "c") && chars.get(i) == Some(&'"') {
                i += 1;
                skip_quoted(&mut i, &mut line, '"');
            } else if word == "b" && chars.get(i) == Some(&'\'') {
                i += 1;
                skip_quoted(&mut i, &mut line, '\'');
            } else {
                out.push((Token::Ident(word), line));
            }
        } else if c.is_whitespace() || c.is_ascii_digit() {
            i += 1;
        } else {
            out.push((Token::Punct(c), line));
            i += 1;
        }
    }
    out
}

/// Every function with a body, and its length in lines.
fn functions(source: &str) -> Vec<Function> {
    let tokens = tokens(source);
    let mut found = Vec::new();
    for (at, window) in tokens.windows(2).enumerate() {
        let (Token::Ident(keyword), line) = &window[0] else {
            continue;
        };
        let Token::Ident(name) = &window[1].0 else {
            continue; // `fn(..)`, a function pointer type
        };
        if keyword != "fn" {
            continue;
        }
        // The body is the first `{` outside the parameters (whose types
        // may hold `;`, as in `[u8; 4]`); a `;` first means no body.
        let mut depth = 0i32;
        let mut body = None;
        for (i, (token, _)) in tokens.iter().enumerate().skip(at + 2) {
            match token {
                Token::Punct('(' | '[') => depth += 1,
                Token::Punct(')' | ']') => depth -= 1,
                Token::Punct(';') if depth == 0 => break,
                Token::Punct('{') if depth == 0 => {
                    body = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let Some(open) = body else { continue };
        let mut braces = 0i32;
        for (token, end_line) in &tokens[open..] {
            match token {
                Token::Punct('{') => braces += 1,
                Token::Punct('}') => braces -= 1,
                _ => {}
            }
            if braces == 0 {
                found.push(Function {
                    name: name.clone(),
                    line: *line,
                    lines: end_line - line + 1,
                });
                break;
            }
        }
    }
    found
}

/// The `.rs` files under `dir`, recursively, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The functions of the layer in `dir` over `limit` lines, as
/// `src/dir/file.rs::name (line N): M lines`.
fn over(dir: &str, limit: usize) -> Vec<String> {
    let root = crate::common::manifest_dir();
    let mut long = Vec::new();
    for file in rust_files(&root.join(dir)) {
        let relative = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let source = fs::read_to_string(&file).unwrap();
        for f in functions(&source) {
            let id = format!("{relative}::{}", f.name);
            if f.lines > limit {
                long.push(format!("{id} (line {}): {} lines", f.line, f.lines));
            }
        }
    }
    long
}

#[test]
fn the_command_line_stays_thin() {
    let root = crate::common::manifest_dir().join("src/cli");
    let total: usize = rust_files(&root)
        .iter()
        .map(|f| fs::read_to_string(f).unwrap().lines().count())
        .sum();
    assert!(
        total < CLI_LINES,
        "src/cli has {total} lines; keep it under {CLI_LINES}: parsing and settings only, the work belongs in workspace and report"
    );
    let long = over("src/cli", CLI_FUNCTION_LINES);
    assert!(
        long.is_empty(),
        "functions of src/cli over {CLI_FUNCTION_LINES} lines:\n{}",
        long.join("\n")
    );
}

#[test]
fn no_function_of_workspace_or_report_is_over_the_limit() {
    let mut long = over("src/workspace", FUNCTION_LINES);
    long.extend(over("src/report", FUNCTION_LINES));
    assert!(
        long.is_empty(),
        "functions over {FUNCTION_LINES} lines:\n{}",
        long.join("\n")
    );
}

/// The crate modules (`crate::x`) and crates named in a source's code (not
/// its comments or strings).
fn imports(source: &str) -> Vec<String> {
    let tokens = tokens(source);
    let mut found = Vec::new();
    for (i, (token, _)) in tokens.iter().enumerate() {
        let Token::Ident(word) = token else { continue };
        let path = tokens
            .get(i + 1..i + 4)
            .map(|t| t.iter().map(|(t, _)| t).collect::<Vec<_>>());
        match (word.as_str(), path.as_deref()) {
            ("crate", Some([Token::Punct(':'), Token::Punct(':'), Token::Ident(module)])) => {
                found.push(format!("crate::{module}"));
            }
            // `crate::{a, b::c}`: the first name of each item.
            ("crate", Some([Token::Punct(':'), Token::Punct(':'), Token::Punct('{')])) => {
                let mut depth = 0;
                let mut first = true;
                for (token, _) in &tokens[i + 3..] {
                    match token {
                        Token::Punct('{') => depth += 1,
                        Token::Punct('}') if depth == 1 => break,
                        Token::Punct('}') => depth -= 1,
                        Token::Punct(',') if depth == 1 => first = true,
                        Token::Ident(module) if depth == 1 && first => {
                            found.push(format!("crate::{module}"));
                            first = false;
                        }
                        _ => first = false,
                    }
                }
            }
            ("clap", _) => found.push("clap".into()),
            _ => {}
        }
    }
    found
}

#[test]
fn the_outer_layers_import_only_the_layers_before_them() {
    let root = crate::common::manifest_dir();
    for (layer, forbidden) in [
        (
            "src/workspace",
            &["crate::report", "crate::cli", "clap"][..],
        ),
        ("src/report", &["crate::cli", "clap"][..]),
    ] {
        for file in rust_files(&root.join(layer)) {
            let source = fs::read_to_string(&file).unwrap();
            let wrong: Vec<String> = imports(&source)
                .into_iter()
                .filter(|i| forbidden.contains(&i.as_str()))
                .collect();
            assert!(wrong.is_empty(), "{} uses {wrong:?}", file.display());
        }
    }
    // The check sees what it must, and not what a comment says.
    let sample = "use crate::report::Style; // crate::cli\nuse crate::{model, cli::args::{A, B}};\nfn f() -> clap::Error { todo!() }\n";
    assert_eq!(
        imports(sample),
        ["crate::report", "crate::model", "crate::cli", "clap"]
    );
}

#[test]
fn the_scanner_measures_functions_and_is_not_fooled_by_literals() {
    let long_body = "    let x = 1;\n".repeat(60);
    let source = format!(
        r##"// fn in_a_comment() {{ }}
/* fn in_a_block() {{ /* nested */ }} */
fn short(a: [u8; 4]) -> u8 {{
    let s = "fn not_a_function() {{ \" }}";
    let r = r#"{{ "quoted" }}"#;
    let c = '{{';
    let l: &'static str = "x";
    a[0]
}}

trait T {{
    fn declared(&self) -> u8;
}}

fn long<'a>(x: &'a str) -> impl Fn() -> u8 + 'a {{
{long_body}    move || x.len() as u8
}}

fn pointer(f: fn(u8) -> u8) -> u8 {{ f(1) }}
"##
    );
    let found = functions(&source);
    let summary: Vec<(&str, usize, usize)> = found
        .iter()
        .map(|f| (f.name.as_str(), f.line, f.lines))
        .collect();
    assert_eq!(
        summary,
        [("short", 3, 7), ("long", 15, 63), ("pointer", 79, 1)],
        "{found:#?}"
    );
}
