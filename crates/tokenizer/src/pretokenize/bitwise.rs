//! o200k's pre-tokenization over ASCII text, 128 bytes at a time: all the piece starts
//! of a window at once, from per-class bitmaps (one bit per byte) with word-wide bit
//! operations.
//!
//! A scanner that finds one piece after the other is one long chain of dependent
//! steps and branches (each piece's end is where the next one starts, and what kind of
//! piece comes next is hard to predict): 11–12 ns per piece of English. Here only
//! emitting the pieces is per piece. The idea is fastokens' (its `scan_simd.rs`); the
//! rules below are derived from o200k's pattern (see [`super::patterns::O200K`]):
//!
//! - a window starts at a known piece start, and a match never looks back past its own
//!   start, so the window is split as if the text began there;
//! - words: a run of ASCII letters splits where a lower-case letter is followed by an
//!   upper-case one (`[A-Z]*[a-z]*`); `'s 't 'm 'd 're 've 'll` (any case) right after
//!   a word belong to it, and a piece starts after them; a word takes the character
//!   before it as its prefix when that is a space or tab, or punctuation that starts
//!   a piece;
//! - punctuation: a run of it (` ?[^\s\p{L}\p{N}]+`) starts a piece, taking a space
//!   before it along, and takes the `[\r\n/]*` after it (the "tail");
//! - digits: runs split in threes from their start;
//! - white space (not in a tail): a run starts a piece; the spaces and tabs after its
//!   last newline start one; its last character starts one (`\s+(?!\S)` leaves it to
//!   the next piece).
//!
//! Only what the window decides is used: bytes up to the first non-ASCII one, short of
//! a white-space run or contraction that may go on beyond them. The rest goes to the
//! next window or, where a window decides nothing (non-ASCII text), to the scanner.

use std::ops::ControlFlow;

/// Bytes per window.
pub(crate) const WINDOW: usize = 128;

/// Per-class bitmaps of a window.
#[derive(Default)]
struct Classes {
    upper: u128,
    lower: u128,
    digit: u128,
    space: u128,
    /// `\t`, `\v`, `\f`: white space that is neither a space nor a newline.
    tab: u128,
    newline: u128,
    slash: u128,
    apostrophe: u128,
    /// Bytes of 0x80 or more.
    high: u128,
}

#[cfg(target_arch = "x86_64")]
fn classify(window: &[u8; WINDOW]) -> Classes {
    use std::arch::x86_64::*;
    let mut c = Classes::default();
    for k in 0..WINDOW / 16 {
        // SAFETY: SSE2 is part of the x86_64 baseline; bytes 16k..16k+16 are in the window.
        let bits = unsafe {
            let v = _mm_loadu_si128(window.as_ptr().add(16 * k) as *const __m128i);
            // first <= b <= last, by a signed compare after moving `first` to -128 (bytes
            // of 0x80 or more are negative, so never in an ASCII range).
            let range = |first: u8, last: u8| {
                let shifted = _mm_sub_epi8(v, _mm_set1_epi8((first as i8).wrapping_sub(-128)));
                let in_range = _mm_cmplt_epi8(shifted, _mm_set1_epi8((-128 + (last - first) as i16 + 1) as i8));
                _mm_movemask_epi8(in_range) as u16
            };
            let eq = |b: u8| _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8))) as u16;
            [
                range(b'A', b'Z'),
                range(b'a', b'z'),
                range(b'0', b'9'),
                eq(b' '),
                eq(b'\t') | eq(0x0B) | eq(0x0C),
                eq(b'\n') | eq(b'\r'),
                eq(b'/'),
                eq(b'\''),
                _mm_movemask_epi8(v) as u16,
            ]
        };
        let at = 16 * k;
        for (class, b) in [
            &mut c.upper,
            &mut c.lower,
            &mut c.digit,
            &mut c.space,
            &mut c.tab,
            &mut c.newline,
            &mut c.slash,
            &mut c.apostrophe,
            &mut c.high,
        ]
        .into_iter()
        .zip(bits)
        {
            *class |= (b as u128) << at;
        }
    }
    c
}

