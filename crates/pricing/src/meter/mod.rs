//! The meter: records usage events exactly once, prices them, aggregates, merges,
//! journals, enforces budgets and produces invoices.
//!
//! - **Idempotent**: an event id recorded twice with the same content counts once
//!   ([`Recorded::Duplicate`]); the same id with different content is an
//!   [`Error::ConflictingEvent`] and changes nothing.
//! - **Mergeable**: [`Meter::merge`] is a set union of priced events, commutative and
//!   associative, so meters built on different threads or machines combine exactly.
//!   (When two meters priced the same id differently, both orders keep the record
//!   whose canonical JSON sorts first, and the merge reports the conflict.)
//! - **Stored**: events live in a [`MeterStore`] chosen by URL ([`Meter::open_store`],
//!   [`store`]): in memory, a JSON Lines [`Journal`], SQLite (several processes) or
//!   PostgreSQL (several hosts), with sums kept beside the events so invoices and
//!   budgets never read every event.
//!   `record` returns only after the store has the record (see [`journal`] and
//!   [`store`] for the crash rules).
//!
//! ```
//! use tokfare_pricing::meter::{Meter, Recorded, UsageEvent};
//! use tokfare_pricing::price::{PriceBook, Usage};
//! let mut meter = Meter::new(PriceBook::bundled());
//! let at = "2026-11-02T10:00:00Z".parse().unwrap();
//! let event = UsageEvent::new("req-1", "acme", "gpt-4o", Usage::tokens(1000, 200), at);
//! assert!(matches!(meter.record(event.clone())?, Recorded::New { .. }));
//! assert_eq!(meter.record(event)?, Recorded::Duplicate);
//! assert_eq!(meter.len()?, 1);
//! # Ok::<(), tokfare_pricing::Error>(())
//! ```

mod budget;
mod cloudevents;
mod event;
mod invoice;
pub mod journal;
mod log;
pub mod partial;
mod priced;
mod reconcile;
pub mod store;
mod stream;

pub use budget::{Authorization, ReservationId};
pub use cloudevents::idempotency_key;
pub(crate) use event::push_json_string;
pub use event::UsageEvent;
pub use invoice::{Group, Invoice, InvoiceLine, InvoiceOptions, Subtotal};
pub use journal::{Fsync, Journal, Recovery};
pub use log::{parse_usage_line, read_usage_log, LogOutcome, LogProblem, LogReport, OnError, UsageLines, MAX_LINE_BYTES};
pub use priced::PricedEvent;
pub use reconcile::{reconcile, Drift, Reconciliation};
pub use store::{MeterStore, StoreUrl, TimeRange};

use crate::price::{Currency, Money, PriceBook, Request, Schedule, Usage};
use crate::{Error, Result};
use chrono::{DateTime, Datelike, Timelike, Utc};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;
use store::{HourRange, Inserted, Level, Match, MemoryStore, NewRecord, OnConflict, RollupItem, RollupKey, RollupRow};

/// The outcome of recording an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// First time this id was seen: it was priced and counted.
    New {
        /// Its unrounded cost.
        cost: Money,
        /// The schedule that priced it.
        schedule: String,
    },
    /// This id was already recorded with the same content; nothing changed.
    Duplicate,
}

/// What a merge did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// Events new to this meter.
    pub added: usize,
    /// Events both meters had, identical.
    pub duplicates: usize,
    /// Ids both had with different content (resolved deterministically).
    pub conflicts: Vec<String>,
}

/// Aggregation period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    /// Calendar hours (UTC).
    Hour,
    /// Calendar days (UTC).
    Day,
    /// Calendar months (UTC).
    Month,
}

impl Period {
    /// The label of the period holding `t`: `2026-11-02T10`, `2026-11-02`, `2026-11`.
    pub fn label(self, t: DateTime<Utc>) -> String {
        match self {
            Period::Hour => format!("{:04}-{:02}-{:02}T{:02}", t.year(), t.month(), t.day(), t.hour()),
            Period::Day => format!("{:04}-{:02}-{:02}", t.year(), t.month(), t.day()),
            Period::Month => format!("{:04}-{:02}", t.year(), t.month()),
        }
    }
}

