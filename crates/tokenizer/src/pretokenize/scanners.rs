//! Hand-written equivalents of the official OpenAI pre-tokenization regexes.
//!
//! Each scanner answers one question: given a position in the text, where does the
//! regex's next match end? The patterns cover every character, so matches tile the
//! text and "next match" is always "the match starting here". The comments quote the
//! alternative each branch implements, in the regex's own (leftmost-first) order;
//! `tests/scanners.rs` checks every scanner against `fancy-regex` running the
//! official pattern.

use super::runs::*;
use super::simd;
use super::unicode::{ascii_flags, char_at, is_other, LETTER, LOWERISH, NEWLINE, NUMBER, PUNCT_SYMBOL, SPACE, UPPERISH};

/// A pre-tokenizer for one fixed pattern.
pub(crate) trait Scanner {
    /// End of the match starting at `start` (`start < text.len()`, a char boundary of
    /// valid UTF-8). Always `> start`.
    fn piece_end(text: &[u8], start: usize) -> usize;
}

/// r50k_base, p50k_base, p50k_edit, gpt2:
/// `'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s`
pub(crate) struct R50k;

impl Scanner for R50k {
    #[inline(always)]
    fn piece_end(text: &[u8], i: usize) -> usize {
        let b0 = text[i];
        // '(?:[sdmt]|ll|ve|re)
        if b0 == b'\'' {
            if let Some(n) = contraction_len(text, i + 1, false) {
                return i + 1 + n;
            }
        }
        let (f0, l0) = char_at(text, i);
        // ` ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++` without the space
        if let Some(end) = r50k_class_run(text, i, f0, l0) {
            return end;
        }
        // ... and with it
        if b0 == b' ' && i + 1 < text.len() {
            let (f1, l1) = char_at(text, i + 1);
            if let Some(end) = r50k_class_run(text, i + 1, f1, l1) {
                return end;
            }
        }
        // \s++$|\s+(?!\S)|\s
        trailing_aware_space(text, &space_run(text, i), i, l0)
    }
}

#[inline(always)]
fn r50k_class_run(text: &[u8], i: usize, flags: u8, len: usize) -> Option<usize> {
    if flags & LETTER != 0 {
        Some(run_of(text, i + len, LETTER))
    } else if flags & NUMBER != 0 {
        Some(run_of(text, i + len, NUMBER))
    } else if is_other(flags) {
        Some(run_other(text, i + len))
    } else {
        None
    }
}

/// cl100k_base:
/// `'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s`
pub(crate) type Cl100k = Cl100kFamily<3, true>;

/// Llama 3: cl100k without `\s++$` (trailing whitespace splits after its last newline):
/// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
pub(crate) type Llama3 = Cl100kFamily<3, false>;

/// Qwen 2, 2.5 and 3: cl100k's language with single digits (`\p{N}` for `\p{N}{1,3}`):
/// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
pub(crate) type Qwen2 = Cl100kFamily<1, false>;

/// The cl100k scanner with numbers of up to `DIGITS` characters, with or without the
/// `\s++$` alternative (`TRAILING`).
pub(crate) struct Cl100kFamily<const DIGITS: usize, const TRAILING: bool>;

