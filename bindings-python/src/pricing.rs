//! Pricing for Python: `Usage`, `Cost`, `Catalog`, `Schedule`, `price`, `estimate`,
//! the GTC 2026 planner. Money crosses the boundary as `decimal.Decimal` (built from
//! the core's exact decimal string), never as a float.

use crate::errors::{invalid_argument, IntoPy};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyFloat, PyList, PyString, PyTuple};
use std::sync::Arc;
use tokfare::catalog_update::UpdateOptions;
use tokfare::price::{
    gtc, parse_decimal, Catalog, CatalogChoice, CatalogOptions, ConditionOptions, Conditions, Decimal, EstimateOptions, PriceBook,
    Provider, Quote, Request, ScheduleSet, Service, Usage,
};

static DECIMAL: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// A Python `decimal.Decimal` equal to `d`.
pub fn to_decimal<'py>(py: Python<'py>, d: Decimal) -> PyResult<Bound<'py, PyAny>> {
    let class = DECIMAL.get_or_try_init(py, || py.import("decimal")?.getattr("Decimal").map(Bound::unbind))?;
    class.bind(py).call1((d.to_string(),))
}

/// A decimal from a Python `Decimal`, `int` or `str`; floats are refused (money is never a float).
pub fn from_decimal(value: &Bound<'_, PyAny>, name: &'static str) -> PyResult<Decimal> {
    if value.is_instance_of::<PyFloat>() {
        return Err(PyTypeError::new_err(format!("{name}: floats are not accepted for money; pass a decimal.Decimal, int or str")));
    }
    let text = value.str()?.to_cow()?.into_owned();
    parse_decimal(&text).map_err(|e| invalid_argument(name, e.to_string()))
}

/// Quantities a request consumed, in disjoint classes (see docs/usage-normalisation.md).
#[pyclass(module = "tokfare", name = "Usage", eq, from_py_object)]
#[derive(Clone, PartialEq)]
pub struct PyUsage {
    pub inner: Usage,
}

/// `json.dumps(obj)`: provider dicts reach the core's parser as JSON.
fn json_dumps(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    obj.py().import("json")?.call_method1("dumps", (obj,))?.extract()
}

fn non_negative(name: &'static str, v: i128) -> PyResult<u64> {
    tokfare::price::quantity(name, v).py_err()
}

