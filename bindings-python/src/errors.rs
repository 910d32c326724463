//! The one place tokfare errors become Python exceptions: the class for each stable
//! error code lives in `tokfare/_errors.py` (so it can subclass `ValueError` or
//! `KeyError` where tiktoken raises those), and carries the core's message, code and
//! fields (`line`, `field`, `model`, `suggestions` ... as attributes).

use pyo3::prelude::*;

/// Converts a core error into the matching `tokfare.TokfareError` subclass.
pub fn to_py(err: impl Into<tokfare::Error>) -> PyErr {
    let err: tokfare::Error = err.into();
    Python::attach(|py| {
        let build = || -> PyResult<PyErr> {
            let fields = pyo3::types::PyDict::new(py);
            for (name, value) in err.fields() {
                match value {
                    tokfare::FieldValue::Text(t) => fields.set_item(name, t)?,
                    tokfare::FieldValue::Number(n) => fields.set_item(name, n)?,
                    tokfare::FieldValue::Texts(list) => fields.set_item(name, list)?,
                }
            }
            let factory = py.import("tokfare._errors")?.getattr("from_code")?;
            Ok(PyErr::from_value(factory.call1((err.code(), err.to_string(), fields))?))
        };
        build().unwrap_or_else(|e| e)
    })
}

/// `Result<T, E>` (any of the core's errors) -> `PyResult<T>`.
pub trait IntoPy<T> {
    /// Maps the error with [`to_py`].
    fn py_err(self) -> PyResult<T>;
}

impl<T, E: Into<tokfare::Error>> IntoPy<T> for Result<T, E> {
    fn py_err(self) -> PyResult<T> {
        self.map_err(to_py)
    }
}

/// A `tokfare.InvalidArgument` for an argument the binding itself checks.
pub fn invalid_argument(name: &'static str, reason: impl Into<String>) -> PyErr {
    to_py(tokfare::tokenizer::Error::InvalidArgument { name, reason: reason.into() })
}
