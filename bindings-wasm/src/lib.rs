//! The WebAssembly half of the `tokfare` browser/ESM package (wasm-bindgen). Thin like
//! the other bindings: argument conversion and one call into the core per function; the
//! JavaScript API (async `getEncoding`, option objects, error classes) is `js/index.js`.
//!
//! No vocabulary is compiled in: each encoding's packed vocabulary (`core/data/*.tfv`)
//! is a separate asset that the JavaScript side fetches on demand and hands to
//! [`load_encoding`], so a page that needs only o200k_base downloads only that.
//!
//! - `encoding`: tokenizers and chat counting;
//! - `pricing`: prices, estimates, the bundled catalog, the GTC 2026 tiers (JSON across
//!   the boundary, amounts as decimal strings);
//! - `errors`: core errors -> JS `Error`s with a stable `code`.

pub mod encoding;
pub mod hf;
pub mod errors;
pub mod pricing;