#[pymethods]
impl PyUsage {
    /// Token counts by class, plus per-unit quantities. Negative counts raise InvalidUsage.
    #[new]
    #[pyo3(signature = (input_tokens=0, cached_input_tokens=0, cache_write_tokens=0, cache_write_1h_tokens=0, output_tokens=0,
        reasoning_tokens=0, audio_input_tokens=0, audio_output_tokens=0, image_input_tokens=0, image_output_tokens=0,
        cache_write_12h_tokens=0, video_input_tokens=0, video_output_tokens=0, cached_audio_input_tokens=0,
        cached_image_input_tokens=0, explicit_cached_input_tokens=0, requests=1, images=0, seconds=0, web_search_requests=0, maps_grounding_requests=0, characters=0,
        pages=0, annotation_pages=0, queries=0, citation_tokens=0))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        input_tokens: i128,
        cached_input_tokens: i128,
        cache_write_tokens: i128,
        cache_write_1h_tokens: i128,
        output_tokens: i128,
        reasoning_tokens: i128,
        audio_input_tokens: i128,
        audio_output_tokens: i128,
        image_input_tokens: i128,
        image_output_tokens: i128,
        cache_write_12h_tokens: i128,
        video_input_tokens: i128,
        video_output_tokens: i128,
        cached_audio_input_tokens: i128,
        cached_image_input_tokens: i128,
        explicit_cached_input_tokens: i128,
        requests: i128,
        images: i128,
        seconds: i128,
        web_search_requests: i128,
        maps_grounding_requests: i128,
        characters: i128,
        pages: i128,
        annotation_pages: i128,
        queries: i128,
        citation_tokens: i128,
    ) -> PyResult<PyUsage> {
        Ok(PyUsage {
            inner: Usage {
                input: non_negative("input_tokens", input_tokens)?,
                cached_input: non_negative("cached_input_tokens", cached_input_tokens)?,
                cache_write_5m: non_negative("cache_write_tokens", cache_write_tokens)?,
                cache_write_1h: non_negative("cache_write_1h_tokens", cache_write_1h_tokens)?,
                output: non_negative("output_tokens", output_tokens)?,
                reasoning: non_negative("reasoning_tokens", reasoning_tokens)?,
                audio_input: non_negative("audio_input_tokens", audio_input_tokens)?,
                audio_output: non_negative("audio_output_tokens", audio_output_tokens)?,
                image_input: non_negative("image_input_tokens", image_input_tokens)?,
                image_output: non_negative("image_output_tokens", image_output_tokens)?,
                cache_write_12h: non_negative("cache_write_12h_tokens", cache_write_12h_tokens)?,
                video_input: non_negative("video_input_tokens", video_input_tokens)?,
                video_output: non_negative("video_output_tokens", video_output_tokens)?,
                cached_audio_input: non_negative("cached_audio_input_tokens", cached_audio_input_tokens)?,
                cached_image_input: non_negative("cached_image_input_tokens", cached_image_input_tokens)?,
                explicit_cached_input: non_negative("explicit_cached_input_tokens", explicit_cached_input_tokens)?,
                requests: non_negative("requests", requests)?,
                images: non_negative("images", images)?,
                seconds: non_negative("seconds", seconds)?,
                web_search_requests: non_negative("web_search_requests", web_search_requests)?,
                maps_grounding_requests: non_negative("maps_grounding_requests", maps_grounding_requests)?,
                characters: non_negative("characters", characters)?,
                pages: non_negative("pages", pages)?,
                annotation_pages: non_negative("annotation_pages", annotation_pages)?,
                queries: non_negative("queries", queries)?,
                citation_tokens: non_negative("citation_tokens", citation_tokens)?,
            },
        })
    }

    /// From an OpenAI Chat Completions `usage` dict (cached tokens are inside prompt_tokens).
    #[staticmethod]
    fn from_openai(usage: &Bound<'_, PyAny>) -> PyResult<PyUsage> {
        parse(usage, Some(Provider::OpenAIChat))
    }

    /// From an OpenAI Responses API `usage` dict.
    #[staticmethod]
    fn from_openai_responses(usage: &Bound<'_, PyAny>) -> PyResult<PyUsage> {
        parse(usage, Some(Provider::OpenAIResponses))
    }

    /// From an Anthropic Messages `usage` dict (cache reads and writes are not inside input_tokens).
    #[staticmethod]
    fn from_anthropic(usage: &Bound<'_, PyAny>) -> PyResult<PyUsage> {
        parse(usage, Some(Provider::Anthropic))
    }

    /// From a Gemini `usageMetadata` dict (or a response holding one).
    #[staticmethod]
    fn from_gemini(usage: &Bound<'_, PyAny>) -> PyResult<PyUsage> {
        parse(usage, Some(Provider::Gemini))
    }

    /// From any provider's usage dict, detected from its fields.
    #[staticmethod]
    fn from_dict(usage: &Bound<'_, PyAny>) -> PyResult<PyUsage> {
        parse(usage, None)
    }

    /// Unpickles a usage from its counts by name, every one not named zero (no
    /// provider guessing, no default request).
    #[staticmethod]
    fn _restore(counts: Vec<(String, u64)>) -> PyResult<PyUsage> {
        let mut inner = Usage::default();
        inner.set_by_name("requests", 0).py_err()?;
        for (name, value) in counts {
            inner.set_by_name(&name, value).py_err()?;
        }
        Ok(PyUsage { inner })
    }

    /// Pickles as its non-zero counts by name.
    #[allow(clippy::type_complexity)]
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (Vec<(&'static str, u64)>,))> {
        Ok((slf.get_type().getattr("_restore")?, (slf.borrow().inner.entries(),)))
    }

    #[getter]
    fn input_tokens(&self) -> u64 {
        self.inner.input
    }
    #[getter]
    fn cached_input_tokens(&self) -> u64 {
        self.inner.cached_input
    }
    #[getter]
    fn cache_write_tokens(&self) -> u64 {
        self.inner.cache_write_5m
    }
    #[getter]
    fn cache_write_1h_tokens(&self) -> u64 {
        self.inner.cache_write_1h
    }
    #[getter]
    fn output_tokens(&self) -> u64 {
        self.inner.output
    }
    #[getter]
    fn reasoning_tokens(&self) -> u64 {
        self.inner.reasoning
    }
    #[getter]
    fn audio_input_tokens(&self) -> u64 {
        self.inner.audio_input
    }
    #[getter]
    fn audio_output_tokens(&self) -> u64 {
        self.inner.audio_output
    }
    #[getter]
    fn image_input_tokens(&self) -> u64 {
        self.inner.image_input
    }
    #[getter]
    fn image_output_tokens(&self) -> u64 {
        self.inner.image_output
    }
    #[getter]
    fn cache_write_12h_tokens(&self) -> u64 {
        self.inner.cache_write_12h
    }
    #[getter]
    fn video_input_tokens(&self) -> u64 {
        self.inner.video_input
    }
    #[getter]
    fn video_output_tokens(&self) -> u64 {
        self.inner.video_output
    }
    #[getter]
    fn cached_audio_input_tokens(&self) -> u64 {
        self.inner.cached_audio_input
    }
    #[getter]
    fn cached_image_input_tokens(&self) -> u64 {
        self.inner.cached_image_input
    }
    #[getter]
    fn explicit_cached_input_tokens(&self) -> u64 {
        self.inner.explicit_cached_input
    }
    #[getter]
    fn requests(&self) -> u64 {
        self.inner.requests
    }
    #[getter]
    fn web_search_requests(&self) -> u64 {
        self.inner.web_search_requests
    }
    #[getter]
    fn maps_grounding_requests(&self) -> u64 {
        self.inner.maps_grounding_requests
    }
    #[getter]
    fn characters(&self) -> u64 {
        self.inner.characters
    }
    #[getter]
    fn pages(&self) -> u64 {
        self.inner.pages
    }
    #[getter]
    fn annotation_pages(&self) -> u64 {
        self.inner.annotation_pages
    }
    #[getter]
    fn queries(&self) -> u64 {
        self.inner.queries
    }
    #[getter]
    fn citation_tokens(&self) -> u64 {
        self.inner.citation_tokens
    }
    #[getter]
    fn images(&self) -> u64 {
        self.inner.images
    }
    #[getter]
    fn seconds(&self) -> u64 {
        self.inner.seconds
    }
    /// Prompt tokens of every kind.
    #[getter]
    fn prompt_tokens(&self) -> u64 {
        self.inner.prompt_tokens()
    }
    /// Every billed token.
    #[getter]
    fn total_tokens(&self) -> u64 {
        self.inner.total_tokens()
    }

    /// The non-zero counts in tokfare's own form (`{"input": ..., "cached_input": ...}`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, v) in self.inner.entries() {
            d.set_item(k, v)?;
        }
        Ok(d)
    }

    fn __add__(&self, other: &PyUsage) -> PyResult<PyUsage> {
        Ok(PyUsage { inner: self.inner.checked_add(&other.inner).py_err()? })
    }

    fn __repr__(&self) -> String {
        let fields: Vec<String> = self.inner.entries().iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("Usage({})", fields.join(", "))
    }
}

