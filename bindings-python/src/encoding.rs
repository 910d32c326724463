//! `tokfare.Encoding`: tiktoken's `Encoding` API over the core, plus tokfare's
//! counting and splitting. Long encodes ([`crate::gil`]) and every batch run with the
//! GIL released.

use crate::errors::{to_py, IntoPy};
use crate::gil::detach_if_long;
use crate::text::{pool, special_args, text, texts};
use pyo3::exceptions::{PyKeyError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PySet, PyString, PyTuple};
use std::sync::Arc;
use tokfare::{Encoding, Rank, SpecialSet};

/// A tokenizer: one of the built-in encodings or a custom one.
#[pyclass(module = "tokfare", name = "Encoding", frozen)]
pub struct PyEncoding {
    pub inner: Arc<Encoding>,
    builtin: bool,
}

impl PyEncoding {
    fn new_wrapper(inner: Arc<Encoding>, builtin: bool) -> PyEncoding {
        PyEncoding { inner, builtin }
    }

    /// A Python list of the ids.
    fn ids_list<'py>(&self, py: Python<'py>, ids: &[Rank]) -> PyResult<Bound<'py, PyList>> {
        crate::id_list::ids_list(py, ids, self.inner.max_token_value())
    }

    /// `encode` with tiktoken's `allowed_special` / `disallowed_special` arguments.
    fn encode_with(
        &self,
        py: Python<'_>,
        text: &str,
        allowed_special: Option<&Bound<'_, PyAny>>,
        disallowed_special: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Rank>> {
        match (allowed_special, disallowed_special) {
            // The common call, without building sets.
            (None, None) => detach_if_long(py, text.len(), || self.inner.encode(text, SpecialSet::None, SpecialSet::All)).py_err(),
            (a, d) => {
                let (allowed, disallowed) = special_args(a, d)?;
                let (a, d) = (allowed.refs(), disallowed.refs());
                let (a, d) = (allowed.set(&a), disallowed.set(&d));
                detach_if_long(py, text.len(), || self.inner.encode(text, a, d)).py_err()
            }
        }
    }

    fn decode_errors<'py>(py: Python<'py>, bytes: Vec<u8>, errors: &str) -> PyResult<Bound<'py, PyAny>> {
        // Any `errors=` Python knows, with Python's own semantics.
        PyBytes::new(py, &bytes).call_method1("decode", ("utf-8", errors))
    }
}

#[pymethods]
impl PyEncoding {
    /// A built-in encoding by name (`Encoding("cl100k_base")`), or a custom one as in
    /// tiktoken: `Encoding(name, pat_str=..., mergeable_ranks={bytes: int},
    /// special_tokens={str: int}, explicit_n_vocab=None)`.
    #[new]
    #[pyo3(signature = (name, *, pat_str=None, mergeable_ranks=None, special_tokens=None, explicit_n_vocab=None))]
    fn new(
        py: Python<'_>,
        name: &str,
        pat_str: Option<&str>,
        mergeable_ranks: Option<&Bound<'_, PyDict>>,
        special_tokens: Option<&Bound<'_, PyDict>>,
        explicit_n_vocab: Option<usize>,
    ) -> PyResult<PyEncoding> {
        let (Some(pat_str), Some(ranks)) = (pat_str, mergeable_ranks) else {
            if pat_str.is_some() || mergeable_ranks.is_some() || special_tokens.is_some() {
                return Err(PyTypeError::new_err("a custom Encoding needs both pat_str and mergeable_ranks"));
            }
            return Ok(PyEncoding::new_wrapper(tokfare::get_encoding(name).py_err()?, true));
        };
        let mut pairs: Vec<(Vec<u8>, Rank)> = Vec::with_capacity(ranks.len());
        for (k, v) in ranks.iter() {
            pairs.push((k.extract::<Vec<u8>>().map_err(|_| PyTypeError::new_err("mergeable_ranks keys must be bytes"))?, v.extract()?));
        }
        let mut specials: Vec<(String, Rank)> = Vec::new();
        if let Some(st) = special_tokens {
            for (k, v) in st.iter() {
                specials.push((k.extract()?, v.extract()?));
            }
        }
        let name = name.to_string();
        let pattern = pat_str.to_string();
        let inner = py.detach(move || Encoding::new(&name, &pattern, pairs, specials, explicit_n_vocab)).py_err()?;
        Ok(PyEncoding::new_wrapper(Arc::new(inner), false))
    }

