//! The tokenizer: an encoding built from a vocabulary asset, and its operations.

use crate::errors::OrThrow;
use tokfare::{Encoding, SpecialSet};
use wasm_bindgen::prelude::*;

/// One encoding, built by [`load_encoding`]. The JavaScript side keeps one per name for
/// the life of the page, so nothing needs freeing.
#[wasm_bindgen]
pub struct WasmEncoding {
    inner: Encoding,
}

/// The encoding `name` from its packed vocabulary asset (see [`vocabulary_file`]).
#[wasm_bindgen(js_name = loadEncoding)]
pub fn load_encoding(name: &str, packed: &[u8]) -> Result<WasmEncoding, JsValue> {
    Ok(WasmEncoding { inner: tokfare::encoding_from_packed(name, packed).or_throw()? })
}

/// The asset file the encoding `name` needs (`o200k_base.tfv` for o200k_harmony, ...).
#[wasm_bindgen(js_name = vocabularyFile)]
pub fn vocabulary_file(name: &str) -> Result<String, JsValue> {
    tokfare::packed_vocabulary_file(name).map(str::to_string).or_throw()
}

/// The name of the encoding `model` uses.
#[wasm_bindgen(js_name = encodingNameForModel)]
pub fn encoding_name_for_model(model: &str) -> Result<String, JsValue> {
    tokfare::encoding_name_for_model(model).map(str::to_string).or_throw()
}

/// `[kind, name]` of the tokenizer a model uses, before anything is loaded: `["encoding",
/// "o200k_base"]` or `["tokenizer.json", "qwen3"]` (the core's rule, `ModelTokenizer`).
#[wasm_bindgen(js_name = modelTokenizer)]
pub fn model_tokenizer(model: &str) -> Result<Vec<String>, JsValue> {
    let t = tokfare::ModelTokenizer::for_model(model).or_throw()?;
    Ok(vec![t.kind().to_string(), t.name().to_string()])
}

/// `[kind, name]` of the tokenizer an estimate counts `model` with: its own, else the
/// approximation encoding (`ModelTokenizer::for_estimate`).
#[wasm_bindgen(js_name = estimateTokenizer)]
pub fn estimate_tokenizer(model: &str) -> Result<Vec<String>, JsValue> {
    let t = tokfare::ModelTokenizer::for_estimate(model).or_throw()?;
    Ok(vec![t.kind().to_string(), t.name().to_string()])
}

/// True when the tokenizer called `tokenizer` is `model`'s own (`count_is_exact`): an
/// estimate counted with any other is an approximation.
#[wasm_bindgen(js_name = countIsExact)]
pub fn count_is_exact(model: &str, tokenizer: &str) -> bool {
    tokfare::count_is_exact(model, tokenizer)
}

/// Every encoding name.
#[wasm_bindgen(js_name = listEncodingNames)]
pub fn list_encoding_names() -> Vec<String> {
    tokfare::list_encoding_names().iter().map(|s| s.to_string()).collect()
}

