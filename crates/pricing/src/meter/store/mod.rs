//! Where a [`Meter`](super::Meter) keeps its events: one trait, [`MeterStore`], and the
//! stores behind it, chosen by a URL ([`StoreUrl`]):
//!
//! | URL | Store |
//! |---|---|
//! | `:memory:` | [`MemoryStore`]: in memory, nothing written |
//! | `meter.jsonl` (`.jsonl`, `.ndjson`) | [`MemoryStore`] with a [`Journal`](super::Journal): in memory, every record appended to the file (processes on one host, each batch under the file's lock) |
//! | `meter.db` (`.db`, `.sqlite`, `.sqlite3`), `sqlite:///abs/path.db`, `sqlite://rel.db` | `SqliteStore` (feature `sqlite`): on disk, several processes at once, memory independent of the number of events |
//! | `postgresql://…`, `postgres://…` | `PostgresStore` (feature `postgres`): many processes on many hosts |
//!
//! And one store no URL names: [`SumsStore`] ([`Meter::summing`](super::Meter::summing)),
//! which keeps only the sums an invoice needs and 16 bytes per event id — what pricing
//! a log of any length uses.
//!
//! The meter does the pricing, hashing and invoice arithmetic; a store only keeps
//! records and the sums it is asked to keep, under three rules that every store
//! implements the same way (the tests in `tests/store.rs` run each store against them):
//!
//! - **Once per id.** [`MeterStore::insert`] adds a record whose id is new; an id it
//!   has is a [`Inserted::Duplicate`] when the content matches ([`Match`]) and a
//!   [`Inserted::Conflict`] otherwise, which changes nothing (or, for a merge,
//!   [`OnConflict::KeepCanonical`]: the record whose canonical JSON sorts first wins).
//! - **Sums in the same transaction.** Each record's [`rollup_rows`] (events, cost,
//!   usage quantities and charge lines per customer, model, schedule, currency and
//!   UTC hour, day and month) and the customer's spend change together with the
//!   record, so invoices, aggregates and budgets read sums, never every event: a month
//!   invoice reads month sums, and only the partial days and hours at the edges of its
//!   range come from finer sums (and the partial hours from the events).
//! - **Budgets as one atomic step.** [`MeterStore::reserve`] reads the spend, the
//!   reservations that have not expired and the limit, decides with
//!   [`decide`](super::budget::decide) and holds the reservation in one transaction.

#[cfg(feature = "sqlite")]
mod checkpoint;
mod codec;
mod memory;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;
mod sums;

pub use memory::MemoryStore;
#[cfg(feature = "postgres")]
pub use postgres::PostgresStore;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;
pub use sums::SumsStore;

use super::journal::{Fsync, Recovery};
use super::priced::PricedEvent;
use super::ReservationId;
use super::UsageEvent;
use crate::price::{Currency, Money};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use std::fmt;
use std::path::PathBuf;

/// What makes a record with a known id a duplicate rather than a conflict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Match {
    /// The same usage event (`Meter::record`: a redelivery priced again is the same).
    Event,
    /// The same priced record (`Meter::record_priced`, merges, imports): the same text
    /// (hash), or equal in value ([`NewRecord::same_record`]).
    Record,
}

/// What to do with the same id and other content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnConflict {
    /// Report it, change nothing; with `stop`, insert nothing after it in the batch.
    Report {
        /// Leave the rest of the batch out ([`Inserted::NotAttempted`]).
        stop: bool,
    },
    /// Keep the record whose canonical JSON sorts first (merges: commutative).
    KeepCanonical,
}

/// A record ready to store: its canonical JSON and hashes, computed once by the meter.
#[derive(Clone, Debug)]
pub struct NewRecord {
    /// The record.
    pub record: PricedEvent,
    /// [`PricedEvent::to_json`].
    pub json: String,
    /// SHA-256 of the event's canonical JSON.
    pub event_hash: [u8; 32],
    /// SHA-256 of [`NewRecord::json`].
    pub record_hash: [u8; 32],
    /// What it adds to its group's sums ([`rollup_items`]), when computed ahead
    /// ([`NewRecord::with_items`]: a large batch does it on several threads).
    pub items: Option<Vec<(RollupItem, RollupSums)>>,
}

impl NewRecord {
    /// Hashes a record.
    pub fn new(record: PricedEvent) -> NewRecord {
        let event_json = record.event.to_json();
        let json = record.to_json_with_event(&event_json);
        let event_hash = Sha256::digest(event_json.as_bytes()).into();
        let record_hash = Sha256::digest(json.as_bytes()).into();
        NewRecord { record, json, event_hash, record_hash, items: None }
    }

    /// The record with its [`rollup_items`] computed now rather than when its sums are
    /// added.
    pub fn with_items(mut self) -> NewRecord {
        self.items = Some(rollup_items(&self.record));
        self
    }

    /// The hash [`Match`] compares.
    pub fn hash(&self, by: Match) -> &[u8; 32] {
        match by {
            Match::Event => &self.event_hash,
            Match::Record => &self.record_hash,
        }
    }

    /// Whether a stored record with this id, the hash `stored` (of the kind `by`
    /// compares) and the text `stored_json` is this record: the same hash, or, for
    /// [`Match::Record`], equal in value. Records priced before tokfare wrote canonical
    /// decimals carry their rate's scale (`"2.5000000"`, `"0.0150000"`): the same record
    /// priced today (`"2.5"`, `"0.015"`) is a duplicate, not a conflict, and the stored
    /// text is kept. The text is only parsed when the hashes differ.
    pub fn same_record(&self, by: Match, stored: &[u8], stored_json: &str) -> Result<bool> {
        if stored[..] == self.hash(by)[..] {
            return Ok(true);
        }
        Ok(by == Match::Record && PricedEvent::from_json(stored_json)? == self.record)
    }
}