    fn __repr__(&self) -> String {
        format!("<Encoding '{}'>", self.inner.name())
    }

    /// The encoding's name.
    #[getter]
    fn name(&self) -> &str {
        self.inner.name()
    }

    /// Number of tokens (ordinary and special).
    #[getter]
    fn n_vocab(&self) -> usize {
        self.inner.n_vocab()
    }

    /// The largest token id.
    #[getter]
    fn max_token_value(&self) -> Rank {
        self.inner.max_token_value()
    }

    /// The id of `<|endoftext|>` (KeyError if the encoding has none, as in tiktoken).
    #[getter]
    fn eot_token(&self) -> PyResult<Rank> {
        self.inner.eot_token().ok_or_else(|| PyKeyError::new_err("<|endoftext|>"))
    }

    /// The special tokens' strings.
    #[getter]
    fn special_tokens_set<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PySet>> {
        PySet::new(py, self.inner.special_tokens().map(|(t, _)| t))
    }

    /// The pre-tokenization pattern (tiktoken's private `_pat_str`).
    #[getter]
    fn _pat_str(&self) -> &str {
        self.inner.pattern()
    }

    /// Special token -> id (tiktoken's private `_special_tokens`).
    #[getter]
    fn _special_tokens<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (t, id) in self.inner.special_tokens() {
            d.set_item(t, id)?;
        }
        Ok(d)
    }

    /// Token bytes -> id (tiktoken's private `_mergeable_ranks`; built on each access).
    #[getter]
    fn _mergeable_ranks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (id, bytes) in self.inner.mergeable_ranks() {
            d.set_item(PyBytes::new(py, bytes), id)?;
        }
        Ok(d)
    }

    /// Encodes text; special-token strings are ordinary text.
    fn encode_ordinary<'py>(&self, py: Python<'py>, text: &Bound<'py, PyString>) -> PyResult<Bound<'py, PyList>> {
        let t = crate::text::text(text)?;
        let ids = detach_if_long(py, t.len(), || self.inner.encode_ordinary(&t));
        self.ids_list(py, &ids)
    }

    /// Encodes text with tiktoken's special-token rules: a special token in the text
    /// that is disallowed (by default: all of them) raises DisallowedSpecialToken
    /// (a ValueError); allowed ones become their ids.
    #[pyo3(signature = (text, *, allowed_special=None, disallowed_special=None))]
    fn encode<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyString>,
        allowed_special: Option<&Bound<'py, PyAny>>,
        disallowed_special: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let t = crate::text::text(text)?;
        let ids = self.encode_with(py, &t, allowed_special, disallowed_special)?;
        self.ids_list(py, &ids)
    }

    /// `encode` returning a numpy uint32 array (no intermediate list).
    #[pyo3(signature = (text, *, allowed_special=None, disallowed_special=None))]
    fn encode_to_numpy<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyString>,
        allowed_special: Option<&Bound<'py, PyAny>>,
        disallowed_special: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let t = crate::text::text(text)?;
        let ids = self.encode_with(py, &t, allowed_special, disallowed_special)?;
        // The ids' bytes written straight into the `bytes` object, in native order, as
        // tiktoken's buffer is (dtype `uint32`).
        let bytes = PyBytes::new_with(py, ids.len() * 4, |buf| {
            for (out, id) in buf.chunks_exact_mut(4).zip(&ids) {
                out.copy_from_slice(&id.to_ne_bytes());
            }
            Ok(())
        })?;
        let numpy = py.import("numpy")?;
        let array = numpy.call_method1("frombuffer", (bytes, numpy.getattr("uint32")?))?;
        // frombuffer over immutable bytes is read-only; tiktoken's array is too.
        Ok(array)
    }

    /// tiktoken's private `_encode_bytes` (its tests use it): the tokens of bytes that
    /// need not be valid UTF-8 (see `tokfare::Encoding::encode_bytes`).
    fn _encode_bytes<'py>(&self, py: Python<'py>, text: &[u8]) -> PyResult<Bound<'py, PyList>> {
        let inner = &self.inner;
        let ids = py.detach(|| inner.encode_bytes(text));
        self.ids_list(py, &ids)
    }

    /// tiktoken's `encode_with_unstable`: `(stable tokens, completions)`, where the
    /// completions are every token sequence that could begin the unstable end of the
    /// text (a list of lists, sorted; tiktoken's order is arbitrary).
    #[pyo3(signature = (text, *, allowed_special=None, disallowed_special=None))]
    fn encode_with_unstable<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyString>,
        allowed_special: Option<&Bound<'py, PyAny>>,
        disallowed_special: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let t = crate::text::text(text)?;
        let (allowed, disallowed) = special_args(allowed_special, disallowed_special)?;
        let inner = &self.inner;
        let (tokens, completions) = py
            .detach(|| {
                let (a, d) = (allowed.refs(), disallowed.refs());
                inner.encode_with_unstable(&t, allowed.set(&a), disallowed.set(&d))
            })
            .py_err()?;
        let completions = PyList::new(py, completions.iter().map(|c| self.ids_list(py, c)).collect::<PyResult<Vec<_>>>()?)?;
        PyTuple::new(py, [self.ids_list(py, &tokens)?.into_any(), completions.into_any()])
    }

    /// Encodes many texts in parallel (`num_threads` threads, GIL released).
    #[pyo3(signature = (text, *, num_threads=8, allowed_special=None, disallowed_special=None))]
    fn encode_batch<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyAny>,
        num_threads: usize,
        allowed_special: Option<&Bound<'py, PyAny>>,
        disallowed_special: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let docs = texts(text)?;
        let (allowed, disallowed) = special_args(allowed_special, disallowed_special)?;
        let (a, d) = (allowed.refs(), disallowed.refs());
        let (a, d) = (allowed.set(&a), disallowed.set(&d));
        let inner = &self.inner;
        crate::batch::pipelined(
            py,
            &docs,
            num_threads,
            |doc| inner.encode(doc, a, d),
            |ids| Ok(self.ids_list(py, &ids.py_err()?)?.into_any()),
        )
    }

    /// `encode_ordinary` over many texts in parallel.
    #[pyo3(signature = (text, *, num_threads=8))]
    fn encode_ordinary_batch<'py>(&self, py: Python<'py>, text: &Bound<'py, PyAny>, num_threads: usize) -> PyResult<Bound<'py, PyList>> {
        let docs = texts(text)?;
        let inner = &self.inner;
        crate::batch::pipelined(py, &docs, num_threads, |doc| inner.encode_ordinary(doc), |ids| Ok(self.ids_list(py, &ids)?.into_any()))
    }

    /// The id of one token given as `str` or `bytes` (KeyError if it is not one token).
    fn encode_single_token(&self, text_or_bytes: &Bound<'_, PyAny>) -> PyResult<Rank> {
        let bytes: Vec<u8> = match text_or_bytes.cast::<PyString>() {
            Ok(s) => text(s)?.as_bytes().to_vec(),
            Err(_) => text_or_bytes.extract()?,
        };
        self.inner.encode_single_token(&bytes).map_err(|e| match e {
            tokfare::tokenizer::Error::NotASingleToken { .. } => {
                Python::attach(|py| PyKeyError::new_err(PyBytes::new(py, &bytes).unbind()))
            }
            other => to_py(other),
        })
    }

    /// Number of tokens of `encode_ordinary(text)`, without building the ids.
    fn count(&self, py: Python<'_>, text: &Bound<'_, PyString>) -> PyResult<usize> {
        let t = crate::text::text(text)?;
        Ok(detach_if_long(py, t.len(), || self.inner.count(&t)))
    }

    /// The token count if it is at most `limit`, else None (stops counting early).
    fn count_until(&self, py: Python<'_>, text: &Bound<'_, PyString>, limit: usize) -> PyResult<Option<usize>> {
        let t = crate::text::text(text)?;
        Ok(py.detach(|| self.inner.count_until(&t, limit)))
    }

    /// Token counts of many texts in parallel.
    #[pyo3(signature = (text, *, num_threads=8))]
    fn count_batch(&self, py: Python<'_>, text: &Bound<'_, PyAny>, num_threads: usize) -> PyResult<Vec<usize>> {
        let docs = texts(text)?;
        let pool = pool(num_threads)?;
        let inner = &self.inner;
        Ok(py.detach(|| pool.install(|| inner.count_batch(&docs))))
    }

    /// The longest prefix of `text` of at most `max_tokens` tokens, cut on a token boundary.
    fn truncate(&self, py: Python<'_>, text: &Bound<'_, PyString>, max_tokens: usize) -> PyResult<String> {
        let t = crate::text::text(text)?;
        Ok(py.detach(|| self.inner.truncate(&t, max_tokens).to_string()))
    }

    /// Consecutive pieces of `text`, each of at most `max_tokens` tokens.
    fn chunks(&self, py: Python<'_>, text: &Bound<'_, PyString>, max_tokens: usize) -> PyResult<Vec<String>> {
        let t = crate::text::text(text)?;
        let parts = py.detach(|| self.inner.chunks(&t, max_tokens).map(|v| v.into_iter().map(str::to_string).collect::<Vec<_>>()));
        parts.py_err()
    }

    /// The bytes of a sequence of ids (UnknownTokenId, a KeyError, for ids not in the vocabulary).
    fn decode_bytes<'py>(&self, py: Python<'py>, tokens: Vec<Rank>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = self.inner.decode_bytes(&tokens).py_err()?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// Decodes ids to text; invalid UTF-8 is handled by `errors` as `bytes.decode` does.
    #[pyo3(signature = (tokens, errors="replace"))]
    fn decode<'py>(&self, py: Python<'py>, tokens: Vec<Rank>, errors: &str) -> PyResult<Bound<'py, PyAny>> {
        if errors == "replace" {
            return Ok(PyString::new(py, &self.inner.decode_lossy(&tokens).py_err()?).into_any());
        }
        let bytes = self.inner.decode_bytes(&tokens).py_err()?;
        Self::decode_errors(py, bytes, errors)
    }

    /// Decodes many sequences (in parallel).
    #[pyo3(signature = (batch, *, errors="replace", num_threads=8))]
    fn decode_batch<'py>(
        &self,
        py: Python<'py>,
        batch: Vec<Vec<Rank>>,
        errors: &str,
        num_threads: usize,
    ) -> PyResult<Vec<Bound<'py, PyAny>>> {
        let pool = pool(num_threads)?;
        let inner = &self.inner;
        let decoded: Vec<tokfare::tokenizer::Result<Vec<u8>>> =
            py.detach(|| pool.install(|| batch.iter().map(|ids| inner.decode_bytes(ids)).collect()));
        decoded.into_iter().map(|bytes| Self::decode_errors(py, bytes.py_err()?, errors)).collect()
    }

    /// The bytes of one token (KeyError if it is not a token).
    fn decode_single_token_bytes<'py>(&self, py: Python<'py>, token: Rank) -> PyResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(py, self.inner.decode_single_token_bytes(token).py_err()?))
    }

    /// The bytes of each token.
    fn decode_tokens_bytes<'py>(&self, py: Python<'py>, tokens: Vec<Rank>) -> PyResult<Vec<Bound<'py, PyBytes>>> {
        tokens.iter().map(|&t| Ok(PyBytes::new(py, self.inner.decode_single_token_bytes(t).py_err()?))).collect()
    }

    /// `(text, offsets)`: the text and the character index where each token starts
    /// (a token that starts inside a character gets that character's index), as tiktoken.
    fn decode_with_offsets<'py>(&self, py: Python<'py>, tokens: Vec<Rank>) -> PyResult<Bound<'py, PyTuple>> {
        let mut offsets = Vec::with_capacity(tokens.len());
        let mut bytes = Vec::new();
        let mut text_len: usize = 0;
        for &t in &tokens {
            let token = self.inner.decode_single_token_bytes(t).py_err()?;
            let continuation = |b: &u8| (0x80..0xC0).contains(b);
            let starts_inside = token.first().is_some_and(continuation);
            offsets.push(text_len.saturating_sub(usize::from(starts_inside)));
            text_len += token.iter().filter(|b| !continuation(b)).count();
            bytes.extend_from_slice(token);
        }
        let text = Self::decode_errors(py, bytes, "strict")?;
        PyTuple::new(py, [text, PyList::new(py, offsets)?.into_any()])
    }

    /// Every ordinary token's bytes, sorted (as tiktoken).
    fn token_byte_values<'py>(&self, py: Python<'py>) -> Vec<Bound<'py, PyBytes>> {
        self.inner.token_byte_values().into_iter().map(|b| PyBytes::new(py, b)).collect()
    }

    /// Whether `token` is a special token's id.
    fn is_special_token(&self, token: Rank) -> bool {
        self.inner.is_special_token(token)
    }

    /// Pickling: a built-in encoding pickles as its name; a custom one as its parts.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let module = py.import("tokfare")?;
        if self.builtin {
            let args = PyTuple::new(py, [self.inner.name()])?;
            return PyTuple::new(py, [module.getattr("get_encoding")?, args.into_any()]);
        }
        let args = PyTuple::new(
            py,
            [
                PyString::new(py, self.inner.name()).into_any(),
                PyString::new(py, self.inner.pattern()).into_any(),
                self._mergeable_ranks(py)?.into_any(),
                self._special_tokens(py)?.into_any(),
            ],
        )?;
        PyTuple::new(py, [module.getattr("_rebuild_encoding")?, args.into_any()])
    }
}

