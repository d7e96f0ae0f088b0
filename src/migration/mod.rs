//! The migration layer: from a located legacy block to the new
//! OpenTelemetry block and collector config, with the behaviour self-check.
//! No I/O: text in, text and diagnostics out.

pub mod behaviour;
pub mod convert;
pub mod intent;
pub mod options;
pub mod picture;
pub mod pipeline;
pub mod render;
pub mod schema;

pub use pipeline::{Migration, Status, migrate};
