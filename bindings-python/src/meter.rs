//! `tokfare.Meter`: idempotent recording, merging, journaling, budgets and invoices
//! over the core meter. The meter sits behind a mutex so Python threads can share it.

use crate::errors::{invalid_argument, IntoPy};
use crate::pricing::{book, from_decimal, to_decimal, PyCatalog, PyUsage};
use crate::time::{now, timestamp};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use pyo3_arrow::input::{AnyArray, AnyRecordBatch};
use std::collections::BTreeMap;
use std::sync::Mutex;
use tokfare::meter::{Fsync, GroupBy, Invoice, InvoiceOptions, Meter, OnError, Recorded, ReservationId, UsageEvent};
use tokfare::price::{BasisField, ConditionOptions, Conditions, Currency, Money, Service};

/// Records usage events exactly once, prices them, and produces invoices.
#[pyclass(module = "tokfare", name = "Meter", frozen)]
pub struct PyMeter {
    inner: Mutex<Meter>,
    /// How it was opened: it pickles as that.
    origin: Origin,
}

/// How a meter was opened, for pickling: a meter over a store or journal pickles as
/// "open it again" (a worker process shares the store, as another process would); an
/// in-memory one as its records; a summing one does not pickle.
enum Origin {
    Memory { book: Book },
    Store { store: Option<String>, journal: Option<String>, fsync: String, book: Book },
    Summing,
}

/// Invoice options from the Python arguments (`group_by`, `period`, `start`, `end`).
fn invoice_options(
    group_by: Option<Vec<String>>,
    period: Option<&str>,
    start: Option<&str>,
    end: Option<&str>,
) -> PyResult<InvoiceOptions> {
    InvoiceOptions::from_names(group_by.as_deref(), period).and_then(|o| o.between(start, end)).py_err()
}

/// The `catalog` and `schedule` arguments a meter was built with.
struct Book {
    catalog: Option<Py<PyCatalog>>,
    schedule: Option<Py<PyAny>>,
}

impl Book {
    /// The arguments as given; a schedule named by a file path is read now (it pickles
    /// as its text: a worker needs no file, whatever its directory).
    fn of(catalog: Option<&Bound<'_, PyCatalog>>, schedule: Option<&Bound<'_, PyAny>>) -> PyResult<Book> {
        let schedule = match schedule {
            Some(s) => match s.cast::<pyo3::types::PyString>() {
                Ok(name) => Some(Py::new(s.py(), crate::pricing::ScheduleSource::load(&name.to_cow()?)?.into_py()?)?.into_any()),
                Err(_) => Some(s.clone().unbind()),
            },
            None => None,
        };
        Ok(Book { catalog: catalog.map(|c| c.clone().unbind()), schedule })
    }
}

/// A store path as an absolute path (a worker's working directory may differ); URLs
/// and `:memory:` as they are.
fn absolute(location: &str) -> String {
    let path = |p: &str| std::path::absolute(p).map_or_else(|_| p.to_string(), |p| p.to_string_lossy().into_owned());
    match location.strip_prefix("sqlite://") {
        // `sqlite://relative.db`: relative to this process's directory.
        Some(rest) if !rest.starts_with('/') => format!("sqlite://{}", path(rest)),
        Some(_) => location.to_string(),
        None if location.contains("://") || location == ":memory:" => location.to_string(),
        None => path(location),
    }
}

