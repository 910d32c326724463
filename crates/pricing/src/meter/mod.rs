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
//! - **Durable**: with a [`Journal`], `record` returns only after the record is written
//!   (see [`journal`] for the crash rules).
//!
//! ```
//! use tokfare_pricing::meter::{Meter, Recorded, UsageEvent};
//! use tokfare_pricing::price::{PriceBook, Usage};
//! let mut meter = Meter::new(PriceBook::bundled());
//! let at = "2026-11-02T10:00:00Z".parse().unwrap();
//! let event = UsageEvent::new("req-1", "acme", "gpt-4o", Usage::tokens(1000, 200), at);
//! assert!(matches!(meter.record(event.clone())?, Recorded::New { .. }));
//! assert_eq!(meter.record(event)?, Recorded::Duplicate);
//! assert_eq!(meter.len(), 1);
//! # Ok::<(), tokfare_pricing::Error>(())
//! ```

mod budget;
mod cloudevents;
mod event;
mod invoice;
pub mod journal;
mod log;
mod priced;
mod reconcile;

pub use budget::{Authorization, ReservationId};
pub use cloudevents::idempotency_key;
pub(crate) use event::push_json_string;
pub use event::UsageEvent;
pub use invoice::{Group, Invoice, InvoiceLine, InvoiceOptions, Subtotal};
pub use journal::{Fsync, Journal, Recovery};
pub use log::{read_usage_log, LogOutcome, LogProblem, LogReport, OnError, UsageLines};
pub use priced::PricedEvent;
pub use reconcile::{reconcile, Drift, Reconciliation};

use crate::price::{Currency, Money, PriceBook, Request, Schedule, Usage};
use crate::{Error, Result};
use chrono::{DateTime, Datelike, Timelike, Utc};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

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

    fn value(self, record: &PricedEvent) -> String {
        match self {
            GroupBy::Customer => record.event.customer.clone(),
            GroupBy::Model => record.event.model.clone(),
            GroupBy::Schedule => record.schedule.clone(),
            GroupBy::Period(p) => p.label(record.event.timestamp),
        }
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
    records: HashMap<String, Arc<PricedEvent>>,
    /// Cost so far per (customer, currency), for budgets.
    spent: HashMap<(String, Currency), Decimal>,
    budgets: HashMap<String, Money>,
    reservations: HashMap<ReservationId, (String, Money)>,
    next_reservation: u64,
    journal: Option<Journal>,
    /// The schedule behind each schedule name that priced a record here (or in a meter
    /// merged into this one): invoices take rounding and period tiers from it.
    schedules: HashMap<String, Arc<dyn Schedule>>,
}

impl Meter {
    /// An in-memory meter pricing with `book`.
    pub fn new(book: PriceBook) -> Meter {
        Meter::with_book(Arc::new(book))
    }

    /// An in-memory meter sharing a price book.
    pub fn with_book(book: Arc<PriceBook>) -> Meter {
        Meter {
            book,
            records: HashMap::new(),
            spent: HashMap::new(),
            budgets: HashMap::new(),
            reservations: HashMap::new(),
            next_reservation: 0,
            journal: None,
            schedules: HashMap::new(),
        }
    }