/// What inserting one record did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inserted {
    /// A new id: stored and counted.
    New,
    /// The id was stored with the same content: nothing changed.
    Duplicate,
    /// The id was stored with other content: nothing changed.
    Conflict,
    /// Merge only: the id was stored with other content that sorts after this record,
    /// which replaced it (sums moved from the old record to this one).
    Replaced,
    /// Left out: an earlier record of the batch conflicted and the batch stops there.
    NotAttempted,
    /// Streamed batches only: an event that could not be priced ([`Streamed::Unpriced`])
    /// whose id is not recorded.
    Unknown,
}

/// An item of a streamed batch ([`MeterStore::insert_stream`]).
#[derive(Debug)]
pub enum Streamed<R = NewRecord> {
    /// A priced record to insert.
    Row(R),
    /// An event that could not be priced: the store answers whether its id is recorded
    /// with this very event ([`Inserted::Duplicate`]), with another
    /// ([`Inserted::Conflict`]) or not at all ([`Inserted::Unknown`]), as of the rows
    /// before it; a conflict or an unknown stops the batch under
    /// [`OnConflict::Report`]'s `stop`.
    Unpriced(Box<UsageEvent>),
}

/// A half-open time range `[from, to)`; `None` is unbounded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimeRange {
    /// First instant included.
    pub from: Option<DateTime<Utc>>,
    /// First instant excluded.
    pub to: Option<DateTime<Utc>>,
}

impl TimeRange {
    /// Everything.
    pub const ALL: TimeRange = TimeRange { from: None, to: None };

    /// A range from optional bounds as text ([`parse_time`]); `from` must be before `to`.
    pub fn parse(from: Option<&str>, to: Option<&str>) -> Result<TimeRange> {
        let range = TimeRange { from: from.map(parse_time).transpose()?, to: to.map(parse_time).transpose()? };
        if let (Some(f), Some(t)) = (range.from, range.to) {
            if f >= t {
                return Err(Error::InvalidArgument { name: "to", reason: format!("{t} is not after {f}") });
            }
        }
        Ok(range)
    }

    /// Whether `t` is inside.
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.from.is_none_or(|f| t >= f) && self.to.is_none_or(|e| t < e)
    }
}

/// A range of whole UTC hours `[from, to)`, counted from the Unix epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HourRange {
    /// First hour included.
    pub from: i64,
    /// First hour excluded.
    pub to: i64,
}

impl HourRange {
    /// The whole hours of `range`, and what is left at its edges (parts of an hour,
    /// which only events can answer).
    pub fn split(range: &TimeRange) -> (HourRange, Vec<TimeRange>) {
        let from = range.from.map_or(i64::MIN, |t| hour_of(t) + i64::from(t.timestamp() % 3600 != 0 || t.timestamp_subsec_nanos() != 0));
        let to = range.to.map_or(i64::MAX, hour_of);
        if from >= to {
            return (HourRange { from: 0, to: 0 }, vec![*range]);
        }
        let mut edges = Vec::new();
        if let Some(f) = range.from {
            if hour_of(f) < from {
                edges.push(TimeRange { from: Some(f), to: Some(hour_start(from)) });
            }
        }
        if let Some(t) = range.to {
            if hour_start(to) < t {
                edges.push(TimeRange { from: Some(hour_start(to)), to: Some(t) });
            }
        }
        (HourRange { from, to }, edges)
    }

    /// Whether `hour` is inside.
    pub fn contains(&self, hour: i64) -> bool {
        hour >= self.from && hour < self.to
    }
}

/// How long a period of sums is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// A UTC hour.
    Hour = 0,
    /// A UTC day.
    Day = 1,
    /// A UTC calendar month.
    Month = 2,
}

impl Level {
    /// Every level, finest first.
    pub const ALL: [Level; 3] = [Level::Hour, Level::Day, Level::Month];