fn parse(usage: &Bound<'_, PyAny>, provider: Option<Provider>) -> PyResult<PyUsage> {
    if !usage.is_instance_of::<PyDict>() {
        return Err(PyTypeError::new_err(format!("a usage object is a dict, not {}", usage.get_type().name()?)));
    }
    Ok(PyUsage { inner: tokfare::price::parse_usage(&json_dumps(usage)?, provider).py_err()? })
}

/// One line of a cost.
#[pyclass(module = "tokfare", name = "CostLine", frozen, get_all)]
pub struct PyCostLine {
    /// What is charged (`input tokens`, `requests`, `minimum charge` ...).
    item: String,
    quantity: u64,
    /// Price of `per` units (decimal.Decimal).
    unit_price: Py<PyAny>,
    per: u64,
    /// Exact amount (decimal.Decimal).
    amount: Py<PyAny>,
}

#[pymethods]
impl PyCostLine {
    /// Unpickles a line (see `__reduce__`).
    #[staticmethod]
    fn _restore(item: String, quantity: u64, unit_price: Py<PyAny>, per: u64, amount: Py<PyAny>) -> PyCostLine {
        PyCostLine { item, quantity, unit_price, per, amount }
    }

    /// Pickles as its fields.
    #[allow(clippy::type_complexity)]
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String, u64, Py<PyAny>, u64, Py<PyAny>))> {
        let py = slf.py();
        let l = slf.get();
        Ok((slf.get_type().getattr("_restore")?, (l.item.clone(), l.quantity, l.unit_price.clone_ref(py), l.per, l.amount.clone_ref(py))))
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!("CostLine({:?}, quantity={}, amount={})", self.item, self.quantity, self.amount.bind(py))
    }
}

