//! Recording a large batch into a store that takes rows as they come
//! ([`super::MeterStore::streams`]): events are priced on a helper thread while this thread
//! writes the ones already priced, in one transaction, instead of pricing the whole
//! batch first and then writing it. On a store whose writes are the larger part (SQLite:
//! ~3/4 of a batch's time), the pricing then costs no time of its own.
//!
//! Same outcomes as [`Meter::record_batch`]'s plain path. An event that cannot be priced
//! ends the transaction before it (the events before it are committed), is looked up
//! as a redelivery, and, unless it stops the batch, the rest of the batch goes on in
//! the next transaction.

use super::store::{Inserted, Match, NewRecord, OnConflict};
use super::{price_with_schedule, Meter, OnError, Recorded, UsageEvent};
use crate::price::{Money, Schedule};
use crate::{Error, Result};
use std::sync::{mpsc, Arc};

/// Events priced per message from the pricing thread.
const CHUNK: usize = 64;

/// Chunks the pricing thread may be ahead of the store.
const AHEAD: usize = 8;

/// What the outcome of a stored row needs from it, taken on the pricing thread.
struct Meta {
    index: usize,
    cost: Money,
    schedule: String,
    id: String,
}

/// One priced event (with the schedule that priced it), or the event that could not
/// be priced and why.
enum Priced {
    Row(NewRecord, Meta, Arc<dyn Schedule>),
    Failed(usize, UsageEvent, Error),
}

/// What one transaction did: the store's answer per row taken, those rows' metas, and
/// the event that ended it by failing to price.
type Written = (Vec<Inserted>, Vec<Meta>, Option<(usize, UsageEvent, Error)>);

impl Meter {
    /// [`Meter::record_batch`] for a store that [streams](super::MeterStore::streams).
    pub(super) fn record_streamed(&mut self, events: Vec<UsageEvent>, on_error: OnError) -> Result<Vec<Option<Result<Recorded>>>> {
        let stop = on_error == OnError::Stop;
        let mut outcomes: Vec<Option<Result<Recorded>>> = (0..events.len()).map(|_| None).collect();
        let mut events = events.into_iter().enumerate();
        loop {
            let Some((inserted, metas, failed)) = self.write_until_failure(&mut events, stop)? else {
                // No thread to be had (a limit of the process): the rest the plain way.
                let (index, rest): (Vec<usize>, Vec<UsageEvent>) = events.unzip();
                for (i, outcome) in index.into_iter().zip(self.record_plain(rest, on_error)?) {
                    outcomes[i] = outcome;
                }
                break;
            };
            let mut stopped = false;
            for (what, meta) in inserted.into_iter().zip(metas) {
                outcomes[meta.index] = match what {
                    Inserted::New | Inserted::Replaced => Some(Ok(Recorded::New { cost: meta.cost, schedule: meta.schedule })),
                    Inserted::Duplicate => Some(Ok(Recorded::Duplicate)),
                    Inserted::Conflict => {
                        stopped |= stop;
                        Some(Err(Error::ConflictingEvent { id: meta.id }))
                    }
                    Inserted::NotAttempted => continue,
                };
            }
            if stopped {
                break;
            }
            let Some((index, event, error)) = failed else { break };
            let outcome = self.unpriced_outcome(event, error)?;
            let failed = outcome.is_err();
            outcomes[index] = Some(outcome);
            if failed && stop {
                break;
            }
        }
        Ok(outcomes)
    }

    /// One transaction: rows priced on a helper thread as the store takes them, up to
    /// the first event that cannot be priced (returned, with the events after it left
    /// in `events`). `None` (nothing done) when no thread could be started.
    fn write_until_failure(
        &mut self,
        events: &mut std::iter::Enumerate<std::vec::IntoIter<UsageEvent>>,
        stop: bool,
    ) -> Result<Option<Written>> {
        let book = &*self.book;
        let schedules = &mut self.schedules;
        let store = &mut self.store;
        let mut metas = Vec::with_capacity(events.len());
        let mut failed = None;
        let inserted = std::thread::scope(|scope| -> Result<Option<Vec<Inserted>>> {
            let (send, receive) = mpsc::sync_channel::<Vec<Priced>>(AHEAD);
            let price = move || {
                loop {
                    let mut chunk = Vec::with_capacity(CHUNK);
                    let mut ended = true;
                    for (index, event) in events.by_ref() {
                        match price_with_schedule(book, event) {
                            Ok((priced, schedule)) => {
                                let meta =
                                    Meta { index, cost: priced.cost(), schedule: priced.schedule.clone(), id: priced.event.id.clone() };
                                chunk.push(Priced::Row(NewRecord::new(priced).with_items(), meta, schedule));
                            }
                            Err(failed) => {
                                let (event, error) = *failed;
                                chunk.push(Priced::Failed(index, event, error));
                                break;
                            }
                        }
                        if chunk.len() == CHUNK {
                            ended = false;
                            break;
                        }
                    }
                    let last = ended || matches!(chunk.last(), Some(Priced::Failed(..)));
                    // The store stopped taking rows (a conflict stopped the batch, or it failed).
                    if chunk.is_empty() || send.send(chunk).is_err() || last {
                        return;
                    }
                }
            };
            let Ok(helper) = std::thread::Builder::new().spawn_scoped(scope, price) else {
                return Ok(None);
            };
            let mut chunk = Vec::new().into_iter();
            let mut rows = std::iter::from_fn(|| loop {
                if failed.is_some() {
                    return None;
                }
                match chunk.next() {
                    Some(Priced::Row(row, meta, schedule)) => {
                        if !schedules.contains_key(&meta.schedule) {
                            schedules.insert(meta.schedule.clone(), schedule);
                        }
                        metas.push(meta);
                        return Some(row);
                    }
                    Some(Priced::Failed(index, event, error)) => {
                        failed = Some((index, event, error));
                        return None;
                    }
                    None => chunk = receive.recv().ok()?.into_iter(),
                }
            });
            let inserted = store.insert_stream(&mut rows, Match::Event, OnConflict::Report { stop });
            // The pricing thread ends at its next send (or when the events run out).
            drop(receive);
            if let Err(panic) = helper.join() {
                std::panic::resume_unwind(panic);
            }
            inserted.map(Some)
        })?;
        Ok(inserted.map(|inserted| (inserted, metas, failed)))
    }

    /// The outcome of an event that could not be priced: a redelivery of a recorded
    /// event is a duplicate even when its model no longer prices (a catalog changed
    /// since); the same id with other content a conflict; else the pricing error.
    pub(super) fn unpriced_outcome(&self, event: UsageEvent, error: Error) -> Result<Result<Recorded>> {
        // No store could hold an event that fails its checks: nothing to look up.
        if event.check().is_err() {
            return Ok(Err(error));
        }
        Ok(match self.store.knows(&event)? {
            Some(true) => Ok(Recorded::Duplicate),
            Some(false) => Err(Error::ConflictingEvent { id: event.id }),
            None => Err(error),
        })
    }
}
