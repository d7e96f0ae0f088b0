//! Reading one input of `explain` or `verify`: a file or standard input,
//! into text, with a located error for anything that is not a text config.
//! (`migrate` has its own, which also handles writing back.)

use std::path::Path;

use crate::cli::args::CollectorArg;
use crate::diagnostic::{Code, Diagnostic};
use crate::options::CollectorFlavor;
use crate::source::{self, Format, LineIndex, SourceText};

/// A read input.
pub struct Input {
    /// As the user gave it (`-` for standard input).
    pub display: String,
    /// The file name, for the collector config's header.
    pub name: String,
    pub format: Format,
    pub text: SourceText,
}

/// Read `path` (`-`: standard input). The error is a diagnostic for the
/// whole file.
pub fn read(path: &Path) -> Result<Input, Box<Diagnostic>> {
    let stdin = path.as_os_str() == "-";
    let display = path.display().to_string();
    if !stdin && path.is_dir() {
        return Err(Box::new(Diagnostic::error(
            Code::Unreadable,
            "is a directory; give the config files themselves",
        )));
    }
    let bytes = if stdin {
        source::read_bounded(std::io::stdin().lock())
    } else {
        std::fs::File::open(path).and_then(source::read_bounded)
    }
    .map_err(|err| {
        Box::new(Diagnostic::error(
            Code::Unreadable,
            format!("cannot read the file: {err}"),
        ))
    })?;
    let text = source::decode(&bytes).map_err(|err| {
        let mut d = Diagnostic::error(Code::NotText, err.to_string());
        if let Some(offset) = err.offset() {
            let prefix = String::from_utf8_lossy(&bytes[..offset.min(bytes.len())]);
            let (line, column) = LineIndex::new(&prefix).line_col(&prefix, prefix.len());
            d.line = Some(line);
            d.column = Some(column);
        }
        Box::new(d)
    })?;
    let name = if stdin {
        "standard input".to_string()
    } else {
        path.file_name()
            .map_or_else(|| display.clone(), |n| n.to_string_lossy().into_owned())
    };
    Ok(Input {
        display,
        name,
        format: Format::from_path(path),
        text,
    })
}

/// The collector flavour of a `--collector` argument.
pub fn flavor(arg: CollectorArg) -> CollectorFlavor {
    match arg {
        CollectorArg::Adot => CollectorFlavor::Adot,
        CollectorArg::Contrib => CollectorFlavor::Contrib,
    }
}