    /// `hour`, `day` or `month`: the name of its [`Period`](super::Period) (which parses it).
    pub fn name(self) -> &'static str {
        match self {
            Level::Hour => "hour",
            Level::Day => "day",
            Level::Month => "month",
        }
    }

    /// The level of a calendar period.
    pub fn of(period: super::Period) -> Level {
        match period {
            super::Period::Hour => Level::Hour,
            super::Period::Day => Level::Day,
            super::Period::Month => Level::Month,
        }
    }

    /// The first hour of the period of this level holding `hour` (the unbounded ends
    /// stay as they are).
    pub fn start_of(self, hour: i64) -> i64 {
        if hour == i64::MIN || hour == i64::MAX {
            return hour;
        }
        match self {
            Level::Hour => hour,
            // Saturating: an hour near i64::MIN (a corrupt stored value) is no panic.
            Level::Day => hour.saturating_sub(hour.rem_euclid(24)),
            Level::Month => {
                use chrono::Datelike;
                let t = hour_start(hour);
                chrono::NaiveDate::from_ymd_opt(t.year(), t.month(), 1)
                    .map_or(hour, |d| hour_of(d.and_time(chrono::NaiveTime::MIN).and_utc()))
            }
        }
    }

    /// The first hour of the next period of this level after the one starting at `start`.
    pub fn next(self, start: i64) -> i64 {
        match self {
            Level::Hour => start.saturating_add(1),
            Level::Day => start.saturating_add(24),
            // 32 days on from the start of a month is inside the next month.
            Level::Month => Level::Month.start_of(start.saturating_add(32 * 24)),
        }
    }

    /// The finer level, if any.
    fn finer(self) -> Option<Level> {
        match self {
            Level::Hour => None,
            Level::Day => Some(Level::Hour),
            Level::Month => Some(Level::Day),
        }
    }

    /// Covers the whole hours `[from, to)` with whole periods, the coarsest first, no
    /// coarser than `coarsest`: `(level, starts)` pairs, each asking for the sums of
    /// that level whose period starts in `starts`.
    pub fn plan(hours: HourRange, coarsest: Level) -> Vec<(Level, HourRange)> {
        let mut out = Vec::new();
        Level::cover(hours, coarsest, &mut out);
        out
    }

    fn cover(hours: HourRange, level: Level, out: &mut Vec<(Level, HourRange)>) {
        if hours.from >= hours.to {
            return;
        }
        let Some(finer) = level.finer() else {
            out.push((level, hours));
            return;
        };
        let first = level.start_of(hours.from);
        let first = if first == hours.from { first } else { level.next(first) };
        let last = level.start_of(hours.to);
        if first < last {
            out.push((level, HourRange { from: first, to: last }));
            Level::cover(HourRange { from: hours.from, to: first }, finer, out);
            Level::cover(HourRange { from: last, to: hours.to }, finer, out);
        } else {
            Level::cover(hours, finer, out);
        }
    }
}

/// The UTC hour holding `t`, counted from the Unix epoch.
pub fn hour_of(t: DateTime<Utc>) -> i64 {
    t.timestamp().div_euclid(3600)
}

/// The first instant of an hour from [`hour_of`].
pub fn hour_start(hour: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(hour.saturating_mul(3600), 0).unwrap_or(if hour < 0 {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    })
}

/// The group a rollup row sums over.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RollupKey {
    /// The billed customer.
    pub customer: String,
    /// The model as reported.
    pub model: String,
    /// The schedule that priced it.
    pub schedule: String,
    /// How long the period is.
    pub level: Level,
    /// The first UTC hour of the period ([`hour_of`]).
    pub start: i64,
    /// The currency of the cost.
    pub currency: Currency,
}

/// What a rollup row sums.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RollupItem {
    /// Events and their unrounded cost.
    Events,
    /// One usage quantity (a [`Usage`](crate::price::Usage) field by name).
    Quantity(String),
    /// One charge line kind: item code, unit price (normalized), per.
    Charge(String, Decimal, u64),
}

/// Sums of one item in one group: `count` events (for [`RollupItem::Events`]), a
/// quantity and an amount.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RollupSums {
    /// Events counted (rows of [`RollupItem::Events`]; 0 elsewhere). Signed: a batch's
    /// change may take an event away (a record replaced in a merge).
    pub count: i64,
    /// The summed quantity (units charged, usage quantity); 0 for events.
    pub quantity: Decimal,
    /// The summed unrounded amount (cost of events, amount of charges); 0 for quantities.
    pub amount: Decimal,
}

impl RollupSums {
    /// Adds (or with `sign < 0`, takes away) another row's sums, refusing to overflow.
    pub fn add(&mut self, other: &RollupSums, sign: i8) -> Result<()> {
        let overflow = || Error::Overflow("meter sums".into());
        if sign >= 0 {
            self.count = self.count.checked_add(other.count).ok_or_else(overflow)?;
            self.quantity = exact_add(self.quantity, other.quantity, "meter sums")?;
            self.amount = exact_add(self.amount, other.amount, "meter sums")?;
        } else {
            self.count = self.count.checked_sub(other.count).ok_or_else(overflow)?;
            self.quantity = exact_add(self.quantity, -other.quantity, "meter sums")?;
            self.amount = exact_add(self.amount, -other.amount, "meter sums")?;
        }
        Ok(())
    }
}

/// `a + b` exactly, or an [`Error::Overflow`] naming `what`: out of range, or in
/// range only rounded (`Decimal::checked_add` rounds away digits past the 96-bit
/// mantissa, which a sum kept by a meter must never do silently).
pub fn exact_add(a: Decimal, b: Decimal, what: &str) -> Result<Decimal> {
    let sum = a.checked_add(b).ok_or_else(|| Error::Overflow(format!("{what}: {a} + {b} is out of range")))?;
    if sum.scale() < a.scale().max(b.scale()) {
        return Err(Error::Overflow(format!("{what}: {a} + {b} needs more than 28 significant digits")));
    }
    Ok(sum)
}

/// One row of sums.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RollupRow {
    /// The group.
    pub key: RollupKey,
    /// What is summed.
    pub item: RollupItem,
    /// The sums.
    pub sums: RollupSums,
}

/// The group a record's sums go to at one level.
pub fn rollup_key(record: &PricedEvent, level: Level) -> RollupKey {
    RollupKey {
        customer: record.event.customer.clone(),
        model: record.event.model.clone(),
        schedule: record.schedule.clone(),
        level,
        start: level.start_of(hour_of(record.event.timestamp)),
        currency: record.charges.currency,
    }
}

