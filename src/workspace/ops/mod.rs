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

use crate::workspace::input::{Input, Inputs};

/// How many files are processed between two hand-overs of outcomes.
pub const CHUNK: usize = 64;

/// Whether a chunk may be worked on before the chunks ahead of it are
/// settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Nothing a chunk's work reads depends on an earlier chunk's
    /// settling (a run that writes nothing): two chunks are worked on at
    /// once, so that the workers never wait for a chunk's slowest file.
    Overlapping,
    /// Each chunk is worked on only once the one before it is settled (a
    /// run that writes: a plan must see the files the plans before it
    /// wrote).
    Sequential,
}

/// Run `work` on every input, in parallel a chunk at a time; `settle` each
/// chunk's inputs and results in input order (what must be done before
/// the next chunk is worked on: the conflict check and the writes), then
/// give them to `hand_over`. The next chunk is worked on while `hand_over`
/// takes the last one (a reporter renders and prints on this thread), so
/// printing never leaves the workers idle; with [`Order::Overlapping`] the
/// chunk after it is too. At most two chunks' inputs and results per lane
/// are alive at once, however many inputs there are: the packed list is
/// decoded a chunk at a time, as the lanes take them.
fn in_chunks<T: Send, E>(
    inputs: &Inputs,
    order: Order,
    work: impl Fn(&Input) -> T + Sync,
    mut settle: impl FnMut(&mut [(Input, T)]),
    mut hand_over: impl FnMut(Vec<(Input, T)>) -> Result<(), E>,
) -> Result<(), E> {
    let process = |chunk: Vec<Input>| {
        chunk
            .into_par_iter()
            .map(|input| {
                let result = work(&input);
                (input, result)
            })
            .collect::<Vec<_>>()
    };
    let process = &process;
    let lanes = match order {
        Order::Overlapping => 2,
        Order::Sequential => 1,
    };
    // Helper threads (lanes) work on the chunks, in turn, through rayon's
    // workers, and hand each back; this thread settles and hands over each
    // in input order meanwhile. With two lanes, rayon holds the files of
    // two chunks, and a worker done with one chunk takes the next one's.
    std::thread::scope(|scope| {
        let mut to_lane = Vec::with_capacity(lanes);
        let mut from_lane = Vec::with_capacity(lanes);
        for _ in 0..lanes {
            let (chunk_tx, chunk_rx) = mpsc::sync_channel::<Vec<Input>>(1);
            let (done_tx, done_rx) = mpsc::sync_channel::<Vec<(Input, T)>>(1);
            scope.spawn(move || {
                for chunk in chunk_rx {
                    if done_tx.send(process(chunk)).is_err() {
                        break;
                    }
                }
            });
            to_lane.push(chunk_tx);
            from_lane.push(done_rx);
        }
        let mut chunks = inputs.chunks(CHUNK);
        let mut in_flight = 0;
        for lane in &to_lane {
            let Some(chunk) = chunks.next() else { break };
            if lane.send(chunk).is_err() {
                break;
            }
            in_flight += 1;
        }
        let mut next = 0;
        while in_flight > 0 {
            let lane = next % lanes;
            // A closed channel: a helper panicked, and the scope says so.
            let Ok(mut ready) = from_lane[lane].recv() else {
                break;
            };
            in_flight -= 1;
            next += 1;
            settle(&mut ready);
            if let Some(chunk) = chunks.next()
                && to_lane[lane].send(chunk).is_ok()
            {
                in_flight += 1;
            }
            hand_over(ready)?;
        }
        Ok(())
    })
}
