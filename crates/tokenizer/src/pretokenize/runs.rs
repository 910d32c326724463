//! Building blocks shared by the scanners: runs of one character class.
//!
//! All functions take UTF-8 `text` (from a `&str`) and a char-boundary position, and
//! return a char-boundary position; ASCII stretches go through the SIMD helpers.

use super::simd;
use super::unicode::{ascii_flags, char_at, is_other, LETTER, NEWLINE, NUMBER, SPACE};

/// End of the maximal run of characters whose flags intersect `mask`, from `i`.
#[inline(always)]
pub(crate) fn run_of(text: &[u8], mut i: usize, mask: u8) -> usize {
    loop {
        if mask == LETTER {
            i += simd::ascii_run(&text[i..], simd::Ascii::Letter);
        }
        if i >= text.len() {
            return i;
        }
        let (flags, len) = char_at(text, i);
        if flags & mask == 0 {
            return i;
        }
        i += len;
    }
}

/// End of the run of `[^\s\p{L}\p{N}]` characters from `i`.
#[inline(always)]
pub(crate) fn run_other(text: &[u8], mut i: usize) -> usize {
    while i < text.len() {
        let (flags, len) = char_at(text, i);
        if !is_other(flags) {
            break;
        }
        i += len;
    }
    i
}

/// End of up to three `\p{N}` characters from `i` (the one at `i` is known to be one).
#[inline(always)]
pub(crate) fn up_to_numbers<const MAX: usize>(text: &[u8], mut i: usize) -> usize {
    for _ in 0..MAX {
        if i >= text.len() {
            break;
        }
        let (flags, len) = char_at(text, i);
        if flags & NUMBER == 0 {
            break;
        }
        i += len;
    }
    i
}

/// End of the run of ASCII bytes from `set` starting at `i`.
#[inline(always)]
pub(crate) fn run_of_bytes(text: &[u8], mut i: usize, set: &[u8]) -> usize {
    while i < text.len() && set.contains(&text[i]) {
        i += 1;
    }
    i
}

/// A maximal run of white space and the positions the patterns care about.
pub(crate) struct SpaceRun {
    /// End of the run.
    pub end: usize,
    /// Start of its last character.
    pub last_char: usize,
    /// End of its last `\r` or `\n`, if it has one.
    pub after_last_newline: Option<usize>,
}

/// Scans the white-space run starting at `i` (the character at `i` is white space).
#[inline(always)]
pub(crate) fn space_run(text: &[u8], start: usize) -> SpaceRun {
    let mut i = start;
    let mut last_char = start;
    let mut after_last_newline = None;
    while i < text.len() {
        let b = text[i];
        let (flags, len) = if b < 0x80 { (ascii_flags(b), 1) } else { char_at(text, i) };
        if flags & SPACE == 0 {
            break;
        }
        if flags & NEWLINE != 0 {
            after_last_newline = Some(i + 1);
        }
        last_char = i;
        i += len;
    }
    SpaceRun { end: i, last_char, after_last_newline }
}

/// `\s++$|\s+(?!\S)|\s` from `start` (a white-space character of byte length `len`):
/// the whole run at the end of the text, else the run minus its last character
/// (which then prefixes the next word), else the single character.
#[inline(always)]
pub(crate) fn trailing_aware_space(text: &[u8], run: &SpaceRun, start: usize, len: usize) -> usize {
    if run.end == text.len() {
        run.end
    } else if run.last_char > start {
        run.last_char
    } else {
        start + len
    }
}

/// Length after `'` of a contraction `[sdmt]|ll|ve|re`; `ignore_case` also accepts
/// upper case and U+017F LATIN SMALL LETTER LONG S (which `(?i)s` matches).
#[inline(always)]
pub(crate) fn contraction_len(text: &[u8], i: usize, ignore_case: bool) -> Option<usize> {
    let lower = |k: usize| -> u8 {
        let b = text.get(i + k).copied().unwrap_or(0);
        if ignore_case {
            b.to_ascii_lowercase()
        } else {
            b
        }
    };
    match lower(0) {
        b's' | b'd' | b'm' | b't' => Some(1),
        b'l' if lower(1) == b'l' => Some(2),
        b'v' | b'r' if lower(1) == b'e' => Some(2),
        0xC5 if ignore_case && text.get(i + 1) == Some(&0xBF) => Some(2),
        _ => None,
    }
}

/// o200k's `(?i:'s|'t|'re|'ve|'m|'ll|'d)` at `i`: the same set as [`contraction_len`]
/// with the apostrophe included.
#[inline(always)]
pub(crate) fn contraction_suffix(text: &[u8], i: usize) -> usize {
    if text.get(i) == Some(&b'\'') {
        if let Some(n) = contraction_len(text, i + 1, true) {
            return i + 1 + n;
        }
    }
    i
}