/// What one record adds to its group's sums (the same at every level): the one place
/// that says so, for every store.
pub fn rollup_items(record: &PricedEvent) -> Vec<(RollupItem, RollupSums)> {
    let mut items = vec![(RollupItem::Events, RollupSums { count: 1, quantity: Decimal::ZERO, amount: record.cost().amount() })];
    for (name, value) in record.event.usage.entries() {
        items
            .push((RollupItem::Quantity(name.to_string()), RollupSums { count: 0, quantity: Decimal::from(value), amount: Decimal::ZERO }));
    }
    for charge in &record.charges.lines {
        items.push((
            RollupItem::Charge(super::priced::charge_code(&charge.item, &charge.basis), charge.unit_price.normalize(), charge.per),
            RollupSums { count: 0, quantity: Decimal::from(charge.quantity), amount: charge.amount },
        ));
    }
    items
}

/// [`rollup_items`] as rows of one level's group.
pub fn rollup_rows(record: &PricedEvent, level: Level) -> Vec<RollupRow> {
    let key = rollup_key(record, level);
    rollup_items(record).into_iter().map(|(item, sums)| RollupRow { key: key.clone(), item, sums }).collect()
}

/// The sums of one group, item by item.
pub type ItemSums = std::collections::BTreeMap<RollupItem, RollupSums>;

/// Sums per group (any level), item by item.
pub type Groups = std::collections::BTreeMap<RollupKey, ItemSums>;

/// Adds a row of sums to `groups`.
pub fn add_row(groups: &mut Groups, row: RollupRow) -> Result<()> {
    groups.entry(row.key).or_default().entry(row.item).or_default().add(&row.sums, 1)
}

/// Adds `sums` (`sign` 1) or takes them away (-1) from `item` of a group (the item
/// cloned only when the group has none yet).
pub fn add_item_sums(group: &mut ItemSums, item: &RollupItem, sums: &RollupSums, sign: i8) -> Result<()> {
    match group.get_mut(item) {
        Some(total) => total.add(sums, sign),
        None => {
            let mut total = RollupSums::default();
            total.add(sums, sign)?;
            group.insert(item.clone(), total);
            Ok(())
        }
    }
}

/// Hour groups and the day and month groups they fall in, summed from them: the
/// groups to write at every level.
pub fn all_levels(hours: &Groups) -> Result<Groups> {
    let mut out = hours.clone();
    for (key, items) in hours {
        for level in [Level::Day, Level::Month] {
            let group = out.entry(RollupKey { level, start: level.start_of(key.start), ..key.clone() }).or_default();
            for (item, sums) in items {
                add_item_sums(group, item, sums, 1)?;
            }
        }
    }
    Ok(out)
}

/// What a batch of inserts changes, summed before it is written: one update per
/// group, one per customer's spend, however many events share them.
#[derive(Debug, Default)]
pub struct BatchSums {
    /// Sums per hour group: the day and month groups are summed from these
    /// ([`all_levels`]), once per batch rather than once per event.
    hours: Groups,
    /// Spend per customer and currency.
    pub spend: std::collections::BTreeMap<(String, Currency), Decimal>,
    /// Change in the number of records.
    pub events: i64,
}

impl BatchSums {
    /// The hour groups as added.
    pub fn hours(&self) -> &Groups {
        &self.hours
    }

    /// Adds a record (`sign` 1), or takes one away (-1: replaced in a merge), at
    /// every level.
    pub fn add(&mut self, record: &PricedEvent, sign: i8) -> Result<()> {
        self.add_items(record, &rollup_items(record), sign)
    }

    /// [`BatchSums::add`] for a record made ready to store (its items computed already).
    pub fn add_new(&mut self, row: &NewRecord, sign: i8) -> Result<()> {
        match &row.items {
            Some(items) => self.add_items(&row.record, items, sign),
            None => self.add(&row.record, sign),
        }
    }

    fn add_items(&mut self, record: &PricedEvent, items: &[(RollupItem, RollupSums)], sign: i8) -> Result<()> {
        let group = self.hours.entry(rollup_key(record, Level::Hour)).or_default();
        for (item, sums) in items {
            add_item_sums(group, item, sums, sign)?;
        }
        let cost = record.cost();
        let spend = self.spend.entry((record.event.customer.clone(), cost.currency())).or_default();
        let amount = if sign >= 0 { cost.amount() } else { -cost.amount() };
        *spend = exact_add(*spend, amount, "spend")?;
        Ok(())
    }
}

impl RollupItem {
    /// The item as one text column: `events`, `quantity:<name>`,
    /// `charge:<unit price>:<per>:<item code>`.
    pub fn encode(&self) -> String {
        match self {
            RollupItem::Events => "events".into(),
            RollupItem::Quantity(name) => format!("quantity:{name}"),
            RollupItem::Charge(code, price, per) => format!("charge:{}:{per}:{code}", price.normalize()),
        }
    }

    /// Reads [`RollupItem::encode`].
    pub fn decode(text: &str) -> Option<RollupItem> {
        if text == "events" {
            return Some(RollupItem::Events);
        }
        if let Some(name) = text.strip_prefix("quantity:") {
            return Some(RollupItem::Quantity(name.to_string()));
        }
        let mut parts = text.strip_prefix("charge:")?.splitn(3, ':');
        let price = parts.next()?.parse::<Decimal>().ok()?;
        let per = parts.next()?.parse::<u64>().ok()?;
        Some(RollupItem::Charge(parts.next()?.to_string(), price, per))
    }
}