/// The exact cost of a request (amounts are decimal.Decimal, unrounded).
#[pyclass(module = "tokfare", name = "Cost", frozen, get_all)]
pub struct PyCost {
    total: Py<PyAny>,
    currency: String,
    lines: Py<PyList>,
    /// The schedule that priced it.
    schedule: String,
    usage: PyUsage,
    /// The total rounded as the schedule says (decimal.Decimal).
    rounded: Py<PyAny>,
    /// What the reader should know (the prompt exceeds the context window ...).
    warnings: Vec<String>,
    /// The tokenizer that counted the prompt (`estimate` only).
    tokenizer: Option<String>,
    /// True when that tokenizer is not the model's own: the count is an approximation.
    approximate: bool,
}

#[pymethods]
impl PyCost {
    /// Unpickles a cost (see `__reduce__`).
    #[staticmethod]
    #[allow(clippy::too_many_arguments)]
    fn _restore(
        total: Py<PyAny>,
        currency: String,
        lines: Py<PyList>,
        schedule: String,
        usage: PyUsage,
        rounded: Py<PyAny>,
        warnings: Vec<String>,
        tokenizer: Option<String>,
        approximate: bool,
    ) -> PyCost {
        PyCost { total, currency, lines, schedule, usage, rounded, warnings, tokenizer, approximate }
    }

    /// Pickles as its fields (a value, not a handle).
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let c = slf.get();
        let usage = Py::new(py, PyUsage { inner: c.usage.inner })?;
        let args = (
            c.total.clone_ref(py),
            c.currency.clone(),
            c.lines.clone_ref(py),
            c.schedule.clone(),
            usage,
            c.rounded.clone_ref(py),
            c.warnings.clone(),
            c.tokenizer.clone(),
            c.approximate,
        );
        Ok((slf.get_type().getattr("_restore")?, args.into_pyobject(py)?))
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!("Cost(total={} {}, schedule={:?})", self.total.bind(py), self.currency, self.schedule)
    }
}

fn cost(py: Python<'_>, quote: Quote) -> PyResult<PyCost> {
    let lines = PyList::empty(py);
    for line in &quote.lines {
        let l = PyCostLine {
            item: line.item.to_string(),
            quantity: line.quantity,
            unit_price: to_decimal(py, line.unit_price)?.unbind(),
            per: line.per,
            amount: to_decimal(py, line.amount)?.unbind(),
        };
        lines.append(Py::new(py, l)?)?;
    }
    Ok(PyCost {
        total: to_decimal(py, quote.total)?.unbind(),
        currency: quote.currency.to_string(),
        lines: lines.unbind(),
        schedule: quote.schedule,
        usage: PyUsage { inner: quote.usage },
        rounded: to_decimal(py, quote.rounded)?.unbind(),
        warnings: quote.warnings.iter().map(|w| w.to_string()).collect(),
        tokenizer: quote.tokenizer,
        approximate: quote.approximate,
    })
}

/// Model prices: the bundled LiteLLM snapshot, a file, or both.
#[pyclass(module = "tokfare", name = "Catalog", frozen)]
pub struct PyCatalog {
    pub inner: Arc<Catalog>,
    /// What it was built from: it pickles as that (a Spark or Dask worker rebuilds it).
    source: CatalogSource,
}

/// A catalog's source, kept for pickling.
#[derive(Clone)]
enum CatalogSource {
    Bundled {
        ignore: bool,
    },
    /// A LiteLLM-format document (a file's text, kept so the worker needs no file).
    Json {
        text: String,
        source: String,
        options: CatalogOptions,
    },
    /// A stored snapshot (`Catalog.at`): not kept.
    Snapshot,
}

#[pymethods]
impl PyCatalog {
    /// The catalog bundled with tokfare. A model whose entry has a price rule tokfare
    /// does not apply raises UnsupportedPrice unless `ignore_unknown_price_fields`.
    #[staticmethod]
    #[pyo3(signature = (*, ignore_unknown_price_fields=false))]
    fn bundled(ignore_unknown_price_fields: bool) -> PyCatalog {
        PyCatalog {
            inner: Catalog::bundled_with(ignore_unknown_price_fields),
            source: CatalogSource::Bundled { ignore: ignore_unknown_price_fields },
        }
    }