impl std::str::FromStr for Period {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "hour" => Ok(Period::Hour),
            "day" => Ok(Period::Day),
            "month" => Ok(Period::Month),
            _ => Err(Error::InvalidArgument { name: "period", reason: format!("{s:?} is not hour, day or month") }),
        }
    }
}

/// A dimension to aggregate or invoice by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GroupBy {
    /// The billed customer.
    Customer,
    /// The model name as reported.
    Model,
    /// The schedule that priced the event ("schedule tier").
    Schedule,
    /// A calendar period.
    Period(Period),
}

impl GroupBy {
    /// The column name.
    pub fn name(self) -> &'static str {
        match self {
            GroupBy::Customer => "customer",
            GroupBy::Model => "model",
            GroupBy::Schedule => "schedule",
            GroupBy::Period(Period::Hour) => "hour",
            GroupBy::Period(Period::Day) => "day",
            GroupBy::Period(Period::Month) => "month",
        }
    }

    fn value(self, key: &RollupKey) -> String {
        match self {
            GroupBy::Customer => key.customer.clone(),
            GroupBy::Model => key.model.clone(),
            GroupBy::Schedule => key.schedule.clone(),
            GroupBy::Period(p) => p.label(store::hour_start(key.start)),
        }
    }

    /// The longest period of sums that can answer these dimensions: no longer than
    /// `limit` nor than any calendar period among them.
    fn coarsest(group_by: &[GroupBy], limit: Level) -> Level {
        group_by
            .iter()
            .filter_map(|g| match g {
                GroupBy::Period(p) => Some(Level::of(*p)),
                _ => None,
            })
            .fold(limit, Level::min)
    }
}

impl std::str::FromStr for GroupBy {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "customer" => Ok(GroupBy::Customer),
            "model" => Ok(GroupBy::Model),
            "schedule" | "tier" => Ok(GroupBy::Schedule),
            other => other.parse().map(GroupBy::Period).map_err(|_| Error::InvalidArgument {
                name: "group_by",
                reason: format!("{other:?} is not customer, model, schedule, hour, day or month"),
            }),
        }
    }
}

impl GroupBy {
    /// What aggregates and invoices group by when the caller names nothing.
    pub const DEFAULT: [GroupBy; 2] = [GroupBy::Customer, GroupBy::Model];

    /// Dimensions by name (`customer`, `model`, `schedule`, `hour`, `day`, `month`);
    /// `None` is [`GroupBy::DEFAULT`].
    pub fn parse_list<S: AsRef<str>>(names: Option<&[S]>) -> Result<Vec<GroupBy>> {
        match names {
            None => Ok(GroupBy::DEFAULT.to_vec()),
            Some(names) => names.iter().map(|n| n.as_ref().parse()).collect(),
        }
    }
}

/// One aggregate row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Aggregate {
    /// `(dimension, value)` pairs, in the order asked for.
    pub key: Vec<(&'static str, String)>,
    /// Summed usage.
    pub usage: Usage,
    /// Number of events.
    pub events: u64,
    /// Unrounded cost per currency.
    pub cost: BTreeMap<Currency, Decimal>,
}

/// Records, prices and aggregates usage events. See the module docs.
#[derive(Debug)]
pub struct Meter {
    book: Arc<PriceBook>,
    store: Box<dyn MeterStore>,
    /// The schedule behind each schedule name that priced a record here (or in a meter
    /// merged into this one): invoices take rounding and period tiers from it.
    schedules: HashMap<String, Arc<dyn Schedule>>,
    reservation_ttl: chrono::Duration,
}

/// Events priced per write when recording many (a log, a batch): one transaction each.
pub const BATCH: usize = 2048;

/// An event priced, or given back with the reason it could not be.
type Prepared = std::result::Result<(NewRecord, Arc<dyn Schedule>), Box<(UsageEvent, Error)>>;

/// Events from this many on are priced on several threads.
const PARALLEL_FROM: usize = 512;

