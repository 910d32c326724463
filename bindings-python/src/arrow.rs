//! The native half of `tokfare.arrow` (`python/tokfare/arrow.py` has the Python-facing
//! functions): any object with `__arrow_c_array__` or `__arrow_c_stream__` in, the
//! core's [`tokfare::arrow`] on each chunk without the GIL, an arro3-style array or
//! chunked array (`__arrow_c_array__` / `__arrow_c_stream__`) out, named as the input.

use crate::encoding::PyEncoding;
use crate::errors::IntoPy;
use crate::hf::PyTokenizer;
use crate::text::pool;
use arrow_array::{Array, ArrayRef};
use arrow_schema::Field;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3_arrow::input::AnyArray;
use pyo3_arrow::{PyArray, PyChunkedArray};
use std::sync::Arc;
use tokfare::arrow::{count, encode, truncate};
use tokfare::{AnyTokenizer, Encoding};

/// An `Encoding` or a `Tokenizer` object.
fn tokenizer(obj: &Bound<'_, PyAny>) -> PyResult<AnyTokenizer> {
    if let Ok(e) = obj.cast::<PyEncoding>() {
        return Ok(AnyTokenizer::Encoding(e.get().inner.clone()));
    }
    if let Ok(t) = obj.cast::<PyTokenizer>() {
        return Ok(AnyTokenizer::HuggingFace(t.get().inner.clone()));
    }
    Err(PyTypeError::new_err(format!("expected a tokfare.Encoding or tokfare.Tokenizer, not {}", obj.get_type().name()?)))
}

/// `op` on every chunk of `strings` on a pool of `num_threads` threads, without the GIL
/// while it works; an array for an array, a chunked array for a stream.
fn each_chunk(
    py: Python<'_>,
    strings: AnyArray,
    num_threads: usize,
    op: impl Fn(&dyn Array) -> tokfare::Result<ArrayRef> + Sync,
) -> PyResult<Py<PyAny>> {
    each_chunk_at(py, strings, num_threads, |array, _| op(array))
}

/// [`each_chunk`] with each chunk's first row number in the column (for errors naming rows).
fn each_chunk_at(
    py: Python<'_>,
    strings: AnyArray,
    num_threads: usize,
    op: impl Fn(&dyn Array, usize) -> tokfare::Result<ArrayRef> + Sync,
) -> PyResult<Py<PyAny>> {
    let pool = pool(num_threads)?;
    let run = |array: &dyn Array, first_row: usize| py.detach(|| pool.install(|| op(array, first_row))).py_err();
    match strings {
        AnyArray::Array(array) => {
            let out = run(array.array().as_ref(), 0)?;
            let field = Arc::new(Field::new(array.field().name(), out.data_type().clone(), true));
            Ok(PyArray::try_new(out, field).map_err(|e| PyValueError::new_err(e.to_string()))?.into_pyobject(py)?.into_any().unbind())
        }
        AnyArray::Stream(stream) => {
            let reader = stream.into_reader()?;
            // The result's type: that of the result for an empty input of the stream's type.
            let input = reader.field();
            let empty = run(arrow_array::new_empty_array(input.data_type()).as_ref(), 0)?;
            let field = Arc::new(Field::new(input.name(), empty.data_type().clone(), true));
            let (mut chunks, mut first_row) = (Vec::new(), 0);
            for chunk in reader {
                let chunk = chunk.map_err(stream_error)?;
                chunks.push(run(chunk.as_ref(), first_row)?);
                first_row += chunk.len();
            }
            Ok(PyChunkedArray::try_new(chunks, field)?.into_pyobject(py)?.into_any().unbind())
        }
    }
}

/// Token counts (`int64`) of a string column.
#[pyfunction]
#[pyo3(signature = (strings, tokenizer_obj, num_threads))]
pub fn arrow_count(py: Python<'_>, strings: AnyArray, tokenizer_obj: &Bound<'_, PyAny>, num_threads: usize) -> PyResult<Py<PyAny>> {
    let tok = tokenizer(tokenizer_obj)?;
    each_chunk(py, strings, num_threads, |a| count(&tok, a).map(|c| Arc::new(c) as ArrayRef))
}

