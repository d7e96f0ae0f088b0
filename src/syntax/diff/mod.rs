//! Unified diffs of what a migration changes, plain or colored.
//!
//! The plain form is a patch `git apply` accepts (line terminators are
//! kept, a missing final newline is marked); the colored form is for the
//! terminal and emphasises the changed words.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};
use similar::udiff::UnifiedHunkHeader;
use similar::{ChangeTag, DiffOp, TextDiff};

mod windows;

const CONTEXT: usize = 3;

/// A diff from `old` (`None`: the file does not exist yet) to `new`.
/// Empty when nothing changes.
///
/// Each window of `windows::windows` is diffed on its own and its hunks
/// are numbered as lines of the whole texts: the tables a diff keeps grow
/// with what changed, not with the file.
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
    let mut out = String::new();
    if color {
        write_header(&mut out, &a, &b, color);
    }
    for window in windows::windows(old_text, new) {
        let old_part = &old_text[window.old.clone()];
        let diff = TextDiff::from_lines(old_part, &new[window.new.clone()]);
        for ops in diff.grouped_ops(CONTEXT) {
            if ops.is_empty() {
                continue;
            }
            if out.is_empty() {
                write_header(&mut out, &a, &b, color);
            }
            let header = header_in_whole(&ops, window.old_line, window.new_line);
            if color {
                colored_hunk(&mut out, &diff, &ops, &header);
            } else {
                plain_hunk(&mut out, &diff, &ops, &header);
            }
        }
    }
    out
}

fn write_header(out: &mut String, a: &str, b: &str, color: bool) {
    const BOLD: Style = Style::new().bold();
    if color {
        let _ = writeln!(out, "{BOLD}--- {a}{BOLD:#}\n{BOLD}+++ {b}{BOLD:#}");
    } else {
        let _ = writeln!(out, "--- {a}\n+++ {b}");
    }
}

/// The header of a window's hunk `ops`, in lines of the whole texts (the
/// window starts at lines `old_line`/`new_line`): the header reads only
/// where the hunk starts and ends on each side, so one op spanning it,
/// moved, gives it.
fn header_in_whole(ops: &[DiffOp], old_line: usize, new_line: usize) -> UnifiedHunkHeader {
    let (first, last) = (&ops[0], &ops[ops.len() - 1]);
    let (old_start, new_start) = (first.old_range().start, first.new_range().start);
    UnifiedHunkHeader::new(&[DiffOp::Replace {
        old_index: old_start + old_line,
        old_len: last.old_range().end - old_start,
        new_index: new_start + new_line,
        new_len: last.new_range().end - new_start,
    }])
}

/// A hunk as `git apply` reads it: each line with its own terminator, and
/// a last line without one marked.
fn plain_hunk(
    out: &mut String,
    diff: &TextDiff<'_, '_, str>,
    ops: &[DiffOp],
    header: &UnifiedHunkHeader,
) {
    let _ = writeln!(out, "{header}");
    for op in ops {
        for change in diff.iter_changes(op) {
            let _ = write!(out, "{}{}", change.tag(), change.to_string_lossy());
            if change.missing_newline() {
                let _ = writeln!(out, "\n\\ No newline at end of file");
            }
        }
    }
}

fn colored_hunk(
    out: &mut String,
    diff: &TextDiff<'_, '_, str>,
    ops: &[DiffOp],
    header: &UnifiedHunkHeader,
) {
    const DEL: Style = AnsiColor::Red.on_default();
    const INS: Style = AnsiColor::Green.on_default();
    const HUNK: Style = AnsiColor::Cyan.on_default();
    let _ = writeln!(out, "{HUNK}{header}{HUNK:#}");
    for op in ops {
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
