//! Hugging Face `tokenizer.json` byte-level BPE models — Llama 3, Qwen 2/2.5/3,
//! DeepSeek V3, GPT-4o and any other file of that kind — tokenized natively with the
//! semantics of `tokenizers` 0.23:
//!
//! text → added tokens (raw) → NFC → added tokens (normalized) → pre-tokenizer →
//! byte-level BPE with the file's merge list → ids (→ BOS/EOS templates on request).
//!
//! ```no_run
//! let qwen = tokfare::hf::Tokenizer::from_file("tokenizer.json")?;
//! let ids = qwen.encode("Hello world", false)?;
//! assert_eq!(qwen.count("Hello world")?, ids.len());
//! assert_eq!(qwen.decode(&ids, false)?, "Hello world");
//! # Ok::<(), tokfare::Error>(())
//! ```
//!
//! Files using what the native engine does not implement (Unigram or WordPiece
//! models, SentencePiece-style BPE with byte fallback, other normalizers) are refused
//! with [`Error::UnsupportedTokenizer`].

mod added;
mod byte_level;
mod file;
mod pre;

use crate::bpe::cache::{self, Merger};
use crate::bpe::pairs::{self, MergeTable};
use crate::error::{Error, Result};
use crate::vocab::{Rank, Vocab};
use added::{AddedTokens, Segment, Stage};
use pre::PreTokenizer;
use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicU8, Ordering};

/// A tokenizer loaded from a Hugging Face `tokenizer.json` (byte-level BPE).
///
/// All methods take `&self` and may be called from many threads at once.
pub struct Tokenizer {
    name: String,
    vocab: Vocab,
    merges: MergeTable,
    /// `ignore_merges`: a piece that is a token is that token, without merging.
    ignore_merges: bool,
    /// Without `ignore_merges`, whether merging a token's own bytes gives that token
    /// (nearly always): 0 not known yet, 1 yes, 2 no. Filled in as pieces are seen.
    whole_piece: Vec<AtomicU8>,
    nfc: bool,
    pre: PreTokenizer,
    added: AddedTokens,
    /// What decode writes for an added token (its content through the decoder).
    added_bytes: HashMap<Rank, Vec<u8>>,
    /// BOS/EOS ids around the sequence when special tokens are added, outermost last.
    post: Vec<(Vec<Rank>, Vec<Rank>)>,
    byte_level_decoder: bool,
    n_vocab: usize,
}

impl std::fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokenizer").field("name", &self.name).field("n_vocab", &self.n_vocab).field("engine", &self.engine()).finish()
    }
}

impl Clone for Tokenizer {
    fn clone(&self) -> Self {
        Tokenizer {
            name: self.name.clone(),
            vocab: self.vocab.clone(),
            merges: self.merges.clone(),
            ignore_merges: self.ignore_merges,
            whole_piece: self.whole_piece.iter().map(|a| AtomicU8::new(a.load(Ordering::Relaxed))).collect(),
            nfc: self.nfc,
            pre: self.pre.clone(),
            added: self.added.clone(),
            added_bytes: self.added_bytes.clone(),
            post: self.post.clone(),
            byte_level_decoder: self.byte_level_decoder,
            n_vocab: self.n_vocab,
        }
    }
}

/// The merge rule of a tokenizer, for the merge cache.
struct PairMerger<'a> {
    vocab: &'a Vocab,
    merges: &'a MergeTable,
}

impl Merger for PairMerger<'_> {
    #[inline(always)]
    fn vocab(&self) -> &Vocab {
        self.vocab
    }
    #[inline(always)]
    fn merge(&self, piece: &[u8], emit: impl FnMut(Rank)) {
        pairs::merge(self.vocab, self.merges, piece, emit)
    }
}

fn bad(path: &str, reason: String) -> Error {
    Error::InvalidTokenizerFile { path: path.to_string(), reason }
}