/// Prices a batch and makes each record ready to store (canonical JSON, hashes), in
/// order: the part of recording that needs no store, spread over the machine's cores
/// for a large batch (scoped threads, one contiguous share each).
fn prepare(book: &PriceBook, events: Vec<UsageEvent>) -> Vec<Prepared> {
    if events.len() < PARALLEL_FROM {
        return events.into_iter().map(|event| price_with_schedule(book, event).map(|(p, s)| (NewRecord::new(p), s))).collect();
    }
    // On threads, each record's sums items are worked out too (the store's thread
    // would otherwise do it).
    let one = |event| price_with_schedule(book, event).map(|(priced, schedule)| (NewRecord::new(priced).with_items(), schedule));
    // Asked once: on Linux the answer reads the cgroup's CPU quota from files.
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let threads = *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()).min(8));
    if threads < 2 {
        return events.into_iter().map(|event| price_with_schedule(book, event).map(|(p, s)| (NewRecord::new(p), s))).collect();
    }
    let share = events.len().div_ceil(threads);
    let mut events = events.into_iter();
    // Each share behind a lock so that one whose thread could not start is priced here.
    let shares: Vec<std::sync::Mutex<Vec<UsageEvent>>> =
        (0..threads).map(|_| std::sync::Mutex::new(events.by_ref().take(share).collect())).collect();
    let price_share = |share: &std::sync::Mutex<Vec<UsageEvent>>| -> Vec<Prepared> {
        let events = std::mem::take(&mut *share.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        events.into_iter().map(one).collect()
    };
    let price_share = &price_share;
    std::thread::scope(|scope| {
        let handles: Vec<_> =
            shares[1..].iter().map(|share| std::thread::Builder::new().spawn_scoped(scope, move || price_share(share)).ok()).collect();
        let mut out = price_share(&shares[0]);
        for (handle, share) in handles.into_iter().zip(&shares[1..]) {
            match handle {
                // A panic in pricing is a bug: it carries on in this thread as it would
                // have without the threads.
                Some(handle) => out.extend(handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))),
                // No thread to be had (a limit of the process): priced here.
                None => out.extend(price_share(share)),
            }
        }
        out
    })
}

/// Prices an event with `book` and says which schedule did (or gives the event back
/// with the error).
#[allow(clippy::type_complexity)]
fn price_with_schedule(
    book: &PriceBook,
    event: UsageEvent,
) -> std::result::Result<(PricedEvent, Arc<dyn Schedule>), Box<(UsageEvent, Error)>> {
    if let Err(e) = event.check() {
        return Err(Box::new((event, e)));
    }
    let schedule = match book.resolve(&event.model, event.tags.get("tier").map(String::as_str)) {
        Ok(s) => s,
        Err(e) => return Err(Box::new((event, e))),
    };
    let request = Request { usage: event.usage, service: event.service, at: Some(event.timestamp), conditions: event.conditions };
    match schedule.price_request(&request) {
        // Canonical decimals: one record has one text, whatever scale the schedule's rates have.
        Ok(charges) => Ok((PricedEvent { schedule: schedule.name().to_string(), charges: charges.canonical(), event }, schedule)),
        Err(e) => Err(Box::new((event, e))),
    }
}

impl Meter {
    /// An in-memory meter pricing with `book`.
    pub fn new(book: PriceBook) -> Meter {
        Meter::with_book(Arc::new(book))
    }

    /// An in-memory meter sharing a price book.
    pub fn with_book(book: Arc<PriceBook>) -> Meter {
        Meter::with_store(book, Box::new(MemoryStore::new()))
    }

    /// A meter over a store.
    pub fn with_store(book: Arc<PriceBook>, store: Box<dyn MeterStore>) -> Meter {
        Meter { book, store, schedules: HashMap::new(), reservation_ttl: chrono::Duration::minutes(15) }
    }

    /// A meter that keeps only what an invoice with `options` needs: the sums at the
    /// coarsest period its groups and period tiers allow, and 16 bytes per event id
    /// ([`SumsStore`](store::SumsStore)) — not the events. Memory grows with the groups
    /// and the ids, not with the log: what pricing a log of any length uses
    /// (`tokfare price`). Reading events back, budgets and other invoices are errors.
    pub fn summing(book: PriceBook, options: &InvoiceOptions) -> Meter {
        let level = GroupBy::coarsest(&options.group_by, Level::of(options.period));
        Meter::with_store(Arc::new(book), Box::new(store::SumsStore::new(level)))
    }

