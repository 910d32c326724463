//! [`MemoryStore`]: records in a hash map, optionally appended to a JSON Lines
//! [`Journal`] before they count (the journal is recovered on open). Sums are computed
//! from the records when asked: memory grows with events, which is the point of the
//! SQLite and PostgreSQL stores.

use super::{rollup_rows, HourRange, Inserted, Level, Match, MeterStore, NewRecord, OnConflict, Reserved, RollupRow, TimeRange};
use crate::meter::budget::decide;
use crate::meter::journal::{Fsync, Journal, Recovery};
use crate::meter::priced::PricedEvent;
use crate::meter::ReservationId;
use crate::price::{Currency, Money};
use crate::Result;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::path::Path;

/// Records in memory, with an optional journal file. See the module docs.
#[derive(Debug, Default)]
pub struct MemoryStore {
    records: HashMap<String, PricedEvent>,
    spent: HashMap<(String, Currency), Decimal>,
    budgets: HashMap<String, Money>,
    reservations: HashMap<u64, (String, Money, DateTime<Utc>)>,
    next_reservation: u64,
    journal: Option<Journal>,
    recovery: Option<Recovery>,
}

impl MemoryStore {
    /// An empty store, nothing written anywhere.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// A store backed by a journal file: recovers what it holds, then appends.
    pub fn with_journal(path: impl AsRef<Path>, fsync: Fsync) -> Result<MemoryStore> {
        let (journal, records, recovery) = Journal::open(path, fsync)?;
        let mut store = MemoryStore::new();
        for record in records {
            let row = NewRecord::new(record);
            store.insert(std::slice::from_ref(&row), Match::Record, OnConflict::KeepCanonical)?;
        }
        store.journal = Some(journal);
        store.recovery = Some(recovery);
        Ok(store)
    }

    fn count(&mut self, record: &PricedEvent, add: bool) -> Result<()> {
        let cost = record.cost();
        let slot = self.spent.entry((record.event.customer.clone(), cost.currency())).or_default();
        let sum = if add { slot.checked_add(cost.amount()) } else { slot.checked_sub(cost.amount()) };
        *slot = sum.ok_or_else(|| crate::Error::Overflow(format!("spend of {}", record.event.customer)))?;
        Ok(())
    }

    /// Takes the journal's lock and counts what other processes appended to it since
    /// (see the journal's module docs); a no-op without a journal.
    fn lock_and_catch_up(&mut self) -> Result<()> {
        let Some(journal) = &mut self.journal else { return Ok(()) };
        let caught_up = journal.lock()?;
        if let Some(recovery) = &mut self.recovery {
            recovery.torn_bytes += caught_up.torn_bytes;
        }
        if caught_up.records.is_empty() {
            return Ok(());
        }
        // Their records are in the file already: counted without journaling them again.
        let journal = self.journal.take();
        let rows: Vec<NewRecord> = caught_up.records.into_iter().map(NewRecord::new).collect();
        let counted = self.insert_here(&rows, Match::Record, OnConflict::KeepCanonical);
        self.journal = journal;
        if let (Err(e), Some(journal)) = (&counted, &mut self.journal) {
            // The file is read past records this store did not take in: stop here
            // rather than answer without them.
            journal.poison(format!("records other processes wrote could not be counted ({e})"));
        }
        counted.map(|_| ())
    }

    /// Runs `write` under the journal's lock, after catching up; the lock is released
    /// whatever `write` returns.
    fn locked<T>(&mut self, write: impl FnOnce(&mut MemoryStore) -> Result<T>) -> Result<T> {
        if self.journal.is_none() {
            return write(self);
        }
        let result = self.lock_and_catch_up().and_then(|_| write(self));
        let unlocked = self.journal.as_mut().map_or(Ok(()), Journal::unlock);
        let value = result?;
        unlocked?;
        Ok(value)
    }

    /// [`MeterStore::insert`] on this process's records (journaling what it installs).
    fn insert_here(&mut self, batch: &[NewRecord], by: Match, on_conflict: OnConflict) -> Result<Vec<Inserted>> {
        let mut out = Vec::with_capacity(batch.len());
        let mut stopped = false;
        for row in batch {
            if stopped {
                out.push(Inserted::NotAttempted);
                continue;
            }
            let outcome = match self.records.get(&row.record.event.id) {
                None => Inserted::New,
                Some(existing) => {
                    // As the databases compare them (NewRecord::same_record): events by
                    // their canonical JSON; priced records by value, which covers equal
                    // text (a record stored with its rate's scale, 0.0150000, is the
                    // same record priced today, 0.015).
                    let same = match by {
                        Match::Event => existing.event.to_json() == row.record.event.to_json(),
                        Match::Record => *existing == row.record,
                    };
                    match (same, on_conflict) {
                        (true, _) => Inserted::Duplicate,
                        (false, OnConflict::Report { stop }) => {
                            stopped = stop;
                            Inserted::Conflict
                        }
                        (false, OnConflict::KeepCanonical) if row.json < existing.to_json() => Inserted::Replaced,
                        (false, OnConflict::KeepCanonical) => Inserted::Conflict,
                    }
                }
            };
            if matches!(outcome, Inserted::New | Inserted::Replaced) {
                self.install(row)?;
            }
            out.push(outcome);
        }
        Ok(out)
    }

