//! The native `Meter`: idempotent recording, merging, journaling, budgets and invoices
//! over the core meter. Amounts are decimal strings. The meter sits behind a mutex so
//! that `merge(other)` never holds two mutable borrows of one object.

use crate::errors::{invalid_argument, safe_number, whole_number, Code, OrThrow};
use crate::pricing::{book, service, timestamp, ConditionArgs, NativeCatalog, NativeSchedule, UsageCounts};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};
use tokfare::meter::{Fsync, GroupBy, InvoiceOptions, Meter, OnError, Recorded, ReservationId, UsageEvent};
use tokfare::price::{Currency, Money};

/// Records usage events exactly once, prices them, and produces invoices.
#[napi]
pub struct NativeMeter {
    inner: Mutex<Meter>,
}

/// What `recordLog` did.
#[napi(object)]
pub struct LogOutcome {
    pub recorded: u32,
    pub duplicates: u32,
    /// Bad lines (only with `continueOnError`), each naming its line number.
    pub errors: Vec<String>,
    /// The same lines: number, error code (`TOKFARE_INVALID_USAGE` ...) and message.
    pub problems: Vec<LogProblem>,
}

/// A line of a usage log that was not recorded.
#[napi(object)]
pub struct LogProblem {
    pub line: u32,
    pub code: String,
    pub message: String,
}

/// What opening a journal found (`Meter.recovery`).
#[napi(object)]
pub struct RecoveryReport {
    /// Records read back from the file.
    pub records: f64,
    /// Bytes of a torn, never-acknowledged final write cut off (at open, or left by a
    /// writer that died mid-write since).
    pub torn_bytes: f64,
}

/// What `merge` did.
#[napi(object)]
pub struct MergeOutcome {
    pub added: u32,
    pub duplicates: u32,
    /// Event ids present in both meters with different content (left unchanged).
    pub conflicts: Vec<String>,
}

/// One row of `aggregate`.
#[napi(object)]
pub struct AggregateRow {
    /// Dimension -> value, for the dimensions asked for.
    pub key: HashMap<String, String>,
    pub events: f64,
    pub usage: UsageCounts,
    /// Currency -> unrounded cost (decimal string).
    pub cost: HashMap<String, String>,
}

/// One invoice line (amounts are decimal strings).
#[napi(object)]
pub struct InvoiceLine {
    /// Dimension -> value of the line's group.
    pub group: HashMap<String, String>,
    pub schedule: String,
    /// What is charged, and why at this rate (`input tokens (prompt above 200000 tokens)`).
    pub item: String,
    /// Machine-readable item and basis (`tokens:input|ctx>200000`).
    pub item_code: String,
    /// Why the rate is what it is (no fields for the schedule's own rate).
    pub basis: LineBasis,
    pub quantity: f64,
    pub unit_price: String,
    pub per: f64,
    /// Rounded as the schedule says.
    pub amount: String,
    pub exact_amount: String,
    pub currency: String,
}

/// Why an invoice line's rate is not the schedule's own (`tokfare::price::Basis`).
#[napi(object)]
pub struct LineBasis {
    /// The prompt was longer than this many tokens (a long-context tier).
    pub context_above: Option<f64>,
    /// A service level's rate or multiplier.
    pub service: Option<String>,
    /// A time-of-day window (`16:30-00:30`, UTC).
    pub window: Option<String>,
    /// Billed at this token class's rate (the schedule has none of the line's own).
    pub rate_of: Option<String>,
}

/// A basis's fields (`Basis::fields`) as the JavaScript object.
fn line_basis(basis: &tokfare::price::Basis) -> Result<LineBasis, Code> {
    use tokfare::price::BasisField;
    let mut out = LineBasis { context_above: None, service: None, window: None, rate_of: None };
    for (name, value) in basis.fields() {
        match (name, value) {
            ("context_above", BasisField::Number(n)) => out.context_above = Some(safe_number("contextAbove", n)?),
            ("service", BasisField::Text(t)) => out.service = Some(t),
            ("window", BasisField::Text(t)) => out.window = Some(t),
            ("rate_of", BasisField::Text(t)) => out.rate_of = Some(t),
            _ => {}
        }
    }
    Ok(out)
}

