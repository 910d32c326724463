//! `getEncoding`, `encodingForModel` and the native `Encoding` class: tiktoken's
//! operations over the core tokenizer, with ids crossing as `Uint32Array` (one copy
//! into a JS-owned buffer on the way out: see [`js_ids`]).

use crate::errors::{invalid_argument, to_js, whole_number, Code, OrThrow};
use crate::tasks::{Count, Counts, Ids, IdsBatch, Job};
use crate::text::Text;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use std::collections::HashMap;
use std::sync::Arc;
use tokfare::{Encoding, SpecialSet};

/// tiktoken's `allowed_special` / `disallowed_special` argument, owned so it can move
/// to a worker thread.
#[derive(Clone)]
pub enum Specials {
    All,
    Listed(Vec<String>),
}

impl Specials {
    /// `"all"`, a list of special-token strings, or the default when absent.
    fn from_arg(arg: Option<Either<String, Vec<String>>>, name: &'static str, default: Specials) -> Result<Specials, Code> {
        match arg {
            None => Ok(default),
            Some(Either::A(s)) if s == "all" => Ok(Specials::All),
            Some(Either::A(s)) => Err(invalid_argument(name, format!("must be \"all\" or an array of strings, not the string {s:?}"))),
            Some(Either::B(list)) => Ok(Specials::Listed(list)),
        }
    }
}

/// An `encode` call's special-token rules (tiktoken's defaults: none allowed, all disallowed).
#[derive(Clone)]
pub struct SpecialRules {
    allowed: Specials,
    disallowed: Specials,
}

impl SpecialRules {
    pub fn from_args(allowed: Option<Either<String, Vec<String>>>, disallowed: Option<Either<String, Vec<String>>>) -> Result<Self, Code> {
        Ok(SpecialRules {
            allowed: Specials::from_arg(allowed, "allowedSpecial", Specials::Listed(Vec::new()))?,
            disallowed: Specials::from_arg(disallowed, "disallowedSpecial", Specials::All)?,
        })
    }

    /// Runs `f` with the rules as the core's borrowed sets.
    fn with<R>(&self, f: impl FnOnce(SpecialSet<'_>, SpecialSet<'_>) -> R) -> R {
        let allowed_list: Vec<&str>;
        let disallowed_list: Vec<&str>;
        let allowed = match &self.allowed {
            Specials::All => SpecialSet::All,
            Specials::Listed(l) if l.is_empty() => SpecialSet::None,
            Specials::Listed(l) => {
                allowed_list = l.iter().map(String::as_str).collect();
                SpecialSet::Some(&allowed_list)
            }
        };
        let disallowed = match &self.disallowed {
            Specials::All => SpecialSet::All,
            Specials::Listed(l) if l.is_empty() => SpecialSet::None,
            Specials::Listed(l) => {
                disallowed_list = l.iter().map(String::as_str).collect();
                SpecialSet::Some(&disallowed_list)
            }
        };
        f(allowed, disallowed)
    }

    pub fn encode(&self, enc: &Encoding, text: &str) -> tokfare::tokenizer::Result<Vec<u32>> {
        self.with(|a, d| enc.encode(text, a, d))
    }

    pub fn count(&self, enc: &Encoding, text: &str) -> tokfare::tokenizer::Result<usize> {
        self.with(|a, d| enc.count_with_special(text, a, d))
    }
}

/// One tokenizer (shared: `getEncoding` returns the same core encoding every time).
#[napi]
pub struct NativeEncoding {
    pub(crate) inner: Arc<Encoding>,
}

/// The encoding called `name` (`cl100k_base`, `o200k_base`, ...); loaded on first use.
#[napi]
pub fn get_encoding(name: String) -> Result<NativeEncoding, Code> {
    Ok(NativeEncoding { inner: tokfare::get_encoding(&name).or_throw()? })
}

/// The encoding a model uses (`gpt-4o`, `gpt-4.1-mini`, `text-embedding-3-small`, ...).
#[napi]
pub fn encoding_for_model(model: String) -> Result<NativeEncoding, Code> {
    Ok(NativeEncoding { inner: tokfare::encoding_for_model(&model).or_throw()? })
}

/// The name of the encoding a model uses.
#[napi]
pub fn encoding_name_for_model(model: String) -> Result<String, Code> {
    tokfare::encoding_name_for_model(&model).map(str::to_string).or_throw()
}

/// Every encoding in this build.
#[napi]
pub fn list_encoding_names() -> Vec<String> {
    tokfare::list_encoding_names().iter().map(|s| s.to_string()).collect()
}