    /// A LiteLLM-format JSON file; with `extend_bundled`, its entries override the bundled ones.
    #[staticmethod]
    #[pyo3(signature = (path, *, extend_bundled=true, ignore_unknown_price_fields=false))]
    fn from_file(path: &str, extend_bundled: bool, ignore_unknown_price_fields: bool) -> PyResult<PyCatalog> {
        let options = CatalogOptions { extend_bundled, ignore_unknown_price_fields };
        // Read once: the document kept for pickling is the one loaded.
        let text = Catalog::read_file(path).py_err()?;
        let inner = Arc::new(Catalog::from_json_with(&text, path, options).py_err()?);
        Ok(PyCatalog { inner, source: CatalogSource::Json { text, source: path.to_string(), options } })
    }

    /// A LiteLLM-format dict; with `extend_bundled`, its entries override the bundled ones.
    #[staticmethod]
    #[pyo3(signature = (prices, *, extend_bundled=true, source="dict", ignore_unknown_price_fields=false))]
    fn from_dict(prices: &Bound<'_, PyAny>, extend_bundled: bool, source: &str, ignore_unknown_price_fields: bool) -> PyResult<PyCatalog> {
        let options = CatalogOptions { extend_bundled, ignore_unknown_price_fields };
        let text = json_dumps(prices)?;
        let inner = Arc::new(Catalog::from_json_with(&text, source, options).py_err()?);
        Ok(PyCatalog { inner, source: CatalogSource::Json { text, source: source.to_string(), options } })
    }

    /// Unpickles a catalog from its source (see `__reduce__`).
    #[staticmethod]
    #[pyo3(signature = (text, source, extend_bundled, ignore_unknown_price_fields))]
    fn _restore(text: Option<&str>, source: &str, extend_bundled: bool, ignore_unknown_price_fields: bool) -> PyResult<PyCatalog> {
        let options = CatalogOptions { extend_bundled, ignore_unknown_price_fields };
        Ok(match text {
            None => PyCatalog::bundled(ignore_unknown_price_fields),
            Some(text) => PyCatalog {
                inner: Arc::new(Catalog::from_json_with(text, source, options).py_err()?),
                source: CatalogSource::Json { text: text.to_string(), source: source.to_string(), options },
            },
        })
    }

