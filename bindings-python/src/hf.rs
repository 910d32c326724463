//! `tokfare.Tokenizer`: a Hugging Face `tokenizer.json` (Qwen 3 bundled; Llama 3,
//! DeepSeek V3 or any other from a file), with `tokenizers`' semantics. Long texts
//! ([`crate::gil`]) and every batch run without the GIL.

use crate::errors::{invalid_argument, IntoPy};
use crate::gil::detach_if_long;
use crate::text::{text as read_text, texts as read_texts};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString};
use std::sync::Arc;
use tokfare::hf;
use tokfare::Rank;

/// A tokenizer loaded from a Hugging Face `tokenizer.json`.
#[pyclass(module = "tokfare", name = "Tokenizer", frozen)]
pub struct PyTokenizer {
    pub(crate) inner: Arc<hf::Tokenizer>,
}

impl PyTokenizer {
    /// A Python list of the ids (see [`crate::id_list`]).
    fn ids_list<'py>(&self, py: Python<'py>, ids: &[Rank]) -> PyResult<Bound<'py, PyList>> {
        let max_id = Rank::try_from(self.inner.n_vocab().saturating_sub(1)).unwrap_or(Rank::MAX);
        crate::id_list::ids_list(py, ids, max_id)
    }
}

#[pymethods]
impl PyTokenizer {
    /// Loads a `tokenizer.json` file (or a folder holding one).
    #[staticmethod]
    fn from_file(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Self> {
        let path = path.to_string_lossy().into_owned();
        Ok(PyTokenizer { inner: py.detach(|| hf::load(&path)).py_err()? })
    }

    /// Loads the contents of a `tokenizer.json` (`str` or `bytes`).
    #[staticmethod]
    #[pyo3(signature = (json, name="tokenizer.json"))]
    fn from_str(py: Python<'_>, json: &Bound<'_, PyAny>, name: &str) -> PyResult<Self> {
        let bytes: Vec<u8> = if let Ok(s) = json.cast::<PyString>() {
            s.to_cow()?.as_bytes().to_vec()
        } else if let Ok(b) = json.cast::<PyBytes>() {
            b.as_bytes().to_vec()
        } else {
            return Err(invalid_argument("json", "must be str or bytes"));
        };
        let name = name.to_string();
        Ok(PyTokenizer { inner: Arc::new(py.detach(move || hf::Tokenizer::from_bytes(&name, bytes)).py_err()?) })
    }

    /// A tokenizer bundled with tokfare (`"qwen3"`).
    #[staticmethod]
    fn bundled(py: Python<'_>, name: &str) -> PyResult<Self> {
        Ok(PyTokenizer { inner: py.detach(|| hf::bundled(name)).py_err()? })
    }

    /// The tokenizer of an open-weight model (`"Qwen/Qwen3-8B"`): the bundled one, or
    /// `TokenizerFileNeeded` naming the file to load.
    #[staticmethod]
    fn for_model(py: Python<'_>, model: &str) -> PyResult<Self> {
        Ok(PyTokenizer { inner: py.detach(|| hf::tokenizer_for_model(model)).py_err()? })
    }

    #[getter]
    fn name(&self) -> &str {
        self.inner.name()
    }

    #[getter]
    fn engine(&self) -> String {
        self.inner.engine()
    }

    #[getter]
    fn is_native(&self) -> bool {
        self.inner.is_native()
    }

    #[getter]
    fn n_vocab(&self) -> usize {
        self.inner.n_vocab()
    }

    fn is_special_token(&self, token: Rank) -> bool {
        self.inner.is_special_token(token)
    }

    #[pyo3(signature = (text, *, add_special_tokens=false))]
    fn encode<'py>(&self, py: Python<'py>, text: &Bound<'_, PyString>, add_special_tokens: bool) -> PyResult<Bound<'py, PyList>> {
        let t = read_text(text)?;
        let inner = &self.inner;
        let ids = detach_if_long(py, t.len(), || inner.encode(&t, add_special_tokens)).py_err()?;
        self.ids_list(py, &ids)
    }

    fn encode_ordinary<'py>(&self, py: Python<'py>, text: &Bound<'_, PyString>) -> PyResult<Bound<'py, PyList>> {
        let t = read_text(text)?;
        let inner = &self.inner;
        let ids = detach_if_long(py, t.len(), || inner.encode_ordinary(&t)).py_err()?;
        self.ids_list(py, &ids)
    }

    fn count(&self, py: Python<'_>, text: &Bound<'_, PyString>) -> PyResult<usize> {
        let t = read_text(text)?;
        let inner = &self.inner;
        detach_if_long(py, t.len(), || inner.count(&t)).py_err()
    }

    fn count_until(&self, py: Python<'_>, text: &Bound<'_, PyString>, limit: i64) -> PyResult<Option<usize>> {
        let limit = usize::try_from(limit).map_err(|_| invalid_argument("limit", "must not be negative"))?;
        let t = read_text(text)?;
        let inner = &self.inner;
        detach_if_long(py, t.len(), || inner.count_until(&t, limit)).py_err()
    }

    #[pyo3(signature = (texts, *, add_special_tokens=false))]
    fn encode_batch<'py>(&self, py: Python<'py>, texts: &Bound<'_, PyAny>, add_special_tokens: bool) -> PyResult<Bound<'py, PyList>> {
        let all = read_texts(texts)?;
        let inner = &self.inner;
        let batch = py.detach(|| inner.encode_batch(&all, add_special_tokens)).py_err()?;
        PyList::new(py, batch.iter().map(|ids| self.ids_list(py, ids)).collect::<PyResult<Vec<_>>>()?)
    }

    fn count_batch(&self, py: Python<'_>, texts: &Bound<'_, PyAny>) -> PyResult<Vec<usize>> {
        let all = read_texts(texts)?;
        let inner = &self.inner;
        py.detach(|| inner.count_batch(&all)).py_err()
    }

    #[pyo3(signature = (tokens, *, skip_special_tokens=false))]
    fn decode(&self, tokens: Vec<Rank>, skip_special_tokens: bool) -> PyResult<String> {
        self.inner.decode(&tokens, skip_special_tokens).py_err()
    }

    #[pyo3(signature = (tokens, *, skip_special_tokens=false))]
    fn decode_bytes<'py>(&self, py: Python<'py>, tokens: Vec<Rank>, skip_special_tokens: bool) -> PyResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(py, &self.inner.decode_bytes(&tokens, skip_special_tokens).py_err()?))
    }

    fn __repr__(&self) -> String {
        format!("<Tokenizer {:?} ({})>", self.inner.name(), self.inner.engine())
    }
}
