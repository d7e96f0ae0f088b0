//! The model layer: what KrakenD and its telemetry modules are, independent
//! of any migration. Diagnostics and their metadata, where KrakenD reads a
//! legacy block (`locate`), the typed legacy settings (`legacy`) and
//! OpenTelemetry settings (`otel`) as Go decodes them (`decode`), KrakenD
//! versions, signals, facts about the target platform (`target`), which
//! values are secrets (`redact`), and what a person does about each
//! diagnostic (`next_steps`).

pub mod decode;
pub mod diagnostic;
pub mod docs;
pub mod legacy;
pub mod locate;
pub mod next_steps;
pub mod otel;
pub mod redact;
pub mod signal;
pub mod target;
pub mod version;