/// tiktoken's special-token argument: `all`, or the listed strings.
fn special_set<'a>(all: bool, listed: &'a [&'a str]) -> SpecialSet<'a> {
    match (all, listed.is_empty()) {
        (true, _) => SpecialSet::All,
        (false, true) => SpecialSet::None,
        (false, false) => SpecialSet::Some(listed),
    }
}

fn count(n: usize) -> u32 {
    // A wasm32 string is under 4 GiB, and a token is at least one byte.
    n as u32
}

#[wasm_bindgen]
impl WasmEncoding {
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.inner.name().to_string()
    }

    #[wasm_bindgen(getter, js_name = nVocab)]
    pub fn n_vocab(&self) -> u32 {
        count(self.inner.n_vocab())
    }

    #[wasm_bindgen(getter, js_name = maxTokenValue)]
    pub fn max_token_value(&self) -> u32 {
        self.inner.max_token_value()
    }

    #[wasm_bindgen(getter, js_name = eotToken)]
    pub fn eot_token(&self) -> Option<u32> {
        self.inner.eot_token()
    }

    /// Special tokens as `[text, id]` pairs, flattened: `["<|endoftext|>", 199999, ...]`
    /// is awkward to type, so they cross as two parallel arrays.
    #[wasm_bindgen(js_name = specialTokenTexts)]
    pub fn special_token_texts(&self) -> Vec<String> {
        self.inner.special_tokens().map(|(t, _)| t.to_string()).collect()
    }

    #[wasm_bindgen(js_name = specialTokenIds)]
    pub fn special_token_ids(&self) -> Vec<u32> {
        self.inner.special_tokens().map(|(_, id)| id).collect()
    }

    #[wasm_bindgen(js_name = encodeOrdinary)]
    pub fn encode_ordinary(&self, text: &str) -> Vec<u32> {
        self.inner.encode_ordinary(text)
    }

    /// `encode` with tiktoken's special-token rules.
    pub fn encode(
        &self,
        text: &str,
        allowed_all: bool,
        allowed: Vec<String>,
        disallowed_all: bool,
        disallowed: Vec<String>,
    ) -> Result<Vec<u32>, JsValue> {
        let allowed: Vec<&str> = allowed.iter().map(String::as_str).collect();
        let disallowed: Vec<&str> = disallowed.iter().map(String::as_str).collect();
        self.inner.encode(text, special_set(allowed_all, &allowed), special_set(disallowed_all, &disallowed)).or_throw()
    }

    #[wasm_bindgen(js_name = countTokens)]
    pub fn count_tokens(&self, text: &str) -> u32 {
        count(self.inner.count(text))
    }

    #[wasm_bindgen(js_name = countWithSpecial)]
    pub fn count_with_special(
        &self,
        text: &str,
        allowed_all: bool,
        allowed: Vec<String>,
        disallowed_all: bool,
        disallowed: Vec<String>,
    ) -> Result<u32, JsValue> {
        let allowed: Vec<&str> = allowed.iter().map(String::as_str).collect();
        let disallowed: Vec<&str> = disallowed.iter().map(String::as_str).collect();
        self.inner
            .count_with_special(text, special_set(allowed_all, &allowed), special_set(disallowed_all, &disallowed))
            .map(count)
            .or_throw()
    }

    /// The count if at most `limit`, else `undefined`; stops once past the limit.
    #[wasm_bindgen(js_name = countUntil)]
    pub fn count_until(&self, text: &str, limit: u32) -> Option<u32> {
        self.inner.count_until(text, limit as usize).map(count)
    }

    /// Text of the ids: invalid UTF-8 becomes U+FFFD unless `fatal`.
    pub fn decode(&self, ids: &[u32], fatal: bool) -> Result<String, JsValue> {
        if fatal {
            self.inner.decode(ids).or_throw()
        } else {
            self.inner.decode_lossy(ids).or_throw()
        }
    }

    #[wasm_bindgen(js_name = decodeBytes)]
    pub fn decode_bytes(&self, ids: &[u32]) -> Result<Vec<u8>, JsValue> {
        self.inner.decode_bytes(ids).or_throw()
    }

    #[wasm_bindgen(js_name = decodeSingleTokenBytes)]
    pub fn decode_single_token_bytes(&self, id: u32) -> Result<Vec<u8>, JsValue> {
        self.inner.decode_single_token_bytes(id).map(<[u8]>::to_vec).or_throw()
    }

    /// The ordinary ids and the UTF-8 byte offset where each token starts, interleaved
    /// as `[id0, offset0, id1, offset1, ...]` (one array across the boundary).
    #[wasm_bindgen(js_name = encodeWithByteOffsets)]
    pub fn encode_with_byte_offsets(&self, text: &str) -> Vec<u32> {
        let (ids, offsets) = self.inner.encode_ordinary_with_offsets(text);
        ids.into_iter().zip(offsets).flat_map(|(id, o)| [id, o as u32]).collect()
    }

    pub fn truncate(&self, text: &str, max_tokens: u32) -> String {
        self.inner.truncate(text, max_tokens as usize).to_string()
    }

    pub fn chunks(&self, text: &str, max_tokens: u32) -> Result<Vec<String>, JsValue> {
        let pieces = self.inner.chunks(text, max_tokens as usize).or_throw()?;
        Ok(pieces.into_iter().map(str::to_string).collect())
    }

    /// Tokens of OpenAI-style chat messages (JSON) for `model`, with tool definitions
    /// (JSON) when given; this encoding must be the model's.
    #[wasm_bindgen(js_name = countChat)]
    pub fn count_chat(&self, messages: &str, model: &str, tools: Option<String>) -> Result<u32, JsValue> {
        Ok(count(tokfare::chat::count_chat_json_with(&self.inner, messages, tools.as_deref(), model).or_throw()?))
    }
}
