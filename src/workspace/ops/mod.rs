//! The library operations behind the commands (as cargo's `ops`): each
//! takes settings made once by the command line and the run's inputs, and
//! gives data, a [`FileOutcome`](crate::workspace::outcome::FileOutcome)
//! per file or a comparison, for a reporter to print. They never print and
//! never exit.
//!
//! Files are processed in parallel, in chunks whose outcomes are handed
//! over in input order as soon as the chunk is done, so that memory stays
//! flat however many files a repository holds and the output does not
//! depend on thread timing.

pub mod explain;
pub mod migrate;
pub mod verify;

use rayon::prelude::*;

use crate::workspace::input::Input;

/// How many files are processed between two hand-overs of outcomes.
pub const CHUNK: usize = 64;

/// Run `work` on every input, in parallel a chunk at a time, and give each
/// chunk's results, in input order, to `each_chunk`.
fn in_chunks<T: Send, E>(
    inputs: &[Input],
    work: impl Fn(&Input) -> T + Sync,
    mut each_chunk: impl FnMut(Vec<T>) -> Result<(), E>,
) -> Result<(), E> {
    for chunk in inputs.chunks(CHUNK) {
        each_chunk(chunk.par_iter().map(&work).collect())?;
    }
    Ok(())
}