    fn install(&mut self, row: &NewRecord) -> Result<()> {
        if let Some(journal) = &mut self.journal {
            journal.append_line(&row.json)?;
        }
        self.count(&row.record, true)?;
        if let Some(old) = self.records.insert(row.record.event.id.clone(), row.record.clone()) {
            self.count(&old, false)?;
        }
        Ok(())
    }
}

impl MeterStore for MemoryStore {
    fn location(&self) -> String {
        match &self.journal {
            Some(j) => j.path().display().to_string(),
            None => ":memory:".into(),
        }
    }

    fn insert(&mut self, batch: &[NewRecord], by: Match, on_conflict: OnConflict) -> Result<Vec<Inserted>> {
        self.locked(|store| store.insert_here(batch, by, on_conflict))
    }

    fn get(&self, id: &str) -> Result<Option<PricedEvent>> {
        Ok(self.records.get(id).cloned())
    }

    fn len(&self) -> Result<u64> {
        Ok(self.records.len() as u64)
    }

    fn scan(&self, range: &TimeRange, visit: &mut dyn FnMut(PricedEvent) -> Result<()>) -> Result<()> {
        let mut ids: Vec<&String> = self.records.iter().filter(|(_, r)| range.contains(r.event.timestamp)).map(|(id, _)| id).collect();
        ids.sort();
        for id in ids {
            visit(self.records[id].clone())?;
        }
        Ok(())
    }

    fn rollups(&self, hours: &HourRange, _coarsest: Level, visit: &mut dyn FnMut(RollupRow) -> Result<()>) -> Result<()> {
        // Computed from the records, an hour at a time (finer periods are always allowed).
        for record in self.records.values() {
            if hours.contains(super::hour_of(record.event.timestamp)) {
                for row in rollup_rows(record, Level::Hour) {
                    visit(row)?;
                }
            }
        }
        Ok(())
    }

    fn spent(&self, customer: &str, currency: Currency) -> Result<Decimal> {
        Ok(self.spent.get(&(customer.to_string(), currency)).copied().unwrap_or_default())
    }

    fn set_budget(&mut self, customer: &str, limit: Money) -> Result<()> {
        self.budgets.insert(customer.to_string(), limit);
        Ok(())
    }

    fn budget(&self, customer: &str) -> Result<Option<Money>> {
        Ok(self.budgets.get(customer).copied())
    }

    fn reserve(&mut self, customer: &str, estimate: Money, now: DateTime<Utc>, expires: DateTime<Utc>) -> Result<Reserved> {
        // Spend includes what other processes journaled since this one last wrote.
        self.locked(|_| Ok(()))?;
        // As the databases do: the customer's expired reservations are cleared here.
        self.reservations.retain(|_, (c, _, until)| c != customer || *until > now);
        let currency = estimate.currency();
        let spent = Money::new(self.spent(customer, currency)?, currency);
        let reserved = self
            .reservations
            .values()
            .filter(|(c, m, _)| c == customer && m.currency() == currency)
            .try_fold(Money::zero(currency), |sum, (_, m, _)| sum.checked_add(*m))?;
        let limit = self.budget(customer)?;
        let allowed = decide(customer, estimate, spent, reserved, limit)?;
        let reservation = allowed.then(|| {
            self.next_reservation += 1;
            self.reservations.insert(self.next_reservation, (customer.to_string(), estimate, expires));
            ReservationId(self.next_reservation)
        });
        Ok(Reserved { allowed, spent, reserved, limit, reservation })
    }

    fn release(&mut self, reservation: ReservationId) -> Result<bool> {
        Ok(self.reservations.remove(&reservation.0).is_some())
    }

    fn sync(&mut self) -> Result<()> {
        match &mut self.journal {
            Some(j) => j.sync(),
            None => Ok(()),
        }
    }

    fn recovery(&self) -> Option<Recovery> {
        self.recovery
    }

    fn check(&self) -> Result<()> {
        // The sums are computed from the records when asked: nothing to disagree.
        Ok(())
    }
}
