//! # tokfare-tokenizer
//!
//! The tokenizer half of [tokfare](https://docs.rs/tokfare): text -> ids, counts and
//! back, with no pricing code. Most users depend on `tokfare`, which re-exports this
//! crate and joins it to the pricing crate.
//!
//! Exact and fast byte-level BPE tokenization: the same ids as OpenAI's `tiktoken`
//! for `r50k_base`, `p50k_base`, `p50k_edit`, `cl100k_base`, `o200k_base` and
//! `o200k_harmony` (vocabularies embedded, no network), plus custom encodings.
//!
//! ```
//! let enc = tokfare_tokenizer::encoding_for_model("gpt-4o")?;
//! let ids = enc.encode_ordinary("hello world");
//! assert_eq!(enc.count("hello world"), ids.len());
//! assert_eq!(enc.decode(&ids)?, "hello world");
//! // Special tokens follow tiktoken's rules: refused unless allowed.
//! use tokfare_tokenizer::SpecialSet;
//! assert!(enc.encode("<|endoftext|>", SpecialSet::None, SpecialSet::All).is_err());
//! assert_eq!(enc.encode("<|endoftext|>", SpecialSet::All, SpecialSet::None)?, vec![199999]);
//! # Ok::<(), tokfare_tokenizer::Error>(())
//! ```
//!
//! Data flows one way: text -> [pre-tokenizer](pretokenize) -> BPE ([`Encoding`], or
//! [`hf::Tokenizer`] for tokenizer.json models) -> ids -> count.
#![deny(missing_docs)]

mod any;
mod bpe;
pub mod chat;
mod encoding;
mod error;
#[cfg(feature = "hf")]
pub mod hf;
mod incremental;
mod parallel;
pub mod pretokenize;
mod registry;
mod specials;
#[cfg(test)]
mod test_rng;
mod unstable;
mod vocab;

pub use any::{
    count_is_exact, is_bundled_tokenizer, is_embedded_tokenizer, AnyTokenizer, ModelTokenizer, Tokenize, TokenizerSource,
    APPROXIMATION_ENCODING,
};
pub use encoding::Encoding;
pub use error::{Error, Result, ERROR_CODES};
pub use incremental::{SliceCounter, TokenCounter};
pub use registry::{
    encoding_for_model, encoding_from_packed, encoding_name_for_model, get_encoding, list_encoding_names, packed_vocabulary_file,
    ENCODING_NAMES,
};
pub use specials::SpecialSet;
pub use vocab::Rank;

/// Checks that bytes are UTF-8 text, with a typed error naming the first bad byte.
pub fn text_from_utf8(bytes: &[u8]) -> Result<&str> {
    std::str::from_utf8(bytes).map_err(|e| Error::InvalidInputUtf8 { valid_up_to: e.valid_up_to() })
}