    /// Pickles as its source: the bundled catalog by reference, a file's or dict's
    /// document whole (a worker needs no file). A stored snapshot (`Catalog.at`) does not
    /// pickle: load its file with `Catalog.from_file`.
    #[allow(clippy::type_complexity)]
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (Option<String>, String, bool, bool))> {
        let restore = slf.get_type().getattr("_restore")?;
        match &slf.get().source {
            CatalogSource::Bundled { ignore } => Ok((restore, (None, "bundled".into(), false, *ignore))),
            CatalogSource::Json { text, source, options } => {
                Ok((restore, (Some(text.clone()), source.clone(), options.extend_bundled, options.ignore_unknown_price_fields)))
            }
            CatalogSource::Snapshot => Err(PyTypeError::new_err(
                "a catalog from Catalog.at (or a file no longer readable) cannot be pickled: load its file with Catalog.from_file",
            )),
        }
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __contains__(&self, model: &str) -> bool {
        self.inner.lookup(model).is_ok()
    }

    /// What the catalog knows of a model (UnknownModelPrice with suggestions if nothing).
    fn lookup<'py>(&self, py: Python<'py>, model: &str) -> PyResult<Bound<'py, PyDict>> {
        let (entry, resolution) = self.inner.lookup(model).py_err()?;
        let d = PyDict::new(py);
        d.set_item("model", &entry.model)?;
        d.set_item("resolution", format!("{resolution:?}"))?;
        d.set_item("provider", &entry.provider)?;
        d.set_item("mode", &entry.mode)?;
        d.set_item("max_input_tokens", entry.max_input_tokens)?;
        d.set_item("max_output_tokens", entry.max_output_tokens)?;
        d.set_item("effective_date", entry.effective_date.map(|d| d.to_string()))?;
        d.set_item("source", &entry.source)?;
        let rates = PyDict::new(py);
        for (class, rate) in entry.schedule.rates.iter() {
            rates.set_item(class.name(), to_decimal(py, rate.normalize())?)?;
        }
        d.set_item("rates_per_million", rates)?;
        Ok(d)
    }

    /// Every model name.
    fn models(&self) -> Vec<String> {
        self.inner.entries().map(|e| e.model.clone()).collect()
    }

    /// Downloads a newer price file (LiteLLM's published JSON by default; a URL or a file),
    /// validates it, and stores it in `catalog_dir` (default: the user's data directory)
    /// unless it is the current snapshot. Returns `{"stored", "previous", "added",
    /// "removed", "changed"}`; a failed download raises CatalogUpdate and stores nothing.
    #[staticmethod]
    #[pyo3(signature = (source=tokfare::catalog_update::DEFAULT_URL, *, catalog_dir=None, timeout=60))]
    fn update<'py>(py: Python<'py>, source: &str, catalog_dir: Option<&str>, timeout: u64) -> PyResult<Bound<'py, PyAny>> {
        let options = UpdateOptions { timeout: std::time::Duration::from_secs(timeout), ..UpdateOptions::default() };
        let report = py
            .detach(|| {
                tokfare::catalog_update::open_store(catalog_dir).and_then(|store| tokfare::catalog_update::update(&store, source, &options))
            })
            .py_err()?;
        json_loads(py, &report.to_json())
    }

    /// The stored snapshots, oldest first (the last is current): `{"path", "source",
    /// "sha256", "fetched_at", "entries"}` each.
    #[staticmethod]
    #[pyo3(signature = (*, catalog_dir=None))]
    fn history<'py>(py: Python<'py>, catalog_dir: Option<&str>) -> PyResult<Vec<Bound<'py, PyAny>>> {
        let snapshots = tokfare::catalog_update::open_store(catalog_dir).and_then(|store| store.history()).py_err()?;
        snapshots.iter().map(|s| json_loads(py, &s.to_json())).collect()
    }

    /// The catalog in force on `date` (`YYYY-MM-DD`): the snapshot fetched last by then,
    /// else the bundled one.
    #[staticmethod]
    #[pyo3(signature = (date, *, catalog_dir=None, ignore_unknown_price_fields=false))]
    fn at(date: &str, catalog_dir: Option<&str>, ignore_unknown_price_fields: bool) -> PyResult<PyCatalog> {
        let catalog = tokfare::catalog_update::open_store(catalog_dir).and_then(|store| store.catalog_on(date)).py_err()?;
        Ok(PyCatalog {
            inner: Arc::new(catalog.ignoring_unknown_price_fields(ignore_unknown_price_fields)),
            source: CatalogSource::Snapshot,
        })
    }
}

/// `json.loads(text)`: the core's JSON reports become Python objects.
fn json_loads<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (text,))
}

/// A set of declarative schedules (TOML, JSON or dict; see docs/schedules.md).
#[pyclass(module = "tokfare", name = "Schedule", frozen)]
pub struct PySchedule {
    pub inner: ScheduleSet,
    /// What it was built from: it pickles as that.
    source: ScheduleSource,
}

/// A schedule set's source, kept for pickling.
#[derive(Clone)]
pub(crate) enum ScheduleSource {
    Bundled(String),
    Json(String),
    Toml(String),
}

impl ScheduleSource {
    fn build(&self) -> PyResult<ScheduleSet> {
        match self {
            ScheduleSource::Bundled(name) => ScheduleSet::bundled(name),
            ScheduleSource::Json(text) => ScheduleSet::from_json(text),
            ScheduleSource::Toml(text) => ScheduleSet::from_toml(text),
        }
        .py_err()
    }

    /// `ScheduleSet::load`'s rule (a `.json` or `.toml` path, else a bundled name), the
    /// file read here so that its text is kept.
    pub(crate) fn load(name_or_path: &str) -> PyResult<ScheduleSource> {
        let kind = if name_or_path.ends_with(".json") {
            ScheduleSource::Json
        } else if name_or_path.ends_with(".toml") {
            ScheduleSource::Toml
        } else {
            return Ok(ScheduleSource::Bundled(name_or_path.to_string()));
        };
        match std::fs::read_to_string(name_or_path) {
            Ok(text) => Ok(kind(text)),
            // The core's error for it.
            Err(_) => ScheduleSet::load(name_or_path).py_err().map(|_| ScheduleSource::Bundled(name_or_path.to_string())),
        }
    }

    pub(crate) fn into_py(self) -> PyResult<PySchedule> {
        Ok(PySchedule { inner: self.build()?, source: self })
    }
}

