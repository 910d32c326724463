//! The fallback engine: the `tokenizers` crate itself, for `tokenizer.json` files the
//! native engine does not implement (Unigram, WordPiece, SentencePiece-style BPE...).
//! Exact by construction, at `tokenizers`' speed.

use crate::error::{Error, Result};
use crate::vocab::Rank;

#[derive(Clone)]
pub(crate) struct Fallback {
    tokenizer: tokenizers::Tokenizer,
    /// The same tokenizer with special tokens read as text, for `encode_ordinary`.
    ordinary: tokenizers::Tokenizer,
    n_vocab: usize,
}

fn failed(e: tokenizers::Error) -> Error {
    Error::InvalidTokenizerFile { path: "$".into(), reason: e.to_string() }
}

impl Fallback {
    pub(crate) fn new(json: &[u8]) -> Result<Self> {
        let tokenizer = tokenizers::Tokenizer::from_bytes(json).map_err(failed)?;
        let mut ordinary = tokenizer.clone();
        ordinary.set_encode_special_tokens(true);
        let n_vocab = tokenizer.get_vocab(true).values().map(|&id| id as usize + 1).max().unwrap_or(0);
        Ok(Fallback { tokenizer, ordinary, n_vocab })
    }

    pub(crate) fn engine(&self) -> String {
        "tokenizers".to_string()
    }

    pub(crate) fn n_vocab(&self) -> usize {
        self.n_vocab
    }

    pub(crate) fn is_special_token(&self, id: Rank) -> bool {
        self.tokenizer
            .id_to_token(id)
            .is_some_and(|t| self.tokenizer.get_added_tokens_decoder().get(&id).is_some_and(|a| a.special && a.content == t))
    }

    pub(crate) fn encode(&self, text: &str, add_special_tokens: bool) -> Result<Vec<Rank>> {
        Ok(self.tokenizer.encode_fast(text, add_special_tokens).map_err(failed)?.get_ids().to_vec())
    }

    pub(crate) fn encode_ordinary(&self, text: &str) -> Result<Vec<Rank>> {
        Ok(self.ordinary.encode_fast(text, false).map_err(failed)?.get_ids().to_vec())
    }

    pub(crate) fn count(&self, text: &str) -> Result<usize> {
        Ok(self.tokenizer.encode_fast(text, false).map_err(failed)?.len())
    }

    pub(crate) fn count_until(&self, text: &str, limit: usize) -> Result<Option<usize>> {
        self.count(text).map(|n| (n <= limit).then_some(n))
    }

    pub(crate) fn decode_bytes(&self, ids: &[Rank], skip_special_tokens: bool) -> Result<Vec<u8>> {
        if let Some(&id) = ids.iter().find(|&&id| self.tokenizer.id_to_token(id).is_none()) {
            return Err(Error::UnknownTokenId { id });
        }
        Ok(self.tokenizer.decode(ids, skip_special_tokens).map_err(failed)?.into_bytes())
    }
}