    /// A meter over the store a URL or path names ([`StoreUrl`]): `:memory:`,
    /// `meter.jsonl` (a journal), `meter.db` / `sqlite:///path` (SQLite).
    pub fn open_store(book: PriceBook, url: &str, fsync: Fsync) -> Result<Meter> {
        Ok(Meter::with_store(Arc::new(book), StoreUrl::parse(url)?.open(fsync)?))
    }

    /// A meter backed by a journal file: recovers what it holds, then appends.
    pub fn open(book: PriceBook, path: impl AsRef<Path>, fsync: Fsync) -> Result<(Meter, Recovery)> {
        let store = MemoryStore::with_journal(path, fsync)?;
        let recovery = store.recovery().unwrap_or_default();
        Ok((Meter::with_store(Arc::new(book), Box::new(store)), recovery))
    }

    /// What opening the store recovered (a journal's torn tail), if it reports that.
    pub fn recovery(&self) -> Option<Recovery> {
        self.store.recovery()
    }

    /// Where the events are kept (a path, URL or `:memory:`).
    pub fn location(&self) -> String {
        self.store.location()
    }

    /// An in-memory meter holding the records of a snapshot (the canonical JSON lines
    /// of [`Meter::records`]), priced as they were; an identical line twice counts once,
    /// one id with two records is a conflict.
    pub fn restore<S: AsRef<str>>(book: PriceBook, lines: impl IntoIterator<Item = S>) -> Result<Meter> {
        let mut meter = Meter::new(book);
        for line in lines {
            meter.record_priced(PricedEvent::from_json(line.as_ref())?)?;
        }
        Ok(meter)
    }

    /// The price book.
    pub fn book(&self) -> &Arc<PriceBook> {
        &self.book
    }

    /// Number of events recorded.
    pub fn len(&self) -> Result<u64> {
        self.store.len()
    }

    /// True when nothing is recorded.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// The record with this id.
    pub fn get(&self, id: &str) -> Result<Option<PricedEvent>> {
        self.store.get(id)
    }

    /// Every record, sorted by id (deterministic). Holds them all in memory: prefer
    /// [`Meter::scan`] for a large store.
    pub fn records(&self) -> Result<Vec<PricedEvent>> {
        let mut all = Vec::new();
        self.scan(&TimeRange::ALL, |r| {
            all.push(r);
            Ok(())
        })?;
        Ok(all)
    }

    /// Visits every record whose timestamp is in `range`, sorted by id, one at a time.
    pub fn scan(&self, range: &TimeRange, mut visit: impl FnMut(PricedEvent) -> Result<()>) -> Result<()> {
        self.store.scan(range, &mut visit)
    }

    /// Prices an event without recording it.
    pub fn price(&self, event: &UsageEvent) -> Result<PricedEvent> {
        price_with_schedule(&self.book, event.clone()).map(|(priced, _)| priced).map_err(|failed| failed.1)
    }

    /// When an event being recorded happened: `given`, else — a retry without a
    /// timestamp is the same event — the time of its first delivery, else `now`.
    pub fn event_time(&self, id: &str, given: Option<DateTime<Utc>>, now: impl FnOnce() -> DateTime<Utc>) -> Result<DateTime<Utc>> {
        if let Some(t) = given {
            return Ok(t);
        }
        Ok(self.store.get(id)?.map(|r| r.event.timestamp).unwrap_or_else(now))
    }

    /// Records an event once (see the module docs). Returns only after the store has it.
    pub fn record(&mut self, event: UsageEvent) -> Result<Recorded> {
        let mut outcomes = self.record_batch(vec![event], OnError::Stop)?;
        outcomes.pop().flatten().unwrap_or_else(|| Err(Error::InvalidArgument { name: "event", reason: "not recorded".into() }))
    }

