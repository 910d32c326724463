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
pub fn to_js(err: tokfare::Error) -> JsValue {
    let error = js_sys::Error::new(&err.to_string());
    let code = js_code(err.code());
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(&error, &"code".into(), &code.into());
    error.into()
}

/// `TOKFARE_INVALID_ARGUMENT`.
pub fn invalid_argument(name: &'static str, reason: impl Into<String>) -> JsValue {
    to_js(tokfare::Error::InvalidArgument { name, reason: reason.into() })
}

/// `Result<T, tokfare::Error>` -> `Result<T, JsValue>`.
pub trait OrThrow<T> {
    fn or_throw(self) -> Result<T, JsValue>;
}

impl<T> OrThrow<T> for tokfare::Result<T> {
    fn or_throw(self) -> Result<T, JsValue> {
        self.map_err(to_js)
    }
}
