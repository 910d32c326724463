//! [`SumsStore`]: what pricing a log of any length needs, and nothing more — the sums
//! of one period level and a compact index of the event ids seen, not the events.
//!
//! `tokfare price` reads a usage log once and prints its invoice; keeping every event
//! (as [`MemoryStore`](super::MemoryStore) does, ~1 KB each) made its memory grow with
//! the log. Here each event costs 16 bytes in [`SeenIds`] (a 96-bit digest of its id and
//! a 32-bit digest of its canonical JSON), and the sums grow with the groups (customer,
//! model, schedule, currency, period) at the one level the invoice asks for.
//!
//! The rules are the stores' rules (see the [module docs](super)): an id counts once; a
//! known id with the same event is a duplicate, with another event a conflict that
//! changes nothing. What this store cannot answer — the events themselves, budgets,
//! sums finer than its level — is a clear error, never an empty answer.
//!
//! Digests, not ids: two different ids share a 96-bit digest with odds below 10⁻¹⁵
//! among ten million events (and then the second would be taken for the first); a
//! conflicting redelivery whose event digest matches in 32 bits is reported as a
//! duplicate (one in four billion) — it changes nothing either way.

use super::{rollup_items, rollup_key, HourRange, Inserted, Level, Match, MeterStore, NewRecord, OnConflict, Reserved, RollupItem};
use super::{RollupKey, RollupRow, RollupSums, TimeRange};
use crate::meter::priced::PricedEvent;
use crate::meter::ReservationId;
use crate::meter::UsageEvent;
use crate::price::{Currency, Money};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

/// Sums at one level and the digests of the ids seen. See the module docs.
#[derive(Debug)]
pub struct SumsStore {
    level: Level,
    seen: SeenIds,
    sums: HashMap<RollupKey, BTreeMap<RollupItem, RollupSums>>,
    spent: HashMap<(String, Currency), Decimal>,
}

impl SumsStore {
    /// An empty store keeping sums per `level` period.
    pub fn new(level: Level) -> SumsStore {
        SumsStore { level, seen: SeenIds::default(), sums: HashMap::new(), spent: HashMap::new() }
    }

    fn unsupported(&self, what: &str) -> Error {
        Error::Store {
            store: self.location(),
            reason: format!("{what}: this store keeps only sums and the digests of event ids (a meter for pricing a log)"),
        }
    }

    fn add(&mut self, row: &NewRecord) -> Result<()> {
        let key = rollup_key(&row.record, self.level);
        let computed;
        let items = match &row.items {
            Some(items) => items,
            None => {
                computed = rollup_items(&row.record);
                &computed
            }
        };
        let group = self.sums.entry(key).or_default();
        for (item, sums) in items {
            group.entry(item.clone()).or_default().add(sums, 1)?;
        }
        let cost = row.record.cost();
        let slot = self.spent.entry((row.record.event.customer.clone(), cost.currency())).or_default();
        *slot = super::exact_add(*slot, cost.amount(), &format!("spend of {}", row.record.event.customer))?;
        Ok(())
    }

    /// Whether the period of `level` starting at hour `start` lies inside `hours`:
    /// `Some(true)` inside, `Some(false)` outside, `None` across an edge.
    fn covered(&self, start: i64, hours: &HourRange) -> Option<bool> {
        let end = match self.level {
            Level::Hour => start.saturating_add(1),
            Level::Day => start.saturating_add(24),
            // Any hour 32 days on is in the next month.
            Level::Month => Level::Month.start_of(start.saturating_add(32 * 24)),
        };
        if start >= hours.from && end <= hours.to {
            Some(true)
        } else if end <= hours.from || start >= hours.to {
            Some(false)
        } else {
            None
        }
    }
}

impl MeterStore for SumsStore {
    fn location(&self) -> String {
        ":sums:".into()
    }

    fn insert(&mut self, batch: &[NewRecord], by: Match, on_conflict: OnConflict) -> Result<Vec<Inserted>> {
        if by != Match::Event || on_conflict == OnConflict::KeepCanonical {
            return Err(self.unsupported("recording priced records or merging"));
        }
        let mut out = Vec::with_capacity(batch.len());
        let mut stopped = false;
        for row in batch {
            if stopped {
                out.push(Inserted::NotAttempted);
                continue;
            }
            let id = id_digest(&row.record.event.id);
            let content = content_digest(&row.event_hash);
            let outcome = match self.seen.get(&id) {
                None => {
                    self.add(row)?;
                    self.seen.insert(id, content);
                    Inserted::New
                }
                Some(known) if known == content => Inserted::Duplicate,
                Some(_) => {
                    stopped = matches!(on_conflict, OnConflict::Report { stop: true });
                    Inserted::Conflict
                }
            };
            out.push(outcome);
        }
        Ok(out)
    }

    fn add_sums(&mut self, rows: &[RollupRow]) -> Result<()> {
        // Checked first: a refused batch adds nothing.
        if let Some(row) = rows.iter().find(|r| r.key.level > self.level) {
            return Err(self.unsupported(&format!("adding sums per {:?} (it keeps sums per {:?})", row.key.level, self.level)));
        }
        // Added to copies, kept only if every row adds: a batch that overflows adds
        // nothing (a copy of the sums per call: callers add a whole share at once).
        let (mut sums, mut spent) = (self.sums.clone(), self.spent.clone());
        for row in rows {
            let key = RollupKey { level: self.level, start: self.level.start_of(row.key.start), ..row.key.clone() };
            if row.item == RollupItem::Events {
                let slot = spent.entry((key.customer.clone(), key.currency)).or_default();
                *slot = super::exact_add(*slot, row.sums.amount, &format!("spend of {}", key.customer))?;
            }
            sums.entry(key).or_default().entry(row.item.clone()).or_default().add(&row.sums, 1)?;
        }
        (self.sums, self.spent) = (sums, spent);
        Ok(())
    }