#[pymethods]
impl PySchedule {
    /// A `.toml` or `.json` file, or a bundled set by name (`gtc-2026`).
    #[staticmethod]
    fn from_file(path: &str) -> PyResult<PySchedule> {
        ScheduleSource::load(path)?.into_py()
    }

    /// A dict in the file format (InvalidSchedule names the bad field).
    #[staticmethod]
    fn from_dict(spec: &Bound<'_, PyAny>) -> PyResult<PySchedule> {
        ScheduleSource::Json(json_dumps(spec)?).into_py()
    }

    /// TOML text.
    #[staticmethod]
    fn from_toml(text: &str) -> PyResult<PySchedule> {
        ScheduleSource::Toml(text.to_string()).into_py()
    }

    /// A bundled set: `gtc-2026`.
    #[staticmethod]
    fn bundled(name: &str) -> PyResult<PySchedule> {
        ScheduleSource::Bundled(name.to_string()).into_py()
    }

    /// Unpickles a schedule set from its source (see `__reduce__`).
    #[staticmethod]
    fn _restore(kind: &str, text: String) -> PyResult<PySchedule> {
        match kind {
            "bundled" => ScheduleSource::Bundled(text),
            "json" => ScheduleSource::Json(text),
            _ => ScheduleSource::Toml(text),
        }
        .into_py()
    }

    /// Pickles as its source: a bundled set by name, a file's or dict's text whole.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (&'static str, String))> {
        let args = match &slf.get().source {
            ScheduleSource::Bundled(name) => ("bundled", name.clone()),
            ScheduleSource::Json(text) => ("json", text.clone()),
            ScheduleSource::Toml(text) => ("toml", text.clone()),
        };
        Ok((slf.get_type().getattr("_restore")?, args))
    }

    /// The set's name.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }

    /// The schedules' names, in matching order.
    #[getter]
    fn schedules(&self) -> Vec<String> {
        self.inner.entries.iter().map(|e| e.schedule.name.clone()).collect()
    }
}

/// The price book for `catalog` / `schedule` arguments (default: the bundled catalog).
pub fn book(catalog: Option<&Bound<'_, PyCatalog>>, schedule: Option<&Bound<'_, PyAny>>) -> PyResult<PriceBook> {
    let schedules = match schedule {
        None => Vec::new(),
        Some(s) => vec![if let Ok(s) = s.cast::<PySchedule>() {
            s.get().inner.clone()
        } else if let Ok(name) = s.cast::<PyString>() {
            ScheduleSet::load(&name.to_cow()?).py_err()?
        } else {
            return Err(PyTypeError::new_err("schedule must be a tokfare.Schedule, a bundled name or a file path"));
        }],
    };
    let catalog = catalog.map_or(CatalogChoice::Bundled, |c| CatalogChoice::Given(c.get().inner.clone()));
    Ok(PriceBook::from_sources(schedules, catalog))
}

/// The exact cost of one request to `model`.
#[pyfunction]
#[pyo3(signature = (model, usage, *, batch=false, service=None, at=None, tier=None, catalog=None, schedule=None,
    region=None, fedramp=false, endpoint=None, speed=None, search_context_size=None, resolution=None))]
#[allow(clippy::too_many_arguments)]
pub fn price(
    py: Python<'_>,
    model: &str,
    usage: PyUsage,
    batch: bool,
    service: Option<&str>,
    at: Option<&Bound<'_, PyAny>>,
    tier: Option<&str>,
    catalog: Option<&Bound<'_, PyCatalog>>,
    schedule: Option<&Bound<'_, PyAny>>,
    region: Option<&str>,
    fedramp: bool,
    endpoint: Option<&str>,
    speed: Option<&str>,
    search_context_size: Option<&str>,
    resolution: Option<&str>,
) -> PyResult<PyCost> {
    let at = at.map(crate::time::timestamp).transpose()?;
    let options = ConditionOptions { region, fedramp, endpoint, speed, search_context_size, resolution };
    let conditions = Conditions::from_options(&options).py_err()?;
    let request = Request { usage: usage.inner, service: Service::from_options(batch, service).py_err()?, at, conditions };
    cost(py, book(catalog, schedule)?.quote(model, tier, &request).py_err()?)
}