/// The piece starts of `window` (bit i for byte i; bit 0 is set: the window starts at
/// a piece start) below `decided`, the last of them: the pieces between them are
/// exact, the one from `decided` on is not known yet. `decided` is 0 when the window
/// decides nothing beyond its first piece.
pub(crate) fn o200k_starts(window: &[u8; WINDOW]) -> (u128, usize) {
    // Most windows of text in other scripts stop here, before classifying 128 bytes.
    let head = u128::from_le_bytes(window[..16].try_into().expect("16 bytes"));
    if head & u128::from_le_bytes([0x80; 16]) != 0 {
        return (1, 0);
    }
    let c = classify(window);
    // Only the ASCII bytes before the first other one are read.
    let ascii = c.high.trailing_zeros() as usize;
    if ascii < 16 {
        return (1, 0);
    }
    let valid = below(ascii);
    let (upper, lower, digit) = (c.upper & valid, c.lower & valid, c.digit & valid);
    let (space, tab, newline) = (c.space & valid, c.tab & valid, c.newline & valid);
    let letter = upper | lower;
    let white = space | tab | newline;
    let other = valid & !(letter | digit | white);
    // Bytes from here on are not decided.
    let mut undecided = ascii;

    // Contractions after a word's letters (not after another contraction's).
    let mut contraction = 0u128;
    let mut after_contraction = 0u128;
    let mut candidates = c.apostrophe & valid & (letter << 1);
    while candidates != 0 {
        let k = candidates.trailing_zeros() as usize;
        candidates &= candidates - 1;
        if contraction >> (k - 1) & 1 != 0 {
            continue;
        }
        if k + 3 > ascii {
            // Its letters (or an `ſ`) may be past what is known.
            undecided = undecided.min(k);
            break;
        }
        let len = match (window[k + 1] | 0x20, window[k + 2] | 0x20) {
            (b's' | b't' | b'm' | b'd', _) => 2,
            (b'r' | b'v', b'e') | (b'l', b'l') => 3,
            _ => continue,
        };
        contraction |= ((1u128 << len) - 1) << k;
        // (Ending with the window, the next piece starts past it.)
        after_contraction |= 1u128.checked_shl((k + len) as u32).unwrap_or(0);
    }

    // Punctuation tails: `[\r\n/]*` after a punctuation run that a newline follows.
    let tail_class = (newline | c.slash) & valid;
    let tail = fill(newline & (other << 1), tail_class);

    // Punctuation runs, and a space before one.
    let punct = other & !tail & !contraction;
    let punct_start = punct & !(punct << 1);
    let spaced_punct = space & (punct_start >> 1);
    let punct_start = punct_start & !(spaced_punct << 1);

    // Words: letter runs, split at lower-to-upper; a run takes its prefix.
    let word = letter & !contraction;
    let run_start = word & !(word << 1);
    let lower_to_upper = upper & word & ((lower & word) << 1);
    let prefixed = run_start & (((space | tab) << 1) | (punct_start << 1));
    let word_start = (run_start & !prefixed) | lower_to_upper;

    // Digits in threes.
    let mut digit_start = digit & !(digit << 1);
    loop {
        let next = (digit_start << 3) & digit & (digit << 1) & (digit << 2);
        if next & !digit_start == 0 {
            break;
        }
        digit_start |= next;
    }

    // White space: each run, the spaces and tabs after its last newline, its last
    // character.
    let white = white & !tail;
    let blank = space | tab;
    let white_start = white & !(white << 1);
    let last_blank = blank & !(white >> 1);
    // The blanks from which only blanks follow to the run's end: filled from each
    // run's last blank towards its start (bits reversed, so that a carry does it).
    let (rev_blank, rev_last) = (blank.reverse_bits(), last_blank.reverse_bits());
    let trailing_blank = ((rev_blank ^ rev_blank.wrapping_add(rev_last)) & rev_blank).reverse_bits();
    let after_newline = trailing_blank & ((newline & white) << 1);
    if white >> (ascii - 1) & 1 != 0 {
        // The last run may go on: only its start is known.
        let run = white_start & valid;
        undecided = undecided.min(127 - run.leading_zeros() as usize + 1);
    }

    let starts = (1 | word_start | punct_start | digit_start | white_start | after_newline | last_blank | after_contraction) & valid;
    let known = starts & below(undecided);
    (known, 127 - known.leading_zeros() as usize)
}

/// `seeds` and every bit of `class` reachable from one through `class` alone, upwards.
/// (A carry does this in one addition when each run holds one seed at its start; a
/// tail's runs can hold several, `./\n/\n`.)
#[inline(always)]
fn fill(seeds: u128, class: u128) -> u128 {
    let (mut reached, mut class) = (seeds, class);
    for shift in [1, 2, 4, 8, 16, 32, 64] {
        reached |= class & (reached << shift);
        class &= class << shift;
    }
    reached
}

/// The bits of positions below `n` (up to all 128).
#[inline(always)]
fn below(n: usize) -> u128 {
    if n >= WINDOW {
        !0
    } else {
        (1u128 << n) - 1
    }
}

/// Splits `text` with o200k's pattern, calling `f(start, piece)` for every piece:
/// windows of ASCII text at once ([`o200k_starts`]), the rest piece by piece with
/// `piece_end` (the scanner).
#[inline(always)]
pub(crate) fn scan_o200k<F>(text: &[u8], piece_end: impl Fn(&[u8], usize) -> usize, mut f: F)
where
    F: FnMut(usize, &[u8]) -> ControlFlow<()>,
{
    let mut start = 0;
    while start < text.len() {
        if start + WINDOW <= text.len() {
            let window: &[u8; WINDOW] = text[start..start + WINDOW].try_into().expect("a window");
            let (starts, decided) = o200k_starts(window);
            if decided > 0 {
                let mut rest = starts & !1;
                let mut from = 0;
                while rest != 0 {
                    let to = rest.trailing_zeros() as usize;
                    if f(start + from, &text[start + from..start + to]).is_break() {
                        return;
                    }
                    from = to;
                    rest &= rest - 1;
                }
                start += decided;
                continue;
            }
            // Its first piece is not ASCII (its first 16 bytes are checked first, so
            // text in other scripts costs little more than that check per piece), or
            // long: the scanner takes it.
        }
        let end = piece_end(text, start);
        if f(start, &text[start..end]).is_break() {
            return;
        }
        start = end;
    }
}
