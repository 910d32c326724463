//! The error type of the tokenizer. Every fallible function returns [`Result`]. (The
//! pricing crate has its own; the `tokfare` crate joins the two.)
//!
//! Each variant has a stable snake_case [`Error::code`] that the bindings expose
//! (Python exception attribute, Node `error.code`, WASM `error.name`), so callers can
//! match on the kind of failure without parsing messages.

/// `Result` with tokfare's [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while loading a tokenizer or tokenizing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `get_encoding` was given a name that is not a known encoding.
    #[error("unknown encoding {name:?}; known encodings: {known}")]
    UnknownEncoding {
        /// The name asked for.
        name: String,
        /// Comma-separated list of the names that exist.
        known: String,
    },
    /// The encoding exists but its vocabulary was left out of this build.
    #[error("encoding {name:?} is not in this build of tokfare (enable the cargo feature {feature:?})")]
    EncodingNotBuilt {
        /// The encoding asked for.
        name: String,
        /// The cargo feature that embeds it.
        feature: &'static str,
    },
    /// Something this build of tokfare leaves out (a size-sensitive build without the
    /// general regex engine, asked for a custom pattern).
    #[error("{what} needs the cargo feature {feature:?}, which this build of tokfare leaves out")]
    FeatureNotBuilt {
        /// What was asked for.
        what: String,
        /// The cargo feature that provides it.
        feature: &'static str,
    },
    /// `encoding_for_model` could not map a model name to an encoding.
    #[error("could not map model {model:?} to a tokenizer; name an encoding or a tokenizer.json instead")]
    UnknownModel {
        /// The model name asked for.
        model: String,
    },
    /// The text contains a special token that the caller did not allow (tiktoken's
    /// default is to refuse all of them, so user text cannot inject control tokens).
    #[error(
        "encountered text corresponding to disallowed special token {token:?} at byte {offset}; \
         pass it in allowed_special to encode it as a special token, or remove it from \
         disallowed_special to encode it as ordinary text"
    )]
    DisallowedSpecialToken {
        /// The special token's text.
        token: String,
        /// Byte offset of its first occurrence.
        offset: usize,
    },
    /// A token id that is neither in the vocabulary nor a special token.
    #[error("token id {id} is not in the vocabulary")]
    UnknownTokenId {
        /// The offending id.
        id: u32,
    },
    /// Bytes that are not one token (from `encode_single_token`).
    #[error("{bytes:?} is not a single token of this encoding")]
    NotASingleToken {
        /// The bytes, lossily shown.
        bytes: String,
    },
    /// Decoded bytes are not valid UTF-8 (use `decode_bytes` or `decode_lossy`).
    #[error("decoded bytes are not valid UTF-8 (invalid sequence at byte {valid_up_to}); use decode_bytes or decode_lossy")]
    InvalidUtf8 {
        /// Length of the longest valid prefix.
        valid_up_to: usize,
    },
    /// Input bytes are not valid UTF-8 text.
    #[error("input is not valid UTF-8 (invalid sequence at byte {valid_up_to})")]
    InvalidInputUtf8 {
        /// Length of the longest valid prefix.
        valid_up_to: usize,
    },
    /// A `.tiktoken` rank file (or bytes) could not be parsed.
    #[error("invalid rank file, line {line}: {reason}")]
    InvalidRankFile {
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// A vocabulary is inconsistent (duplicate tokens or ids, specials clashing with ranks).
    #[error("invalid vocabulary: {0}")]
    InvalidVocabulary(String),
    /// A Hugging Face `tokenizer.json` that is not valid: bad JSON, a field of the wrong
    /// type, merges naming unknown tokens, ids out of range.
    #[error("invalid tokenizer.json at {path}: {reason}")]
    InvalidTokenizerFile {
        /// Where in the file, as a JSON path (`$.model.merges[12]`).
        path: String,
        /// What is wrong there.
        reason: String,
    },
    /// A valid `tokenizer.json` using a feature the native engine does not implement
    /// (a Unigram model, a `Replace` normalizer ...): load it with the fallback engine.
    #[error("tokenizer.json feature not supported natively: {0}")]
    UnsupportedTokenizer(String),
    /// An open-weight model whose tokenizer is not bundled: load its `tokenizer.json`.
    #[error("the tokenizer of {model:?} ({tokenizer}) is not bundled; load its tokenizer.json (from {origin})")]
    TokenizerFileNeeded {
        /// The model asked for.
        model: String,
        /// Its tokenizer family (`llama3`, `deepseek_v3`).
        tokenizer: String,
        /// Where the file comes from.
        origin: String,
    },
    /// A pre-tokenization pattern that does not compile.
    #[error("invalid pattern: {0}")]
    InvalidPattern(String),
    /// The general-purpose regex engine gave up on an input (backtracking limit).
    /// Never happens with the built-in encodings, which use hand-written scanners.
    #[error("pattern failed on input: {0}")]
    PatternRuntime(String),
    /// An argument outside its domain (zero chunk size, ...).
    #[error("invalid argument {name}: {reason}")]
    InvalidArgument {
        /// The parameter's name.
        name: &'static str,
        /// Why it is refused.
        reason: String,
    },
}

/// Each variant's stable code, written once: `Error::code` and [`ERROR_CODES`] are both
/// made from this list (the match is exhaustive, so a new variant without a code does
/// not compile). The bindings map these codes to their own error classes and check
/// their tables against `ERROR_CODES` in their tests.
macro_rules! error_codes {
    ($($variant:ident => $code:literal,)*) => {
        impl Error {
            /// A stable machine-readable code for this kind of error.
            pub fn code(&self) -> &'static str {
                match self {
                    $(Error::$variant { .. } => $code,)*
                }
            }
        }

        /// Every error code, in the order of [`Error`]'s variants.
        pub const ERROR_CODES: &[&str] = &[$($code),*];
    };
}

error_codes! {
    UnknownEncoding => "unknown_encoding",
    EncodingNotBuilt => "encoding_not_built",
    FeatureNotBuilt => "feature_not_built",
    UnknownModel => "unknown_model",
    DisallowedSpecialToken => "disallowed_special_token",
    UnknownTokenId => "unknown_token_id",
    NotASingleToken => "not_a_single_token",
    InvalidUtf8 => "invalid_utf8",
    InvalidInputUtf8 => "invalid_input_utf8",
    InvalidRankFile => "invalid_rank_file",
    InvalidVocabulary => "invalid_vocabulary",
    InvalidTokenizerFile => "invalid_tokenizer_file",
    UnsupportedTokenizer => "unsupported_tokenizer",
    TokenizerFileNeeded => "tokenizer_file_needed",
    InvalidPattern => "invalid_pattern",
    PatternRuntime => "pattern_runtime",
    InvalidArgument => "invalid_argument",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_and_match_their_variants() {
        let mut seen = std::collections::HashSet::new();
        for code in ERROR_CODES {
            assert!(seen.insert(code), "{code} twice");
            assert!(!code.is_empty() && code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'), "{code}");
        }
        assert_eq!(Error::InvalidArgument { name: "n", reason: "r".into() }.code(), "invalid_argument");
        assert!(ERROR_CODES.contains(&Error::UnknownModel { model: String::new() }.code()));
    }
}