/// What a store's budget step answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reserved {
    /// Whether the estimate fits.
    pub allowed: bool,
    /// Recorded spend before it.
    pub spent: Money,
    /// Reservations held (not expired) before it.
    pub reserved: Money,
    /// The budget, if any.
    pub limit: Option<Money>,
    /// The reservation now held, when allowed.
    pub reservation: Option<ReservationId>,
}

/// A meter's storage. See the module docs for the rules every store keeps.
pub trait MeterStore: Send + fmt::Debug {
    /// Where it is (a path or URL without password), for messages.
    fn location(&self) -> String;

    /// Inserts a batch, in order, atomically with its sums; returns what happened to
    /// each record. Returns only once the batch is as durable as the store promises.
    fn insert(&mut self, batch: &[NewRecord], by: Match, on_conflict: OnConflict) -> Result<Vec<Inserted>>;

    /// Whether the store takes streamed batches ([`MeterStore::insert_stream`]): the
    /// meter then prices a large batch on another thread while the store writes it,
    /// rather than pricing it all first.
    fn streams(&self) -> bool {
        false
    }

    /// A batch whose items come as the store is ready for them, in one transaction
    /// with its sums like [`MeterStore::insert`]: one answer per item taken, in order;
    /// after a conflict (or an unknown [`Streamed::Unpriced`]) that stops the batch, no
    /// item is taken. An item that is an error fails the batch (nothing written). Only
    /// called when [`MeterStore::streams`] says so; other stores refuse it.
    fn insert_stream(
        &mut self,
        items: &mut dyn Iterator<Item = Result<Streamed>>,
        by: Match,
        on_conflict: OnConflict,
    ) -> Result<Vec<Inserted>> {
        let _ = (items, by, on_conflict);
        Err(Error::Store { store: self.location(), reason: "this store does not take streamed batches".into() })
    }

    /// Adds sums of events recorded elsewhere (another share of a log partitioned by
    /// event id, [`Meter::add_partial_sums`](super::Meter::add_partial_sums)). Only a
    /// store that keeps nothing but sums can; the others refuse (their sums must agree
    /// with the events they hold).
    fn add_sums(&mut self, rows: &[RollupRow]) -> Result<()> {
        let _ = rows;
        Err(Error::Store {
            store: self.location(),
            reason: "adding partial sums: only a summing meter takes them (its sums need not match events it holds)".into(),
        })
    }

    /// The record with this id.
    fn get(&self, id: &str) -> Result<Option<PricedEvent>>;

    /// Whether a record with `event`'s id is stored: `Some(true)` holding this very
    /// event, `Some(false)` another, `None` no record (how a redelivery the meter can
    /// no longer price is told from a new event).
    fn knows(&self, event: &UsageEvent) -> Result<Option<bool>> {
        Ok(self.get(&event.id)?.map(|existing| existing.event == *event))
    }

    /// Number of records.
    fn len(&self) -> Result<u64>;

    /// True when it holds no record.
    fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// Visits every record whose timestamp is in `range`, sorted by id.
    fn scan(&self, range: &TimeRange, visit: &mut dyn FnMut(PricedEvent) -> Result<()>) -> Result<()>;

    /// Visits sums covering exactly the events whose hour is in `hours`, in periods no
    /// longer than `coarsest` (a store may answer with finer ones); rows may repeat a
    /// group (callers add them up), no order is promised.
    fn rollups(&self, hours: &HourRange, coarsest: Level, visit: &mut dyn FnMut(RollupRow) -> Result<()>) -> Result<()>;

    /// A customer's recorded spend in one currency (unrounded).
    fn spent(&self, customer: &str, currency: Currency) -> Result<Decimal>;

    /// Sets or replaces a customer's budget.
    fn set_budget(&mut self, customer: &str, limit: Money) -> Result<()>;

    /// A customer's budget.
    fn budget(&self, customer: &str) -> Result<Option<Money>>;

    /// Holds `estimate` for `customer` until `expires` if it fits their budget, in one
    /// atomic step (see [`decide`](super::budget::decide)); reservations whose expiry
    /// is at or before `now` no longer count.
    fn reserve(&mut self, customer: &str, estimate: Money, now: DateTime<Utc>, expires: DateTime<Utc>) -> Result<Reserved>;

    /// Drops a reservation; false if it was not held (released, settled, or expired
    /// and since cleared by a `reserve` of the same customer).
    fn release(&mut self, reservation: ReservationId) -> Result<bool>;

    /// Forces what was written to stable storage.
    fn sync(&mut self) -> Result<()>;

    /// What opening it recovered (a journal's torn tail), if it keeps such a report.
    fn recovery(&self) -> Option<Recovery> {
        None
    }

    /// True for the store of a closed meter.
    fn is_closed(&self) -> bool {
        false
    }

    /// Runs `read` so that every read in it sees the same writes (one read transaction
    /// in a database; a store in one process's memory already does).
    fn read(&self, read: &mut dyn FnMut() -> Result<()>) -> Result<()> {
        read()
    }

    /// Checks that the store is sound: its own integrity check, and that the sums it
    /// keeps agree with its events (reads every event: an audit, not a hot path).
    fn check(&self) -> Result<()>;
}

/// Compares what a store holds with what its events add up to (`check`): the event
/// count, every non-zero sum of every level, and the spend per customer.
#[allow(dead_code)] // used by the database stores (features sqlite, postgres)
/// What a store's sums must hold, recomputed from its records for `check` the long way
/// (each record added at each level, not rolled up as writers do).
#[derive(Debug, Default)]
pub(crate) struct Expected {
    groups: Groups,
    spend: std::collections::BTreeMap<(String, Currency), Decimal>,
    events: i64,
}

