//! The model layer: what KrakenD and its telemetry modules are, independent
//! of any migration. Diagnostics and their metadata, where KrakenD reads a
//! legacy block (`locate`), the typed legacy settings as Go decoded them
//! (`legacy`), and which values are secrets (`redact`).

pub mod diagnostic;
pub mod docs;
pub mod legacy;
pub mod locate;
pub mod redact;