impl<const DIGITS: usize, const TRAILING: bool> Scanner for Cl100kFamily<DIGITS, TRAILING> {
    #[inline(always)]
    fn piece_end(text: &[u8], i: usize) -> usize {
        let b0 = text[i];
        // '(?i:[sdmt]|ll|ve|re)
        if b0 == b'\'' {
            if let Some(n) = contraction_len(text, i + 1, true) {
                return i + 1 + n;
            }
        }
        let (f0, l0) = char_at(text, i);
        // [^\r\n\p{L}\p{N}]?+\p{L}++
        if f0 & LETTER != 0 {
            return run_of(text, i + l0, LETTER);
        }
        if f0 & (NUMBER | NEWLINE) == 0 && i + l0 < text.len() {
            let (f1, l1) = char_at(text, i + l0);
            if f1 & LETTER != 0 {
                return run_of(text, i + l0 + l1, LETTER);
            }
        }
        // \p{N}{1,3}+
        if f0 & NUMBER != 0 {
            return up_to_numbers::<DIGITS>(text, i);
        }
        // ` ?[^\s\p{L}\p{N}]++[\r\n]*+`
        if is_other(f0) {
            return run_of_bytes(text, run_other(text, i + l0), b"\r\n");
        }
        if b0 == b' ' && i + 1 < text.len() {
            let (f1, l1) = char_at(text, i + 1);
            if is_other(f1) {
                return run_of_bytes(text, run_other(text, i + 1 + l1), b"\r\n");
            }
        }
        let run = space_run(text, i);
        // \s++$
        if TRAILING && run.end == text.len() {
            return run.end;
        }
        // \s*[\r\n]
        if let Some(end) = run.after_last_newline {
            return end;
        }
        // \s+(?!\S)|\s
        trailing_aware_space(text, &run, i, l0)
    }
}

/// o200k_base, o200k_harmony: the alternation of
/// `[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?`,
/// `[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?`,
/// `\p{N}{1,3}`, ` ?[^\s\p{L}\p{N}]+[\r\n/]*`, `\s*[\r\n]+`, `\s+(?!\S)`, `\s+`.
pub(crate) struct O200k;

impl Scanner for O200k {
    #[inline(always)]
    fn piece_end(text: &[u8], i: usize) -> usize {
        let b0 = text[i];
        // ASCII words, with or without an ASCII prefix character (a space, `(`, `"`),
        // are most pieces of most text.
        let word_start = if b0 < 0x80 && ascii_flags(b0) & (LETTER | NUMBER | NEWLINE) == 0 { i + 1 } else { i };
        if let Some(end) = text.get(word_start).and_then(|&w| ascii_o200k_word(text, word_start, w)) {
            return end;
        }
        let (f0, l0) = char_at(text, i);
        // The two word alternatives, each first with the optional prefix character and
        // then without, in the regex's backtracking order. A mark (\p{M}) can be both a
        // prefix and a word character, which is why all four attempts are needed. Each
        // attempt fails unless its first character is in one of the two word classes:
        // punctuation and white space skip them all.
        let prefix = f0 & (LETTER | NUMBER | NEWLINE) == 0 && i + l0 < text.len();
        let word_after_prefix = prefix && char_at(text, i + l0).0 & (UPPERISH | LOWERISH) != 0;
        if word_after_prefix || f0 & (UPPERISH | LOWERISH) != 0 {
            let word_end = (if prefix { lower_word(text, i + l0) } else { None })
                .or_else(|| lower_word(text, i))
                .or_else(|| if prefix { upper_word(text, i + l0) } else { None })
                .or_else(|| upper_word(text, i));
            if let Some(end) = word_end {
                return contraction_suffix(text, end);
            }
        }
        // \p{N}{1,3}
        if f0 & NUMBER != 0 {
            return up_to_numbers::<3>(text, i);
        }
        // ` ?[^\s\p{L}\p{N}]+[\r\n/]*`
        if is_other(f0) {
            return run_of_bytes(text, run_other(text, i + l0), b"\r\n/");
        }
        if b0 == b' ' && i + 1 < text.len() {
            let (f1, l1) = char_at(text, i + 1);
            if is_other(f1) {
                return run_of_bytes(text, run_other(text, i + 1 + l1), b"\r\n/");
            }
        }
        let run = space_run(text, i);
        // \s*[\r\n]+
        if let Some(end) = run.after_last_newline {
            return end;
        }
        // \s+(?!\S)|\s+
        trailing_aware_space(text, &run, i, l0)
    }
}

