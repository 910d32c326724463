//! Character classes used by the OpenAI pre-tokenization patterns, one flag byte per
//! code point, from tables generated out of `regex-syntax` (the same Unicode data the
//! official patterns run on, so scanners and regex agree by construction).

#[allow(clippy::all)]
#[rustfmt::skip]
#[path = "unicode_tables.rs"]
mod tables;

/// `\p{L}`: letters.
pub(crate) const LETTER: u8 = 1;
/// `\p{N}`: numbers.
pub(crate) const NUMBER: u8 = 2;
/// `\s`: Unicode White_Space.
pub(crate) const SPACE: u8 = 4;
/// `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`: o200k's "upper-case word" class.
pub(crate) const UPPERISH: u8 = 8;
/// `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`: o200k's "lower-case word" class.
pub(crate) const LOWERISH: u8 = 16;
/// `[\r\n]`.
pub(crate) const NEWLINE: u8 = 32;
/// `[\p{P}\p{S}]`: punctuation and symbols (DeepSeek V3's pattern).
pub(crate) const PUNCT_SYMBOL: u8 = 64;
/// `\w`: word characters of the `regex` crate (`single_word` added tokens of a
/// `tokenizer.json`).
#[cfg_attr(not(feature = "hf"), allow(dead_code))]
pub(crate) const WORD: u8 = 128;

/// Flags of an ASCII byte.
#[inline(always)]
pub(crate) fn ascii_flags(b: u8) -> u8 {
    tables::BLOCKS[0][(b & 0x7F) as usize]
}

/// Flags of any code point.
#[inline(always)]
pub(crate) fn flags_of(cp: u32) -> u8 {
    let block = tables::BLOCK_INDEX.get((cp >> tables::BLOCK_SHIFT) as usize).copied().unwrap_or(0);
    tables::BLOCKS[block as usize][(cp & ((1 << tables::BLOCK_SHIFT) - 1)) as usize]
}

/// Flags and byte length of the character starting at `text[i]`.
/// `text` must be valid UTF-8 and `i` a char boundary inside it.
#[inline(always)]
pub(crate) fn char_at(text: &[u8], i: usize) -> (u8, usize) {
    let b0 = text[i];
    if b0 < 0x80 {
        return (ascii_flags(b0), 1);
    }
    let cont = |k: usize| (text[i + k] & 0x3F) as u32;
    if b0 < 0xE0 {
        (flags_of(((b0 as u32 & 0x1F) << 6) | cont(1)), 2)
    } else if b0 < 0xF0 {
        (flags_of(((b0 as u32 & 0x0F) << 12) | (cont(1) << 6) | cont(2)), 3)
    } else {
        (flags_of(((b0 as u32 & 0x07) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3)), 4)
    }
}

/// `[^\s\p{L}\p{N}]`: punctuation, symbols, marks, controls that are not white space.
#[inline(always)]
pub(crate) fn is_other(flags: u8) -> bool {
    flags & (LETTER | NUMBER | SPACE) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spot_checks() {
        assert_eq!(char_at(b"a", 0), (LETTER | LOWERISH | WORD, 1));
        assert_eq!(char_at(b"A", 0), (LETTER | UPPERISH | WORD, 1));
        assert_eq!(char_at(b"7", 0), (NUMBER | WORD, 1));
        assert_eq!(char_at(b"_", 0), (PUNCT_SYMBOL | WORD, 1));
        assert_eq!(char_at(b"\n", 0), (SPACE | NEWLINE, 1));
        assert_eq!(char_at("\u{3000}".as_bytes(), 0), (SPACE, 3));
        assert_eq!(char_at("\u{301}".as_bytes(), 0), (UPPERISH | LOWERISH | WORD, 2));
        assert_eq!(char_at("中".as_bytes(), 0), (LETTER | UPPERISH | LOWERISH | WORD, 3));
        assert_eq!(char_at("😀".as_bytes(), 0), (PUNCT_SYMBOL, 4));
        assert_eq!(char_at(b"-", 0), (PUNCT_SYMBOL, 1));
        assert_eq!(char_at("\u{e000}".as_bytes(), 0), (0, 3));
        assert_eq!(char_at("٣".as_bytes(), 0).0, NUMBER | WORD);
        // `\w` is not letters-or-numbers: `²` (No) is a number but no word character,
        // U+200D (Join_Control) a word character but neither.
        assert_eq!(char_at("²".as_bytes(), 0).0 & (NUMBER | WORD), NUMBER);
        assert_eq!(char_at("\u{200d}".as_bytes(), 0).0 & WORD, WORD);
        // U+001C..U+001F are not White_Space in Unicode (Python's isspace disagrees).
        assert_eq!(char_at(b"\x1c", 0).0, 0);
    }
}