    /// A meter backed by a journal file: recovers what it holds, then appends.
    pub fn open(book: PriceBook, path: impl AsRef<Path>, fsync: Fsync) -> Result<(Meter, Recovery)> {
        let (journal, records, recovery) = Journal::open(path, fsync)?;
        let mut meter = Meter::new(book);
        for record in records {
            meter.apply(Arc::new(record));
        }
        meter.journal = Some(journal);
        Ok((meter, recovery))
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
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True when nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The record with this id.
    pub fn get(&self, id: &str) -> Option<&PricedEvent> {
        self.records.get(id).map(|r| r.as_ref())
    }

    /// Every record, sorted by id (deterministic).
    pub fn records(&self) -> Vec<&PricedEvent> {
        let mut all: Vec<&PricedEvent> = self.records.values().map(|r| r.as_ref()).collect();
        all.sort_by(|a, b| a.event.id.cmp(&b.event.id));
        all
    }

    /// Prices an event without recording it.
    pub fn price(&self, event: &UsageEvent) -> Result<PricedEvent> {
        self.price_with_schedule(event.clone()).map(|(priced, _)| priced)
    }

    /// Prices an event and says which schedule did.
    fn price_with_schedule(&self, event: UsageEvent) -> Result<(PricedEvent, Arc<dyn Schedule>)> {
        let schedule = self.book.resolve(&event.model, event.tags.get("tier").map(String::as_str))?;
        let request = Request { usage: event.usage, service: event.service, at: Some(event.timestamp), conditions: event.conditions };
        let priced = PricedEvent { schedule: schedule.name().to_string(), charges: schedule.price_request(&request)?, event };
        Ok((priced, schedule))
    }

    /// When an event being recorded happened: `given`, else — a retry without a
    /// timestamp is the same event — the time of its first delivery, else `now`.
    pub fn event_time(&self, id: &str, given: Option<DateTime<Utc>>, now: impl FnOnce() -> DateTime<Utc>) -> DateTime<Utc> {
        given.or_else(|| self.records.get(id).map(|r| r.event.timestamp)).unwrap_or_else(now)
    }

    /// Records an event once (see the module docs). With a journal, returns only
    /// after the record is written.
    pub fn record(&mut self, event: UsageEvent) -> Result<Recorded> {
        if let Some(existing) = self.records.get(&event.id) {
            return if existing.event == event { Ok(Recorded::Duplicate) } else { Err(Error::ConflictingEvent { id: event.id }) };
        }
        let (priced, schedule) = self.price_with_schedule(event)?;
        self.schedules.entry(priced.schedule.clone()).or_insert(schedule);
        self.commit(priced)
    }

    /// Records an event already priced elsewhere (a snapshot line, another system),
    /// with the same rules as [`Meter::record`]: an identical record is a duplicate, the
    /// same id with a different record is a conflict.
    pub fn record_priced(&mut self, priced: PricedEvent) -> Result<Recorded> {
        if let Some(existing) = self.records.get(&priced.event.id) {
            return if **existing == priced { Ok(Recorded::Duplicate) } else { Err(Error::ConflictingEvent { id: priced.event.id }) };
        }
        self.commit(priced)
    }

    fn commit(&mut self, priced: PricedEvent) -> Result<Recorded> {
        if let Some(journal) = &mut self.journal {
            journal.append(&priced)?;
        }
        let outcome = Recorded::New { cost: priced.cost(), schedule: priced.schedule.clone() };
        self.apply(Arc::new(priced));
        Ok(outcome)
    }

    /// What adding `record` would do: the one place the conflict rule lives (on an
    /// id conflict, the record whose canonical JSON sorts first wins).
    fn resolve(&self, record: &PricedEvent) -> Applied {
        match self.records.get(&record.event.id) {
            None => Applied::Added,
            Some(existing) if **existing == *record => Applied::Duplicate,
            Some(existing) if record.to_json() < existing.to_json() => Applied::Replaced,
            Some(_) => Applied::Kept,
        }
    }

    /// Stores a record that [`Meter::resolve`] said wins, keeping the spend in step.
    fn install(&mut self, record: Arc<PricedEvent>) {
        if let Some(old) = self.records.get(&record.event.id).cloned() {
            self.count(&old, false);
        }
        self.count(&record, true);
        self.records.insert(record.event.id.clone(), record);
    }

    /// Adds a record, or keeps the canonical winner on an id conflict. Returns what happened.
    fn apply(&mut self, record: Arc<PricedEvent>) -> Applied {
        let outcome = self.resolve(&record);
        if matches!(outcome, Applied::Added | Applied::Replaced) {
            self.install(record);
        }
        outcome
    }

    fn count(&mut self, record: &PricedEvent, add: bool) {
        let cost = record.cost();
        let slot = self.spent.entry((record.event.customer.clone(), cost.currency())).or_default();
        if add {
            *slot += cost.amount();
        } else {
            *slot -= cost.amount();
        }
    }

    /// Merges another meter's records into this one (set union; see module docs).
    /// With a journal, records new to this meter are appended to it.
    pub fn merge(&mut self, other: &Meter) -> Result<MergeReport> {
        let mut report = MergeReport::default();
        for (name, schedule) in &other.schedules {
            self.schedules.entry(name.clone()).or_insert_with(|| schedule.clone());
        }
        for record in other.records() {
            let outcome = self.resolve(record);
            if matches!(outcome, Applied::Added | Applied::Replaced) {
                if let Some(journal) = &mut self.journal {
                    journal.append(record)?;
                }
                self.install(Arc::new(record.clone()));
            }
            match outcome {
                Applied::Added => report.added += 1,
                Applied::Duplicate => report.duplicates += 1,
                Applied::Replaced | Applied::Kept => report.conflicts.push(record.event.id.clone()),
            }
        }
        report.conflicts.sort();
        Ok(report)
    }

    /// Unrounded spend so far of a customer, in one currency.
    pub fn spent(&self, customer: &str, currency: Currency) -> Money {
        Money::new(self.spent.get(&(customer.to_string(), currency)).copied().unwrap_or_default(), currency)
    }

    /// Sums usage, events and cost by the given dimensions (rows sorted by key).
    pub fn aggregate(&self, group_by: &[GroupBy]) -> Result<Vec<Aggregate>> {
        let mut rows: BTreeMap<Vec<String>, Aggregate> = BTreeMap::new();
        for record in self.records.values() {
            let values: Vec<String> = group_by.iter().map(|g| g.value(record)).collect();
            let row = rows.entry(values.clone()).or_insert_with(|| Aggregate {
                key: group_by.iter().map(|g| g.name()).zip(values).collect(),
                usage: Usage::default(),
                events: 0,
                cost: BTreeMap::new(),
            });
            row.usage = row.usage.checked_add(&record.event.usage)?;
            row.events += 1;
            let cost = record.cost();
            *row.cost.entry(cost.currency()).or_default() += cost.amount();
        }
        Ok(rows.into_values().collect())
    }

    /// The schedule that priced `record`: the one this meter (or a meter merged into it)
    /// priced it with, else what the price book resolves for it — which must carry the
    /// same name. A record no schedule here explains is an error, never priced another
    /// way: its rounding and period tiers would be guesses.
    pub(crate) fn schedule_of(&self, record: &PricedEvent) -> Result<Arc<dyn Schedule>> {
        if let Some(s) = self.schedules.get(&record.schedule) {
            return Ok(s.clone());
        }
        let unexplained = |now: String| Error::InvalidSchedule {
            path: format!("schedule {:?}", record.schedule),
            reason: format!(
                "event {:?} was priced by schedule {:?}, which this meter's price book does not have ({now}); \
                 its rounding and period tiers cannot be applied: invoice with the price book that priced it",
                record.event.id, record.schedule
            ),
        };
        match self.book.resolve(&record.event.model, record.event.tags.get("tier").map(String::as_str)) {
            Ok(s) if s.name() == record.schedule => Ok(s),
            Ok(s) => Err(unexplained(format!("it prices {:?} with {:?}", record.event.model, s.name()))),
            Err(e) => Err(unexplained(e.to_string())),
        }
    }

    /// Forces journaled records to stable storage (for [`Fsync::Every`] / [`Fsync::Never`]).
    pub fn sync(&mut self) -> Result<()> {
        match &mut self.journal {
            Some(j) => j.sync(),
            None => Ok(()),
        }
    }
}

enum Applied {
    Added,
    Duplicate,
    Replaced,
    Kept,
}
