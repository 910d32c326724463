//! Python lists of token ids, the result of every encode: the one part of an encode
//! that runs per token in Python objects, so it is built as cheaply as CPython allows.
//!
//! - The ints come from one table of ready-made Python ints, shared by every encoding
//!   of the process (an id is the same int whatever the vocabulary) and grown to the
//!   largest id seen: a list is then one reference increment per token instead of an
//!   int allocation, and a new `Encoding` neither rebuilds nor re-warms the table.
//! - On CPython the increments are done in place and the list's item array is written
//!   directly (as C extensions built against the 3.9 limited API do with `Py_INCREF`,
//!   and as `PyList_SET_ITEM` does): no two C-API calls per token. The list layout is
//!   checked once on a real list first; where it does not match (or on other
//!   interpreters) the C-API calls are used.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyInt, PyList};
use std::sync::{RwLock, RwLockReadGuard};
use tokfare::Rank;

/// Encodings with ids up to this take their ints from the table; larger ids (custom
/// vocabularies of millions of tokens) get new ints, as pyo3 makes them.
pub const TABLE_MAX_ID: Rank = 1 << 21;

/// Ids up to this are CPython's shared small ints, immortal from 3.12 on: their
/// reference count must only change through the C API.
const SMALL_INT_MAX: Rank = 256;

/// `TABLE[id]` is the Python int `id`; only grows, never freed (at most
/// [`TABLE_MAX_ID`] ints, 64 MiB, for the largest vocabulary the process loads).
static TABLE: RwLock<Vec<Py<PyInt>>> = RwLock::new(Vec::new());

fn table() -> RwLockReadGuard<'static, Vec<Py<PyInt>>> {
    TABLE.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Makes the table cover ids `0..=max`.
fn cover(py: Python<'_>, max: Rank) {
    let have = table().len();
    if have > max as usize {
        return;
    }
    // Made before taking the write lock, so no lock is held while Python allocates.
    let more: Vec<Py<PyInt>> = (have as Rank..=max).map(|id| PyInt::new(py, id).unbind()).collect();
    let mut table = TABLE.write().unwrap_or_else(|poisoned| poisoned.into_inner());
    if table.len() == have {
        table.extend(more);
    }
}

/// The Python list `[int(id) for id in ids]`, for ids of a vocabulary whose largest
/// id is `max_id` (the table is grown to it first).
pub fn ids_list<'py>(py: Python<'py>, ids: &[Rank], max_id: Rank) -> PyResult<Bound<'py, PyList>> {
    if max_id >= TABLE_MAX_ID {
        return PyList::new(py, ids);
    }
    cover(py, max_id);
    let len = ffi::Py_ssize_t::try_from(ids.len()).map_err(|_| pyo3::exceptions::PyOverflowError::new_err("too many tokens for a list"))?;
    // SAFETY: the GIL is held; a new list of `len` NULL items, each set exactly once
    // below before the list is returned (a list with NULL items is safe to drop).
    let list = unsafe { Bound::from_owned_ptr_or_err(py, ffi::PyList_New(len))?.cast_into_unchecked::<PyList>() };
    // No Python code runs while the table is read (below are only reference
    // increments and, for an id beyond the table, a new int), so no call re-enters it.
    let table = table();
    match items_offset(py) {
        Some(offset) => {
            // SAFETY: checked by `items_offset`: at `offset` in a list object is the
            // pointer to its item array, `len` slots long for this list.
            let items = unsafe { *(list.as_ptr().cast::<u8>().add(offset) as *const *mut *mut ffi::PyObject) };
            for (i, &id) in ids.iter().enumerate() {
                let Some(int) = table.get(id as usize) else {
                    // SAFETY: `i < len`; the new int's reference goes to the list.
                    unsafe { *items.add(i) = new_int(py, id) };
                    continue;
                };
                let int = int.as_ptr();
                // SAFETY: `int` is a live int the table owns a reference to; `i < len`.
                unsafe {
                    if id > SMALL_INT_MAX {
                        // A table int is an ordinary object (never immortal): its count
                        // is the first field, as in every CPython with the GIL.
                        *(int as *mut ffi::Py_ssize_t) += 1;
                    } else {
                        ffi::Py_IncRef(int);
                    }
                    *items.add(i) = int;
                }
            }
        }
        None => {
            for (i, &id) in ids.iter().enumerate() {
                let int = match table.get(id as usize) {
                    Some(int) => {
                        // SAFETY: a live int the table owns a reference to.
                        unsafe { ffi::Py_IncRef(int.as_ptr()) };
                        int.as_ptr()
                    }
                    None => new_int(py, id),
                };
                // SAFETY: `i < len`; `PyList_SetItem` steals the new reference.
                unsafe { ffi::PyList_SetItem(list.as_ptr(), i as ffi::Py_ssize_t, int) };
            }
        }
    }
    Ok(list)
}

/// A new reference to a new int `id`, for an id beyond the table (an id the vocabulary's
/// largest did not announce: never expected, but not a reason to fail).
fn new_int(py: Python<'_>, id: Rank) -> *mut ffi::PyObject {
    PyInt::new(py, id).into_ptr()
}

/// Where a list object keeps the pointer to its item array, if this interpreter is
/// CPython and lays lists out as CPython does (`PyObject_VAR_HEAD`, then `ob_item`):
/// checked once against a real list.
fn items_offset(py: Python<'_>) -> Option<usize> {
    static OFFSET: PyOnceLock<Option<usize>> = PyOnceLock::new();
    *OFFSET.get_or_init(py, || {
        let cpython = py
            .import("sys")
            .and_then(|sys| sys.getattr("implementation")?.getattr("name")?.extract::<String>())
            .is_ok_and(|name| name == "cpython");
        if !cpython {
            return None;
        }
        let offset = 3 * std::mem::size_of::<usize>();
        let probe = PyInt::new(py, 123_456_789);
        let list = PyList::new(py, [&probe]).ok()?;
        // SAFETY: a list object is at least `PyVarObject` plus one pointer long on
        // every CPython, so the read stays inside it.
        let items = unsafe { *(list.as_ptr().cast::<u8>().add(offset) as *const *const *mut ffi::PyObject) };
        // SAFETY: if `items` is the item array, its first slot is the probe.
        (!items.is_null() && unsafe { *items } == probe.as_ptr()).then_some(offset)
    })
}