impl Expected {
    /// Adds a stored record.
    pub(crate) fn add(&mut self, record: &PricedEvent) -> Result<()> {
        for level in Level::ALL {
            for row in rollup_rows(record, level) {
                add_row(&mut self.groups, row)?;
            }
        }
        let cost = record.cost();
        let spend = self.spend.entry((record.event.customer.clone(), cost.currency())).or_default();
        *spend = exact_add(*spend, cost.amount(), "spend")?;
        self.events += 1;
        Ok(())
    }
}

pub(crate) fn compare_sums(
    store: &str,
    count: u64,
    expected: &Expected,
    stored: &Groups,
    spend: &std::collections::BTreeMap<(String, Currency), Decimal>,
) -> Result<()> {
    let mismatch =
        |what: String| Err(Error::Store { store: store.to_string(), reason: format!("the sums disagree with the events: {what}") });
    if count != expected.events as u64 {
        return mismatch(format!("{count} events counted, {} stored", expected.events));
    }
    let nonzero = |m: &std::collections::BTreeMap<RollupKey, ItemSums>| {
        m.iter()
            .flat_map(|(k, items)| items.iter().map(move |(i, s)| ((k.clone(), i.clone()), s)))
            .filter(|(_, s)| **s != RollupSums::default())
            .map(|(k, s)| (k, (s.count, s.quantity.normalize(), s.amount.normalize())))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let (want, have) = (nonzero(&expected.groups), nonzero(stored));
    if let Some((key, sums)) =
        want.iter().find(|(k, s)| have.get(*k) != Some(*s)).or_else(|| have.iter().find(|(k, _)| !want.contains_key(*k)))
    {
        return mismatch(format!("{key:?}: the events give {:?}, the store holds {:?}", want.get(key).unwrap_or(sums), have.get(key)));
    }
    let clean = |m: &std::collections::BTreeMap<(String, Currency), Decimal>| {
        m.iter().filter(|(_, a)| !a.is_zero()).map(|(k, a)| (k.clone(), a.normalize())).collect::<std::collections::BTreeMap<_, _>>()
    };
    let (want, have) = (clean(&expected.spend), clean(spend));
    if want != have {
        return mismatch(format!("spend per customer is {have:?}, the events add up to {want:?}"));
    }
    Ok(())
}

/// An instant as the command line and the bindings take it: RFC 3339
/// (`2026-11-02T10:00:00Z`), a UTC date (`2026-11-02`: its midnight) or a UTC month
/// (`2026-11`: its first midnight).
pub fn parse_time(text: &str) -> Result<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| chrono::NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d"));
    match date {
        Ok(d) if text.len() >= 7 => Ok(d.and_time(chrono::NaiveTime::MIN).and_utc()),
        _ => Err(Error::InvalidArgument {
            name: "time",
            reason: format!("{text:?} is not an RFC 3339 time, a date (YYYY-MM-DD) or a month (YYYY-MM)"),
        }),
    }
}

/// What a meter holds after [`Meter::close`](super::Meter::close): every call is a
/// `store` error saying so.
#[derive(Debug)]
pub struct ClosedStore {
    location: String,
}

impl ClosedStore {
    pub(crate) fn new(location: String) -> ClosedStore {
        ClosedStore { location }
    }

    fn closed<T>(&self) -> Result<T> {
        Err(Error::Store { store: self.location.clone(), reason: "the meter is closed".into() })
    }
}

impl MeterStore for ClosedStore {
    fn location(&self) -> String {
        self.location.clone()
    }
    fn is_closed(&self) -> bool {
        true
    }
    fn insert(&mut self, _: &[NewRecord], _: Match, _: OnConflict) -> Result<Vec<Inserted>> {
        self.closed()
    }
    fn get(&self, _: &str) -> Result<Option<PricedEvent>> {
        self.closed()
    }
    fn len(&self) -> Result<u64> {
        self.closed()
    }
    fn scan(&self, _: &TimeRange, _: &mut dyn FnMut(PricedEvent) -> Result<()>) -> Result<()> {
        self.closed()
    }
    fn rollups(&self, _: &HourRange, _: Level, _: &mut dyn FnMut(RollupRow) -> Result<()>) -> Result<()> {
        self.closed()
    }
    fn spent(&self, _: &str, _: Currency) -> Result<Decimal> {
        self.closed()
    }
    fn set_budget(&mut self, _: &str, _: Money) -> Result<()> {
        self.closed()
    }
    fn budget(&self, _: &str) -> Result<Option<Money>> {
        self.closed()
    }
    fn reserve(&mut self, _: &str, _: Money, _: DateTime<Utc>, _: DateTime<Utc>) -> Result<Reserved> {
        self.closed()
    }
    fn release(&mut self, _: ReservationId) -> Result<bool> {
        self.closed()
    }
    fn sync(&mut self) -> Result<()> {
        self.closed()
    }
    fn check(&self) -> Result<()> {
        self.closed()
    }
}

/// A store named by a URL (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreUrl {
    /// `:memory:`.
    Memory,
    /// A JSON Lines journal file.
    Journal(PathBuf),
    /// An SQLite database file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL.
    Postgres(String),
}

