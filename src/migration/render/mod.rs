//! Writing an intent out: the KrakenD OpenTelemetry block, the merge into
//! an existing block, the collector config, and the sidecar deployment
//! snippets around it.

pub mod collector;
pub mod deploy;
pub mod krakend;
pub mod merge;
mod reconcile;
