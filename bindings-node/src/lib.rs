//! The native half of the `tokfare` npm package (napi-rs). It is deliberately thin:
//! argument conversion and one call into the core per function. Idiomatic JavaScript
//! (option objects, error subclasses, `Usage` and `Cost` objects) lives in `lib/`.
//!
//! - `encoding`: tokenizers, sync and async (`tasks`: the libuv thread pool);
//! - `hf`: Hugging Face tokenizer.json models;
//! - `pricing`: usage parsing, prices, catalogs, schedules, the GTC 2026 tiers;
//! - `meter`: the idempotent usage meter and invoices;
//! - `request`: request bodies' prompt tokens for any model (exact or labelled approximate);
//! - `errors`: core errors -> JS errors with a stable `code`;
//! - `text`: JS strings -> UTF-8 in one pass.

pub mod encoding;
pub mod errors;
pub mod hf;
pub mod meter;
pub mod pricing;
pub mod request;
pub mod tasks;
pub mod text;