impl Tokenizer {
    /// Loads a `tokenizer.json` file; the tokenizer is named after the file.
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| bad("$", format!("cannot read {}: {e}", path.display())))?;
        Self::from_bytes(&path.display().to_string(), bytes)
    }

    /// Loads the contents of a `tokenizer.json`.
    pub fn from_bytes(name: &str, bytes: impl Into<Vec<u8>>) -> Result<Self> {
        let mut bytes = bytes.into();
        let spec = file::parse(&mut bytes)?;
        drop(bytes);
        Self::build(name, spec)
    }

    fn build(name: &str, spec: file::Spec) -> Result<Self> {
        // Model tokens, as bytes. A token outside the byte-level alphabet can never come
        // out of BPE; decode still writes it (as its text, like the ByteLevel decoder).
        let mut by_bytes: Vec<(Vec<u8>, Rank)> = Vec::with_capacity(spec.vocab.len());
        let mut odd: HashMap<Rank, Vec<u8>> = HashMap::new();
        let mut seen_ids = std::collections::HashSet::with_capacity(spec.vocab.len());
        for (token, id) in &spec.vocab {
            if !seen_ids.insert(*id) {
                return Err(bad("$.model.vocab", format!("id {id} is given to two tokens (one is {token:?})")));
            }
            match byte_level::decode_token(token) {
                Some(bytes) if !bytes.is_empty() => by_bytes.push((bytes, *id)),
                _ => {
                    odd.insert(*id, token.as_bytes().to_vec());
                }
            }
        }
        let vocab = Vocab::from_pairs(by_bytes).map_err(|e| bad("$.model.vocab", e.to_string()))?;
        if !vocab.covers_all_bytes() {
            return Err(Error::UnsupportedTokenizer("a vocabulary without all 256 byte tokens (not a byte-level BPE)".into()));
        }

        let mut merges = MergeTable::with_capacity(spec.merges.len());
        let id_of = |token: &str, i: usize| -> Result<Rank> {
            byte_level::decode_token(token)
                .and_then(|b| vocab.get(&b))
                .ok_or_else(|| bad(&format!("$.model.merges[{i}]"), format!("{token:?} is not in the vocabulary")))
        };
        for (i, (a, b)) in spec.merges.iter().enumerate() {
            let (left, right) = (id_of(a, i)?, id_of(b, i)?);
            let merged = id_of(&format!("{a}{b}"), i)?;
            merges.insert(left, right, i as u32, merged);
        }

        let normalize = |s: &str| if spec.nfc { nfc(s).into_owned() } else { s.to_string() };
        let added = AddedTokens::new(&spec.added, normalize)?;
        let mut added_bytes = HashMap::new();
        for t in &spec.added {
            let bytes = if spec.byte_level_decoder { byte_level::decode_token(&t.content).unwrap_or_else(|| t.content.as_bytes().to_vec()) } else { t.content.as_bytes().to_vec() };
            added_bytes.insert(t.id, bytes);
        }
        for (id, bytes) in odd {
            added_bytes.entry(id).or_insert(bytes);
        }
        let max_model = vocab.rank_limit() as usize;
        let max_added = spec.added.iter().map(|t| t.id as usize + 1).max().unwrap_or(0);
        let max_odd = added_bytes.keys().map(|&id| id as usize + 1).max().unwrap_or(0);
        let n_vocab = max_model.max(max_added).max(max_odd);
        let whole_piece = (0..if spec.ignore_merges { 0 } else { max_model }).map(|_| AtomicU8::new(0)).collect();
        Ok(Tokenizer {
            name: name.to_string(),
            merges,
            ignore_merges: spec.ignore_merges,
            whole_piece,
            nfc: spec.nfc,
            pre: PreTokenizer::new(&spec.pre_tokenizer)?,
            added,
            added_bytes,
            post: spec.post.into_iter().map(|p| (p.before, p.after)).collect(),
            byte_level_decoder: spec.byte_level_decoder,
            n_vocab,
            vocab,
        })
    }

    /// The name given when loading (the file path for [`Tokenizer::from_file`]).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The pre-tokenizer engine in use: a hand-written scanner (`scanner:llama3`,
    /// `scanner:qwen2`, `scanner:o200k`...), the regex engine, or the step-by-step
    /// pipeline.
    pub fn engine(&self) -> String {
        format!("native bpe, {}", self.pre.engine())
    }

    /// One more than the largest id (model and added tokens).
    pub fn n_vocab(&self) -> usize {
        self.n_vocab
    }

    /// Whether `id` is an added token marked `special`.
    pub fn is_special_token(&self, id: Rank) -> bool {
        self.added.is_special(id)
    }

    /// The ids of `text`, equal to `tokenizers`' `encode(text, add_special_tokens)`:
    /// added tokens in the text are always recognised; `add_special_tokens` puts the
    /// post-processor's BOS/EOS around the result.
    pub fn encode(&self, text: &str, add_special_tokens: bool) -> Result<Vec<Rank>> {
        let mut out = Vec::with_capacity(text.len() / 4 + 1);
        self.walk(text, false, |seg| {
            match seg {
                Piece::Added(id) => out.push(id),
                Piece::Text(piece) => self.encode_piece(piece, |r| out.push(r)),
            }
            ControlFlow::Continue(())
        })?;
        if add_special_tokens {
            for (before, after) in &self.post {
                let mut framed = Vec::with_capacity(before.len() + out.len() + after.len());
                framed.extend_from_slice(before);
                framed.extend_from_slice(&out);
                framed.extend_from_slice(after);
                out = framed;
            }
        }
        Ok(out)
    }

    /// The ids of `text` with special tokens treated as plain text (`tokenizers` with
    /// `encode_special_tokens = true`): for text from users, who must not be able to
    /// inject control tokens. Non-special added tokens are still recognised.
    pub fn encode_ordinary(&self, text: &str) -> Result<Vec<Rank>> {
        let mut out = Vec::with_capacity(text.len() / 4 + 1);
        self.walk(text, true, |seg| {
            match seg {
                Piece::Added(id) => out.push(id),
                Piece::Text(piece) => self.encode_piece(piece, |r| out.push(r)),
            }
            ControlFlow::Continue(())
        })?;
        Ok(out)
    }

    /// `encode(text, false).len()` without building the ids.
    pub fn count(&self, text: &str) -> Result<usize> {
        let mut n = 0;
        self.walk(text, false, |seg| {
            n += match seg {
                Piece::Added(_) => 1,
                Piece::Text(piece) => self.count_piece(piece),
            };
            ControlFlow::Continue(())
        })?;
        Ok(n)
    }

    /// The count if it is at most `limit`, else `None`, stopping as soon as the limit
    /// is passed.
    pub fn count_until(&self, text: &str, limit: usize) -> Result<Option<usize>> {
        let mut n = 0;
        self.walk(text, false, |seg| {
            n += match seg {
                Piece::Added(_) => 1,
                Piece::Text(piece) => self.count_piece(piece),
            };
            if n > limit { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
        })?;
        Ok((n <= limit).then_some(n))
    }

    /// [`Tokenizer::encode`] of many texts, on all cores.
    pub fn encode_batch<S: AsRef<str> + Sync>(&self, texts: &[S], add_special_tokens: bool) -> Result<Vec<Vec<Rank>>> {
        crate::parallel::map(texts, |t| self.encode(t.as_ref(), add_special_tokens)).into_iter().collect()
    }

    /// [`Tokenizer::count`] of many texts, on all cores.
    pub fn count_batch<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Result<Vec<usize>> {
        crate::parallel::map(texts, |t| self.count(t.as_ref())).into_iter().collect()
    }

    /// The bytes of `ids`, as `tokenizers`' ByteLevel decoder joins them (added tokens
    /// as their text). `skip_special_tokens` leaves out added tokens marked special.
    /// An id that is not in the vocabulary is an error (`tokenizers` skips it).
    pub fn decode_bytes(&self, ids: &[Rank], skip_special_tokens: bool) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(ids.len() * 4);
        for (i, &id) in ids.iter().enumerate() {
            if skip_special_tokens && self.added.is_special(id) {
                continue;
            }
            let bytes: Cow<'_, [u8]> = if let Some(b) = self.added_bytes.get(&id) {
                Cow::Borrowed(b)
            } else if self.vocab.contains_rank(id) {
                Cow::Borrowed(self.vocab.token_bytes(id))
            } else {
                return Err(Error::UnknownTokenId { id });
            };
            if !self.byte_level_decoder && i > 0 && !out.is_empty() {
                // Without a decoder, `tokenizers` joins the token strings with spaces.
                out.push(b' ');
            }
            if self.byte_level_decoder || self.added_bytes.contains_key(&id) {
                out.extend_from_slice(&bytes);
            } else {
                out.extend_from_slice(byte_level::encode_bytes(&bytes).as_bytes());
            }
        }
        Ok(out)
    }

    /// `tokenizers`' `decode(ids, skip_special_tokens)`: invalid UTF-8 becomes U+FFFD.
    pub fn decode(&self, ids: &[Rank], skip_special_tokens: bool) -> Result<String> {
        let bytes = self.decode_bytes(ids, skip_special_tokens)?;
        Ok(match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        })
    }

    /// Runs the pipeline up to BPE: `f` gets added tokens and pre-tokenized pieces.
    fn walk(&self, text: &str, skip_special: bool, mut f: impl FnMut(Piece<'_>) -> ControlFlow<()>) -> Result<()> {
        let mut result = Ok(());
        let mut stopped = false;
        self.added.split(Stage::Raw, text, skip_special, |segment| {
            if stopped || result.is_err() {
                return;
            }
            match segment {
                Segment::Added(id) => stopped = f(Piece::Added(id)).is_break(),
                Segment::Text(raw) => {
                    let normalized = if self.nfc { nfc(raw) } else { Cow::Borrowed(raw) };
                    self.added.split(Stage::Normalized, &normalized, skip_special, |segment| {
                        if stopped || result.is_err() {
                            return;
                        }
                        match segment {
                            Segment::Added(id) => stopped = f(Piece::Added(id)).is_break(),
                            Segment::Text(part) => {
                                result = self.pre.for_each_piece(part, |piece| {
                                    let flow = f(Piece::Text(piece));
                                    stopped = flow.is_break();
                                    flow
                                });
                            }
                        }
                    });
                }
            }
        });
        result
    }

    #[inline]
    fn encode_piece(&self, piece: &[u8], mut emit: impl FnMut(Rank)) {
        if let Some(id) = self.vocab.get(piece) {
            if self.ignore_merges || self.whole_piece[id as usize].load(Ordering::Relaxed) == 1 {
                return emit(id);
            }
        }
        let merger = PairMerger { vocab: &self.vocab, merges: &self.merges };
        let mut first = None;
        let mut n = 0;
        cache::merge(&merger, piece, |r| {
            first.get_or_insert(r);
            n += 1;
            emit(r)
        });
        // Remember whether a piece that is a token merges into itself.
        if !self.ignore_merges {
            if let Some(id) = self.vocab.get(piece) {
                let verdict = if n == 1 && first == Some(id) { 1 } else { 2 };
                self.whole_piece[id as usize].store(verdict, Ordering::Relaxed);
            }
        }
    }

    #[inline]
    fn count_piece(&self, piece: &[u8]) -> usize {
        let mut n = 0;
        self.encode_piece(piece, |_| n += 1);
        n
    }
}

/// What the pipeline hands to BPE.
enum Piece<'p> {
    Added(Rank),
    Text(&'p [u8]),
}

/// NFC, without copying text that is already in NFC (nearly all text).
fn nfc(s: &str) -> Cow<'_, str> {
    use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
    if s.is_ascii() || is_nfc_quick(s.chars()) == IsNormalized::Yes {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.nfc().collect())
    }
}