/// An invoice; `json` and `csv` are the core's canonical renderings.
#[napi(object)]
pub struct Invoice {
    pub lines: Vec<InvoiceLine>,
    /// Currency -> sum of rounded lines (decimal string).
    pub totals: HashMap<String, String>,
    pub events: f64,
    /// Deprecation dates and ignored price fields of the models invoiced, each once.
    pub warnings: Vec<String>,
    pub json: String,
    pub csv: String,
}

/// The answer of `authorize`.
#[napi(object)]
pub struct Authorization {
    pub allowed: bool,
    pub estimate: String,
    pub spent: String,
    pub reserved: String,
    pub remaining: Option<String>,
    /// Pass to `settle` or `release` (present when allowed).
    pub reservation: Option<f64>,
}

fn amount(m: &Money) -> String {
    m.amount().normalize().to_string()
}

#[napi]
impl NativeMeter {
    /// In memory, over the store a URL or path names (`meter.db`, `sqlite:///…`,
    /// `meter.jsonl`, `:memory:`), or backed by an append-only `journal` file.
    #[napi(constructor)]
    pub fn new(
        store: Option<String>,
        journal: Option<String>,
        catalog: Option<&NativeCatalog>,
        schedule: Option<&NativeSchedule>,
        fsync: Option<String>,
    ) -> Result<NativeMeter, Code> {
        let book = book(catalog, schedule);
        let fsync = fsync.as_deref().map_or(Ok(Fsync::default()), str::parse).or_throw()?;
        let meter = match (store, journal) {
            (Some(_), Some(_)) => return Err(invalid_argument("journal", "give a store or a journal, not both")),
            (Some(url), None) => Meter::open_store(book, &url, fsync).or_throw()?,
            (None, Some(path)) => Meter::open(book, path, fsync).or_throw()?.0,
            (None, None) => Meter::new(book),
        };
        Ok(NativeMeter { inner: Mutex::new(meter) })
    }

    /// Where the events are kept (a path, URL or `:memory:`).
    #[napi(getter)]
    pub fn location(&self) -> String {
        self.lock().location()
    }

    /// What opening the journal found; `null` for other stores.
    #[napi(getter)]
    pub fn recovery(&self) -> Result<Option<RecoveryReport>, Code> {
        let Some(r) = self.lock().recovery() else { return Ok(None) };
        Ok(Some(RecoveryReport { records: safe_number("records", r.records as u64)?, torn_bytes: safe_number("tornBytes", r.torn_bytes)? }))
    }

    fn lock(&self) -> MutexGuard<'_, Meter> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    #[napi(getter)]
    pub fn size(&self) -> Result<f64, Code> {
        safe_number("size", self.lock().len().or_throw()?)
    }

    /// Records one request; false if `event_id` was already recorded with the same
    /// content (nothing changes). Different content under one id is an error.
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn record(
        &self,
        event_id: String,
        customer: String,
        model: String,
        usage: UsageCounts,
        timestamp: Option<String>,
        service: Option<String>,
        provider: Option<String>,
        request_id: Option<String>,
        tags: Option<HashMap<String, String>>,
        conditions: Option<ConditionArgs>,
    ) -> Result<bool, Code> {
        let conditions = ConditionArgs::to_core(conditions)?;
        let mut meter = self.lock();
        let given = timestamp.map(|t| self::timestamp("timestamp", &t)).transpose()?;
        let at = meter.event_time(&event_id, given, chrono::Utc::now).or_throw()?;
        let mut event = UsageEvent::new(event_id, customer, model, usage.to_core()?, at);
        event.service = self::service(service)?;
        event.provider = provider;
        event.request_id = request_id;
        event.tags = tags.unwrap_or_default().into_iter().collect::<BTreeMap<_, _>>();
        event.conditions = conditions;
        Ok(matches!(meter.record(event).or_throw()?, Recorded::New { .. }))
    }

