//! Core errors as JavaScript `Error` objects with the stable `code` property
//! (`TOKFARE_UNKNOWN_MODEL`, ...) that `js/errors.js` turns into error classes.

use wasm_bindgen::JsValue;

/// `TOKFARE_` + the core's stable code, upper-cased.
fn js_code(code: &str) -> String {
    format!("TOKFARE_{}", code.to_ascii_uppercase())
}

/// Every code a module can throw, from the core's list: the tests check that
/// `js/errors.js` has a class for each.
#[wasm_bindgen::prelude::wasm_bindgen(js_name = errorCodes)]
pub fn error_codes() -> Vec<String> {
    tokfare::ERROR_CODES.iter().map(|code| js_code(code)).collect()
}

/// A core error as a thrown JS `Error` with `code`.
pub fn to_js(err: impl Into<tokfare::Error>) -> JsValue {
    let err: tokfare::Error = err.into();
    let error = js_sys::Error::new(&err.to_string());
    // `TOKFARE_<CODE>`, then a newline and the fields as JSON, as the Node addon does
    // (the shared JavaScript's `fromEngine` splits them).
    let code = if err.fields().is_empty() { js_code(err.code()) } else { format!("{}\n{}", js_code(err.code()), err.fields_json()) };
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(&error, &"code".into(), &code.into());
    error.into()
}

/// `TOKFARE_INVALID_ARGUMENT`.
pub fn invalid_argument(name: &'static str, reason: impl Into<String>) -> JsValue {
    to_js(tokfare::tokenizer::Error::InvalidArgument { name, reason: reason.into() })
}

/// `Result<T, E>` (any of the core's errors) -> `Result<T, JsValue>`.
pub trait OrThrow<T> {
    fn or_throw(self) -> Result<T, JsValue>;
}

impl<T, E: Into<tokfare::Error>> OrThrow<T> for Result<T, E> {
    fn or_throw(self) -> Result<T, JsValue> {
        self.map_err(to_js)
    }
}