impl PyMeter {
    fn lock(&self) -> std::sync::MutexGuard<'_, Meter> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn invoice_dict<'py>(py: Python<'py>, invoice: &Invoice) -> PyResult<Bound<'py, PyDict>> {
    let lines = PyList::empty(py);
    for l in &invoice.lines {
        let d = PyDict::new(py);
        for (k, v) in &l.group {
            d.set_item(*k, v)?;
        }
        d.set_item("schedule", &l.schedule)?;
        d.set_item("item", &l.item)?;
        d.set_item("item_code", &l.item_code)?;
        let basis = PyDict::new(py);
        for (name, value) in l.basis.fields() {
            match value {
                BasisField::Number(n) => basis.set_item(name, n)?,
                BasisField::Text(t) => basis.set_item(name, t)?,
            }
        }
        d.set_item("basis", basis)?;
        d.set_item("quantity", l.quantity)?;
        d.set_item("unit_price", to_decimal(py, l.unit_price)?)?;
        d.set_item("per", l.per)?;
        d.set_item("amount", to_decimal(py, l.amount)?)?;
        d.set_item("exact_amount", to_decimal(py, l.exact_amount)?)?;
        d.set_item("currency", l.currency.to_string())?;
        lines.append(d)?;
    }
    let totals = PyDict::new(py);
    for (currency, amount) in &invoice.totals {
        totals.set_item(currency.to_string(), to_decimal(py, *amount)?)?;
    }
    let out = PyDict::new(py);
    out.set_item("lines", lines)?;
    out.set_item("totals", totals)?;
    out.set_item("events", invoice.events)?;
    out.set_item("warnings", invoice.warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>())?;
    out.set_item("json", invoice.to_json())?;
    out.set_item("csv", invoice.to_csv())?;
    Ok(out)
}

#[pymethods]
impl PyMeter {
    /// A meter pricing with the bundled catalog (or `catalog`) and optional schedules:
    /// in memory, or over the `store` a path or URL names (`meter.db` or
    /// `sqlite:///path`: SQLite, several processes at once; `meter.jsonl`: an
    /// append-only journal; `:memory:`), or backed by a `journal` file of any name.
    #[new]
    #[pyo3(signature = (store=None, *, journal=None, catalog=None, schedule=None, fsync="always"))]
    fn new(
        py: Python<'_>,
        store: Option<&str>,
        journal: Option<&str>,
        catalog: Option<&Bound<'_, PyCatalog>>,
        schedule: Option<&Bound<'_, PyAny>>,
        fsync: &str,
    ) -> PyResult<PyMeter> {
        let origin = match (store, journal) {
            (None, None) | (Some(":memory:"), None) => Origin::Memory { book: Book::of(catalog, schedule)? },
            _ => Origin::Store {
                store: store.map(absolute),
                journal: journal.map(absolute),
                fsync: fsync.to_string(),
                book: Book::of(catalog, schedule)?,
            },
        };
        let book = book(catalog, schedule)?;
        let fsync = fsync.parse::<Fsync>().py_err()?;
        let meter = match (store, journal) {
            (Some(_), Some(_)) => return Err(invalid_argument("journal", "give a store or a journal, not both")),
            (Some(url), None) => py.detach(|| Meter::open_store(book, url, fsync)).py_err()?,
            (None, Some(path)) => py.detach(|| Meter::open(book, path, fsync)).py_err()?.0,
            (None, None) => Meter::new(book),
        };
        Ok(PyMeter { inner: Mutex::new(meter), origin })
    }

    /// Pickles as how it was opened: a meter over a store or journal as the same store
    /// (path made absolute) with the same catalog and schedule — unpickling opens it
    /// again, as another process would; an in-memory meter as its records (`snapshot`:
    /// budgets and reservations are not carried); a summing meter does not pickle (hand
    /// over its `partial_sums` instead).
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let this = slf.get();
        let reopen = slf.get_type().getattr("_reopen")?;
        let clone = |b: &Book| (b.catalog.as_ref().map(|c| c.clone_ref(py)), b.schedule.as_ref().map(|s| s.clone_ref(py)));
        let args = match &this.origin {
            Origin::Memory { book } => {
                let (catalog, schedule) = clone(book);
                (None::<String>, None::<String>, "always".to_string(), catalog, schedule, Some(this.snapshot(py)?)).into_pyobject(py)?
            }
            Origin::Store { store, journal, fsync, book } => {
                let (catalog, schedule) = clone(book);
                (store.clone(), journal.clone(), fsync.clone(), catalog, schedule, None::<Vec<String>>).into_pyobject(py)?
            }
            Origin::Summing => {
                return Err(PyTypeError::new_err(
                    "a summing meter does not pickle: hand over its partial_sums() and add them with add_partial_sums()",
                ))
            }
        };
        Ok((reopen, args))
    }

    /// Unpickles a meter (see `__reduce__`).
    #[staticmethod]
    #[pyo3(signature = (store, journal, fsync, catalog, schedule, records))]
    fn _reopen(
        py: Python<'_>,
        store: Option<&str>,
        journal: Option<&str>,
        fsync: &str,
        catalog: Option<&Bound<'_, PyCatalog>>,
        schedule: Option<&Bound<'_, PyAny>>,
        records: Option<Vec<String>>,
    ) -> PyResult<PyMeter> {
        match records {
            Some(lines) => PyMeter::restore(lines, catalog, schedule),
            None => PyMeter::new(py, store, journal, catalog, schedule, fsync),
        }
    }

    fn __len__(&self) -> PyResult<usize> {
        let n = self.lock().len().py_err()?;
        usize::try_from(n).map_err(|_| invalid_argument("len", "too many events for this platform"))
    }

    /// Where the events are kept (a path, URL or `:memory:`).
    #[getter]
    fn location(&self) -> String {
        self.lock().location()
    }

    /// What opening a journal found: `{"records": n, "torn_bytes": n}` (bytes of a torn,
    /// never-acknowledged final write cut off, at open or since); None for other stores.
    #[getter]
    fn recovery<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(r) = self.lock().recovery() else { return Ok(None) };
        let d = PyDict::new(py);
        d.set_item("records", r.records)?;
        d.set_item("torn_bytes", r.torn_bytes)?;
        Ok(Some(d))
    }

