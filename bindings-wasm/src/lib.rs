//! The WebAssembly half of the `tokfare` browser/ESM package (wasm-bindgen). Thin like
//! the other bindings: argument conversion and one call into the core per function; the
//! JavaScript API (async `getEncoding`, option objects, error classes) is `js/index.js`.
//!
//! No vocabulary is compiled in: each encoding's packed vocabulary (`crates/tokenizer/data/*.tfv`)
//! is a separate asset that the JavaScript side fetches on demand and hands to
//! [`load_encoding`], so a page that needs only o200k_base downloads only that.
//!
//! Pricing is a second, separate module (`pricing/`, crate `tokfare-wasm-pricing`), so
//! an app that only counts tokens downloads the tokenizer engine alone.
//!
//! - `encoding`: tiktoken encodings and chat counting;
//! - `hf`: Hugging Face `tokenizer.json` tokenizers;
//! - `errors`: core errors -> JS `Error`s with a stable `code` (shared with `pricing/`).

pub mod encoding;
pub mod errors;
pub mod hf;
