//! Writing an intent out: the KrakenD OpenTelemetry block, the merge into
//! an existing block, and the collector config.

pub mod collector;
pub mod krakend;
pub mod merge;
