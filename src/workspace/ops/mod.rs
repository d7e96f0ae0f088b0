//! The library operations behind the commands (as cargo's `ops`): each
//! takes settings made once by the command line and the run's inputs, and
//! gives data, a [`FileOutcome`](crate::workspace::outcome::FileOutcome)
//! per file or a comparison, for a reporter to print. They never print and
//! never exit.
//!
//! Files are processed in parallel, in chunks whose outcomes are handed
//! over in input order as soon as the chunk is done, so that memory stays
//! flat however many files a repository holds and the output does not
//! depend on thread timing. What a run decides across files (which of two
//! plans keeps a file) is decided as the chunks are handed over, in input
//! order, never in the workers.

pub mod explain;
pub mod migrate;
pub mod verify;

use std::sync::mpsc;

use rayon::prelude::*;

use crate::workspace::input::Input;

/// How many files are processed between two hand-overs of outcomes.
pub const CHUNK: usize = 64;

/// Run `work` on every input, in parallel a chunk at a time; `settle` each
/// chunk's results in input order (what must be done before the next
/// chunk is worked on: the conflict check and the writes), then give them
/// to `hand_over`. The next chunk is worked on while `hand_over` takes the
/// last one (a reporter renders and prints on this thread), so printing
/// never leaves the workers idle; at most two chunks' results are alive at
/// once.
fn in_chunks<T: Send, E>(
    inputs: &[Input],
    work: impl Fn(&Input) -> T + Sync,
    mut settle: impl FnMut(&mut Vec<T>),
    mut hand_over: impl FnMut(Vec<T>) -> Result<(), E>,
) -> Result<(), E> {
    let process = |chunk: &[Input]| chunk.par_iter().map(&work).collect::<Vec<T>>();
    // One helper thread works on the chunks (through rayon's workers) and
    // hands each back; this thread settles and hands over the last one
    // meanwhile.
    std::thread::scope(|scope| {
        let (chunk_tx, chunk_rx) = mpsc::sync_channel::<&[Input]>(1);
        let (done_tx, done_rx) = mpsc::sync_channel::<Vec<T>>(1);
        scope.spawn(move || {
            for chunk in chunk_rx {
                if done_tx.send(process(chunk)).is_err() {
                    break;
                }
            }
        });
        let mut chunks = inputs.chunks(CHUNK);
        let mut pending = chunks.next().is_some_and(|c| chunk_tx.send(c).is_ok());
        while pending {
            // A closed channel: the helper panicked, and the scope says so.
            let Ok(mut ready) = done_rx.recv() else {
                break;
            };
            settle(&mut ready);
            pending = chunks.next().is_some_and(|c| chunk_tx.send(c).is_ok());
            hand_over(ready)?;
        }
        Ok(())
    })
}
