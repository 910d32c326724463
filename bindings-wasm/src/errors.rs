//! Core errors as JavaScript `Error` objects with the stable `code` property
//! (`TOKFARE_UNKNOWN_MODEL`, ...) that `js/errors.js` turns into error classes.

use wasm_bindgen::JsValue;

/// A core error as a thrown JS `Error` with `code`.
pub fn to_js(err: tokfare::Error) -> JsValue {
    let error = js_sys::Error::new(&err.to_string());
    let code = format!("TOKFARE_{}", err.code().to_ascii_uppercase());
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
