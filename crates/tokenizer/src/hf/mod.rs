//! Hugging Face `tokenizer.json` models — Llama 3, Qwen 2/2.5/3, DeepSeek V3, GPT-4o
//! files and any other — with the semantics of `tokenizers` 0.23.
//!
//! Byte-level BPE files (what these models use) run on the [native engine](native):
//! the core's scanners and merge cache, exact on the whole shared corpus. Anything
//! else (Unigram, WordPiece, SentencePiece-style BPE with byte fallback, other
//! normalizers...) runs on the `tokenizers` crate itself when the `hf-fallback`
//! feature is on, under the same interface; [`Tokenizer::engine`] says which.
//!
//! ```no_run
//! let qwen = tokfare_tokenizer::hf::Tokenizer::from_file("tokenizer.json")?;
//! let ids = qwen.encode("Hello world", false)?;
//! assert_eq!(qwen.count("Hello world")?, ids.len());
//! assert_eq!(qwen.decode(&ids, false)?, "Hello world");
//! println!("{}", qwen.engine()); // "native bpe, scanner:qwen2"
//! # Ok::<(), tokfare_tokenizer::Error>(())
//! ```

mod added;
mod byte_level;
#[cfg(feature = "hf-fallback")]
mod fallback;
mod file;
mod native;
mod pre;
mod registry;

pub use registry::{
    bundled, load, packed_tokenizer_file, tokenizer_for_model, tokenizer_name_for_model, tokenizer_of_family, BUNDLED_TOKENIZERS,
    SHIPPED_TOKENIZERS,
};

use crate::error::{Error, Result};
use crate::vocab::Rank;

/// A tokenizer loaded from a Hugging Face `tokenizer.json`.
///
/// Cheap to share behind an `Arc`; all methods take `&self` and may be called from
/// many threads at once.
#[derive(Clone)]
pub struct Tokenizer {
    name: String,
    engine: Engine,
}

#[derive(Clone)]
enum Engine {
    Native(Box<native::Native>),
    #[cfg(feature = "hf-fallback")]
    Fallback(Box<fallback::Fallback>),
}

impl std::fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokenizer").field("name", &self.name).field("n_vocab", &self.n_vocab()).field("engine", &self.engine()).finish()
    }
}

macro_rules! dispatch {
    ($self:ident, $e:ident => $body:expr) => {
        match &$self.engine {
            Engine::Native($e) => $body,
            #[cfg(feature = "hf-fallback")]
            Engine::Fallback($e) => $body,
        }
    };
}

impl Tokenizer {
    /// Loads a `tokenizer.json` file; the tokenizer is named after the file.
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Self> {
        let path = path.as_ref();
        // The largest published tokenizer.json files are tens of MB; a file of GBs is
        // refused before it is read.
        const MAX_BYTES: u64 = 1 << 30;
        let size = std::fs::metadata(path)
            .map_err(|e| Error::InvalidTokenizerFile { path: "$".into(), reason: format!("cannot read {}: {e}", path.display()) })?
            .len();
        if size > MAX_BYTES {
            return Err(Error::InvalidTokenizerFile {
                path: "$".into(),
                reason: format!("{} is {size} bytes; a tokenizer.json may be at most {} MiB", path.display(), MAX_BYTES >> 20),
            });
        }
        let bytes = std::fs::read(path)
            .map_err(|e| Error::InvalidTokenizerFile { path: "$".into(), reason: format!("cannot read {}: {e}", path.display()) })?;
        Self::from_bytes(&path.display().to_string(), bytes)
    }

    /// Loads the contents of a `tokenizer.json`, natively if it is a byte-level BPE,
    /// else with the `tokenizers` crate (feature `hf-fallback`), else
    /// [`Error::UnsupportedTokenizer`] naming what the native engine lacks.
    pub fn from_bytes(name: &str, json: impl Into<Vec<u8>>) -> Result<Self> {
        let json = json.into();
        #[cfg(feature = "hf-fallback")]
        let copy = json.clone();
        let engine = match native::Native::new(json) {
            Ok(native) => Engine::Native(Box::new(native)),
            #[cfg(feature = "hf-fallback")]
            Err(Error::UnsupportedTokenizer(_)) => Engine::Fallback(Box::new(fallback::Fallback::new(&copy)?)),
            Err(e) => return Err(e),
        };
        Ok(Tokenizer { name: name.to_string(), engine })
    }

