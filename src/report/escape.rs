//! The one place a report makes a path or a name safe to show: control
//! characters (an escape sequence in a file name, a newline in a key)
//! are written as `\u{..}` escapes, so that a hostile name cannot move the
//! cursor, recolor the terminal or forge a line of the report.
//!
//! Every path and value the next steps, the check lines, the statistics
//! and the markdown report show goes through [`shown`]; when the shared
//! escaping function of the hostile-input work lands, this is the line
//! that calls it.

use std::borrow::Cow;

/// `text` with its control characters escaped.
pub fn shown(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::shown;

    #[test]
    fn control_characters_are_escaped_and_the_rest_kept() {
        assert_eq!(
            shown("services/a b/krakend.json"),
            "services/a b/krakend.json"
        );
        assert_eq!(shown("x\u{1b}[2Jy\nz"), "x\\u{1b}[2Jy\\u{a}z");
        assert_eq!(shown("café"), "café");
    }
}
