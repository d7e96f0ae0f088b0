//! All integration tests, compiled as one test binary (as ripgrep and cargo
//! do): one link step instead of one per file, and shared helpers in `common`.

mod common;

mod architecture;
mod batch;
mod ci_formats;
mod cli;
mod deploy;
mod emf;
mod escaping;
mod explain;
mod hostile;
mod integrations;
mod kill;
mod offline;
mod ops;
mod oracles;
mod properties;
mod rules;
mod secrets;
mod semantics;
mod templates;
mod vcs;
mod verify;
mod writes;
