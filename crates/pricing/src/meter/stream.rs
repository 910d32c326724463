//! Recording a large batch into a store that takes streamed batches
//! ([`MeterStore::streams`](super::MeterStore::streams)): events are priced on a helper
//! thread while this thread hands the ones already priced to the store, in one
//! transaction, instead of pricing the whole batch first and then writing it. On a
//! store whose writes are the larger part (SQLite: ~3/4 of a batch's time) the pricing
//! then costs no time of its own.
//!
//! The outcomes are [`Meter::record_batch`]'s plain path's, event by event: an event
//! that cannot be priced goes to the store as [`Streamed::Unpriced`] and is answered
//! from the rows before it (a redelivery of a recorded event is a duplicate even when
//! it no longer prices); a malformed one is an error without a lookup; with
//! [`OnError::Stop`] the first failure ends the batch. The batch is one transaction: an
//! error of the store, or a panic of the pricing thread, writes none of it.

use super::store::{Inserted, Match, NewRecord, OnConflict, Streamed};
use super::{price_with_schedule, Meter, OnError, Recorded, UsageEvent};
use crate::price::{Money, Schedule};
use crate::{Error, Result};
use std::sync::{mpsc, Arc};

/// Events priced per message from the pricing thread.
const CHUNK: usize = 64;

/// Chunks the pricing thread may be ahead of the store.
const AHEAD: usize = 8;

/// What the outcome of an item handed to the store needs, taken on the pricing thread.
enum Meta {
    Row { index: usize, cost: Money, schedule: String, id: String },
    Unpriced { index: usize, id: String, error: Error },
}

/// One event from the pricing thread. (Rows are the large variant and nearly every
/// message: boxing them would allocate once more per event.)
#[allow(clippy::large_enum_variant)]
enum Priced {
    Row(NewRecord, Meta, Arc<dyn Schedule>),
    /// An event that could not be priced, and why.
    Failed(usize, Box<(UsageEvent, Error)>),
    /// Every event was sent (a channel that closes without it: the thread panicked).
    End,
}

impl Meter {
    /// [`Meter::record_batch`] for a store that takes streamed batches.
    pub(super) fn record_streamed(&mut self, events: Vec<UsageEvent>, on_error: OnError) -> Result<Vec<Option<Result<Recorded>>>> {
        let stop = on_error == OnError::Stop;
        let mut outcomes: Vec<Option<Result<Recorded>>> = (0..events.len()).map(|_| None).collect();
        let mut events = events.into_iter().enumerate();
        let Some((answers, metas)) = self.write_streamed(&mut events, stop, &mut outcomes)? else {
            // No thread to be had (a limit of the process): the plain way.
            let (index, events): (Vec<usize>, Vec<UsageEvent>) = events.unzip();
            for (i, outcome) in index.into_iter().zip(self.record_plain(events, on_error)?) {
                outcomes[i] = outcome;
            }
            return Ok(outcomes);
        };
        for (answer, meta) in answers.into_iter().zip(metas) {
            let (index, outcome) = match (meta, answer) {
                (_, Inserted::NotAttempted) => continue,
                (Meta::Row { index, cost, schedule, .. }, Inserted::New | Inserted::Replaced) => {
                    (index, Ok(Recorded::New { cost, schedule }))
                }
                (Meta::Row { index, .. } | Meta::Unpriced { index, .. }, Inserted::Duplicate) => (index, Ok(Recorded::Duplicate)),
                (Meta::Row { index, id, .. } | Meta::Unpriced { index, id, .. }, Inserted::Conflict) => {
                    (index, Err(Error::ConflictingEvent { id }))
                }
                (Meta::Unpriced { index, error, .. }, _) => (index, Err(error)),
                (Meta::Row { index, .. }, Inserted::Unknown) => {
                    (index, Err(Error::Store { store: self.store.location(), reason: "answered a priced row as unpriced".into() }))
                }
            };
            outcomes[index] = Some(outcome);
        }
        if stop {
            // Nothing after the first failure was recorded: no outcome either.
            if let Some(first) = outcomes.iter().position(|o| matches!(o, Some(Err(_)))) {
                outcomes.iter_mut().skip(first + 1).for_each(|o| *o = None);
            }
        }
        Ok(outcomes)
    }

