//! All integration tests, compiled as one test binary (as ripgrep and cargo
//! do): one link step instead of one per file, and shared helpers in `common`.

mod common;

mod architecture;
mod batch;
mod browser;
mod ci_formats;
mod cli;
mod config;
mod deploy;
mod diffs;
mod emf;
mod escaping;
mod explain;
mod focused;
mod hostile;
mod integrations;
mod json_fast;
mod kill;
mod markdown;
mod offline;
mod ops;
mod oracle;
mod oracles;
mod playground;
mod properties;
mod rules;
mod scale;
mod secrets;
mod semantics;
mod templates;
mod vcs;
mod verify;
mod writes;