    /// Records events in order, in one write to the store; one outcome per event.
    /// With [`OnError::Stop`] nothing after the first event that fails (cannot be
    /// priced, or conflicts) is recorded: its outcome is the error and those after it
    /// are `None`. With [`OnError::Continue`] every event has an outcome. An error of
    /// the store itself fails the batch: a database records none of it; a journal keeps
    /// (and counts) the records written before the failed write.
    pub fn record_batch(&mut self, events: Vec<UsageEvent>, on_error: OnError) -> Result<Vec<Option<Result<Recorded>>>> {
        if events.len() >= PARALLEL_FROM && self.store.streams() {
            return self.record_streamed(events, on_error);
        }
        self.record_plain(events, on_error)
    }

    /// [`Meter::record_batch`]: the batch priced (on several threads if large), then
    /// written in one transaction.
    fn record_plain(&mut self, events: Vec<UsageEvent>, on_error: OnError) -> Result<Vec<Option<Result<Recorded>>>> {
        let stop = on_error == OnError::Stop;
        let mut outcomes: Vec<Option<Result<Recorded>>> = (0..events.len()).map(|_| None).collect();
        let mut rows = Vec::with_capacity(events.len());
        let mut row_index = Vec::with_capacity(events.len());
        // The rows' ids, from the first event that could not be priced on (rare).
        let mut ids: Option<HashMap<String, usize>> = None;
        for (i, priced) in prepare(&self.book, events).into_iter().enumerate() {
            match priced {
                Ok((row, schedule)) => {
                    self.schedules.entry(row.record.schedule.clone()).or_insert(schedule);
                    if let Some(ids) = &mut ids {
                        ids.entry(row.record.event.id.clone()).or_insert(rows.len());
                    }
                    rows.push(row);
                    row_index.push(i);
                }
                Err(failed) => {
                    let (event, error) = *failed;
                    let ids = ids.get_or_insert_with(|| {
                        let mut ids = HashMap::with_capacity(rows.len());
                        for (k, row) in rows.iter().enumerate() {
                            ids.entry(row.record.event.id.clone()).or_insert(k);
                        }
                        ids
                    });
                    let earlier = ids.get(&event.id).map(|&k| &rows[k].record.event);
                    let outcome = self.unpriced_outcome(event, error, earlier)?;
                    let failed = outcome.is_err();
                    outcomes[i] = Some(outcome);
                    if failed && stop {
                        break;
                    }
                }
            }
        }
        let inserted = self.store.insert(&rows, Match::Event, OnConflict::Report { stop })?;
        for ((row, i), what) in rows.into_iter().zip(row_index).zip(inserted) {
            let outcome = match what {
                Inserted::New | Inserted::Replaced => Ok(Recorded::New { cost: row.record.cost(), schedule: row.record.schedule }),
                Inserted::Duplicate => Ok(Recorded::Duplicate),
                Inserted::Conflict => Err(Error::ConflictingEvent { id: row.record.event.id }),
                // A conflict earlier in the batch stopped it (Unknown: streamed batches only).
                Inserted::NotAttempted | Inserted::Unknown => continue,
            };
            outcomes[i] = Some(outcome);
        }
        if stop {
            // Nothing after the first failure was recorded: no outcome either.
            if let Some(first) = outcomes.iter().position(|o| matches!(o, Some(Err(_)))) {
                outcomes.iter_mut().skip(first + 1).for_each(|o| *o = None);
            }
        }
        Ok(outcomes)
    }

    /// Records an event already priced elsewhere (a snapshot line, another system),
    /// with the same rules as [`Meter::record`]: an identical record is a duplicate, the
    /// same id with a different record is a conflict.
    pub fn record_priced(&mut self, priced: PricedEvent) -> Result<Recorded> {
        let row = NewRecord::new(priced);
        let what = self.store.insert(std::slice::from_ref(&row), Match::Record, OnConflict::Report { stop: true })?;
        match what.first() {
            Some(Inserted::New | Inserted::Replaced) => Ok(Recorded::New { cost: row.record.cost(), schedule: row.record.schedule }),
            Some(Inserted::Duplicate) => Ok(Recorded::Duplicate),
            _ => Err(Error::ConflictingEvent { id: row.record.event.id }),
        }
    }