    /// Records a usage log (JSON Lines); without `continue_on_error` the first bad line
    /// is an error naming its number.
    #[napi]
    pub fn record_log(&self, path: String, continue_on_error: bool) -> Result<LogOutcome, Code> {
        let file = std::fs::File::open(&path).map_err(|e| invalid_argument("path", format!("{path}: {e}")))?;
        let on_error = if continue_on_error { OnError::Continue } else { OnError::Stop };
        let outcome = self.lock().record_log(std::io::BufReader::new(file), on_error).map_err(crate::errors::to_js)?;
        Ok(LogOutcome {
            recorded: outcome.recorded as u32,
            duplicates: outcome.duplicates as u32,
            errors: outcome.problems.iter().map(|p| p.to_string()).collect(),
            problems: outcome
                .problems
                .iter()
                .map(|p| LogProblem {
                    line: p.line as u32,
                    code: format!("TOKFARE_{}", p.error.code().to_ascii_uppercase()),
                    message: p.to_string(),
                })
                .collect(),
        })
    }

    /// Adds another meter's events (set union: commutative, associative, idempotent).
    #[napi]
    pub fn merge(&self, other: &NativeMeter) -> Result<MergeOutcome, Code> {
        if std::ptr::eq(self, other) {
            return Err(invalid_argument("other", "a meter cannot merge itself"));
        }
        let theirs = other.lock();
        let report = self.lock().merge(&theirs).or_throw()?;
        Ok(MergeOutcome { added: report.added as u32, duplicates: report.duplicates as u32, conflicts: report.conflicts })
    }

    /// Every record as a canonical JSON line, sorted by event id.
    #[napi]
    pub fn snapshot(&self) -> Result<Vec<String>, Code> {
        Ok(self.lock().records().or_throw()?.iter().map(|r| r.to_json()).collect())
    }

    /// A meter holding the records of a snapshot, priced as they were.
    #[napi(factory)]
    pub fn restore(lines: Vec<String>, catalog: Option<&NativeCatalog>, schedule: Option<&NativeSchedule>) -> Result<NativeMeter, Code> {
        Ok(NativeMeter { inner: Mutex::new(Meter::restore(book(catalog, schedule), &lines).or_throw()?) })
    }

    #[napi]
    pub fn set_budget(&self, customer: String, amount: String, currency: String) -> Result<(), Code> {
        let value = tokfare::price::parse_decimal(&amount).map_err(|e| invalid_argument("amount", e.to_string()))?;
        let money = Money::new(value, Currency::new(&currency).or_throw()?);
        self.lock().set_budget(&customer, money).or_throw()
    }

    /// Unrounded spend of a customer so far.
    #[napi]
    pub fn spent(&self, customer: String, currency: String) -> Result<String, Code> {
        Ok(amount(&self.lock().spent(&customer, Currency::new(&currency).or_throw()?).or_throw()?))
    }

    /// May this request run, given the customer's budget? Reserves the estimate if so.
    #[napi]
    pub fn authorize(
        &self,
        customer: String,
        model: String,
        estimate: UsageCounts,
        service: Option<String>,
    ) -> Result<Authorization, Code> {
        let a = self.lock().authorize(&customer, &model, estimate.to_core()?, self::service(service)?).or_throw()?;
        Ok(Authorization {
            allowed: a.allowed,
            estimate: amount(&a.estimate),
            spent: amount(&a.spent),
            reserved: amount(&a.reserved),
            remaining: a.remaining.as_ref().map(amount),
            reservation: a.reservation.map(|r| safe_number("reservation", r.0)).transpose()?,
        })
    }

