//! `Tokenizer`: a Hugging Face `tokenizer.json` (Qwen 3 bundled; Llama 3, DeepSeek V3
//! or any other from a file or bytes), with `tokenizers`' semantics.

use crate::encoding::js_ids;
use crate::errors::{whole_number, Code, OrThrow};
use crate::tasks::{Count, Counts, Ids, IdsBatch, Job};
use crate::text::Text;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use std::sync::Arc;
use tokfare::hf;

/// One Hugging Face tokenizer (shared: the bundled ones are built once).
#[napi]
pub struct NativeTokenizer {
    inner: Arc<hf::Tokenizer>,
}

/// A `tokenizer.json` file, or a folder holding one, or a bundled name (`qwen3`).
#[napi]
pub fn load_tokenizer(path_or_name: String) -> Result<NativeTokenizer, Code> {
    Ok(NativeTokenizer { inner: hf::load(&path_or_name).or_throw()? })
}

/// The contents of a `tokenizer.json`.
#[napi]
pub fn tokenizer_from_bytes(name: String, json: Uint8Array) -> Result<NativeTokenizer, Code> {
    Ok(NativeTokenizer { inner: Arc::new(hf::Tokenizer::from_bytes(&name, json.to_vec()).or_throw()?) })
}

/// A bundled tokenizer (`qwen3`).
#[napi]
pub fn bundled_tokenizer(name: String) -> Result<NativeTokenizer, Code> {
    Ok(NativeTokenizer { inner: hf::bundled(&name).or_throw()? })
}

/// The tokenizer of an open-weight model, if bundled (else `TOKFARE_TOKENIZER_FILE_NEEDED`).
#[napi]
pub fn tokenizer_for_model(model: String) -> Result<NativeTokenizer, Code> {
    Ok(NativeTokenizer { inner: hf::tokenizer_for_model(&model).or_throw()? })
}

#[napi]
impl NativeTokenizer {
    #[napi(getter)]
    pub fn name(&self) -> String {
        self.inner.name().to_string()
    }

    #[napi(getter)]
    pub fn engine(&self) -> String {
        self.inner.engine()
    }

    #[napi(getter)]
    pub fn is_native(&self) -> bool {
        self.inner.is_native()
    }

    #[napi(getter)]
    pub fn n_vocab(&self) -> u32 {
        self.inner.n_vocab() as u32
    }

    #[napi]
    pub fn is_special_token(&self, id: u32) -> bool {
        self.inner.is_special_token(id)
    }

    #[napi(ts_return_type = "Uint32Array")]
    pub fn encode<'env>(&self, env: &'env Env, text: Text, add_special_tokens: bool) -> Result<Uint32ArraySlice<'env>, Code> {
        js_ids(env, &self.inner.encode(&text, add_special_tokens).or_throw()?)
    }

    #[napi(ts_return_type = "Uint32Array")]
    pub fn encode_ordinary<'env>(&self, env: &'env Env, text: Text) -> Result<Uint32ArraySlice<'env>, Code> {
        js_ids(env, &self.inner.encode_ordinary(&text).or_throw()?)
    }

    #[napi]
    pub fn count(&self, text: Text) -> Result<u32, Code> {
        Ok(self.inner.count(&text).or_throw()? as u32)
    }

    #[napi]
    pub fn count_until(&self, text: Text, limit: f64) -> Result<Option<u32>, Code> {
        let limit = whole_number("limit", limit)? as usize;
        Ok(self.inner.count_until(&text, limit).or_throw()?.map(|n| n as u32))
    }

    /// `encode` over many texts, on all cores.
    #[napi]
    pub fn encode_batch(&self, texts: Vec<Text>, add_special_tokens: bool) -> Result<Vec<Uint32Array>, Code> {
        Ok(self.inner.encode_batch(&texts, add_special_tokens).or_throw()?.into_iter().map(Uint32Array::new).collect())
    }

    /// `count` over many texts, on all cores.
    #[napi]
    pub fn count_batch(&self, texts: Vec<Text>) -> Result<Vec<u32>, Code> {
        Ok(self.inner.count_batch(&texts).or_throw()?.into_iter().map(|n| n as u32).collect())
    }

    /// `encode` on the libuv thread pool.
    #[napi(ts_return_type = "Promise<Uint32Array>")]
    pub fn encode_async(&self, text: Text, add_special_tokens: bool, signal: Option<AbortSignal>) -> AsyncTask<Job<Ids>> {
        let tok = self.inner.clone();
        Job::spawn(signal, move || tok.encode(&text, add_special_tokens).map(Ids))
    }

    /// `count` on the libuv thread pool.
    #[napi(ts_return_type = "Promise<number>")]
    pub fn count_async(&self, text: Text, signal: Option<AbortSignal>) -> AsyncTask<Job<Count>> {
        let tok = self.inner.clone();
        Job::spawn(signal, move || tok.count(&text).map(|n| Count(n as u32)))
    }

    /// `encodeBatch` off the event loop (the batch itself runs on all cores).
    #[napi(ts_return_type = "Promise<Uint32Array[]>")]
    pub fn encode_batch_async(&self, texts: Vec<Text>, add_special_tokens: bool, signal: Option<AbortSignal>) -> AsyncTask<Job<IdsBatch>> {
        let tok = self.inner.clone();
        Job::spawn(signal, move || tok.encode_batch(&texts, add_special_tokens).map(IdsBatch))
    }

    /// `countBatch` off the event loop.
    #[napi(ts_return_type = "Promise<number[]>")]
    pub fn count_batch_async(&self, texts: Vec<Text>, signal: Option<AbortSignal>) -> AsyncTask<Job<Counts>> {
        let tok = self.inner.clone();
        Job::spawn(signal, move || tok.count_batch(&texts).map(|v| Counts(v.into_iter().map(|n| n as u32).collect())))
    }

    #[napi]
    pub fn decode(&self, ids: Uint32Array, skip_special_tokens: bool) -> Result<String, Code> {
        self.inner.decode(&ids, skip_special_tokens).or_throw()
    }

    #[napi]
    pub fn decode_bytes(&self, ids: Uint32Array, skip_special_tokens: bool) -> Result<Uint8Array, Code> {
        Ok(Uint8Array::new(self.inner.decode_bytes(&ids, skip_special_tokens).or_throw()?))
    }
}
