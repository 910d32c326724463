//! # tokfare
//!
//! Count and price LLM tokens exactly. This crate joins two crates and owns the steps
//! every front-end (CLI, Python, Node, WebAssembly) shares:
//!
//! - [`tokfare_tokenizer`] (re-exported at the root: [`Encoding`], [`get_encoding`],
//!   [`hf`] ...): exact byte-level BPE, the same ids as OpenAI's `tiktoken` for
//!   `r50k_base`, `p50k_base`, `p50k_edit`, `cl100k_base`, `o200k_base` and
//!   `o200k_harmony` (vocabularies embedded, no network), and Hugging Face
//!   `tokenizer.json` models;
//! - [`tokfare_pricing`] (re-exported as [`price`] and [`meter`], the `pricing` feature,
//!   on by default): exact decimal money, usage parsers, schedules, the model price
//!   catalog and the meter.
//!
//! ```
//! let enc = tokfare::encoding_for_model("gpt-4o")?;
//! let ids = enc.encode_ordinary("hello world");
//! assert_eq!(enc.count("hello world"), ids.len());
//! assert_eq!(enc.decode(&ids)?, "hello world");
//! // Special tokens follow tiktoken's rules: refused unless allowed.
//! use tokfare::SpecialSet;
//! assert!(enc.encode("<|endoftext|>", SpecialSet::None, SpecialSet::All).is_err());
//! assert_eq!(enc.encode("<|endoftext|>", SpecialSet::All, SpecialSet::None)?, vec![199999]);
//! # Ok::<(), tokfare::Error>(())
//! ```
//!
//! - [`request`] (the `request` feature): the prompt tokens of a request body in the
//!   format users send (OpenAI, Anthropic Messages, Gemini, Vercel AI SDK) for any
//!   model: exact where its tokenizer is public, otherwise a labelled approximation with
//!   its error band.
//!
//! Data flows one way: text -> [pre-tokenizer](pretokenize) -> BPE -> ids -> count ->
//! [usage](price::Usage) -> [schedule](price::Schedule) -> cost -> [meter](meter) -> invoice.
#![deny(missing_docs)]

#[cfg(feature = "arrow")]
pub mod arrow;
#[cfg(feature = "catalog-update")]
pub mod catalog_update;
mod error;
#[cfg(feature = "pricing")]
mod estimate;
#[cfg(feature = "request")]
pub mod request;

pub use error::{Error, FieldValue, Result, ERROR_CODES};
#[cfg(feature = "pricing")]
pub use estimate::{estimate, estimate_with, mark_approximate, mark_count, tokenizer_for_estimate};
/// The pricing crate, whole.
#[cfg(feature = "pricing")]
pub use tokfare_pricing as pricing;
#[cfg(feature = "pricing")]
pub use tokfare_pricing::{meter, price};
/// The tokenizer crate, whole.
pub use tokfare_tokenizer as tokenizer;
#[cfg(feature = "hf")]
pub use tokfare_tokenizer::hf;
pub use tokfare_tokenizer::{
    chat, count_is_exact, encoding_for_model, encoding_from_packed, encoding_name_for_model, get_encoding, list_encoding_names,
    packed_vocabulary_file, pretokenize, text_from_utf8, AnyTokenizer, Encoding, ModelTokenizer, Rank, SliceCounter, SpecialSet,
    TokenCounter, Tokenize, TokenizerSource, APPROXIMATION_ENCODING, ENCODING_NAMES,
};