    /// The batch's one transaction: events priced on a helper thread as the store
    /// takes them. The store's answers and the metas of the items it took; malformed
    /// events' outcomes go straight into `outcomes`. `None` (nothing done, `events`
    /// untouched) when no thread could be started.
    fn write_streamed(
        &mut self,
        events: &mut std::iter::Enumerate<std::vec::IntoIter<UsageEvent>>,
        stop: bool,
        outcomes: &mut [Option<Result<Recorded>>],
    ) -> Result<Option<(Vec<Inserted>, Vec<Meta>)>> {
        let book = &*self.book;
        let schedules = &mut self.schedules;
        let store = &mut self.store;
        let mut metas = Vec::with_capacity(events.len());
        #[cfg(test)]
        STREAMED.with(|n| n.set(n.get() + 1));
        let answers = std::thread::scope(|scope| -> Result<Option<Vec<Inserted>>> {
            let (send, receive) = mpsc::sync_channel::<Vec<Priced>>(AHEAD);
            let price = move || {
                let mut chunk = Vec::with_capacity(CHUNK);
                for (index, event) in events.by_ref() {
                    chunk.push(match price_with_schedule(book, event) {
                        Ok((priced, schedule)) => {
                            let meta =
                                Meta::Row { index, cost: priced.cost(), schedule: priced.schedule.clone(), id: priced.event.id.clone() };
                            Priced::Row(NewRecord::new(priced).with_items(), meta, schedule)
                        }
                        Err(failed) => Priced::Failed(index, failed),
                    });
                    // The store stopped taking items (a stop, or its error).
                    if chunk.len() == CHUNK && send.send(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK))).is_err() {
                        return;
                    }
                }
                chunk.push(Priced::End);
                let _ = send.send(chunk);
            };
            let Ok(helper) = std::thread::Builder::new().spawn_scoped(scope, price) else {
                return Ok(None);
            };
            let mut chunk = Vec::new().into_iter();
            let mut ended = false;
            let mut items = std::iter::from_fn(|| loop {
                if ended {
                    return None;
                }
                match chunk.next() {
                    Some(Priced::Row(row, meta, schedule)) => {
                        if let Meta::Row { schedule: name, .. } = &meta {
                            if !schedules.contains_key(name) {
                                schedules.insert(name.clone(), schedule);
                            }
                        }
                        metas.push(meta);
                        return Some(Ok(Streamed::Row(row)));
                    }
                    // No store could hold it: an error without a lookup.
                    Some(Priced::Failed(index, failed)) => {
                        let (event, error) = *failed;
                        if event.check().is_err() {
                            // No store could hold it: an error without a lookup.
                            outcomes[index] = Some(Err(error));
                            ended = stop;
                            continue;
                        }
                        metas.push(Meta::Unpriced { index, id: event.id.clone(), error });
                        return Some(Ok(Streamed::Unpriced(Box::new(event))));
                    }
                    Some(Priced::End) => ended = true,
                    None => match receive.recv() {
                        Ok(next) => chunk = next.into_iter(),
                        // Closed before the end: the thread panicked (resumed below).
                        Err(_) => {
                            ended = true;
                            return Some(Err(Error::InvalidArgument { name: "events", reason: "the pricing thread failed".into() }));
                        }
                    },
                }
            });
            let answers = store.insert_stream(&mut items, Match::Event, OnConflict::Report { stop });
            // The pricing thread ends at its next send (or when the events run out).
            drop(receive);
            if let Err(panic) = helper.join() {
                std::panic::resume_unwind(panic);
            }
            answers.map(Some)
        })?;
        Ok(answers.map(|answers| (answers, metas)))
    }

    /// The outcome of an event that could not be priced, looked up in the store and
    /// among `earlier`, the rows of its batch before it (so that a streamed batch,
    /// whose store sees those rows, and a plain one give the same): a redelivery of a
    /// recorded event is a duplicate even when its model no longer prices (a catalog
    /// changed since); the same id with other content a conflict; else the pricing
    /// error.
    pub(super) fn unpriced_outcome(&self, event: UsageEvent, error: Error, earlier: Option<&UsageEvent>) -> Result<Result<Recorded>> {
        // No store could hold an event that fails its checks: nothing to look up.
        if event.check().is_err() {
            return Ok(Err(error));
        }
        let known = match self.store.knows(&event)? {
            None => earlier.map(|e| *e == event),
            stored => stored,
        };
        Ok(match known {
            Some(true) => Ok(Recorded::Duplicate),
            Some(false) => Err(Error::ConflictingEvent { id: event.id }),
            None => Err(error),
        })
    }
}

#[cfg(test)]
thread_local! {
    /// Streamed batches begun on this thread (tests: that a batch took this path).
    static STREAMED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[cfg(all(test, feature = "sqlite"))]
mod tests {
    use super::*;
    use crate::meter::Fsync;
    use crate::price::{PriceBook, Usage};

    /// A large batch into SQLite streams; a small one, and any batch into the memory
    /// store, does not (the store tests compare their outcomes).
    #[test]
    fn large_batches_into_sqlite_stream() {
        let path = std::env::temp_dir().join(format!("tokfare-stream-{}.db", std::process::id()));
        let at = "2026-11-01T00:00:00Z".parse().expect("time");
        let events = |from: u64, n: u64| -> Vec<UsageEvent> {
            (from..from + n).map(|k| UsageEvent::new(format!("e{k}"), "acme", "gpt-4o", Usage::tokens(k, 1), at)).collect()
        };
        let mut sqlite = Meter::open_store(PriceBook::bundled(), path.to_str().expect("path"), Fsync::Never).expect("open");
        let mut memory = Meter::new(PriceBook::bundled());
        let streamed = || STREAMED.with(std::cell::Cell::get);
        let before = streamed();
        memory.record_batch(events(0, 600), OnError::Stop).expect("batch");
        sqlite.record_batch(events(0, 100), OnError::Stop).expect("batch");
        assert_eq!(streamed(), before, "small or memory batches are not streamed");
        let outcomes = sqlite.record_batch(events(100, 600), OnError::Stop).expect("batch");
        assert!(streamed() > before, "a batch of 600 into SQLite is streamed");
        assert!(outcomes.iter().all(|o| matches!(o, Some(Ok(Recorded::New { .. })))));
        assert_eq!(sqlite.len().expect("len"), 700);
        drop(sqlite);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}