    /// Merges another meter's records into this one (set union; see module docs),
    /// written to this meter's store in batches.
    pub fn merge(&mut self, other: &Meter) -> Result<MergeReport> {
        let mut report = MergeReport::default();
        for (name, schedule) in &other.schedules {
            self.schedules.entry(name.clone()).or_insert_with(|| schedule.clone());
        }
        let mut batch = Vec::with_capacity(BATCH);
        let store = &mut self.store;
        let mut flush =
            |batch: &mut Vec<NewRecord>, report: &mut MergeReport| insert_priced(store, batch, OnConflict::KeepCanonical, report);
        other.scan(&TimeRange::ALL, |record| {
            batch.push(NewRecord::new(record));
            if batch.len() >= BATCH {
                flush(&mut batch, &mut report)?;
            }
            Ok(())
        })?;
        flush(&mut batch, &mut report)?;
        report.conflicts.sort();
        Ok(report)
    }

    /// Unrounded spend so far of a customer, in one currency.
    pub fn spent(&self, customer: &str, currency: Currency) -> Result<Money> {
        Ok(Money::new(self.store.spent(customer, currency)?, currency))
    }

    /// Visits the sums of every record in `range`, in periods no longer than
    /// `coarsest`: the store's sums for whole hours, days and months, the records
    /// themselves for the parts of an hour at its edges. Rows may repeat a key
    /// (callers add them up).
    pub fn rollups(&self, range: &TimeRange, coarsest: Level, mut visit: impl FnMut(RollupRow) -> Result<()>) -> Result<()> {
        let (hours, edges) = HourRange::split(range);
        // One read: sums and edge events from the same commits.
        self.store.read(&mut || {
            if hours.from < hours.to {
                self.store.rollups(&hours, coarsest, &mut visit)?;
            }
            for edge in &edges {
                self.store.scan(edge, &mut |record| store::rollup_rows(&record, Level::Hour).into_iter().try_for_each(&mut visit))?;
            }
            Ok(())
        })
    }

    /// Sums usage, events and cost by the given dimensions (rows sorted by key).
    pub fn aggregate(&self, group_by: &[GroupBy]) -> Result<Vec<Aggregate>> {
        self.aggregate_in(&TimeRange::ALL, group_by)
    }

    /// [`Meter::aggregate`] over the events of a time range.
    pub fn aggregate_in(&self, range: &TimeRange, group_by: &[GroupBy]) -> Result<Vec<Aggregate>> {
        let mut rows: BTreeMap<Vec<String>, Aggregate> = BTreeMap::new();
        self.rollups(range, GroupBy::coarsest(group_by, Level::Month), |row| {
            let values: Vec<String> = group_by.iter().map(|g| g.value(&row.key)).collect();
            let agg = rows.entry(values.clone()).or_insert_with(|| Aggregate {
                key: group_by.iter().map(|g| g.name()).zip(values).collect(),
                usage: Usage::default(),
                events: 0,
                cost: BTreeMap::new(),
            });
            match &row.item {
                RollupItem::Events => {
                    agg.events = u64::try_from(row.sums.count)
                        .ok()
                        .and_then(|n| agg.events.checked_add(n))
                        .ok_or_else(|| Error::Overflow("event count".into()))?;
                    let cost = agg.cost.entry(row.key.currency).or_default();
                    *cost = cost.checked_add(row.sums.amount).ok_or_else(|| Error::Overflow("summed cost".into()))?;
                }
                RollupItem::Quantity(name) => agg.usage.add_by_name(name, whole(row.sums.quantity, name)?)?,
                RollupItem::Charge(..) => {}
            }
            Ok(())
        })?;
        Ok(rows.into_values().collect())
    }

    /// The schedule that priced records of `model` under the name `schedule`: the one
    /// this meter (or a meter merged into it) priced them with, else the schedule set
    /// entry of that name (a `tier` tag), else what the price book resolves for the
    /// model — which must carry the same name. Records no schedule here explains are an
    /// error, never priced another way: their rounding and period tiers would be guesses.
    pub(crate) fn schedule_of(&self, model: &str, schedule: &str) -> Result<Arc<dyn Schedule>> {
        if let Some(s) = self.schedules.get(schedule).cloned().or_else(|| self.book.schedule_named(schedule)) {
            return Ok(s);
        }
        let unexplained = |now: String| Error::InvalidSchedule {
            path: format!("schedule {schedule:?}"),
            reason: format!(
                "events of {model:?} were priced by schedule {schedule:?}, which this meter's price book does not have ({now}); \
                 its rounding and period tiers cannot be applied: invoice with the price book that priced it"
            ),
        };
        match self.book.resolve(model, None) {
            Ok(s) if s.name() == schedule => Ok(s),
            Ok(s) => Err(unexplained(format!("it prices {model:?} with {:?}", s.name()))),
            Err(e) => Err(unexplained(e.to_string())),
        }
    }