impl StoreUrl {
    /// Reads a store URL or path.
    pub fn parse(url: &str) -> Result<StoreUrl> {
        let bad = |reason: &str| Error::InvalidArgument { name: "store", reason: format!("{url:?}: {reason}") };
        if url.is_empty() {
            return Err(bad("empty; use \":memory:\", a file path or a sqlite:// or postgresql:// URL"));
        }
        if url == ":memory:" {
            return Ok(StoreUrl::Memory);
        }
        if url.starts_with("postgresql://") || url.starts_with("postgres://") {
            return Ok(StoreUrl::Postgres(url.to_string()));
        }
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() || path == ":memory:" {
                return Err(bad("an SQLite store needs a file path (sqlite:///abs/path.db or sqlite://relative.db)"));
            }
            return Ok(StoreUrl::Sqlite(PathBuf::from(path)));
        }
        if let Some((scheme, _)) = url.split_once("://") {
            return Err(bad(&format!("unknown store scheme {scheme:?} (sqlite://, postgresql://, or a file path)")));
        }
        let path = PathBuf::from(url);
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("jsonl" | "ndjson") => Ok(StoreUrl::Journal(path)),
            Some("db" | "sqlite" | "sqlite3") => Ok(StoreUrl::Sqlite(path)),
            _ => Err(bad(
                "a store file is named .db, .sqlite or .sqlite3 (SQLite) or .jsonl (a journal); or use a sqlite:// or postgresql:// URL",
            )),
        }
    }

    /// Opens the store only if it exists already (for commands that read: an export or
    /// an invoice of a mistyped path is an error, not a new empty store).
    pub fn open_existing(&self, fsync: Fsync) -> Result<Box<dyn MeterStore>> {
        if let StoreUrl::Journal(path) | StoreUrl::Sqlite(path) = self {
            if !path.is_file() {
                return Err(Error::Store { store: self.to_string(), reason: "no such store file".into() });
            }
        }
        self.open(fsync)
    }

    /// Opens the store.
    pub fn open(&self, fsync: Fsync) -> Result<Box<dyn MeterStore>> {
        match self {
            StoreUrl::Memory => Ok(Box::new(MemoryStore::new())),
            StoreUrl::Journal(path) => Ok(Box::new(MemoryStore::with_journal(path, fsync)?)),
            #[cfg(feature = "sqlite")]
            StoreUrl::Sqlite(path) => Ok(Box::new(SqliteStore::open(path, fsync)?)),
            #[cfg(not(feature = "sqlite"))]
            StoreUrl::Sqlite(path) => Err(Error::Store {
                store: path.display().to_string(),
                reason: "this build of tokfare has no SQLite store (feature \"sqlite\")".into(),
            }),
            #[cfg(feature = "postgres")]
            StoreUrl::Postgres(url) => Ok(Box::new(PostgresStore::open(url, fsync)?)),
            #[cfg(not(feature = "postgres"))]
            StoreUrl::Postgres(url) => Err(Error::Store {
                store: redact(url),
                reason: "this build of tokfare has no PostgreSQL store (feature \"postgres\")".into(),
            }),
        }
    }
}

impl fmt::Display for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreUrl::Memory => f.write_str(":memory:"),
            StoreUrl::Journal(p) => write!(f, "{}", p.display()),
            StoreUrl::Sqlite(p) => write!(f, "sqlite://{}", p.display()),
            StoreUrl::Postgres(u) => f.write_str(&redact(u)),
        }
    }
}