    fn get(&self, _id: &str) -> Result<Option<PricedEvent>> {
        Err(self.unsupported("reading an event"))
    }

    fn knows(&self, event: &UsageEvent) -> Result<Option<bool>> {
        let hash = Sha256::digest(event.to_json().as_bytes());
        Ok(self.seen.get(&id_digest(&event.id)).map(|content| content == content_digest(&hash.into())))
    }

    fn len(&self) -> Result<u64> {
        Ok(self.seen.len() as u64)
    }

    fn scan(&self, _range: &TimeRange, _visit: &mut dyn FnMut(PricedEvent) -> Result<()>) -> Result<()> {
        Err(self.unsupported("reading events (or an invoice over part of an hour)"))
    }

    fn rollups(&self, hours: &HourRange, coarsest: Level, visit: &mut dyn FnMut(RollupRow) -> Result<()>) -> Result<()> {
        if self.level > coarsest {
            return Err(self.unsupported(&format!("sums per {:?} (it keeps sums per {:?})", coarsest, self.level)));
        }
        for (key, items) in &self.sums {
            match self.covered(key.start, hours) {
                Some(true) => {}
                Some(false) => continue,
                None => return Err(self.unsupported(&format!("a time range that cuts a {:?}", self.level))),
            }
            for (item, sums) in items {
                visit(RollupRow { key: key.clone(), item: item.clone(), sums: *sums })?;
            }
        }
        Ok(())
    }

    fn spent(&self, customer: &str, currency: Currency) -> Result<Decimal> {
        Ok(self.spent.get(&(customer.to_string(), currency)).copied().unwrap_or_default())
    }

    fn set_budget(&mut self, _customer: &str, _limit: Money) -> Result<()> {
        Err(self.unsupported("budgets"))
    }

    fn budget(&self, _customer: &str) -> Result<Option<Money>> {
        Err(self.unsupported("budgets"))
    }

    fn reserve(&mut self, _customer: &str, _estimate: Money, _now: DateTime<Utc>, _expires: DateTime<Utc>) -> Result<Reserved> {
        Err(self.unsupported("budgets"))
    }

    fn release(&mut self, _reservation: ReservationId) -> Result<bool> {
        Err(self.unsupported("budgets"))
    }

    fn sync(&mut self) -> Result<()> {
        Ok(())
    }

    fn check(&self) -> Result<()> {
        // Nothing is kept that sums could disagree with.
        Ok(())
    }
}

/// The first 96 bits of SHA-256 of an event id.
fn id_digest(id: &str) -> [u8; 12] {
    let hash = Sha256::digest(id.as_bytes());
    let mut out = [0u8; 12];
    out.copy_from_slice(&hash[..12]);
    out
}

/// The first 32 bits of the SHA-256 of an event's canonical JSON.
fn content_digest(event_hash: &[u8; 32]) -> u32 {
    u32::from_be_bytes([event_hash[0], event_hash[1], event_hash[2], event_hash[3]])
}

/// One id seen: its digest and its event's (16 bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
struct Seen {
    id: [u8; 12],
    content: u32,
}

/// The ids seen, in 16 bytes each: a sorted array holding most, and a hash map of the
/// latest, merged into the array (in place, from the back) when it holds an eighth as
/// many. Lookups are a hash probe and a binary search; the merges move each entry
/// O(log n) times in all.
#[derive(Debug, Default)]
struct SeenIds {
    sorted: Vec<Seen>,
    recent: HashMap<[u8; 12], u32>,
}

impl SeenIds {
    fn len(&self) -> usize {
        self.sorted.len() + self.recent.len()
    }

    fn get(&self, id: &[u8; 12]) -> Option<u32> {
        if let Some(&content) = self.recent.get(id) {
            return Some(content);
        }
        self.sorted.binary_search_by(|s| s.id.cmp(id)).ok().map(|i| self.sorted[i].content)
    }

    /// Adds an id not seen before.
    fn insert(&mut self, id: [u8; 12], content: u32) {
        self.recent.insert(id, content);
        if self.recent.len() >= (self.sorted.len() / 8).max(1 << 16) {
            self.merge();
        }
    }

    fn merge(&mut self) {
        let mut new: Vec<Seen> = self.recent.drain().map(|(id, content)| Seen { id, content }).collect();
        new.sort_unstable();
        self.recent.shrink_to(1 << 16);
        let (n, m) = (self.sorted.len(), new.len());
        // `reserve` (not exact): amortized growth, not a reallocation at every merge.
        self.sorted.reserve(m);
        self.sorted.resize(n + m, Seen::default());
        // Merge from the back: the largest of the two tails goes to the end.
        let (mut i, mut j) = (n, m);
        for k in (0..n + m).rev() {
            if j == 0 {
                break;
            }
            if i > 0 && self.sorted[i - 1] > new[j - 1] {
                self.sorted[k] = self.sorted[i - 1];
                i -= 1;
            } else {
                self.sorted[k] = new[j - 1];
                j -= 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_ids_find_every_id_across_merges_and_no_other() {
        let mut seen = SeenIds::default();
        let n = 300_000u32;
        for i in 0..n {
            seen.insert(id_digest(&format!("evt-{i}")), i);
        }
        assert_eq!(seen.len(), n as usize);
        assert!(!seen.sorted.is_empty(), "merged at least once");
        assert!(seen.sorted.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
        for i in (0..n).step_by(7) {
            assert_eq!(seen.get(&id_digest(&format!("evt-{i}"))), Some(i));
        }
        for i in 0..1000 {
            assert_eq!(seen.get(&id_digest(&format!("other-{i}"))), None);
        }
    }
}