    /// Syncs and closes the store (a journal's lock and an SQLite connection are
    /// released now, not when the meter is dropped); every later call is a `store`
    /// error. Closing twice is a no-op.
    pub fn close(&mut self) -> Result<()> {
        if self.store.is_closed() {
            return Ok(());
        }
        let location = self.store.location();
        let result = self.store.sync();
        self.store = Box::new(store::ClosedStore::new(location));
        result
    }

    /// Checks the store (see [`MeterStore::check`]).
    pub fn check(&self) -> Result<()> {
        self.store.check()
    }

    /// Imports priced records — a journal, a snapshot or an export, one canonical JSON
    /// line each ([`PricedEvent::to_json`]) — as they were priced, in batches: an
    /// identical record counts once, one id with another record is listed in
    /// `conflicts` and changes nothing. A line that is not a priced record is an
    /// error naming it (lines before it stay imported).
    pub fn import(&mut self, reader: impl std::io::BufRead) -> Result<MergeReport> {
        let mut report = MergeReport::default();
        let mut batch = Vec::with_capacity(BATCH);
        let flush = |store: &mut Box<dyn MeterStore>, batch: &mut Vec<NewRecord>, report: &mut MergeReport| {
            insert_priced(store, batch, OnConflict::Report { stop: false }, report)
        };
        for (n, line) in reader.lines().enumerate() {
            let record = line
                .map_err(|e| Error::InvalidUsage { line: Some(n + 1), path: "$".into(), reason: e.to_string() })
                .and_then(|line| if line.trim().is_empty() { Ok(None) } else { PricedEvent::from_json(&line).map(Some) })
                .map_err(|e| match e {
                    Error::InvalidUsage { path, reason, .. } => Error::InvalidUsage { line: Some(n + 1), path, reason },
                    other => Error::InvalidUsage { line: Some(n + 1), path: "$".into(), reason: other.to_string() },
                });
            let record = match record {
                Ok(Some(record)) => record,
                Ok(None) => continue,
                Err(e) => {
                    // The lines before it stay imported.
                    flush(&mut self.store, &mut batch, &mut report)?;
                    return Err(e);
                }
            };
            batch.push(NewRecord::new(record));
            if batch.len() >= BATCH {
                flush(&mut self.store, &mut batch, &mut report)?;
            }
        }
        flush(&mut self.store, &mut batch, &mut report)?;
        report.conflicts.sort();
        Ok(report)
    }

    /// Forces stored records to stable storage (for [`Fsync::Every`] / [`Fsync::Never`]).
    pub fn sync(&mut self) -> Result<()> {
        self.store.sync()
    }
}

/// Stores a batch of priced records (merges, imports) and counts what happened in
/// `report`; empties the batch.
fn insert_priced(
    store: &mut Box<dyn MeterStore>,
    batch: &mut Vec<NewRecord>,
    on_conflict: OnConflict,
    report: &mut MergeReport,
) -> Result<()> {
    let what = store.insert(batch, Match::Record, on_conflict)?;
    for (row, what) in batch.drain(..).zip(what) {
        match what {
            Inserted::New => report.added += 1,
            Inserted::Duplicate => report.duplicates += 1,
            _ => report.conflicts.push(row.record.event.id),
        }
    }
    Ok(())
}

/// A summed quantity as a count, or an overflow naming it.
pub(crate) fn whole(value: Decimal, name: &str) -> Result<u64> {
    u64::try_from(value).ok().filter(|_| value.fract().is_zero()).ok_or_else(|| Error::Overflow(format!("summed {name} ({value})")))
}
