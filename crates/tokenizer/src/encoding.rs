//! [`Encoding`]: special tokens + pre-tokenizer + BPE. Encode, count, decode, batch,
//! truncate and chunk.

use crate::bpe;
use crate::error::{Error, Result};
use crate::pretokenize::Pretokenizer;
use crate::specials::{SpecialSet, SpecialTokens};
use crate::vocab::{self, Rank, Vocab};
use std::ops::ControlFlow;

/// A tokenizer: an OpenAI encoding such as `cl100k_base`, or a custom one.
///
/// Cheap to share: the built-in encodings are created once and handed out as
/// `Arc<Encoding>` by [`get_encoding`](crate::get_encoding). All methods take `&self`
/// and may be called from many threads at once.
#[derive(Clone)]
pub struct Encoding {
    name: String,
    pattern: String,
    pretokenizer: Pretokenizer,
    vocab: Vocab,
    specials: SpecialTokens,
    /// Ordinary token ids sorted by their bytes, built on first use (prefix searches
    /// of `encode_with_unstable`, `token_byte_values`).
    sorted_by_bytes: std::sync::OnceLock<Vec<Rank>>,
}

impl std::fmt::Debug for Encoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoding")
            .field("name", &self.name)
            .field("n_vocab", &self.n_vocab())
            .field("engine", &self.pretokenizer.engine())
            .finish()
    }
}

impl Encoding {
    /// A custom encoding, like `tiktoken.Encoding(name, pat_str=..., mergeable_ranks=...,
    /// special_tokens=..., explicit_n_vocab=...)`.
    ///
    /// `mergeable_ranks` must contain every single byte (byte-level BPE). Special
    /// tokens must not reuse a rank. With `explicit_n_vocab`, the total number of tokens
    /// and the largest id are checked against it, as tiktoken does.
    pub fn new<B: AsRef<[u8]>>(
        name: &str,
        pattern: &str,
        mergeable_ranks: impl IntoIterator<Item = (B, Rank)>,
        special_tokens: impl IntoIterator<Item = (String, Rank)>,
        explicit_n_vocab: Option<usize>,
    ) -> Result<Self> {
        let vocab = Vocab::from_pairs(mergeable_ranks)?;
        Self::assemble(name, pattern, vocab, special_tokens.into_iter().collect(), explicit_n_vocab)
    }

    /// A custom encoding from the contents of a `.tiktoken` rank file.
    pub fn from_tiktoken_bytes(
        name: &str,
        rank_file: &[u8],
        pattern: &str,
        special_tokens: impl IntoIterator<Item = (String, Rank)>,
    ) -> Result<Self> {
        let vocab = vocab::parse_tiktoken_file(rank_file)?;
        Self::assemble(name, pattern, vocab, special_tokens.into_iter().collect(), None)
    }

    pub(crate) fn assemble(
        name: &str,
        pattern: &str,
        vocab: Vocab,
        special_tokens: Vec<(String, Rank)>,
        explicit_n_vocab: Option<usize>,
    ) -> Result<Self> {
        if !vocab.covers_all_bytes() {
            return Err(Error::InvalidVocabulary("every single byte must be a token (byte-level BPE); some are missing".into()));
        }
        for (text, rank) in &special_tokens {
            if vocab.contains_rank(*rank) {
                return Err(Error::InvalidVocabulary(format!("special token {text:?} has id {rank}, which is already an ordinary token")));
            }
        }
        let specials = SpecialTokens::new(special_tokens)?;
        let encoding = Encoding {
            name: name.to_string(),
            pattern: pattern.to_string(),
            pretokenizer: Pretokenizer::for_pattern(pattern)?,
            vocab,
            specials,
            sorted_by_bytes: std::sync::OnceLock::new(),
        };
        if let Some(n) = explicit_n_vocab {
            let total = encoding.vocab.len() + encoding.specials.len();
            if total != n || encoding.max_token_value() as usize + 1 != n {
                return Err(Error::InvalidVocabulary(format!(
                    "explicit_n_vocab is {n} but there are {total} tokens and the largest id is {}",
                    encoding.max_token_value()
                )));
            }
        }
        Ok(encoding)
    }

