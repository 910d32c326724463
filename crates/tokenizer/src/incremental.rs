//! Counting without re-tokenizing everything: a counter that grows as text is
//! appended (streamed model output), and token counts of any slice of a text seen once.
//!
//! Both rest on *settled boundaries*: positions where every built-in pre-tokenizer
//! (r50k, cl100k, o200k) always ends a piece, whatever comes before or after, so
//! `count(a + b) == count(a) + count(b)` when `a + b` is cut there. Two shapes qualify:
//!
//! * just after a `\n` that follows a visible ASCII character and precedes an ASCII
//!   letter or digit: the `\n` is a white-space piece of its own or ends a punctuation
//!   piece (`[\r\n]*`, `[\r\n/]*`), the same whether the text ends there or goes on
//!   (a longer white-space run would not be: r50k splits `\n\n` before a word but keeps
//!   it whole at the end of the text, `\s++$`), and no pattern lets `\n` prefix a word;
//! * at a space between two ASCII letters: the letter run before it ends at the space
//!   (no contraction suffix can start with a space), and ` word` starts a new piece.
//!
//! Every piece is decided by looking at most one character past its end, and that
//! character is inside the text at a settled boundary, so text after it can change
//! nothing before it; and pre-tokenization only looks forward, so nothing before it
//! changes what follows. `tests/incremental.rs` checks the identity on random text.
//! Encodings with a custom pattern have no settled boundaries: their counter
//! re-counts everything on each push (still exact).

use crate::encoding::Encoding;
use crate::error::{Error, Result};
use std::ops::Range;
use std::sync::Arc;

/// Whether `p` is a settled boundary of `text` (see the module docs).
#[inline]
pub(crate) fn is_settled_boundary(text: &[u8], p: usize) -> bool {
    if p < 2 || p + 1 >= text.len() {
        return false;
    }
    let (two_before, before, at, after) = (text[p - 2], text[p - 1], text[p], text[p + 1]);
    (before == b'\n' && two_before.is_ascii_graphic() && at.is_ascii_alphanumeric())
        || (at == b' ' && before.is_ascii_alphabetic() && after.is_ascii_alphabetic())
}

/// Last settled boundary of `text` at or after `from`, if any.
fn last_settled_boundary(text: &[u8], from: usize) -> Option<usize> {
    (from.max(2)..text.len()).rev().find(|&p| is_settled_boundary(text, p))
}

/// A running token count of text that arrives in pieces (e.g. a streamed completion).
///
/// `push` costs time proportional to the text since the last settled boundary (a
/// word or a line), not to everything pushed so far; [`count`](Self::count) always
/// equals `encoding.count(all text pushed)`.
///
/// ```
/// let enc = tokfare_tokenizer::get_encoding("o200k_base")?;
/// let mut counter = tokfare_tokenizer::TokenCounter::new(enc.clone());
/// for chunk in ["Hel", "lo, wor", "ld!\nHow are", " you?"] {
///     counter.push(chunk);
/// }
/// assert_eq!(counter.count(), enc.count("Hello, world!\nHow are you?"));
/// # Ok::<(), tokfare_tokenizer::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct TokenCounter {
    encoding: Arc<Encoding>,
    /// Tokens of the text before `pending` (ends at a settled boundary).
    settled_tokens: usize,
    settled_bytes: usize,
    /// Text since the last settled boundary.
    pending: String,
    pending_tokens: usize,
}

impl TokenCounter {
    /// An empty counter for `encoding`.
    pub fn new(encoding: Arc<Encoding>) -> Self {
        TokenCounter { encoding, settled_tokens: 0, settled_bytes: 0, pending: String::new(), pending_tokens: 0 }
    }

    /// Appends text and returns the updated count.
    pub fn push(&mut self, text: &str) -> usize {
        let searched_from = self.pending.len().saturating_sub(2);
        self.pending.push_str(text);
        if self.encoding.has_settled_boundaries() {
            if let Some(cut) = last_settled_boundary(self.pending.as_bytes(), searched_from) {
                self.settled_tokens += self.encoding.count(&self.pending[..cut]);
                self.settled_bytes += cut;
                self.pending.drain(..cut);
            }
        }
        self.pending_tokens = self.encoding.count(&self.pending);
        self.count()
    }

    /// Tokens of everything pushed so far.
    pub fn count(&self) -> usize {
        self.settled_tokens + self.pending_tokens
    }

    /// Bytes pushed so far.
    pub fn len(&self) -> usize {
        self.settled_bytes + self.pending.len()
    }

    /// Whether nothing was pushed yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Token counts of arbitrary byte ranges of one text, each computed in time
/// proportional to the distance from its ends to the nearest settled boundaries
/// (a word or a line for natural text), after one pass over the text.
///
/// `count(range)` equals `encoding.count(&text[range])`.
///
/// ```
/// let enc = tokfare_tokenizer::get_encoding("cl100k_base")?;
/// let text = "The first line.\nThe second line is a little longer.\nThird.";
/// let slices = tokfare_tokenizer::SliceCounter::new(&enc, text);
/// assert_eq!(slices.count(4..40)?, enc.count(&text[4..40]));
/// # Ok::<(), tokfare_tokenizer::Error>(())
/// ```
#[derive(Debug)]
pub struct SliceCounter<'a> {
    encoding: &'a Encoding,
    text: &'a str,
    /// Settled boundaries with the token count of the text before each.
    boundaries: Vec<(usize, usize)>,
}

impl<'a> SliceCounter<'a> {
    /// Indexes `text` (one pass, the cost of counting it once).
    pub fn new(encoding: &'a Encoding, text: &'a str) -> Self {
        let mut boundaries = vec![(0, 0)];
        if encoding.has_settled_boundaries() {
            let bytes = text.as_bytes();
            let mut tokens = 0;
            for p in 1..bytes.len() {
                if is_settled_boundary(bytes, p) {
                    let last = boundaries[boundaries.len() - 1].0;
                    tokens += encoding.count(&text[last..p]);
                    boundaries.push((p, tokens));
                }
            }
        }
        SliceCounter { encoding, text, boundaries }
    }

    /// Tokens of `text[range]`. The range must lie on character boundaries.
    pub fn count(&self, range: Range<usize>) -> Result<usize> {
        let Range { start, end } = range;
        if start > end || end > self.text.len() || !self.text.is_char_boundary(start) || !self.text.is_char_boundary(end) {
            return Err(Error::InvalidArgument {
                name: "range",
                reason: format!("{start}..{end} is not a range of character boundaries within {} bytes", self.text.len()),
            });
        }
        // Settled boundaries whose defining bytes (two before, one after) lie inside the
        // slice stay settled in it; the first and last ones split it into an unsettled
        // head, a settled middle and an unsettled tail.
        let first = self.boundaries.partition_point(|&(p, _)| p < start + 2);
        let last = self.boundaries.partition_point(|&(p, _)| p + 1 < end);
        if first >= last {
            return Ok(self.encoding.count(&self.text[start..end]));
        }
        let (head_end, head_base) = self.boundaries[first];
        let (tail_start, tail_base) = self.boundaries[last - 1];
        Ok(self.encoding.count(&self.text[start..head_end]) + (tail_base - head_base) + self.encoding.count(&self.text[tail_start..end]))
    }
}
