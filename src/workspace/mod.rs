//! The workspace layer: files and folders. Which files a run takes
//! (`discover`), git's view of them (`vcs`), Flexible Configuration's
//! settings (`flexible`), and atomic writes (`write`).

pub mod discover;
pub mod flexible;
pub mod vcs;
pub mod write;