    /// Records the actual usage of an authorized request and drops its reservation.
    #[napi]
    pub fn settle(
        &self,
        reservation: f64,
        event_id: String,
        customer: String,
        model: String,
        usage: UsageCounts,
        timestamp: Option<String>,
    ) -> Result<bool, Code> {
        let given = timestamp.map(|t| self::timestamp("timestamp", &t)).transpose()?;
        let id = ReservationId(whole_number("reservation", reservation)?);
        let usage = usage.to_core()?;
        let mut meter = self.lock();
        // A retry without a timestamp is the same event (the time of its first delivery).
        let at = meter.event_time(&event_id, given, chrono::Utc::now).or_throw()?;
        let event = UsageEvent::new(event_id, customer, model, usage, at);
        Ok(matches!(meter.settle(id, event).or_throw()?, Recorded::New { .. }))
    }

    /// Drops a reservation (the call did not happen).
    #[napi]
    pub fn release(&self, reservation: f64) -> Result<bool, Code> {
        self.lock().release(ReservationId(whole_number("reservation", reservation)?)).or_throw()
    }

    /// Sums by dimensions (`customer`, `model`, `schedule`, `hour`, `day`, `month`).
    #[napi]
    pub fn aggregate(&self, group_by: Option<Vec<String>>) -> Result<Vec<AggregateRow>, Code> {
        let rows = self.lock().aggregate(&GroupBy::parse_list(group_by.as_deref()).or_throw()?).or_throw()?;
        rows.into_iter()
            .map(|row| {
                Ok(AggregateRow {
                    key: row.key.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
                    events: safe_number("events", row.events)?,
                    usage: UsageCounts::from_core(&row.usage)?,
                    cost: row.cost.iter().map(|(c, a)| (c.to_string(), a.normalize().to_string())).collect(),
                })
            })
            .collect()
    }

    /// An invoice, amounts rounded per line as each schedule says.
    #[napi]
    pub fn invoice(
        &self,
        group_by: Option<Vec<String>>,
        period: Option<String>,
        start: Option<String>,
        end: Option<String>,
    ) -> Result<Invoice, Code> {
        let options = InvoiceOptions::from_names(group_by.as_deref(), period.as_deref())
            .and_then(|o| o.between(start.as_deref(), end.as_deref()))
            .or_throw()?;
        let invoice = self.lock().invoice(&options).or_throw()?;
        let lines = invoice
            .lines
            .iter()
            .map(|l| {
                Ok(InvoiceLine {
                    group: l.group.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
                    schedule: l.schedule.clone(),
                    item: l.item.clone(),
                    item_code: l.item_code.clone(),
                    basis: line_basis(&l.basis)?,
                    quantity: safe_number("quantity", l.quantity)?,
                    unit_price: l.unit_price.to_string(),
                    per: safe_number("per", l.per)?,
                    amount: l.amount.to_string(),
                    exact_amount: l.exact_amount.to_string(),
                    currency: l.currency.to_string(),
                })
            })
            .collect::<Result<Vec<_>, Code>>()?;
        Ok(Invoice {
            lines,
            totals: invoice.totals.iter().map(|(c, a)| (c.to_string(), a.to_string())).collect(),
            events: safe_number("events", invoice.events as u64)?,
            warnings: invoice.warnings.iter().map(|w| w.to_string()).collect(),
            json: invoice.to_json(),
            csv: invoice.to_csv(),
        })
    }

    /// Every event as a CloudEvents JSON string (deterministic idempotency keys).
    #[napi(js_name = "toCloudEvents")]
    pub fn to_cloudevents(&self, source: String) -> Result<Vec<String>, Code> {
        self.lock().to_cloudevents(&source).or_throw()
    }

    /// Syncs and closes the store now (a journal's lock, an SQLite connection); later
    /// calls throw a StoreError.
    #[napi]
    pub fn close(&self) -> Result<(), Code> {
        self.lock().close().or_throw()
    }

    /// Forces stored records to disk.
    #[napi]
    pub fn sync(&self) -> Result<(), Code> {
        self.lock().sync().or_throw()
    }
}
