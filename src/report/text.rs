//! Plain-text layout for the tabular reports (`explain`, `verify`): word
//! wrapping and aligned columns whose cells wrap inside their column, so
//! that a table stays readable in an 80-column terminal.

/// Wrap `text` to lines of at most `width` characters, breaking at spaces
/// (but not right after a `label:` nor before a `%`); a word longer than the width is
/// broken after `/`, `.`, `,` or `_` when possible, else anywhere.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let mut lines = Vec::new();
    let mut line = String::new();
    // `label: value` stays together where it can (`env: OTEL_...`), and
    // so does a number with its unit (`20 %`).
    let mut words: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match words.last_mut() {
            Some(last) if (last.ends_with(':') && !last.contains(' ')) || word == "%" => {
                last.push(' ');
                last.push_str(word);
            }
            _ => words.push(word.to_string()),
        }
    }
    for word in words {
        let mut word = word;
        loop {
            let used = line.chars().count();
            let need = word.chars().count() + usize::from(used > 0);
            if used + need <= width {
                if used > 0 {
                    line.push(' ');
                }
                line.push_str(&word);
                break;
            }
            if used > 0 {
                lines.push(std::mem::take(&mut line));
                continue;
            }
            // The word alone is too long: cut it.
            let chars: Vec<char> = word.chars().collect();
            let cut = chars[..width]
                .iter()
                .rposition(|c| matches!(c, '/' | '.' | ',' | '_'))
                .map_or(width, |i| i + 1);
            lines.push(chars[..cut].iter().collect());
            word = chars[cut..].iter().collect();
            if word.is_empty() {
                break;
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Rows of cells laid out in columns of the given widths (the last column
/// may be `usize::MAX`-wide: it is not padded). Each cell wraps inside its
/// column; every line starts with `indent`.
pub fn columns(rows: &[Vec<String>], widths: &[usize], indent: &str) -> String {
    let mut out = String::new();
    for row in rows {
        let cells: Vec<Vec<String>> = row
            .iter()
            .zip(widths)
            .map(|(cell, &w)| wrap(cell, w))
            .collect();
        let height = cells.iter().map(Vec::len).max().unwrap_or(1);
        for i in 0..height {
            let mut line = indent.to_string();
            for (c, cell) in cells.iter().enumerate() {
                let text = cell.get(i).map_or("", String::as_str);
                if c + 1 == cells.len() {
                    line.push_str(text);
                } else {
                    let pad = widths[c].saturating_sub(text.chars().count());
                    line.push_str(text);
                    line.push_str(&" ".repeat(pad + 2));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    out
}

/// The width to lay reports out for: `COLUMNS` when set, else the
/// terminal's when stdout is one, else 100; kept within 60..=160.
pub fn width() -> usize {
    let from_env = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok());
    let from_terminal = || {
        use std::io::IsTerminal;
        std::io::stdout()
            .is_terminal()
            .then(terminal_size::terminal_size)
            .flatten()
            .map(|(w, _)| usize::from(w.0))
    };
    from_env
        .or_else(from_terminal)
        .unwrap_or(100)
        .clamp(60, 160)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_words_and_cuts_long_tokens_at_separators() {
        assert_eq!(
            wrap("a bb ccc dddd eeeee", 8),
            ["a bb ccc", "dddd", "eeeee"]
        );
        assert_eq!(
            wrap("telemetry/opentelemetry.exporters.otlp[adot]", 20),
            ["telemetry/", "opentelemetry.", "exporters.otlp[adot]"]
        );
        assert_eq!(wrap("", 10), [""]);
        assert_eq!(wrap("sampled 20 % of", 10), ["sampled", "20 % of"]);
        assert_eq!(
            wrap("env: OTEL_PROPAGATORS=a,b,c", 20),
            ["env: OTEL_", "PROPAGATORS=a,b,c"]
        );
    }

    #[test]
    fn cells_wrap_inside_their_column() {
        let rows = vec![vec!["1:2".into(), "one two three".into(), "end".into()]];
        assert_eq!(
            columns(&rows, &[3, 8, usize::MAX], "  "),
            "  1:2  one two   end\n       three\n"
        );
    }
}
