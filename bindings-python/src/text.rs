//! Python arguments -> core arguments: text (with tiktoken's handling of lone
//! surrogates), special-token sets, thread pools for `num_threads`.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyString;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokfare::SpecialSet;

/// The UTF-8 text of a Python `str`. A `str` holding surrogates (which UTF-8 cannot
/// encode) is converted as tiktoken converts it: through UTF-16 with `surrogatepass`,
/// decoded with `replace`, so a surrogate pair becomes its character and a lone
/// surrogate becomes U+FFFD.
pub fn text<'a>(s: &'a Bound<'_, PyString>) -> PyResult<Cow<'a, str>> {
    if let Some(text) = utf8(s) {
        return Ok(text);
    }
    let fixed = s.call_method1("encode", ("utf-16", "surrogatepass"))?.call_method1("decode", ("utf-16", "replace"))?;
    Ok(Cow::Owned(fixed.extract::<String>()?))
}

/// The `str`'s own UTF-8 buffer, which CPython makes on first request and keeps with
/// the `str` (as tiktoken reads it): no copy, and no conversion on later calls. None
/// for a `str` with surrogates. pyo3's abi3-py39 `to_cow` cannot do this (the call
/// is in the limited API only from 3.10): it encodes to a new `bytes` and copies that
/// on every call. Measured by alternating runs: a 73-byte message 0.435 -> 0.405 µs,
/// the corpus as 8 KiB documents ~3% faster (tiktoken reads the same cached buffer).
#[cfg(not(windows))]
fn utf8<'a>(s: &'a Bound<'_, PyString>) -> Option<Cow<'a, str>> {
    // Exported by every CPython since 3.3 (and by PyPy). Only on Windows does an abi3
    // module link to python3.dll, whose 3.9 build lacks it: there the copy stays.
    extern "C" {
        fn PyUnicode_AsUTF8AndSize(unicode: *mut pyo3::ffi::PyObject, size: *mut pyo3::ffi::Py_ssize_t) -> *const std::ffi::c_char;
    }
    let mut len: pyo3::ffi::Py_ssize_t = 0;
    // SAFETY: `s` is a live `str` and we hold the GIL; the buffer is owned by the
    // `str`, immutable, and lives as long as `s` (borrowed for 'a).
    let data = unsafe { PyUnicode_AsUTF8AndSize(s.as_ptr(), &mut len) };
    if data.is_null() {
        // UnicodeEncodeError for surrogates: the caller converts as tiktoken does.
        drop(PyErr::take(s.py()));
        return None;
    }
    // SAFETY: CPython's UTF-8 of a str without surrogates is valid UTF-8, `len` bytes.
    Some(Cow::Borrowed(unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(data.cast::<u8>(), len as usize)) }))
}

/// pyo3's copy, where the cached buffer cannot be reached (see above). None for a
/// `str` with surrogates.
#[cfg(windows)]
fn utf8<'a>(s: &'a Bound<'_, PyString>) -> Option<Cow<'a, str>> {
    s.to_cow().ok()
}

/// The texts of a list of `str`, each converted by [`text`].
pub fn texts(items: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    let mut out = Vec::new();
    for item in items.try_iter()? {
        let item = item?;
        let s = item.cast::<PyString>().map_err(|_| PyTypeError::new_err("expected a list of str"))?;
        out.push(text(s)?.into_owned());
    }
    Ok(out)
}

/// `"all"` or a collection of special-token strings, owned.
pub enum Specials {
    All,
    Listed(Vec<String>),
}

impl Specials {
    /// Reads tiktoken's `allowed_special` / `disallowed_special` argument.
    pub fn from_arg(arg: &Bound<'_, PyAny>, name: &str) -> PyResult<Specials> {
        if let Ok(s) = arg.cast::<PyString>() {
            return if s.to_cow()? == "all" {
                Ok(Specials::All)
            } else {
                Err(PyTypeError::new_err(format!("{name} must be \"all\" or a set of str, not the str {s}")))
            };
        }
        let mut listed = Vec::new();
        for item in arg.try_iter()? {
            listed.push(item?.extract::<String>()?);
        }
        Ok(Specials::Listed(listed))
    }

    /// The strings as a borrowed list (kept alive by the caller).
    pub fn refs(&self) -> Vec<&str> {
        match self {
            Specials::All => Vec::new(),
            Specials::Listed(v) => v.iter().map(String::as_str).collect(),
        }
    }

    /// The core's set, borrowing `refs`.
    pub fn set<'a>(&self, refs: &'a [&'a str]) -> SpecialSet<'a> {
        match self {
            Specials::All => SpecialSet::All,
            Specials::Listed(v) if v.is_empty() => SpecialSet::None,
            Specials::Listed(_) => SpecialSet::Some(refs),
        }
    }
}

/// tiktoken's `allowed_special` (default: none) and `disallowed_special` (default:
/// `"all"`, meaning every special token not allowed).
pub fn special_args(allowed: Option<&Bound<'_, PyAny>>, disallowed: Option<&Bound<'_, PyAny>>) -> PyResult<(Specials, Specials)> {
    let allowed = match allowed {
        Some(a) => Specials::from_arg(a, "allowed_special")?,
        None => Specials::Listed(Vec::new()),
    };
    let disallowed = match disallowed {
        Some(d) => Specials::from_arg(d, "disallowed_special")?,
        None => Specials::All,
    };
    Ok((allowed, disallowed))
}

/// A rayon pool of `n` threads, built once per size (tiktoken's `num_threads`).
pub fn pool(n: usize) -> PyResult<Arc<rayon::ThreadPool>> {
    static POOLS: Mutex<Option<HashMap<usize, Arc<rayon::ThreadPool>>>> = Mutex::new(None);
    let n = n.clamp(1, 256);
    let mut pools = POOLS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let map = pools.get_or_insert_with(HashMap::new);
    if let Some(p) = map.get(&n) {
        return Ok(p.clone());
    }
    let built = rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .thread_name(|i| format!("tokfare-{i}"))
        .build()
        .map_err(|e| crate::errors::invalid_argument("num_threads", e.to_string()))?;
    let built = Arc::new(built);
    map.insert(n, built.clone());
    Ok(built)
}
