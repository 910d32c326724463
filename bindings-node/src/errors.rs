//! The one place core errors become JavaScript errors.
//!
//! Every error thrown by the addon carries a stable `code` (`TOKFARE_UNKNOWN_MODEL`, ...,
//! the core's snake_case code upper-cased). The package's JavaScript layer
//! (`lib/errors.cjs`) turns each code into its `TokfareError` subclass, so this file
//! only has to get the code and message right, synchronously and for promises alike.

use napi::bindgen_prelude::*;

/// The `code` property of a thrown error.
pub struct Code(String);

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// `TOKFARE_` + the core's stable code, upper-cased.
fn js_code(code: &str) -> String {
    format!("TOKFARE_{}", code.to_ascii_uppercase())
}

/// `TOKFARE_<CODE>`, then a newline and the error's fields as JSON when it has any: the
/// shared JavaScript (`fromEngine`) splits them and sets the fields as properties.
fn code_of(err: &tokfare::Error) -> Code {
    let code = js_code(err.code());
    if err.fields().is_empty() {
        Code(code)
    } else {
        Code(format!("{code}\n{}", err.fields_json()))
    }
}

/// Every code the addon can throw, from the core's list: the tests check that
/// `lib/errors.cjs` has a class for each.
#[napi_derive::napi]
pub fn error_codes() -> Vec<String> {
    tokfare::ERROR_CODES.iter().map(|code| js_code(code)).collect()
}

/// A core error as a thrown JavaScript error.
pub fn to_js(err: impl Into<tokfare::Error>) -> napi::Error<Code> {
    let err: tokfare::Error = err.into();
    napi::Error::new(code_of(&err), err.to_string())
}

/// A promise rejection with the same `code` as [`to_js`]: async work reports errors
/// through napi's plain `Error<Status>`, so the JS error object is built here, on the
/// JS thread, and handed over by reference.
pub fn rejection(env: &Env, err: impl Into<tokfare::Error>) -> napi::Error {
    let object = JsError::from(to_js(err)).into_unknown(*env);
    napi::Error::from(object)
}

/// `TOKFARE_INVALID_ARGUMENT` for an argument the addon checks itself.
pub fn invalid_argument(name: &'static str, reason: impl Into<String>) -> napi::Error<Code> {
    to_js(tokfare::tokenizer::Error::InvalidArgument { name, reason: reason.into() })
}

/// `tokfare::Result<T>`, the tokenizer's or the pricing crate's (or a napi result) -> `Result<T, Code>`, the result type of every exported function
/// (napi-rs recognises a return type named `Result`, so it is spelled out, not aliased).
pub trait OrThrow<T> {
    /// Maps the error with [`to_js`].
    fn or_throw(self) -> Result<T, Code>;
}

impl<T> OrThrow<T> for tokfare::Result<T> {
    fn or_throw(self) -> Result<T, Code> {
        self.map_err(to_js)
    }
}

impl<T> OrThrow<T> for tokfare::tokenizer::Result<T> {
    fn or_throw(self) -> Result<T, Code> {
        self.map_err(to_js)
    }
}

impl<T> OrThrow<T> for tokfare::pricing::Result<T> {
    fn or_throw(self) -> Result<T, Code> {
        self.map_err(to_js)
    }
}

impl<T> OrThrow<T> for napi::Result<T> {
    fn or_throw(self) -> Result<T, Code> {
        self.map_err(|e| napi::Error::new(Code(e.status.as_ref().to_string()), e.reason))
    }
}

/// A count as a JS number; counts above 2^53 would lose precision, so they are an error.
pub fn safe_number(name: &'static str, value: u64) -> Result<f64, Code> {
    const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;
    if value > MAX_SAFE_INTEGER {
        return Err(to_js(tokfare::pricing::Error::Overflow(format!("{name} = {value} is above Number.MAX_SAFE_INTEGER"))));
    }
    Ok(value as f64)
}

/// A JS number that must be a non-negative integer (a count, a limit, a token budget).
pub fn whole_number(name: &'static str, value: f64) -> Result<u64, Code> {
    if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value <= 9_007_199_254_740_991.0 {
        Ok(value as u64)
    } else {
        Err(invalid_argument(name, format!("must be a non-negative integer, got {value}")))
    }
}