/// Tokenizes `text` for `model` (with its tokenizer, an `encoding` or a `tokenizer`
/// file) and prices it with `output_tokens` expected output.
#[pyfunction]
#[pyo3(signature = (text, model, output_tokens=0, *, encoding=None, tokenizer=None, batch=false, service=None, catalog=None, schedule=None,
    region=None, fedramp=false, endpoint=None, speed=None))]
#[allow(clippy::too_many_arguments)]
pub fn estimate(
    py: Python<'_>,
    text: &Bound<'_, PyString>,
    model: &str,
    output_tokens: u64,
    encoding: Option<&str>,
    tokenizer: Option<&str>,
    batch: bool,
    service: Option<&str>,
    catalog: Option<&Bound<'_, PyCatalog>>,
    schedule: Option<&Bound<'_, PyAny>>,
    region: Option<&str>,
    fedramp: bool,
    endpoint: Option<&str>,
    speed: Option<&str>,
) -> PyResult<PyCost> {
    let book = book(catalog, schedule)?;
    let conditions =
        Conditions::from_options(&ConditionOptions { region, fedramp, endpoint, speed, ..ConditionOptions::default() }).py_err()?;
    let options = EstimateOptions { output_tokens, service: Service::from_options(batch, service).py_err()?, tier: None, conditions };
    let t = crate::text::text(text)?;
    let quote = py.detach(|| tokfare::estimate_with(&book, model, &t, encoding, tokenizer, &options)).py_err()?;
    cost(py, quote)
}

/// One GTC tier as Python sees it: `(name, price per million tokens, description, model patterns)`.
type TierRow<'py> = (String, Bound<'py, PyAny>, Option<String>, Vec<String>);

/// The GTC 2026 tiers.
#[pyfunction]
pub fn gtc_tiers<'py>(py: Python<'py>) -> PyResult<Vec<TierRow<'py>>> {
    gtc::tier_rows().py_err()?.into_iter().map(|r| Ok((r.name, to_decimal(py, r.price_per_million)?, r.description, r.models))).collect()
}

/// The keynote's capacity planner. `tokens_per_second_per_mw` maps tier -> throughput;
/// `shares` maps tier -> fraction of the power (default 25% each of free, medium, high,
/// premium). Returns per-tier tokens and revenue and the totals, all decimal.Decimal.
#[pyfunction]
#[pyo3(signature = (megawatts, hours, tokens_per_second_per_mw, shares=None))]
pub fn capacity_plan<'py>(
    py: Python<'py>,
    megawatts: &Bound<'py, PyAny>,
    hours: &Bound<'py, PyAny>,
    tokens_per_second_per_mw: &Bound<'py, PyDict>,
    shares: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyDict>> {
    let set = gtc::tiers().py_err()?;
    let (megawatts, hours) = (from_decimal(megawatts, "megawatts")?, from_decimal(hours, "hours")?);
    let shares: Option<Vec<(String, Decimal)>> = shares
        .map(|s| s.iter().map(|(k, v)| Ok((k.extract::<String>()?, from_decimal(&v, "shares")?))).collect::<PyResult<_>>())
        .transpose()?;
    let mut throughput = std::collections::HashMap::new();
    for (tier, tps) in tokens_per_second_per_mw.iter() {
        throughput.insert(tier.extract::<String>()?, from_decimal(&tps, "tokens_per_second_per_mw")?);
    }
    let input =
        gtc::PlanInput::from_shares(megawatts, hours, shares, "tokens_per_second_per_mw", |tier| throughput.get(tier).copied()).py_err()?;
    let plan = gtc::plan(&set, &input).py_err()?;
    let out = PyDict::new(py);
    let tiers = PyList::empty(py);
    for t in &plan.tiers {
        let d = PyDict::new(py);
        d.set_item("tier", &t.tier)?;
        d.set_item("share", to_decimal(py, t.share)?)?;
        d.set_item("price_per_million", to_decimal(py, t.price_per_million.normalize())?)?;
        d.set_item("tokens", to_decimal(py, t.tokens.normalize())?)?;
        d.set_item("revenue", to_decimal(py, t.revenue.amount().normalize())?)?;
        tiers.append(d)?;
    }
    out.set_item("tiers", tiers)?;
    out.set_item("total_tokens", to_decimal(py, plan.total_tokens.normalize())?)?;
    out.set_item("total_revenue", to_decimal(py, plan.total_revenue.amount().normalize())?)?;
    out.set_item("currency", plan.total_revenue.currency().to_string())?;
    Ok(out)
}