    /// Loads a byte-level BPE `tokenizer.json` natively, never with the fallback.
    pub fn native_from_bytes(name: &str, json: impl Into<Vec<u8>>) -> Result<Self> {
        Ok(Tokenizer { name: name.to_string(), engine: Engine::Native(Box::new(native::Native::new(json.into())?)) })
    }

    /// The name given when loading (the file path for [`Tokenizer::from_file`]).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Which engine runs: `native bpe, scanner:llama3` (a hand-written scanner),
    /// `native bpe, regex` (the regex engine for another pattern), `native bpe,
    /// steps[...]` (a multi-step pre-tokenizer), or `tokenizers` (the fallback).
    pub fn engine(&self) -> String {
        dispatch!(self, e => e.engine())
    }

    /// Whether the native engine runs this file.
    pub fn is_native(&self) -> bool {
        matches!(self.engine, Engine::Native(_))
    }

    /// One more than the largest id (model and added tokens).
    pub fn n_vocab(&self) -> usize {
        dispatch!(self, e => e.n_vocab())
    }

    /// Whether `id` is an added token marked `special`.
    pub fn is_special_token(&self, id: Rank) -> bool {
        dispatch!(self, e => e.is_special_token(id))
    }

    /// The ids of `text`, equal to `tokenizers`' `encode(text, add_special_tokens)`:
    /// added tokens in the text (`<|im_start|>`...) are always recognised;
    /// `add_special_tokens` puts the post-processor's BOS/EOS around the result.
    pub fn encode(&self, text: &str, add_special_tokens: bool) -> Result<Vec<Rank>> {
        dispatch!(self, e => e.encode(text, add_special_tokens))
    }

    /// The ids of `text` with special tokens read as plain text (`tokenizers` with
    /// `encode_special_tokens = true`): for text from users, who must not be able to
    /// inject control tokens. Non-special added tokens are still recognised.
    pub fn encode_ordinary(&self, text: &str) -> Result<Vec<Rank>> {
        dispatch!(self, e => e.encode_ordinary(text))
    }

    /// `encode(text, false).len()`, without building the ids on the native engine.
    pub fn count(&self, text: &str) -> Result<usize> {
        dispatch!(self, e => e.count(text))
    }

    /// The count if it is at most `limit`, else `None`; the native engine stops as
    /// soon as the limit is passed.
    pub fn count_until(&self, text: &str, limit: usize) -> Result<Option<usize>> {
        dispatch!(self, e => e.count_until(text, limit))
    }

    /// [`Tokenizer::encode`] of many texts, on all cores.
    pub fn encode_batch<S: AsRef<str> + Sync>(&self, texts: &[S], add_special_tokens: bool) -> Result<Vec<Vec<Rank>>> {
        crate::parallel::map(texts, |t| self.encode(t.as_ref(), add_special_tokens)).into_iter().collect()
    }

    /// [`Tokenizer::count`] of many texts, on all cores.
    pub fn count_batch<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Result<Vec<usize>> {
        crate::parallel::map(texts, |t| self.count(t.as_ref())).into_iter().collect()
    }

    /// The bytes `ids` stand for, as the decoder joins them (added tokens as their
    /// text); `skip_special_tokens` leaves out added tokens marked special. An id that
    /// is not in the vocabulary is an error ([`Error::UnknownTokenId`]; `tokenizers`
    /// silently skips it).
    pub fn decode_bytes(&self, ids: &[Rank], skip_special_tokens: bool) -> Result<Vec<u8>> {
        dispatch!(self, e => e.decode_bytes(ids, skip_special_tokens))
    }

    /// `tokenizers`' `decode(ids, skip_special_tokens)`: invalid UTF-8 becomes U+FFFD.
    pub fn decode(&self, ids: &[Rank], skip_special_tokens: bool) -> Result<String> {
        let bytes = self.decode_bytes(ids, skip_special_tokens)?;
        Ok(match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        })
    }
}