/// A custom encoding from a `.tiktoken` rank file's bytes, a pattern and special tokens.
#[napi]
pub fn new_encoding(
    name: String,
    pattern: String,
    rank_file: Uint8Array,
    special_tokens: Option<HashMap<String, u32>>,
) -> Result<NativeEncoding, Code> {
    let mut specials: Vec<(String, u32)> = special_tokens.unwrap_or_default().into_iter().collect();
    specials.sort_by_key(|(_, id)| *id);
    let enc = Encoding::from_tiktoken_bytes(&name, &rank_file, &pattern, specials).or_throw()?;
    Ok(NativeEncoding { inner: Arc::new(enc) })
}

fn max_tokens(value: f64) -> Result<usize, Code> {
    whole_number("maxTokens", value).map(|n| n as usize)
}

#[napi]
impl NativeEncoding {
    #[napi(getter)]
    pub fn name(&self) -> String {
        self.inner.name().to_string()
    }

    #[napi(getter)]
    pub fn n_vocab(&self) -> u32 {
        self.inner.n_vocab() as u32
    }

    #[napi(getter)]
    pub fn max_token_value(&self) -> u32 {
        self.inner.max_token_value()
    }

    #[napi(getter)]
    pub fn eot_token(&self) -> Option<u32> {
        self.inner.eot_token()
    }

    #[napi(getter)]
    pub fn pattern(&self) -> String {
        self.inner.pattern().to_string()
    }

    #[napi]
    pub fn special_tokens(&self) -> HashMap<String, u32> {
        self.inner.special_tokens().map(|(t, id)| (t.to_string(), id)).collect()
    }

    #[napi]
    pub fn is_special_token(&self, id: u32) -> bool {
        self.inner.is_special_token(id)
    }

