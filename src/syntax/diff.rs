//! Unified diffs of what a migration changes, plain or colored.
//!
//! The plain form is a patch `git apply` accepts (line terminators are
//! kept, a missing final newline is marked); the colored form is for the
//! terminal and emphasises the changed words.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};
use similar::{ChangeTag, TextDiff};

const CONTEXT: usize = 3;

/// A diff from `old` (`None`: the file does not exist yet) to `new`.
/// Empty when nothing changes.
pub fn unified(
    old_name: &str,
    new_name: &str,
    old: Option<&str>,
    new: &str,
    color: bool,
) -> String {
    let old_text = old.unwrap_or("");
    if old == Some(new) {
        return String::new();
    }
    // `a/` + a path as git writes it: no leading `/` or `./`.
    let clean = |name: &str| {
        name.trim_start_matches("./")
            .trim_start_matches('/')
            .to_string()
    };
    let a = if old.is_some() {
        format!("a/{}", clean(old_name))
    } else {
        "/dev/null".to_string()
    };
    let b = format!("b/{}", clean(new_name));
    let diff = TextDiff::from_lines(old_text, new);
    if !color {
        return diff
            .unified_diff()
            .context_radius(CONTEXT)
            .header(&a, &b)
            .to_string();
    }
    colored(&diff, &a, &b)
}

fn colored(diff: &TextDiff<'_, '_, str>, a: &str, b: &str) -> String {
    const DEL: Style = AnsiColor::Red.on_default();
    const INS: Style = AnsiColor::Green.on_default();
    const HUNK: Style = AnsiColor::Cyan.on_default();
    const BOLD: Style = Style::new().bold();
    let mut out = String::new();
    let _ = writeln!(out, "{BOLD}--- {a}{BOLD:#}\n{BOLD}+++ {b}{BOLD:#}");
    let mut udiff = diff.unified_diff();
    udiff.context_radius(CONTEXT);
    for hunk in udiff.iter_hunks() {
        let _ = writeln!(out, "{HUNK}{}{HUNK:#}", hunk.header());
        for op in hunk.ops() {
            for change in diff.iter_inline_changes(op) {
                let (sign, style) = match change.tag() {
                    ChangeTag::Delete => ('-', DEL),
                    ChangeTag::Insert => ('+', INS),
                    ChangeTag::Equal => (' ', Style::new()),
                };
                let _ = write!(out, "{style}{sign}");
                for (emphasized, text) in change.iter_strings_lossy() {
                    let text = text.trim_end_matches(['\r', '\n']);
                    if emphasized && change.tag() != ChangeTag::Equal {
                        let em = style.bold().underline();
                        let _ = write!(out, "{style:#}{em}{text}{em:#}{style}");
                    } else {
                        let _ = write!(out, "{text}");
                    }
                }
                let _ = writeln!(out, "{style:#}");
                if change.missing_newline() {
                    let _ = writeln!(out, "\\ No newline at end of file");
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::unified;

    #[test]
    fn plain_diffs_are_patches() {
        let d = unified("k.json", "k.json", Some("a\nb\n"), "a\nc\n", false);
        assert_eq!(
            d,
            "--- a/k.json\n+++ b/k.json\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"
        );
        let d = unified("k.yaml", "k.yaml", None, "x\n", false);
        assert!(
            d.starts_with("--- /dev/null\n+++ b/k.yaml\n@@ -0,0 +1 @@\n+x\n"),
            "{d}"
        );
        assert_eq!(unified("k", "k", Some("same"), "same", false), "");
        let d = unified("k", "k", Some("a"), "b", false);
        assert!(d.contains("\\ No newline at end of file"), "{d}");
    }

    #[test]
    fn colored_diffs_mark_changes() {
        let d = unified("k", "k", Some("a\nb\n"), "a\nc\n", true);
        assert!(d.contains("\u{1b}[") && d.contains('c'));
    }
}
