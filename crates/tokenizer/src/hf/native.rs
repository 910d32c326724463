//! The native engine: byte-level BPE with the file's merge list, tokfare's scanners
//! and merge cache. Semantics of `tokenizers` 0.23, checked on the whole corpus.
//!
//! text → added tokens (raw) → NFC → added tokens (normalized) → pre-tokenizer →
//! BPE → ids (→ BOS/EOS templates on request).

use super::added::{AddedTokens, Segment, Stage};
use super::pre::PreTokenizer;
use super::{byte_level, file};
use crate::bpe::cache::{self, Merger};
use crate::bpe::pairs::{self, MergeTable};
use crate::error::{Error, Result};
use crate::vocab::{Rank, Vocab};
use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicU8, Ordering};

/// A byte-level BPE `tokenizer.json`, run natively.
pub(crate) struct Native {
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

impl Clone for Native {
    fn clone(&self) -> Self {
        Native {
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

impl Native {
    /// Builds the engine; [`Error::UnsupportedTokenizer`] if the file needs what it
    /// does not implement.
    pub(crate) fn new(mut json: Vec<u8>) -> Result<Self> {
        let tape = file::parse(&mut json)?;
        let spec = file::spec(tape.as_value())?;
        Self::build(spec)
    }

    fn build(spec: file::Spec<'_, '_>) -> Result<Self> {
        // The vocabulary is read and built while the merges are read and decoded to
        // bytes (neither needs the other); then each merge's sides and result are
        // looked up, on all cores.
        let (model, merge_side) = crate::parallel::join(
            || -> Result<(ModelVocab, usize)> {
                let tokens = file::vocab_entries(spec.vocab)?;
                match ModelVocab::new(&tokens) {
                    Ok(model) => Ok((model, tokens.len())),
                    // A key written twice in the file: keep its last id, as `tokenizers` does.
                    Err(e) => match without_repeated_keys(&tokens) {
                        Some(unique) => Ok((ModelVocab::new(&unique)?, unique.len())),
                        None => Err(e),
                    },
                }
            },
            || -> Result<(MergePairs<'_>, Vec<DecodedMerges>)> {
                let pairs = file::merge_pairs(spec.merges)?;
                let chunks: Vec<(usize, &[(&str, &str)])> =
                    pairs.chunks(MERGE_CHUNK).enumerate().map(|(k, c)| (k * MERGE_CHUNK, c)).collect();
                let decoded = crate::parallel::map(&chunks, |&(first, chunk)| DecodedMerges::new(first, chunk));
                Ok((pairs, decoded.into_iter().collect::<Result<_>>()?))
            },
        );
        let (ModelVocab { vocab, odd, odd_ids }, n_model_tokens) = model?;
        let (pairs, decoded) = merge_side?;
        let resolved = crate::parallel::map(&decoded, |d| d.resolve(&vocab, &pairs));
        // Filled in file order: a pair listed twice keeps its later entry.
        let mut merges = MergeTable::with_capacity(pairs.len());
        for (chunk, d) in resolved.into_iter().zip(&decoded) {
            merges.extend(d.first as u32, &chunk?);
        }

        let added_specs = resolve_added_ids(&spec.added, n_model_tokens, &vocab, &odd_ids);
        let normalize = |s: &str| if spec.nfc { nfc(s).into_owned() } else { s.to_string() };
        let added = AddedTokens::new(&added_specs, normalize)?;
        let mut added_bytes = HashMap::new();
        for t in &added_specs {
            let bytes = if spec.byte_level_decoder {
                byte_level::decode_token(&t.content).unwrap_or_else(|| t.content.as_bytes().to_vec())
            } else {
                t.content.as_bytes().to_vec()
            };
            added_bytes.insert(t.id, bytes);
        }
        for (id, bytes) in odd {
            added_bytes.entry(id).or_insert(bytes);
        }
        let max_model = vocab.rank_limit() as usize;
        let max_added = added_specs.iter().map(|t| t.id as usize + 1).max().unwrap_or(0);
        let max_odd = added_bytes.keys().map(|&id| id as usize + 1).max().unwrap_or(0);
        let n_vocab = max_model.max(max_added).max(max_odd);
        let whole_piece = (0..if spec.ignore_merges { 0 } else { max_model }).map(|_| AtomicU8::new(0)).collect();
        Ok(Native {
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

    /// `native bpe, ` and the pre-tokenizer engine.
    pub(crate) fn engine(&self) -> String {
        format!("native bpe, {}", self.pre.engine())
    }

    /// One more than the largest id (model and added tokens).
    pub(crate) fn n_vocab(&self) -> usize {
        self.n_vocab
    }

    /// Whether `id` is an added token marked `special`.
    pub(crate) fn is_special_token(&self, id: Rank) -> bool {
        self.added.is_special(id)
    }

    /// The ids of `text`, equal to `tokenizers`' `encode(text, add_special_tokens)`:
    /// added tokens in the text are always recognised; `add_special_tokens` puts the
    /// post-processor's BOS/EOS around the result.
    pub(crate) fn encode(&self, text: &str, add_special_tokens: bool) -> Result<Vec<Rank>> {
        let mut out = self.ids(text, false)?;
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
    pub(crate) fn encode_ordinary(&self, text: &str) -> Result<Vec<Rank>> {
        self.ids(text, true)
    }

    /// The ids of the pipeline, special tokens looked for unless `skip_special`.
    fn ids(&self, text: &str, skip_special: bool) -> Result<Vec<Rank>> {
        let mut out = Vec::with_capacity(text.len() / 4 + 1);
        self.walk(text, skip_special, |seg| {
            match seg {
                Piece::Added(id) => out.push(id),
                Piece::Text(piece) => self.encode_piece(piece, |r| out.push(r)),
            }
            ControlFlow::Continue(())
        })?;
        Ok(out)
    }

    /// `encode(text, false).len()` without building the ids.
    pub(crate) fn count(&self, text: &str) -> Result<usize> {
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
    pub(crate) fn count_until(&self, text: &str, limit: usize) -> Result<Option<usize>> {
        let mut n = 0;
        self.walk(text, false, |seg| {
            n += match seg {
                Piece::Added(_) => 1,
                Piece::Text(piece) => self.count_piece(piece),
            };
            if n > limit {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })?;
        Ok((n <= limit).then_some(n))
    }

    /// The bytes of `ids`, as `tokenizers`' ByteLevel decoder joins them (added tokens
    /// as their text). `skip_special_tokens` leaves out added tokens marked special.
    /// An id that is not in the vocabulary is an error (`tokenizers` skips it).
    pub(crate) fn decode_bytes(&self, ids: &[Rank], skip_special_tokens: bool) -> Result<Vec<u8>> {
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
        let whole = self.vocab.get(piece);
        if let Some(id) = whole {
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
        if let Some(id) = whole.filter(|_| !self.ignore_merges) {
            let verdict = if n == 1 && first == Some(id) { 1 } else { 2 };
            self.whole_piece[id as usize].store(verdict, Ordering::Relaxed);
        }
    }

    #[inline]
    fn count_piece(&self, piece: &[u8]) -> usize {
        let mut n = 0;
        self.encode_piece(piece, |_| n += 1);
        n
    }
}

/// `model.merges` as the file's token strings, in file order.
type MergePairs<'i> = Vec<(&'i str, &'i str)>;

/// Merges per unit of parallel work.
const MERGE_CHUNK: usize = 16 * 1024;

/// A run of merges with both sides decoded from the byte-level alphabet into one
/// buffer: merge `k` is `bytes[starts[k]..splits[k]]` + `bytes[splits[k]..starts[k + 1]]`
/// (decoding is per character, so the bytes of "a b" merged are bytes(a) bytes(b)).
struct DecodedMerges {
    /// Index of the first merge in the file.
    first: usize,
    bytes: Vec<u8>,
    starts: Vec<u32>,
    splits: Vec<u32>,
}

impl DecodedMerges {
    fn new(first: usize, merges: &[(&str, &str)]) -> Result<Self> {
        let mut bytes = Vec::with_capacity(merges.len() * 8);
        let mut starts = Vec::with_capacity(merges.len() + 1);
        let mut splits = Vec::with_capacity(merges.len());
        for (k, &(a, b)) in merges.iter().enumerate() {
            starts.push(bytes.len() as u32);
            // A side outside the alphabet cannot be a model token.
            let unknown = |token: &str| bad(&format!("$.model.merges[{}]", first + k), format!("{token:?} is not in the vocabulary"));
            if !byte_level::decode_into(a, &mut bytes) {
                return Err(unknown(a));
            }
            splits.push(bytes.len() as u32);
            if !byte_level::decode_into(b, &mut bytes) {
                return Err(unknown(b));
            }
        }
        starts.push(bytes.len() as u32);
        Ok(DecodedMerges { first, bytes, starts, splits })
    }

    fn sides(&self, k: usize) -> (&[u8], &[u8], &[u8]) {
        let (start, split, end) = (self.starts[k] as usize, self.splits[k] as usize, self.starts[k + 1] as usize);
        (&self.bytes[start..split], &self.bytes[split..end], &self.bytes[start..end])
    }

    /// `(left, right, merged)` ids of each merge. Lookups miss the cache (the table is
    /// MBs), so those of a few merges ahead are prefetched.
    fn resolve(&self, vocab: &Vocab, pairs: &[(&str, &str)]) -> Result<Vec<(Rank, Rank, Rank)>> {
        const AHEAD: usize = 6;
        let n = self.splits.len();
        let mut out = Vec::with_capacity(n);
        for k in 0..n {
            if k + AHEAD < n {
                let (left, right, merged) = self.sides(k + AHEAD);
                vocab.prefetch(left);
                vocab.prefetch(right);
                vocab.prefetch(merged);
            }
            let (left, right, merged) = self.sides(k);
            match (vocab.get(left), vocab.get(right), vocab.get(merged)) {
                (Some(l), Some(r), Some(m)) => out.push((l, r, m)),
                (l, r, _) => {
                    // The error names the file's strings.
                    let (a, b) = pairs[self.first + k];
                    let token = if l.is_none() {
                        a.to_string()
                    } else if r.is_none() {
                        b.to_string()
                    } else {
                        format!("{a}{b}")
                    };
                    return Err(bad(&format!("$.model.merges[{}]", self.first + k), format!("{token:?} is not in the vocabulary")));
                }
            }
        }
        Ok(out)
    }
}

/// The model's tokens as bytes, and those outside the byte-level alphabet.
struct ModelVocab {
    vocab: Vocab,
    /// Tokens outside the byte-level alphabet: BPE can never produce them; decode
    /// writes their text (as the ByteLevel decoder does).
    odd: HashMap<Rank, Vec<u8>>,
    odd_ids: HashMap<String, Rank>,
}

impl ModelVocab {
    fn new(tokens: &[(&str, Rank)]) -> Result<Self> {
        let by_id = in_id_order(tokens)?;
        let mut odd = HashMap::new();
        let mut odd_ids = HashMap::new();
        let mut arena = Vec::with_capacity(tokens.iter().map(|(t, _)| t.len()).sum());
        let mut offsets = Vec::with_capacity(by_id.last().map_or(0, |&(id, _)| id as usize) + 2);
        offsets.push(0u32);
        for &(id, token) in &by_id {
            offsets.resize(id as usize + 1, arena.len() as u32);
            if !byte_level::decode_into(token, &mut arena) {
                odd.insert(id, token.as_bytes().to_vec());
                odd_ids.insert(token.to_string(), id);
            }
            offsets.push(arena.len() as u32);
        }
        let vocab = Vocab::index(arena, offsets).map_err(|e| bad("$.model.vocab", e.to_string()))?;
        if !vocab.covers_all_bytes() {
            return Err(Error::UnsupportedTokenizer("a vocabulary without all 256 byte tokens (not a byte-level BPE)".into()));
        }
        Ok(ModelVocab { vocab, odd, odd_ids })
    }
}

/// `(id, token)` sorted by id; an id given twice is an error. Ids are nearly always
/// 0..n in some order: they are placed directly (no sort) when they are that dense.
fn in_id_order<'v>(tokens: &[(&'v str, Rank)]) -> Result<Vec<(Rank, &'v str)>> {
    let twice = |id: Rank, a: &str, b: &str| bad("$.model.vocab", format!("id {id} is given to two tokens, {a:?} and {b:?}"));
    let limit = tokens.iter().map(|&(_, id)| id as usize + 1).max().unwrap_or(0);
    if limit <= 2 * tokens.len() + 1024 {
        let mut slots: Vec<Option<&str>> = vec![None; limit];
        for &(token, id) in tokens {
            if let Some(earlier) = slots[id as usize].replace(token) {
                return Err(twice(id, earlier, token));
            }
        }
        return Ok(slots.into_iter().enumerate().filter_map(|(id, t)| Some((id as Rank, t?))).collect());
    }
    let mut by_id: Vec<(Rank, &str)> = tokens.iter().map(|&(t, id)| (id, t)).collect();
    by_id.sort_unstable();
    match by_id.windows(2).find(|w| w[0].0 == w[1].0) {
        Some(w) => Err(twice(w[0].0, w[0].1, w[1].1)),
        None => Ok(by_id),
    }
}

/// The vocabulary with each repeated key kept once, with its last id (serde's map
/// semantics); `None` if no key repeats.
fn without_repeated_keys<'v>(tokens: &[(&'v str, Rank)]) -> Option<Vec<(&'v str, Rank)>> {
    let mut last: HashMap<&str, usize> = HashMap::with_capacity(tokens.len());
    for (i, &(t, _)) in tokens.iter().enumerate() {
        last.insert(t, i);
    }
    if last.len() == tokens.len() {
        return None;
    }
    Some(tokens.iter().enumerate().filter(|&(i, (t, _))| last[t] == i).map(|(_, &p)| p).collect())
}

/// The ids `tokenizers` gives the added tokens — not the ones written in the file,
/// which it only warns about: a content that is a model token gets that token's id,
/// a content seen before keeps its id, any other takes the next id after the model's
/// vocabulary size (its number of tokens), in file order. A later token given an id
/// already taken replaces the earlier one.
fn resolve_added_ids(
    added: &[file::AddedSpec],
    n_model_tokens: usize,
    vocab: &Vocab,
    odd_ids: &HashMap<String, Rank>,
) -> Vec<file::AddedSpec> {
    let mut next_id = n_model_tokens as Rank;
    let mut by_content: HashMap<&str, Rank> = HashMap::new();
    let mut by_id: std::collections::BTreeMap<Rank, file::AddedSpec> = std::collections::BTreeMap::new();
    for token in added {
        if token.content.is_empty() {
            continue;
        }
        if let Some(id) = by_content.get(token.content.as_str()) {
            if by_id.get(id).is_some_and(|t| file::AddedSpec { id: t.id, ..token.clone() } == *t) {
                continue;
            }
        }
        let model_id =
            || byte_level::decode_token(&token.content).and_then(|b| vocab.get(&b)).or_else(|| odd_ids.get(&token.content).copied());
        let id = match by_content.get(token.content.as_str()).copied().or_else(model_id) {
            Some(id) => id,
            None => {
                next_id += 1;
                next_id - 1
            }
        };
        by_content.insert(&token.content, id);
        by_id.insert(id, file::AddedSpec { id, ..token.clone() });
    }
    by_id.into_values().collect()
}

/// What the pipeline hands to BPE.
enum Piece<'p> {
    Added(Rank),
    Text(&'p [u8]),
}

/// NFC as `tokenizers` applies it — the same crate and Unicode tables (9.0), so marks
/// assigned since are left where they are, as there — without copying text that is
/// already in NFC (nearly all text).
fn nfc(s: &str) -> Cow<'_, str> {
    use unicode_normalization_alignments::{is_nfc_quick, IsNormalized, UnicodeNormalization};
    if s.is_ascii() || is_nfc_quick(s.chars()) == IsNormalized::Yes {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.nfc().map(|(c, _)| c).collect())
    }
}