/// Ids (`list<uint32>`) of a string column.
#[pyfunction]
#[pyo3(signature = (strings, tokenizer_obj, num_threads))]
pub fn arrow_encode(py: Python<'_>, strings: AnyArray, tokenizer_obj: &Bound<'_, PyAny>, num_threads: usize) -> PyResult<Py<PyAny>> {
    let tok = tokenizer(tokenizer_obj)?;
    each_chunk(py, strings, num_threads, |a| encode(&tok, a).map(|l| Arc::new(l) as ArrayRef))
}

/// A string column cut to at most `max_tokens` tokens per row (an `Encoding` only).
#[pyfunction]
#[pyo3(signature = (strings, encoding, max_tokens, num_threads))]
pub fn arrow_truncate(
    py: Python<'_>,
    strings: AnyArray,
    encoding: &Bound<'_, PyAny>,
    max_tokens: usize,
    num_threads: usize,
) -> PyResult<Py<PyAny>> {
    let enc: Arc<Encoding> = match encoding.cast::<PyEncoding>() {
        Ok(e) => e.get().inner.clone(),
        Err(_) => {
            return Err(PyTypeError::new_err(format!(
                "truncate needs a tokfare.Encoding (an OpenAI encoding), not {}",
                encoding.get_type().name()?
            )))
        }
    };
    each_chunk(py, strings, num_threads, |a| truncate(&enc, a, max_tokens))
}

/// The event id of each usage-log line (null for null and for a line that is not an event).
#[pyfunction]
pub fn arrow_event_ids(py: Python<'_>, lines: AnyArray) -> PyResult<Py<PyAny>> {
    each_chunk(py, lines, 1, |a| tokfare::arrow::event_ids(a).map(|ids| Arc::new(ids) as ArrayRef))
}

/// A record batch for Python: a `pyarrow.RecordBatch` when pyarrow is installed, else
/// an object with `__arrow_c_array__` (any Arrow library reads it).
pub fn batch_to_py(py: Python<'_>, batch: arrow_array::RecordBatch) -> PyResult<Py<PyAny>> {
    let batch = pyo3_arrow::PyRecordBatch::new(batch);
    if py.import("pyarrow").is_ok() {
        return Ok(batch.into_pyarrow(py)?.unbind());
    }
    Ok(batch.into_pyobject(py)?.into_any().unbind())
}

/// Exact decimal text as `decimal128(precision, scale)`, refusing what does not fit.
#[pyfunction]
pub fn arrow_decimal128(py: Python<'_>, texts: AnyArray, precision: u8, scale: i8) -> PyResult<Py<PyAny>> {
    each_chunk_at(py, texts, 1, |a, first_row| tokfare::arrow::decimal128(a, first_row, precision, scale).map(|d| Arc::new(d) as ArrayRef))
}

/// Prices a table of usage (a record batch, table or stream), one request per row.
#[pyfunction]
#[pyo3(signature = (table, catalog=None, schedule=None))]
pub fn arrow_price_usage(
    py: Python<'_>,
    table: pyo3_arrow::input::AnyRecordBatch,
    catalog: Option<&Bound<'_, crate::pricing::PyCatalog>>,
    schedule: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let book = crate::pricing::book(catalog, schedule)?;
    let mut out = Vec::new();
    for batch in table.into_reader()? {
        let batch = batch.map_err(stream_error)?;
        out.push(py.detach(|| tokfare::arrow::price_usage(&book, &batch)).py_err()?);
    }
    batches_to_py(py, &tokfare::arrow::PRICE_SCHEMA, &out)
}

/// Record batches of one schema as one batch for Python ([`batch_to_py`]).
pub fn batches_to_py(py: Python<'_>, schema: &arrow_schema::SchemaRef, batches: &[arrow_array::RecordBatch]) -> PyResult<Py<PyAny>> {
    let batch = arrow_select::concat::concat_batches(schema, batches).map_err(|e| PyValueError::new_err(e.to_string()))?;
    batch_to_py(py, batch)
}

/// An error of an Arrow stream the caller handed over, as Python's ValueError.
pub fn stream_error(e: arrow_schema::ArrowError) -> PyErr {
    PyValueError::new_err(format!("reading the Arrow stream: {e}"))
}