/// A URL with its password replaced by `***`, for messages: the `user:password@`
/// part and any `password=` query parameter.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let (rest, query) = match rest.split_once('?') {
        Some((rest, query)) => (rest, Some(query)),
        None => (rest, None),
    };
    let rest = match rest.rsplit_once('@') {
        Some((auth, host)) => match auth.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => format!("{auth}@{host}"),
        },
        None => rest.to_string(),
    };
    let query = query.map(|q| {
        q.split('&')
            .map(|kv| if kv.to_ascii_lowercase().starts_with("password=") { "password=***".to_string() } else { kv.to_string() })
            .collect::<Vec<_>>()
            .join("&")
    });
    match query {
        Some(q) => format!("{scheme}://{rest}?{q}"),
        None => format!("{scheme}://{rest}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().expect("time")
    }

    #[test]
    fn sums_never_round_silently() {
        let d = |s: &str| Decimal::from_str_exact(s).expect("decimal");
        // 28 digits after the point: a sum past 7.9 needs a 29th significant digit.
        let third = d("0.3333333333333333333333333333");
        let mut sum = RollupSums { count: 0, quantity: Decimal::ZERO, amount: d("7.9000000000000000000000000000") };
        let err = sum.add(&RollupSums { count: 0, quantity: Decimal::ZERO, amount: third }, 1).expect_err("rounded");
        assert!(matches!(err, Error::Overflow(ref m) if m.contains("28 significant digits")), "{err}");
        assert_eq!(exact_add(d("1.25"), d("2.5"), "x").expect("exact"), d("3.75"));
        assert!(matches!(exact_add(Decimal::MAX, Decimal::ONE, "x"), Err(Error::Overflow(_))));
    }

    #[test]
    fn urls_pick_their_store() {
        assert_eq!(StoreUrl::parse(":memory:").ok(), Some(StoreUrl::Memory));
        assert_eq!(StoreUrl::parse("m.jsonl").ok(), Some(StoreUrl::Journal("m.jsonl".into())));
        assert_eq!(StoreUrl::parse("m.db").ok(), Some(StoreUrl::Sqlite("m.db".into())));
        assert_eq!(StoreUrl::parse("M.SQLITE3").ok(), Some(StoreUrl::Sqlite("M.SQLITE3".into())));
        assert!(StoreUrl::parse("events.log").is_err() && StoreUrl::parse("meter").is_err());
        assert_eq!(StoreUrl::parse("sqlite:///tmp/m.db").ok(), Some(StoreUrl::Sqlite("/tmp/m.db".into())));
        assert_eq!(StoreUrl::parse("sqlite://m.db").ok(), Some(StoreUrl::Sqlite("m.db".into())));
        assert!(matches!(StoreUrl::parse("postgresql://u:secret@h/db"), Ok(StoreUrl::Postgres(_))));
        assert!(StoreUrl::parse("").is_err());
        assert!(StoreUrl::parse("sqlite://").is_err());
        assert!(StoreUrl::parse("mysql://h/db").is_err());
        assert_eq!(redact("postgresql://u:secret@h:5432/db"), "postgresql://u:***@h:5432/db");
        assert_eq!(redact("postgresql://h/db"), "postgresql://h/db");
        assert_eq!(redact("postgresql://u@h/db?sslmode=require&password=pw"), "postgresql://u@h/db?sslmode=require&password=***");
        assert_eq!(redact("postgresql://h/db?password=pw"), "postgresql://h/db?password=***");
        assert_eq!(redact("postgresql://h/db?password=p@ss"), "postgresql://h/db?password=***");
        assert_eq!(redact("postgresql://u@h/db?password=p@ss&x=1"), "postgresql://u@h/db?password=***&x=1");
        assert_eq!(redact("postgresql://u:p@ss@h/db"), "postgresql://u:***@h/db");
    }

    #[test]
    fn ranges_split_into_whole_hours_and_edges() {
        let (hours, edges) = HourRange::split(&TimeRange::ALL);
        assert_eq!((hours.from, hours.to, edges.len()), (i64::MIN, i64::MAX, 0));
        let r = TimeRange { from: Some(t("2026-11-01T00:00:00Z")), to: Some(t("2026-12-01T00:00:00Z")) };
        let (hours, edges) = HourRange::split(&r);
        assert_eq!((hours.to - hours.from, edges.len()), (30 * 24, 0));
        assert_eq!(hour_start(hours.from), t("2026-11-01T00:00:00Z"));
        let r = TimeRange { from: Some(t("2026-11-01T00:30:00Z")), to: Some(t("2026-11-01T03:15:00Z")) };
        let (hours, edges) = HourRange::split(&r);
        assert_eq!((hour_start(hours.from), hour_start(hours.to)), (t("2026-11-01T01:00:00Z"), t("2026-11-01T03:00:00Z")));
        assert_eq!(edges[0], TimeRange { from: Some(t("2026-11-01T00:30:00Z")), to: Some(t("2026-11-01T01:00:00Z")) });
        assert_eq!(edges[1], TimeRange { from: Some(t("2026-11-01T03:00:00Z")), to: Some(t("2026-11-01T03:15:00Z")) });
        let r = TimeRange { from: Some(t("2026-11-01T00:10:00Z")), to: Some(t("2026-11-01T00:20:00Z")) };
        let (hours, edges) = HourRange::split(&r);
        assert!(hours.from >= hours.to && edges == vec![r]);
        assert_eq!(hour_of(t("1969-12-31T23:59:59Z")), -1);
        // A month invoice reads month sums; the partial days and hours at its edges come
        // from day and hour sums.
        let h = |s: &str| hour_of(t(s));
        let range = HourRange { from: h("2026-10-30T05:00:00Z"), to: h("2027-01-02T03:00:00Z") };
        let plan = Level::plan(range, Level::Month);
        assert_eq!(plan[0], (Level::Month, HourRange { from: h("2026-11-01T00:00:00Z"), to: h("2027-01-01T00:00:00Z") }));
        assert!(plan.contains(&(Level::Day, HourRange { from: h("2026-10-31T00:00:00Z"), to: h("2026-11-01T00:00:00Z") })));
        assert!(plan.contains(&(Level::Hour, HourRange { from: h("2026-10-30T05:00:00Z"), to: h("2026-10-31T00:00:00Z") })));
        assert!(plan.contains(&(Level::Day, HourRange { from: h("2027-01-01T00:00:00Z"), to: h("2027-01-02T00:00:00Z") })));
        assert!(plan.contains(&(Level::Hour, HourRange { from: h("2027-01-02T00:00:00Z"), to: h("2027-01-02T03:00:00Z") })));
        assert_eq!(
            Level::plan(HourRange { from: i64::MIN, to: i64::MAX }, Level::Month),
            vec![(Level::Month, HourRange { from: i64::MIN, to: i64::MAX })]
        );
        assert_eq!(Level::plan(range, Level::Hour), vec![(Level::Hour, range)]);
        assert_eq!(Level::Month.next(h("2026-12-01T00:00:00Z")), h("2027-01-01T00:00:00Z"));
        assert_eq!(parse_time("2026-11").ok(), Some(t("2026-11-01T00:00:00Z")));
        assert_eq!(parse_time("2026-11-02").ok(), Some(t("2026-11-02T00:00:00Z")));
        assert_eq!(parse_time("2026-11-02T10:00:00+01:00").ok(), Some(t("2026-11-02T09:00:00Z")));
        assert!(parse_time("2026").is_err() && parse_time("2026-13").is_err() && parse_time("yesterday").is_err());
        assert!(TimeRange::parse(Some("2026-12"), Some("2026-11")).is_err());
    }
}
