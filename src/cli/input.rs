//! Reading one input of `explain` or `verify`: a file or standard input,
//! into text, with a located error for anything that is not a text config.
//! (`migrate` has its own, which also handles writing back.)

use std::path::Path;

use crate::cli::args::{CollectorArg, MetricsArg};
use crate::migration::options::{CollectorFlavor, MetricsTarget};
use crate::model::diagnostic::{Code, Diagnostic};
use crate::syntax::source::{self, Format, SourceText};

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
    let bytes = if stdin {
        source::read_bounded(std::io::stdin().lock()).map_err(source::ReadError::from)
    } else {
        source::read_file(path)
    }
    .map_err(|err| {
        let code = match err {
            source::ReadError::TooLarge { .. } => Code::NotText,
            _ => Code::Unreadable,
        };
        Box::new(Diagnostic::error(code, err.to_string()))
    })?;
    let text = source::decode(&bytes).map_err(|err| {
        let mut d = Diagnostic::error(Code::NotText, err.to_string());
        if let Some((line, column)) = err.line_col(&bytes) {
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

/// The metrics target of a `--metrics` argument.
pub fn metrics(arg: MetricsArg) -> MetricsTarget {
    match arg {
        MetricsArg::Legacy => MetricsTarget::Legacy,
        MetricsArg::Emf => MetricsTarget::Emf,
    }
}
