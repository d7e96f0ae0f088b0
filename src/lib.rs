//! oc2otel migrates KrakenD configurations from the deprecated OpenCensus
//! telemetry module (`telemetry/opencensus`) to OpenTelemetry
//! (`telemetry/opentelemetry`), and writes the collector config the new
//! block pushes to.
//!
//! The crate is built in layers, each importing only the ones before it:
//!
//! - [`syntax`]: text, formats (JSON, YAML, TOML, templates), located
//!   trees and byte-range edits; knows nothing of KrakenD;
//! - [`model`]: KrakenD's telemetry settings as its Go code reads them,
//!   where it reads them, diagnostics, secrets, platform facts;
//! - [`migration`]: one text in, the migrated text, the collector config
//!   and the diagnostics out, with the behaviour self-check;
//! - [`workspace`]: files and folders, git, Flexible Configuration, writes;
//! - [`report`]: what a run prints, in every output format;
//! - [`cli`]: arguments in, library operations called, exit status out.
//!
//! `tests/it/architecture.rs` checks the import directions
//! (`docs/design.md`).

pub mod cli;
pub mod migration;
pub mod model;
pub mod report;
pub mod syntax;
pub mod workspace;