/// The encoding name tiktoken 0.14 maps a model name to (UnknownModel, a KeyError, if none).
#[pyfunction]
pub fn encoding_name_for_model(model: &str) -> PyResult<&'static str> {
    tokfare::encoding_name_for_model(model).py_err()
}

/// The names of the built-in encodings.
#[pyfunction]
pub fn list_encoding_names() -> Vec<&'static str> {
    tokfare::list_encoding_names().to_vec()
}

/// Estimated prompt tokens of an OpenAI-style chat request: the messages (with names
/// and tool calls), the tool definitions, and the per-message overheads of the model's
/// family (OpenAI cookbook method; exact for plain text messages).
#[pyfunction]
#[pyo3(signature = (messages, model, tools=None))]
pub fn count_chat(py: Python<'_>, messages: &Bound<'_, PyAny>, model: &str, tools: Option<&Bound<'_, PyAny>>) -> PyResult<usize> {
    let json = py.import("json")?;
    let messages: String = json.call_method1("dumps", (messages,))?.extract()?;
    let tools: Option<String> = match tools {
        Some(t) => Some(json.call_method1("dumps", (t,))?.extract()?),
        None => None,
    };
    py.detach(|| tokfare::chat::count_chat_json(&messages, tools.as_deref(), model)).py_err()
}