    /// Records one request; False if this `event_id` was already recorded (nothing
    /// changes). The same id with different content raises ConflictingEvent.
    #[pyo3(signature = (event_id, customer, model, usage, timestamp=None, *, service="standard", provider=None, request_id=None, tags=None,
        region=None, fedramp=false, endpoint=None, speed=None, search_context_size=None, resolution=None))]
    #[allow(clippy::too_many_arguments)]
    fn record(
        &self,
        py: Python<'_>,
        event_id: &str,
        customer: &str,
        model: &str,
        usage: PyUsage,
        timestamp: Option<&Bound<'_, PyAny>>,
        service: &str,
        provider: Option<String>,
        request_id: Option<String>,
        tags: Option<BTreeMap<String, String>>,
        region: Option<&str>,
        fedramp: bool,
        endpoint: Option<&str>,
        speed: Option<&str>,
        search_context_size: Option<&str>,
        resolution: Option<&str>,
    ) -> PyResult<bool> {
        let given = timestamp.map(self::timestamp).transpose()?;
        let now = now(py)?;
        let service = service.parse::<Service>().py_err()?;
        let options = ConditionOptions { region, fedramp, endpoint, speed, search_context_size, resolution };
        let conditions = Conditions::from_options(&options).py_err()?;
        let outcome = py
            .detach(|| {
                let mut meter = self.lock();
                let at = meter.event_time(event_id, given, || now)?;
                let mut event = UsageEvent::new(event_id, customer, model, usage.inner, at);
                event.service = service;
                event.provider = provider;
                event.request_id = request_id;
                event.tags = tags.unwrap_or_default();
                event.conditions = conditions;
                meter.record(event)
            })
            .py_err()?;
        Ok(matches!(outcome, Recorded::New { .. }))
    }

    /// Records a usage log (JSON Lines), streaming. Returns `{"recorded", "duplicates",
    /// "errors", "problems"}` (`problems`: `{"line", "code", "message"}` per bad line);
    /// without `continue_on_error` the first bad line raises InvalidUsage with its number.
    #[pyo3(signature = (path, *, continue_on_error=false))]
    fn record_log<'py>(&self, py: Python<'py>, path: &str, continue_on_error: bool) -> PyResult<Bound<'py, PyDict>> {
        let file = std::fs::File::open(path).map_err(|e| invalid_argument("path", format!("{path}: {e}")))?;
        let on_error = if continue_on_error { OnError::Continue } else { OnError::Stop };
        let outcome = py.detach(|| self.lock().record_log(std::io::BufReader::new(file), on_error)).py_err()?;
        let (recorded, duplicates) = (outcome.recorded, outcome.duplicates);
        let errors: Vec<String> = outcome.problems.iter().map(|p| p.to_string()).collect();
        let problems = PyList::empty(py);
        for p in &outcome.problems {
            let d = PyDict::new(py);
            d.set_item("line", p.line)?;
            d.set_item("code", p.error.code())?;
            d.set_item("message", p.to_string())?;
            problems.append(d)?;
        }
        let out = PyDict::new(py);
        out.set_item("recorded", recorded)?;
        out.set_item("duplicates", duplicates)?;
        out.set_item("errors", errors)?;
        out.set_item("problems", problems)?;
        Ok(out)
    }

    /// Merges another meter's events (set union; commutative and associative).
    /// Returns `{"added", "duplicates", "conflicts"}`.
    fn merge<'py>(&self, py: Python<'py>, other: &Bound<'py, PyMeter>) -> PyResult<Bound<'py, PyDict>> {
        if std::ptr::eq(self, other.get()) {
            return Err(invalid_argument("other", "a meter cannot merge itself"));
        }
        let theirs = other.get();
        let report = py.detach(|| self.lock().merge(&theirs.lock())).py_err()?;
        let out = PyDict::new(py);
        out.set_item("added", report.added)?;
        out.set_item("duplicates", report.duplicates)?;
        out.set_item("conflicts", report.conflicts)?;
        Ok(out)
    }

    /// Every record as a canonical JSON line (sorted by event id): a portable snapshot.
    fn snapshot(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        let records = py.detach(|| self.lock().records()).py_err()?;
        Ok(records.iter().map(|r| r.to_json()).collect())
    }

    /// A meter holding the records of a snapshot (priced as they were).
    #[staticmethod]
    #[pyo3(signature = (lines, *, catalog=None, schedule=None))]
    fn restore(lines: Vec<String>, catalog: Option<&Bound<'_, PyCatalog>>, schedule: Option<&Bound<'_, PyAny>>) -> PyResult<PyMeter> {
        let meter = Meter::restore(book(catalog, schedule)?, &lines).py_err()?;
        Ok(PyMeter { inner: Mutex::new(meter), origin: Origin::Memory { book: Book::of(catalog, schedule)? } })
    }

    /// Sets a customer's budget (Decimal, int or str; USD unless `currency`).
    #[pyo3(signature = (customer, amount, currency="USD"))]
    fn set_budget(&self, customer: &str, amount: &Bound<'_, PyAny>, currency: &str) -> PyResult<()> {
        let money = Money::new(from_decimal(amount, "amount")?, Currency::new(currency).py_err()?);
        amount.py().detach(|| self.lock().set_budget(customer, money)).py_err()
    }

    /// Unrounded spend of a customer so far (Decimal).
    #[pyo3(signature = (customer, currency="USD"))]
    fn spent<'py>(&self, py: Python<'py>, customer: &str, currency: &str) -> PyResult<Bound<'py, PyAny>> {
        let currency = Currency::new(currency).py_err()?;
        let spent = py.detach(|| self.lock().spent(customer, currency)).py_err()?;
        to_decimal(py, spent.amount().normalize())
    }

    /// "May this request run?" from an estimated usage. Returns `{"allowed", "estimate",
    /// "spent", "reserved", "remaining", "reservation"}`; settle or release the reservation.
    #[pyo3(signature = (customer, model, estimate, *, service="standard"))]
    fn authorize<'py>(
        &self,
        py: Python<'py>,
        customer: &str,
        model: &str,
        estimate: PyUsage,
        service: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        let service: Service = service.parse().py_err()?;
        let a = py.detach(|| self.lock().authorize(customer, model, estimate.inner, service)).py_err()?;
        let out = PyDict::new(py);
        out.set_item("allowed", a.allowed)?;
        out.set_item("estimate", to_decimal(py, a.estimate.amount().normalize())?)?;
        out.set_item("spent", to_decimal(py, a.spent.amount().normalize())?)?;
        out.set_item("reserved", to_decimal(py, a.reserved.amount().normalize())?)?;
        out.set_item("remaining", a.remaining.map(|m| to_decimal(py, m.amount().normalize())).transpose()?)?;
        out.set_item("reservation", a.reservation.map(|r| r.0))?;
        Ok(out)
    }

    /// Records the actual usage of an authorized request and drops its reservation.
    #[pyo3(signature = (reservation, event_id, customer, model, usage, timestamp=None))]
    #[allow(clippy::too_many_arguments)]
    fn settle(
        &self,
        py: Python<'_>,
        reservation: u64,
        event_id: &str,
        customer: &str,
        model: &str,
        usage: PyUsage,
        timestamp: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        let given = timestamp.map(self::timestamp).transpose()?;
        let now = now(py)?;
        let outcome = py
            .detach(|| {
                let mut meter = self.lock();
                // A retry without a timestamp is the same event (its first delivery's time).
                let at = meter.event_time(event_id, given, || now)?;
                meter.settle(ReservationId(reservation), UsageEvent::new(event_id, customer, model, usage.inner, at))
            })
            .py_err()?;
        Ok(matches!(outcome, Recorded::New { .. }))
    }

    /// Drops a reservation (the call did not happen).
    fn release(&self, py: Python<'_>, reservation: u64) -> PyResult<bool> {
        py.detach(|| self.lock().release(ReservationId(reservation))).py_err()
    }

    /// Sums by dimensions (`customer`, `model`, `schedule`, `hour`, `day`, `month`).
    /// Default: customer, model.
    #[pyo3(signature = (group_by=None))]
    fn aggregate<'py>(&self, py: Python<'py>, group_by: Option<Vec<String>>) -> PyResult<Bound<'py, PyList>> {
        let dims = GroupBy::parse_list(group_by.as_deref()).py_err()?;
        let rows = py.detach(|| self.lock().aggregate(&dims)).py_err()?;
        let out = PyList::empty(py);
        for row in rows {
            let d = PyDict::new(py);
            for (k, v) in &row.key {
                d.set_item(*k, v)?;
            }
            d.set_item("events", row.events)?;
            d.set_item("usage", Py::new(py, PyUsage { inner: row.usage })?)?;
            let cost = PyDict::new(py);
            for (currency, amount) in &row.cost {
                cost.set_item(currency.to_string(), to_decimal(py, amount.normalize())?)?;
            }
            d.set_item("cost", cost)?;
            out.append(d)?;
        }
        Ok(out)
    }

    /// An invoice: `{"lines": [...], "totals": {"USD": Decimal}, "events", "json", "csv"}`;
    /// amounts rounded per line as each schedule says. Default: by customer and model,
    /// period tiers per month. `start` (included) and `end` (excluded) limit it to the
    /// events of a time range: RFC 3339, `YYYY-MM-DD` or `YYYY-MM` (UTC), as the CLI's
    /// `--from` and `--to`.
    #[pyo3(signature = (group_by=None, period=None, *, start=None, end=None))]
    fn invoice<'py>(
        &self,
        py: Python<'py>,
        group_by: Option<Vec<String>>,
        period: Option<&str>,
        start: Option<&str>,
        end: Option<&str>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let options = invoice_options(group_by, period, start, end)?;
        let invoice = py.detach(|| self.lock().invoice(&options)).py_err()?;
        invoice_dict(py, &invoice)
    }

    /// A meter that keeps only what an invoice with these options needs — the sums at
    /// its period and 16 bytes per event id, not the events — for pricing a log of any
    /// length, or one share of a log partitioned by event id (`partial_sums`,
    /// `add_partial_sums`). Reading events back and budgets raise StoreError.
    #[staticmethod]
    #[pyo3(signature = (*, catalog=None, schedule=None, group_by=None, period=None, start=None, end=None))]
    fn summing(
        catalog: Option<&Bound<'_, PyCatalog>>,
        schedule: Option<&Bound<'_, PyAny>>,
        group_by: Option<Vec<String>>,
        period: Option<&str>,
        start: Option<&str>,
        end: Option<&str>,
    ) -> PyResult<PyMeter> {
        let options = invoice_options(group_by, period, start, end)?;
        Ok(PyMeter { inner: Mutex::new(Meter::summing(book(catalog, schedule)?, &options)), origin: Origin::Summing })
    }

    /// Records a column of usage-log lines (any object with `__arrow_c_array__` or
    /// `__arrow_c_stream__`: each row a JSON event, as a line of a log), every row
    /// whatever the others do; one outcome row per input row, in order (a
    /// `pyarrow.RecordBatch`: `id`, `status` new / duplicate / error, unrounded `cost` as text,
    /// `currency`, `schedule`, `error_code`, `error`; all null for a null row).
    fn record_lines(&self, py: Python<'_>, lines: AnyArray) -> PyResult<Py<PyAny>> {
        let mut out = Vec::new();
        for chunk in lines.into_reader()? {
            let chunk = chunk.map_err(crate::arrow::stream_error)?;
            out.push(py.detach(|| tokfare::arrow::record_lines(&mut self.lock(), chunk.as_ref())).py_err()?);
        }
        crate::arrow::batches_to_py(py, &tokfare::arrow::OUTCOME_SCHEMA, &out)
    }

    /// This meter's sums for an invoice with these options, as an Arrow record batch of
    /// plain rows (`level`, `period_start`, `customer`, `model`, `schedule`,
    /// `currency`, `item`, `count`, exact `quantity` and `amount` as text): what one
    /// share of a log partitioned by event id hands over (see `add_partial_sums`); a
    /// `pyarrow.RecordBatch` (without pyarrow, an object with `__arrow_c_array__`).
    #[pyo3(signature = (group_by=None, period=None, *, start=None, end=None))]
    fn partial_sums(
        &self,
        py: Python<'_>,
        group_by: Option<Vec<String>>,
        period: Option<&str>,
        start: Option<&str>,
        end: Option<&str>,
    ) -> PyResult<Py<PyAny>> {
        let options = invoice_options(group_by, period, start, end)?;
        let rows = py.detach(|| self.lock().partial_sums(&options)).py_err()?;
        let batch = tokfare::arrow::partial_sums_to_arrow(&rows).py_err()?;
        crate::arrow::batch_to_py(py, batch)
    }

    /// Adds other shares' `partial_sums` (a record batch, table or stream) to this
    /// summing meter. The shares must have seen other event ids than this meter and
    /// each other (partition the log by event id: every delivery of an id in one
    /// share); then `invoice` is the whole log's, to the last digit.
    fn add_partial_sums(&self, py: Python<'_>, sums: AnyRecordBatch) -> PyResult<()> {
        let mut rows = Vec::new();
        for batch in sums.into_reader()? {
            let batch = batch.map_err(crate::arrow::stream_error)?;
            rows.extend(tokfare::arrow::partial_sums_from_arrow(&batch).py_err()?);
        }
        py.detach(|| self.lock().add_partial_sums(&rows)).py_err()
    }

    /// Every event as a CloudEvents JSON string (deterministic idempotency keys).
    fn to_cloudevents(&self, py: Python<'_>, source: &str) -> PyResult<Vec<String>> {
        py.detach(|| self.lock().to_cloudevents(source)).py_err()
    }

    /// Syncs and closes the store now (a journal's lock, an SQLite connection); later
    /// calls raise StoreError. Also what `with Meter(...) as meter:` does on exit.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.lock().close()).py_err()
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __exit__(
        &self,
        py: Python<'_>,
        exc_type: Option<&Bound<'_, PyAny>>,
        _exc: Option<&Bound<'_, PyAny>>,
        _tb: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        let closed = self.close(py);
        // An exception leaving the block is the one the caller sees, not a close error.
        if exc_type.is_none_or(|t| t.is_none()) {
            closed?;
        }
        Ok(false)
    }

    /// Forces stored records to disk.
    fn sync(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.lock().sync()).py_err()
    }
}