    /// The encoding's name, e.g. `"cl100k_base"`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The pre-tokenization regex.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// Which pre-tokenization engine runs: a hand-written scanner or the regex engine.
    pub fn engine(&self) -> &'static str {
        self.pretokenizer.engine()
    }

    /// Whether this encoding's pre-tokenizer has settled boundaries (the built-in
    /// patterns do; see [`TokenCounter`](crate::TokenCounter)).
    pub(crate) fn has_settled_boundaries(&self) -> bool {
        self.pretokenizer.is_scanner()
    }

    /// The rank table (for in-crate tests of the merge paths).
    #[cfg(test)]
    pub(crate) fn vocab(&self) -> &Vocab {
        &self.vocab
    }

    /// The largest token id (ordinary or special).
    pub fn max_token_value(&self) -> Rank {
        let ordinary = self.vocab.rank_limit().saturating_sub(1);
        self.specials.max_rank().map_or(ordinary, |s| s.max(ordinary))
    }

    /// `max_token_value() + 1`, as tiktoken's `n_vocab`.
    pub fn n_vocab(&self) -> usize {
        self.max_token_value() as usize + 1
    }

    /// Id of `<|endoftext|>`, if the encoding has it.
    pub fn eot_token(&self) -> Option<Rank> {
        self.specials.get("<|endoftext|>")
    }

    /// The special tokens and their ids, in definition order.
    pub fn special_tokens(&self) -> impl Iterator<Item = (&str, Rank)> + '_ {
        self.specials.iter()
    }

    /// Whether `id` is a special token.
    pub fn is_special_token(&self, id: Rank) -> bool {
        self.specials.text_of(id).is_some()
    }

    /// The bytes of every ordinary token, sorted bytewise, as tiktoken's
    /// `token_byte_values` returns them (use [`mergeable_ranks`](Self::mergeable_ranks)
    /// for id order).
    pub fn token_byte_values(&self) -> Vec<&[u8]> {
        self.sorted_by_bytes().iter().map(|&id| self.vocab.token_bytes(id)).collect()
    }

    /// Ordinary token ids in bytewise order of their bytes.
    pub(crate) fn sorted_by_bytes(&self) -> &[Rank] {
        self.sorted_by_bytes.get_or_init(|| {
            let mut ids: Vec<Rank> = self.vocab.iter().map(|(id, _)| id).collect();
            ids.sort_unstable_by(|&a, &b| self.vocab.token_bytes(a).cmp(self.vocab.token_bytes(b)));
            ids
        })
    }

    /// The ordinary BPE of raw bytes, without pre-tokenization (tiktoken's `byte_pair_encode`).
    pub(crate) fn bpe_bytes(&self, bytes: &[u8], out: &mut Vec<Rank>) {
        bpe::encode_piece(&self.vocab, bytes, out);
    }

    /// Like [`encode`](Self::encode), also returning how many of the last tokens came
    /// from the text's last pre-tokenized piece (0 when the text ends with a special token).
    pub(crate) fn encode_tracking_last_piece(
        &self,
        text: &str,
        allowed: SpecialSet<'_>,
        disallowed: SpecialSet<'_>,
    ) -> Result<(Vec<Rank>, usize)> {
        let allowed = self.specials.allowed(allowed);
        self.specials.check_disallowed(text, &allowed, disallowed)?;
        let mut out = Vec::with_capacity(text.len() / 3 + 1);
        let mut last_piece = 0;
        let mut start = 0;
        loop {
            let next = if allowed.is_empty() { None } else { self.specials.next_allowed(text, start, &allowed) };
            let end = next.map_or(text.len(), |(s, _, _)| s);
            let vocab = &self.vocab;
            self.for_each_piece(&text[start..end], |_, piece| {
                let before = out.len();
                bpe::encode_piece(vocab, piece, &mut out);
                last_piece = out.len() - before;
                ControlFlow::Continue(())
            });
            match next {
                Some((_, special_end, rank)) => {
                    out.push(rank);
                    last_piece = 0;
                    start = special_end;
                }
                None => return Ok((out, last_piece)),
            }
        }
    }

    /// The ordinary tokens with their ids (for exporting the vocabulary).
    pub fn mergeable_ranks(&self) -> impl Iterator<Item = (Rank, &[u8])> + '_ {
        self.vocab.iter()
    }

    // ---- encoding -------------------------------------------------------------

    /// Encodes text with no special-token handling: `<|endoftext|>` in the text is
    /// ordinary text.
    pub fn encode_ordinary(&self, text: &str) -> Vec<Rank> {
        let mut out = Vec::with_capacity(text.len() / 3 + 1);
        self.encode_ordinary_into(text, &mut out);
        out
    }

    /// Appends the ordinary encoding of `text` to `out` (reuses the allocation).
    pub fn encode_ordinary_into(&self, text: &str, out: &mut Vec<Rank>) {
        let vocab = &self.vocab;
        self.for_each_piece(text, |_, piece| {
            bpe::encode_piece(vocab, piece, out);
            ControlFlow::Continue(())
        });
    }

    /// Pre-tokenizes `text` and hands the pieces to `f` in order, until it breaks.
    #[inline(always)]
    fn for_each_piece(&self, text: &str, f: impl FnMut(usize, &[u8]) -> ControlFlow<()>) {
        let scanned = self.pretokenizer.for_each_piece(text, f);
        // Only the general regex engine can fail, and it runs without a backtracking limit.
        debug_assert!(scanned.is_ok(), "{scanned:?}");
    }

    /// Encodes text with tiktoken's special-token rules: specials in `allowed` become
    /// their ids; a string of `disallowed` found in the text is an error
    /// ([`Error::DisallowedSpecialToken`]). tiktoken's defaults are
    /// `allowed = SpecialSet::None, disallowed = SpecialSet::All`, where `All` means
    /// every special token that is not allowed.
    pub fn encode(&self, text: &str, allowed: SpecialSet<'_>, disallowed: SpecialSet<'_>) -> Result<Vec<Rank>> {
        let allowed = self.specials.allowed(allowed);
        self.specials.check_disallowed(text, &allowed, disallowed)?;
        if allowed.is_empty() {
            return Ok(self.encode_ordinary(text));
        }
        let mut out = Vec::with_capacity(text.len() / 3 + 1);
        let mut start = 0;
        loop {
            let next = self.specials.next_allowed(text, start, &allowed);
            let end = next.map_or(text.len(), |(s, _, _)| s);
            self.encode_ordinary_into(&text[start..end], &mut out);
            match next {
                Some((_, special_end, rank)) => {
                    out.push(rank);
                    start = special_end;
                }
                None => return Ok(out),
            }
        }
    }

    /// Encodes with every special token allowed (trusted text such as chat templates).
    pub fn encode_with_special_tokens(&self, text: &str) -> Vec<Rank> {
        // Nothing is disallowed once everything is allowed, so this cannot fail.
        self.encode(text, SpecialSet::All, SpecialSet::None).unwrap_or_default()
    }

    /// Token ids with the byte offset in `text` where each token starts.
    /// A token that starts inside a multi-byte character (possible for rare
    /// characters split across tokens) reports the offset of that byte.
    pub fn encode_ordinary_with_offsets(&self, text: &str) -> (Vec<Rank>, Vec<usize>) {
        let mut ids = Vec::with_capacity(text.len() / 3 + 1);
        let mut offsets = Vec::with_capacity(text.len() / 3 + 1);
        let vocab = &self.vocab;
        self.for_each_piece(text, |start, piece| {
            let before = ids.len();
            bpe::encode_piece(vocab, piece, &mut ids);
            let mut at = start;
            for &id in &ids[before..] {
                offsets.push(at);
                at += vocab.token_bytes(id).len();
            }
            ControlFlow::Continue(())
        });
        (ids, offsets)
    }

    /// The id of exactly these bytes (an ordinary or a special token).
    pub fn encode_single_token(&self, bytes: &[u8]) -> Result<Rank> {
        if let Some(rank) = self.vocab.get(bytes) {
            return Ok(rank);
        }
        std::str::from_utf8(bytes)
            .ok()
            .and_then(|s| self.specials.get(s))
            .ok_or_else(|| Error::NotASingleToken { bytes: String::from_utf8_lossy(bytes).into_owned() })
    }

    // ---- counting -------------------------------------------------------------

    /// Number of tokens of `encode_ordinary(text)`, without building the id vector.
    pub fn count(&self, text: &str) -> usize {
        let vocab = &self.vocab;
        let mut n = 0;
        self.for_each_piece(text, |_, piece| {
            n += bpe::count_piece(vocab, piece);
            ControlFlow::Continue(())
        });
        n
    }

    /// `Some(count)` if the text has at most `limit` tokens, else `None` — and it
    /// stops reading as soon as the limit is passed.
    pub fn count_until(&self, text: &str, limit: usize) -> Option<usize> {
        let vocab = &self.vocab;
        let mut n = 0;
        self.for_each_piece(text, |_, piece| {
            n += bpe::count_piece(vocab, piece);
            if n > limit {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        (n <= limit).then_some(n)
    }

    /// [`count`](Self::count) that calls `progress(bytes_done)` about every MiB, for
    /// progress bars on large inputs.
    pub fn count_with_progress(&self, text: &str, mut progress: impl FnMut(usize)) -> usize {
        const STEP: usize = 1 << 20;
        let vocab = &self.vocab;
        let mut n = 0;
        let mut next_report = STEP;
        self.for_each_piece(text, |start, piece| {
            n += bpe::count_piece(vocab, piece);
            if start >= next_report {
                progress(start);
                next_report = start + STEP;
            }
            ControlFlow::Continue(())
        });
        progress(text.len());
        n
    }

    /// Number of tokens of `encode(text, allowed, disallowed)`.
    pub fn count_with_special(&self, text: &str, allowed: SpecialSet<'_>, disallowed: SpecialSet<'_>) -> Result<usize> {
        let allowed_set = self.specials.allowed(allowed);
        if allowed_set.is_empty() {
            self.specials.check_disallowed(text, &allowed_set, disallowed)?;
            return Ok(self.count(text));
        }
        self.encode(text, allowed, disallowed).map(|ids| ids.len())
    }

    /// Number of pre-tokenization pieces (benchmark helper: the scanner alone).
    #[doc(hidden)]
    pub fn count_pieces(&self, text: &str) -> usize {
        let mut n = 0;
        let _ = self.pretokenizer.for_each_piece(text, |_, _| {
            n += 1;
            ControlFlow::Continue(())
        });
        n
    }

    // ---- decoding -------------------------------------------------------------

    /// The bytes of a token id (ordinary or special).
    pub fn decode_single_token_bytes(&self, id: Rank) -> Result<&[u8]> {
        let bytes = self.vocab.token_bytes(id);
        if !bytes.is_empty() {
            return Ok(bytes);
        }
        self.specials.text_of(id).map(str::as_bytes).ok_or(Error::UnknownTokenId { id })
    }

    /// Concatenated bytes of the ids. An unknown id is an error.
    pub fn decode_bytes(&self, ids: &[Rank]) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(ids.len() * 4);
        for &id in ids {
            out.extend_from_slice(self.decode_single_token_bytes(id)?);
        }
        Ok(out)
    }

    /// Decodes to a string; bytes that are not valid UTF-8 are an error.
    pub fn decode(&self, ids: &[Rank]) -> Result<String> {
        String::from_utf8(self.decode_bytes(ids)?).map_err(|e| Error::InvalidUtf8 { valid_up_to: e.utf8_error().valid_up_to() })
    }

    /// Decodes to a string, replacing invalid UTF-8 with U+FFFD (tiktoken's default).
    pub fn decode_lossy(&self, ids: &[Rank]) -> Result<String> {
        Ok(String::from_utf8_lossy(&self.decode_bytes(ids)?).into_owned())
    }

    // ---- truncation and chunks --------------------------------------------------

    /// The longest prefix of `text`, cut at a character boundary, whose own encoding
    /// has at most `max_tokens` tokens and is a prefix of the encoding of `text`.
    pub fn truncate<'t>(&self, text: &'t str, max_tokens: usize) -> &'t str {
        let (ids, offsets) = self.encode_ordinary_with_offsets(text);
        if ids.len() <= max_tokens {
            return text;
        }
        let boundaries = token_boundaries(text, &offsets);
        &text[..self.fit(text, &boundaries, 0, max_tokens)]
    }

    /// Splits `text` into consecutive pieces of at most `max_tokens` tokens each (when
    /// each is encoded on its own), cut at token boundaries of the whole text that are
    /// also character boundaries. The pieces concatenate back to `text`. Linear time:
    /// the text is encoded once.
    pub fn chunks<'t>(&self, text: &'t str, max_tokens: usize) -> Result<Vec<&'t str>> {
        if max_tokens == 0 {
            return Err(Error::InvalidArgument { name: "max_tokens", reason: "must be at least 1".into() });
        }
        let (_, offsets) = self.encode_ordinary_with_offsets(text);
        let boundaries = token_boundaries(text, &offsets);
        let mut chunks = Vec::new();
        let mut start_index = 0; // index into `boundaries`
        let mut start = 0;
        while start < text.len() {
            let end = self.fit(text, &boundaries, start_index, max_tokens);
            if end <= start {
                return Err(Error::InvalidArgument {
                    name: "max_tokens",
                    reason: format!("{max_tokens} is too small: the character at byte {start} needs more tokens"),
                });
            }
            chunks.push(&text[start..end]);
            start = end;
            start_index = boundaries.partition_point(|&(b, _)| b < end);
        }
        Ok(chunks)
    }

    /// Largest cut `boundaries[k].0` (k > from) with `count(text[boundaries[from].0..cut]) <= max`.
    fn fit(&self, text: &str, boundaries: &[(usize, usize)], from: usize, max: usize) -> usize {
        let (start, first_token) = boundaries[from];
        // Token boundaries of the whole text are a tight first guess; re-encoding the
        // slice on its own can differ at its end (e.g. trailing white space), so verify.
        let limit = first_token.saturating_add(max);
        let mut k = boundaries.partition_point(|&(_, t)| t <= limit).saturating_sub(1);
        while k > from {
            let cut = boundaries[k].0;
            if self.count_until(&text[start..cut], max).is_some() {
                return cut;
            }
            k -= 1;
        }
        start
    }

    // ---- batches --------------------------------------------------------------

    /// [`encode_ordinary`](Self::encode_ordinary) over many texts, on all cores.
    pub fn encode_ordinary_batch<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Vec<Vec<Rank>> {
        crate::parallel::map(texts, |t| self.encode_ordinary(t.as_ref()))
    }

    /// [`encode`](Self::encode) over many texts, on all cores. Fails on the first
    /// text (in order) that fails.
    pub fn encode_batch<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        allowed: SpecialSet<'_>,
        disallowed: SpecialSet<'_>,
    ) -> Result<Vec<Vec<Rank>>> {
        crate::parallel::map(texts, |t| self.encode(t.as_ref(), allowed, disallowed)).into_iter().collect()
    }

    /// [`count`](Self::count) over many texts, on all cores.
    pub fn count_batch<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Vec<usize> {
        crate::parallel::map(texts, |t| self.count(t.as_ref()))
    }

    /// [`truncate`](Self::truncate) over many texts, on all cores.
    pub fn truncate_batch<'t, S: AsRef<str> + Sync>(&self, texts: &'t [S], max_tokens: usize) -> Vec<&'t str> {
        let lengths = crate::parallel::map(texts, |t| self.truncate(t.as_ref(), max_tokens).len());
        texts.iter().zip(lengths).map(|(t, len)| &t.as_ref()[..len]).collect()
    }
}

/// `(byte offset, token index)` of every token start that is a character boundary,
/// plus `(text.len(), token count)`; always starts with `(0, 0)`.
fn token_boundaries(text: &str, offsets: &[usize]) -> Vec<(usize, usize)> {
    let mut cuts = Vec::with_capacity(offsets.len() + 1);
    cuts.push((0, 0));
    for (index, &offset) in offsets.iter().enumerate() {
        if offset > 0 && text.is_char_boundary(offset) {
            cuts.push((offset, index));
        }
    }
    if !text.is_empty() {
        cuts.push((text.len(), offsets.len()));
    }
    cuts
}
