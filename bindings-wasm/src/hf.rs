//! Hugging Face `tokenizer.json` models: the engine parses the file's bytes (the page
//! or app fetches them; `qwen3` ships as an asset next to the vocabularies).

use crate::errors::{invalid_argument, OrThrow};
use tokfare::hf::Tokenizer;
use wasm_bindgen::prelude::*;

/// One tokenizer, built by [`load_tokenizer`]; the JavaScript side keeps one per name.
#[wasm_bindgen]
pub struct WasmTokenizer {
    inner: Tokenizer,
}

/// A tokenizer from the contents of a `tokenizer.json` (byte-level BPE: this build has
/// no fallback engine for other models).
#[wasm_bindgen(js_name = loadTokenizer)]
pub fn load_tokenizer(name: &str, json: Vec<u8>) -> Result<WasmTokenizer, JsValue> {
    Ok(WasmTokenizer { inner: Tokenizer::native_from_bytes(name, json).or_throw()? })
}

/// The family of an open-weight model's tokenizer (`qwen3`, `llama3`, `deepseek_v3`).
#[wasm_bindgen(js_name = tokenizerNameForModel)]
pub fn tokenizer_name_for_model(model: &str) -> Result<String, JsValue> {
    tokfare::hf::tokenizer_name_for_model(model).map(str::to_string).or_throw()
}

/// `[family, asset file]` of the shipped tokenizer an open-weight model (or family name)
/// uses (`["qwen3", "qwen3.tokenizer.json.zz"]`); TokenizerFileNeeded when tokfare does
/// not ship it.
#[wasm_bindgen(js_name = packedTokenizerFile)]
pub fn packed_tokenizer_file(model: &str) -> Result<Vec<String>, JsValue> {
    let (name, file) = tokfare::hf::packed_tokenizer_file(model).or_throw()?;
    Ok(vec![name.to_string(), file.to_string()])
}

#[wasm_bindgen]
impl WasmTokenizer {
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.inner.name().to_string()
    }

    #[wasm_bindgen(getter)]
    pub fn engine(&self) -> String {
        self.inner.engine()
    }

    #[wasm_bindgen(getter, js_name = nVocab)]
    pub fn n_vocab(&self) -> u32 {
        self.inner.n_vocab() as u32
    }

    #[wasm_bindgen(js_name = isSpecialToken)]
    pub fn is_special_token(&self, id: u32) -> bool {
        self.inner.is_special_token(id)
    }

    pub fn encode(&self, text: &str, add_special_tokens: bool) -> Result<Vec<u32>, JsValue> {
        self.inner.encode(text, add_special_tokens).or_throw()
    }

    #[wasm_bindgen(js_name = encodeOrdinary)]
    pub fn encode_ordinary(&self, text: &str) -> Result<Vec<u32>, JsValue> {
        self.inner.encode_ordinary(text).or_throw()
    }

    #[wasm_bindgen(js_name = countTokens)]
    pub fn count_tokens(&self, text: &str) -> Result<u32, JsValue> {
        Ok(self.inner.count(text).or_throw()? as u32)
    }

    #[wasm_bindgen(js_name = countUntil)]
    pub fn count_until(&self, text: &str, limit: f64) -> Result<Option<u32>, JsValue> {
        if !(limit >= 0.0 && limit.fract() == 0.0 && limit <= u32::MAX as f64) {
            return Err(invalid_argument("limit", format!("must be a whole number from 0 to 2^32-1, got {limit}")));
        }
        Ok(self.inner.count_until(text, limit as usize).or_throw()?.map(|n| n as u32))
    }

    pub fn decode(&self, ids: &[u32], skip_special_tokens: bool) -> Result<String, JsValue> {
        self.inner.decode(ids, skip_special_tokens).or_throw()
    }

    #[wasm_bindgen(js_name = decodeBytes)]
    pub fn decode_bytes(&self, ids: &[u32], skip_special_tokens: bool) -> Result<Vec<u8>, JsValue> {
        self.inner.decode_bytes(ids, skip_special_tokens).or_throw()
    }
}
