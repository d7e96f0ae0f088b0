//! oc2otel migrates KrakenD configurations from the deprecated OpenCensus
//! telemetry module (`telemetry/opencensus`) to OpenTelemetry
//! (`telemetry/opentelemetry`), and writes the collector config the new
//! block pushes to.
//!
//! The data flow follows the module list: [`source`] reads a file,
//! [`formats`] parses it into a located [`tree`], [`locate`] finds the
//! legacy blocks, [`legacy`] decodes them as KrakenD did, [`convert`] turns
//! them into an [`intent`], [`render`] writes the new block and the
//! collector config, [`edit`] splices the changes into the original text,
//! and [`migrate`] runs the whole pipeline and verifies the result. The
//! command line ([`cli`]) adds files, diffs, reports and writes.

pub mod behaviour;
pub mod cli;
pub mod convert;
pub mod diagnostic;
pub mod diff;
pub mod discover;
pub mod docs;
pub mod edit;
pub mod flexible;
pub mod formats;
pub mod intent;
pub mod legacy;
pub mod locate;
pub mod migrate;
pub mod options;
pub mod redact;
pub mod render;
pub mod report;
pub mod schema;
pub mod source;
pub mod tree;
pub mod vcs;
pub mod write;