    #[napi(ts_return_type = "Uint32Array")]
    pub fn encode_ordinary<'env>(&self, env: &'env Env, text: Text) -> Result<Uint32ArraySlice<'env>, Code> {
        js_ids(env, &self.inner.encode_ordinary(&text))
    }

    #[napi(ts_return_type = "Uint32Array")]
    pub fn encode<'env>(
        &self,
        env: &'env Env,
        text: Text,
        allowed_special: Option<Either<String, Vec<String>>>,
        disallowed_special: Option<Either<String, Vec<String>>>,
    ) -> Result<Uint32ArraySlice<'env>, Code> {
        let rules = SpecialRules::from_args(allowed_special, disallowed_special)?;
        js_ids(env, &rules.encode(&self.inner, &text).or_throw()?)
    }

    /// Ordinary ids and the byte offset in the UTF-8 text where each token starts.
    #[napi]
    pub fn encode_with_byte_offsets(&self, text: Text) -> Vec<Uint32Array> {
        let (ids, offsets) = self.inner.encode_ordinary_with_offsets(&text);
        vec![Uint32Array::new(ids), Uint32Array::new(offsets.into_iter().map(|o| o as u32).collect())]
    }

    #[napi]
    pub fn encode_single_token(&self, bytes: Uint8Array) -> Result<u32, Code> {
        self.inner.encode_single_token(&bytes).or_throw()
    }

    #[napi]
    pub fn count(&self, text: Text) -> u32 {
        self.inner.count(&text) as u32
    }

    #[napi]
    pub fn count_with_special(
        &self,
        text: Text,
        allowed_special: Option<Either<String, Vec<String>>>,
        disallowed_special: Option<Either<String, Vec<String>>>,
    ) -> Result<u32, Code> {
        let rules = SpecialRules::from_args(allowed_special, disallowed_special)?;
        Ok(rules.count(&self.inner, &text).or_throw()? as u32)
    }

    /// The count if it is at most `limit`, else null (stops as soon as it is passed).
    #[napi]
    pub fn count_until(&self, text: Text, limit: f64) -> Result<Option<u32>, Code> {
        let limit = whole_number("limit", limit)? as usize;
        Ok(self.inner.count_until(&text, limit).map(|n| n as u32))
    }

    /// Text of the ids; invalid UTF-8 is replaced by U+FFFD unless `fatal`.
    #[napi]
    pub fn decode(&self, ids: Uint32Array, fatal: bool) -> Result<String, Code> {
        if fatal {
            self.inner.decode(&ids).or_throw()
        } else {
            self.inner.decode_lossy(&ids).or_throw()
        }
    }

    #[napi]
    pub fn decode_bytes(&self, ids: Uint32Array) -> Result<Uint8Array, Code> {
        Ok(Uint8Array::new(self.inner.decode_bytes(&ids).or_throw()?))
    }

    #[napi]
    pub fn decode_single_token_bytes(&self, id: u32) -> Result<Uint8Array, Code> {
        Ok(Uint8Array::new(self.inner.decode_single_token_bytes(id).or_throw()?.to_vec()))
    }

    /// The longest prefix of at most `max_tokens` tokens, cut on a token boundary.
    #[napi]
    pub fn truncate(&self, text: Text, max_tokens: f64) -> Result<String, Code> {
        Ok(self.inner.truncate(&text, self::max_tokens(max_tokens)?).to_string())
    }

    /// Consecutive pieces of at most `max_tokens` tokens each, cut on token boundaries.
    #[napi]
    pub fn chunks(&self, text: Text, max_tokens: f64) -> Result<Vec<String>, Code> {
        let pieces = self.inner.chunks(&text, self::max_tokens(max_tokens)?).or_throw()?;
        Ok(pieces.into_iter().map(str::to_string).collect())
    }

    /// Many texts on all cores.
    #[napi]
    pub fn encode_batch(
        &self,
        texts: Vec<Text>,
        allowed_special: Option<Either<String, Vec<String>>>,
        disallowed_special: Option<Either<String, Vec<String>>>,
    ) -> Result<Vec<Uint32Array>, Code> {
        let rules = SpecialRules::from_args(allowed_special, disallowed_special)?;
        let ids = encode_batch(&self.inner, &texts, &rules).map_err(to_js)?;
        Ok(ids.into_iter().map(Uint32Array::new).collect())
    }

    #[napi]
    pub fn count_batch(&self, texts: Vec<Text>) -> Vec<u32> {
        self.inner.count_batch(&texts).into_iter().map(|n| n as u32).collect()
    }

    /// `encode` on the libuv thread pool.
    #[napi(ts_return_type = "Promise<Uint32Array>")]
    pub fn encode_async(
        &self,
        text: Text,
        allowed_special: Option<Either<String, Vec<String>>>,
        disallowed_special: Option<Either<String, Vec<String>>>,
        signal: Option<AbortSignal>,
    ) -> Result<AsyncTask<Job<Ids>>, Code> {
        let rules = SpecialRules::from_args(allowed_special, disallowed_special)?;
        let enc = self.inner.clone();
        Ok(Job::spawn(signal, move || rules.encode(&enc, &text).map(Ids)))
    }

    /// `count` on the libuv thread pool.
    #[napi(ts_return_type = "Promise<number>")]
    pub fn count_async(&self, text: Text, signal: Option<AbortSignal>) -> AsyncTask<Job<Count>> {
        let enc = self.inner.clone();
        Job::spawn(signal, move || Ok::<_, tokfare::Error>(Count(enc.count(&text) as u32)))
    }

    /// `encodeBatch` off the event loop (the batch itself runs on all cores).
    #[napi(ts_return_type = "Promise<Uint32Array[]>")]
    pub fn encode_batch_async(
        &self,
        texts: Vec<Text>,
        allowed_special: Option<Either<String, Vec<String>>>,
        disallowed_special: Option<Either<String, Vec<String>>>,
        signal: Option<AbortSignal>,
    ) -> Result<AsyncTask<Job<IdsBatch>>, Code> {
        let rules = SpecialRules::from_args(allowed_special, disallowed_special)?;
        let enc = self.inner.clone();
        Ok(Job::spawn(signal, move || encode_batch(&enc, &texts, &rules).map(IdsBatch)))
    }

    /// `countBatch` off the event loop.
    #[napi(ts_return_type = "Promise<number[]>")]
    pub fn count_batch_async(&self, texts: Vec<Text>, signal: Option<AbortSignal>) -> AsyncTask<Job<Counts>> {
        let enc = self.inner.clone();
        Job::spawn(signal, move || Ok::<_, tokfare::Error>(Counts(enc.count_batch(&texts).into_iter().map(|n| n as u32).collect())))
    }
}

/// Ids as a JS-owned `Uint32Array` (one copy). Measured faster than handing V8 the
/// vector as an external buffer, which costs a finalizer and external-memory
/// accounting per array: 8 KiB documents encode ~20% faster this way.
pub(crate) fn js_ids<'env>(env: &'env Env, ids: &[u32]) -> Result<Uint32ArraySlice<'env>, Code> {
    Uint32ArraySlice::copy_from(env, ids).or_throw()
}

/// `encode` over many texts in parallel; the first error (in input order) wins.
fn encode_batch(enc: &Encoding, texts: &[Text], rules: &SpecialRules) -> tokfare::tokenizer::Result<Vec<Vec<u32>>> {
    use rayon::prelude::*;
    texts.par_iter().map(|t| rules.encode(enc, t)).collect()
}
