//! The one place tokfare errors become Python exceptions: the class for each stable
//! error code lives in `tokfare/_errors.py` (so it can subclass `ValueError` or
//! `KeyError` where tiktoken raises those), and carries the core's message and code.

use pyo3::prelude::*;

/// Converts a core error into the matching `tokfare.TokfareError` subclass.
pub fn to_py(err: tokfare::Error) -> PyErr {
    Python::attach(|py| {
        let build = || -> PyResult<PyErr> {
            let factory = py.import("tokfare._errors")?.getattr("from_code")?;
            Ok(PyErr::from_value(factory.call1((err.code(), err.to_string()))?))
        };
        build().unwrap_or_else(|e| e)
    })
}

/// `Result<T, tokfare::Error>` -> `PyResult<T>`.
pub trait IntoPy<T> {
    /// Maps the error with [`to_py`].
    fn py_err(self) -> PyResult<T>;
}

impl<T> IntoPy<T> for Result<T, tokfare::Error> {
    fn py_err(self) -> PyResult<T> {
        self.map_err(to_py)
    }
}

/// A `tokfare.InvalidArgument` for an argument the binding itself checks.
pub fn invalid_argument(name: &'static str, reason: impl Into<String>) -> PyErr {
    to_py(tokfare::Error::InvalidArgument { name, reason: reason.into() })
}