/// The o200k word alternatives for a word starting with the ASCII letter `w` at `s`,
/// when it can be decided from ASCII alone (else `None`: take the general path).
/// `[A-Z]+` then `[a-z]+` is alternative one (upper run, lower run); `[A-Z]+` followed
/// by neither a lower-case nor a non-ASCII character fails alternative one (no
/// character of the run is lower-case) and is alternative two; `[a-z]+` is
/// alternative one with an empty upper run. An ASCII character before `s` that is no
/// letter, digit or newline (a space, `(`) is the optional prefix, which both alternatives
/// try first (it is in neither word class, so the match cannot start at it instead).
#[inline(always)]
fn ascii_o200k_word(text: &[u8], s: usize, w: u8) -> Option<usize> {
    if !w.is_ascii_alphabetic() {
        return None;
    }
    let j = s + simd::ascii_upper_then_lower(&text[s..]);
    if j < text.len() && text[j] >= 0x80 {
        return None;
    }
    Some(contraction_suffix(text, j))
}

/// `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+` at `s`, with backtracking:
/// the upper run is as long as possible such that a lower character follows it.
#[inline(always)]
fn lower_word(text: &[u8], s: usize) -> Option<usize> {
    let mut j = s;
    // End of the last character of the upper run that is also in the lower class.
    let mut last_both = None;
    while j < text.len() {
        let (flags, len) = char_at(text, j);
        if flags & UPPERISH == 0 {
            if flags & LOWERISH != 0 {
                return Some(run_of(text, j + len, LOWERISH));
            }
            break;
        }
        j += len;
        if flags & LOWERISH != 0 {
            last_both = Some(j);
        }
    }
    // Backtrack into the upper run: its last lower-class character ends the match
    // (everything after it in the run is Lu/Lt, which the lower class does not take).
    last_both
}

/// `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*` at `s`.
#[inline(always)]
fn upper_word(text: &[u8], s: usize) -> Option<usize> {
    let mut j = s;
    while j < text.len() {
        let (flags, len) = char_at(text, j);
        if flags & UPPERISH == 0 {
            break;
        }
        j += len;
    }
    (j > s).then(|| run_of(text, j, LOWERISH))
}

/// DeepSeek V3's pre-tokenizer: three `Split`s (`Isolated`, so text between matches is
/// kept as pieces too), each cutting the pieces of the one before:
/// 1. `\p{N}{1,3}`;
/// 2. `[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+` (CJK ideographs, hiragana, katakana);
/// 3. ``[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+``
///    (on every piece of stage 2, the CJK runs included).
///
/// Calls `f(start, end)` for each piece in order, until it breaks.
#[inline]
pub(crate) fn deepseek_v3(text: &[u8], mut f: impl FnMut(usize, usize) -> std::ops::ControlFlow<()>) {
    let mut i = 0;
    while i < text.len() {
        let (flags, _) = char_at(text, i);
        if flags & NUMBER != 0 {
            let end = up_to_numbers::<3>(text, i);
            if f(i, end).is_break() {
                return;
            }
            i = end;
            continue;
        }
        // A stretch without numbers: stage 2 cuts out the CJK runs, stage 3 the rest.
        let mut end = i;
        while end < text.len() && char_at(text, end).0 & NUMBER == 0 {
            end += char_at(text, end).1;
        }
        let mut j = i;
        while j < end {
            // Stage 3 cuts the CJK runs too (`゠` and `・` are punctuation).
            let cjk_end = run_while(text, j, end, is_deepseek_cjk);
            if cjk_end > j {
                if deepseek_words(&text[..cjk_end], j, &mut f).is_break() {
                    return;
                }
                j = cjk_end;
                continue;
            }
            let mut other_end = j;
            while other_end < end && !is_deepseek_cjk(char_code(text, other_end)) {
                other_end += char_at(text, other_end).1;
            }
            if deepseek_words(&text[..other_end], j, &mut f).is_break() {
                return;
            }
            j = other_end;
        }
        i = end;
    }
}

/// The code point at `text[i]` (a char boundary of valid UTF-8).
#[inline(always)]
fn char_code(text: &[u8], i: usize) -> u32 {
    let b0 = text[i] as u32;
    let cont = |k: usize| (text[i + k] & 0x3F) as u32;
    if b0 < 0x80 {
        b0
    } else if b0 < 0xE0 {
        ((b0 & 0x1F) << 6) | cont(1)
    } else if b0 < 0xF0 {
        ((b0 & 0x0F) << 12) | (cont(1) << 6) | cont(2)
    } else {
        ((b0 & 0x07) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3)
    }
}

