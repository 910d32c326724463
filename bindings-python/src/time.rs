//! Moments from Python: timezone-aware `datetime`s, RFC 3339 strings or Unix seconds
//! become UTC instants (used by pricing's `at` and the meter's timestamps).

use crate::errors::{invalid_argument, IntoPy};
use chrono::{DateTime, Utc};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyString;

/// A UTC instant from a timezone-aware `datetime`, RFC 3339 `str` or Unix seconds `int`.
pub fn timestamp(value: &Bound<'_, PyAny>) -> PyResult<DateTime<Utc>> {
    if let Ok(s) = value.cast::<PyString>() {
        return tokfare::price::parse_timestamp("timestamp", &s.to_cow()?).py_err();
    }
    if let Ok(secs) = value.extract::<i64>() {
        return DateTime::from_timestamp(secs, 0).ok_or_else(|| invalid_argument("timestamp", format!("{secs} is out of range")));
    }
    if value.hasattr("isoformat")? {
        if value.getattr("tzinfo")?.is_none() {
            return Err(invalid_argument("timestamp", "a naive datetime is ambiguous; give it a timezone (e.g. timezone.utc)"));
        }
        let iso: String = value.call_method0("isoformat")?.extract()?;
        return timestamp(&PyString::new(value.py(), &iso).into_any());
    }
    Err(PyTypeError::new_err("timestamp must be a timezone-aware datetime, an RFC 3339 str or Unix seconds"))
}

pub fn now(py: Python<'_>) -> PyResult<DateTime<Utc>> {
    let datetime = py.import("datetime")?;
    let utc = datetime.getattr("timezone")?.getattr("utc")?;
    let t = datetime.getattr("datetime")?.call_method1("now", (utc,))?;
    timestamp(&t)
}
