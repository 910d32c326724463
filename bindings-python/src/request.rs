//! `count_request`: a request body's prompt tokens for a model, exact or a labelled
//! approximation (`tokfare::request`), as a `RequestCount`.

use crate::errors::IntoPy;
use pyo3::prelude::*;
use pyo3::types::PyString;

/// How many input tokens a request costs on a model, and how sure that is.
#[pyclass(module = "tokfare", name = "RequestCount", frozen, get_all)]
pub struct PyRequestCount {
    /// The tokens.
    tokens: u64,
    /// True when counted with the model's own tokenizer by an exact method.
    exact: bool,
    /// For an approximation backed by recorded figures: the expected error of the
    /// provider's count relative to this one, `(low, high)` in per mille; else None.
    band_permille: Option<(i32, i32)>,
    /// The band in words (`"-2.0%..+3.0%"`), or None.
    band: Option<String>,
    /// The tokenizer that counted (`o200k_base`, `claude`, `qwen3` ...).
    tokenizer: String,
    /// The profile that chose how to count (`openai`, `claude-4.5`, `gemini`, `fallback` ...).
    profile: &'static str,
    /// Why the count is approximate ("" when exact).
    note: String,
}

#[pymethods]
impl PyRequestCount {
    fn __repr__(&self) -> String {
        let band = self.band.as_deref().map(|b| format!(", band={b:?}")).unwrap_or_default();
        format!(
            "RequestCount(tokens={}, exact={}{band}, tokenizer={:?}, profile={:?})",
            self.tokens,
            if self.exact { "True" } else { "False" },
            self.tokenizer,
            self.profile
        )
    }
}

impl From<tokfare::request::RequestCount> for PyRequestCount {
    fn from(c: tokfare::request::RequestCount) -> PyRequestCount {
        PyRequestCount {
            tokens: c.tokens,
            exact: c.exact,
            band_permille: c.band.map(|b| (b.low_permille, b.high_permille)),
            band: c.band.map(|b| b.to_string()),
            tokenizer: c.tokenizer,
            profile: c.profile,
            note: c.note,
        }
    }
}

/// The prompt tokens of `request` (a dict, or its JSON text) in `format` for `model`.
#[pyfunction]
#[pyo3(signature = (model, request, format = "openai-chat"))]
pub fn count_request(py: Python<'_>, model: &str, request: &Bound<'_, PyAny>, format: &str) -> PyResult<PyRequestCount> {
    let body: String = match request.cast::<PyString>() {
        Ok(s) => s.extract()?,
        Err(_) => py.import("json")?.call_method1("dumps", (request,))?.extract()?,
    };
    let format: tokfare::request::RequestFormat = format.parse().py_err()?;
    let counted = py.detach(|| tokfare::request::count_request(model, format, &body)).py_err()?;
    Ok(counted.into())
}