#[inline(always)]
fn is_deepseek_cjk(cp: u32) -> bool {
    matches!(cp, 0x4E00..=0x9FA5 | 0x3040..=0x309F | 0x30A0..=0x30FF)
}

/// End of the run of characters from `i` (before `end`) whose code point passes `keep`.
#[inline(always)]
fn run_while(text: &[u8], mut i: usize, end: usize, keep: impl Fn(u32) -> bool) -> usize {
    while i < end && keep(char_code(text, i)) {
        i += char_at(text, i).1;
    }
    i
}

/// `\p{M}`: in both o200k word classes without being a letter.
#[inline(always)]
fn is_mark(flags: u8) -> bool {
    flags & (UPPERISH | LOWERISH) == UPPERISH | LOWERISH && flags & LETTER == 0
}

/// `[\p{L}\p{M}]`.
#[inline(always)]
fn is_letter_or_mark(flags: u8) -> bool {
    flags & LETTER != 0 || is_mark(flags)
}

/// Stage 3 over `t[start..]` (no numbers, no CJK): every match, and every stretch
/// where nothing matches (a gap, kept as a piece by `Isolated`).
fn deepseek_words(t: &[u8], start: usize, f: &mut impl FnMut(usize, usize) -> std::ops::ControlFlow<()>) -> std::ops::ControlFlow<()> {
    let mut gap_start = None;
    let mut p = start;
    while p < t.len() {
        match deepseek_word_end(t, p) {
            Some(end) => {
                if let Some(g) = gap_start.take() {
                    f(g, p)?;
                }
                f(p, end)?;
                p = end;
            }
            None => {
                gap_start.get_or_insert(p);
                p += char_at(t, p).1;
            }
        }
    }
    if let Some(g) = gap_start {
        f(g, t.len())?;
    }
    std::ops::ControlFlow::Continue(())
}

/// End of stage 3's match starting at `p`, if one does.
#[inline]
fn deepseek_word_end(t: &[u8], p: usize) -> Option<usize> {
    let b0 = t[p];
    let (f0, l0) = char_at(t, p);
    // [!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+
    if b0.is_ascii_punctuation() && t.get(p + 1).is_some_and(|b| b.is_ascii_alphabetic()) {
        let mut j = p + 2;
        while j < t.len() && t[j].is_ascii_alphabetic() {
            j += 1;
        }
        return Some(j);
    }
    let run_letters = |mut j: usize| {
        while j < t.len() {
            let (fl, l) = char_at(t, j);
            if !is_letter_or_mark(fl) {
                break;
            }
            j += l;
        }
        j
    };
    // [^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+
    if is_letter_or_mark(f0) {
        return Some(run_letters(p + l0));
    }
    if f0 & (NEWLINE | LETTER | PUNCT_SYMBOL) == 0 && p + l0 < t.len() && is_letter_or_mark(char_at(t, p + l0).0) {
        return Some(run_letters(p + l0));
    }
    // ` ?[\p{P}\p{S}]+[\r\n]*`
    let symbols = |mut j: usize| {
        while j < t.len() {
            let (fl, l) = char_at(t, j);
            if fl & PUNCT_SYMBOL == 0 {
                break;
            }
            j += l;
        }
        run_of_bytes(t, j, b"\r\n")
    };
    if f0 & PUNCT_SYMBOL != 0 {
        return Some(symbols(p + l0));
    }
    if b0 == b' ' && p + 1 < t.len() && char_at(t, p + 1).0 & PUNCT_SYMBOL != 0 {
        return Some(symbols(p + 1));
    }
    if f0 & SPACE == 0 {
        return None;
    }
    let run = space_run(t, p);
    // \s*[\r\n]+
    if let Some(end) = run.after_last_newline {
        return Some(end);
    }
    // \s+(?!\S)|\s+
    Some(trailing_aware_space(t, &run, p, l0))
}
