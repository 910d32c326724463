//! `countRequest`: a request body's prompt tokens for a model, exact or a labelled
//! approximation (`tokfare::request`).

use crate::errors::{Code, OrThrow};
use napi::bindgen_prelude::*;
use napi_derive::napi;

/// A request's prompt tokens on a model, and how sure that is.
#[napi(object)]
pub struct RequestCount {
    pub tokens: f64,
    pub exact: bool,
    /// `[low, high]`: the expected error of the provider's count relative to `tokens`,
    /// per mille; null when nothing calibrates the approximation.
    pub band_permille: Option<Vec<i32>>,
    /// The band in words (`"-2.0%..+3.0%"`), or null.
    pub band: Option<String>,
    pub tokenizer: String,
    pub profile: String,
    pub note: String,
}

/// The prompt tokens of `body` (JSON text) in `format` for `model`.
#[napi]
pub fn count_request(model: String, format: String, body: String) -> Result<RequestCount, Code> {
    let format = format.parse::<tokfare::request::RequestFormat>().or_throw()?;
    let c = tokfare::request::count_request(&model, format, &body).or_throw()?;
    Ok(RequestCount {
        tokens: c.tokens as f64,
        exact: c.exact,
        band_permille: c.band.map(|b| vec![b.low_permille, b.high_permille]),
        band: c.band.map(|b| b.to_string()),
        tokenizer: c.tokenizer,
        profile: c.profile.to_string(),
        note: c.note,
    })
}
