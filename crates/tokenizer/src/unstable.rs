//! tiktoken's `encode_with_unstable`: the stable prefix of an encoding plus every
//! token sequence that could start the completion of its unstable end, for
//! constrained decoding. A transcription of tiktoken 0.14's `_encode_unstable_native`
//! (including its quick fixes for unstable regex splits); checked against tiktoken by
//! the Python binding's tests. Completions are returned sorted (tiktoken: a set).
//!
//! Also tiktoken's `_encode_bytes` ([`Encoding::encode_bytes`]), which shares the
//! notion of an unstable last piece.

use crate::{Encoding, Rank, Result, SpecialSet};
use std::collections::BTreeSet;

impl Encoding {
    /// tiktoken's `_encode_bytes`: the tokens of bytes that need not be UTF-8. Valid
    /// UTF-8 is `encode_ordinary`; otherwise the valid prefix is encoded, its last piece
    /// (with the whitespace tokens before it, as for `encode_with_unstable`) is taken
    /// back, and those bytes plus the invalid rest are byte-pair encoded as one piece
    /// (tiktoken's guess at what a model sees of truncated UTF-8).
    pub fn encode_bytes(&self, bytes: &[u8]) -> Vec<Rank> {
        let valid_up_to = match std::str::from_utf8(bytes) {
            Ok(text) => return self.encode_ordinary(text),
            Err(e) => e.valid_up_to(),
        };
        let text = std::str::from_utf8(&bytes[..valid_up_to]).unwrap_or_default();
        // No special tokens are allowed, so none is disallowed either: this cannot fail.
        let (mut tokens, last_piece) = self.encode_tracking_last_piece(text, SpecialSet::None, SpecialSet::None).unwrap_or_default();
        let last_piece = if last_piece > 0 { self.with_trailing_space_tokens(&tokens, last_piece) } else { 0 };
        let mut unstable = Vec::new();
        if !tokens.is_empty() && last_piece > 0 {
            for &id in &tokens[tokens.len() - last_piece..] {
                unstable.extend_from_slice(self.decode_single_token_bytes(id).unwrap_or_default());
            }
            tokens.truncate(tokens.len() - last_piece);
        }
        unstable.extend_from_slice(&bytes[valid_up_to..]);
        if !unstable.is_empty() {
            self.bpe_bytes(&unstable, &mut tokens);
        }
        tokens
    }

    /// `last_piece` extended over the whitespace-only tokens before it, when the last
    /// piece starts with one: such a run may merge with what follows (cl100k's
    /// `\s*[\r\n]+`), so it is unstable too (tiktoken's `_increase_last_piece_token_len`).
    fn with_trailing_space_tokens(&self, tokens: &[Rank], mut last_piece: usize) -> usize {
        let all_space = |id: Rank| {
            let bytes = self.decode_single_token_bytes(id).unwrap_or(b"x");
            !self.is_special_token(id) && bytes.iter().all(|b| matches!(b, b' ' | b'\n' | b'\t'))
        };
        if last_piece > 0 && all_space(tokens[tokens.len() - last_piece]) {
            while last_piece < tokens.len() && all_space(tokens[tokens.len() - last_piece - 1]) {
                last_piece += 1;
            }
        }
        last_piece
    }

    /// `(stable tokens, completions)`: see the module docs.
    pub fn encode_with_unstable(
        &self,
        text: &str,
        allowed: SpecialSet<'_>,
        disallowed: SpecialSet<'_>,
    ) -> Result<(Vec<Rank>, Vec<Vec<Rank>>)> {
        let (mut tokens, last_piece) = self.encode_tracking_last_piece(text, allowed, disallowed)?;
        if last_piece == 0 {
            // The text ends with a special token: nothing is unstable.
            return Ok((tokens, Vec::new()));
        }
        let last_piece = self.with_trailing_space_tokens(&tokens, last_piece);
        let unstable: Vec<u8> = self.decode_bytes(&tokens[tokens.len() - last_piece..])?;
        tokens.truncate(tokens.len() - last_piece);
        let mut completions: BTreeSet<Vec<Rank>> = BTreeSet::new();
        if unstable.is_empty() {
            return Ok((tokens, Vec::new()));
        }
        let sorted = self.sorted_by_bytes();
        let bytes_of = |id: Rank| self.decode_single_token_bytes(id).unwrap_or_default();
        let starting_with = |prefix: &[u8]| -> Vec<Rank> {
            let first = sorted.partition_point(|&id| bytes_of(id) < prefix);
            sorted[first..].iter().copied().take_while(|&id| bytes_of(id).starts_with(prefix)).collect()
        };
        // Every single token that starts with the unstable bytes.
        for id in starting_with(&unstable) {
            completions.insert(vec![id]);
        }
        // A token straddling each other position: retokenize prefix + token.
        for i in 1..unstable.len() {
            let (prefix, suffix) = unstable.split_at(i);
            for id in starting_with(suffix) {
                let possibility = [prefix, bytes_of(id)].concat();
                let encoded = match std::str::from_utf8(&possibility) {
                    Ok(s) => self.encode_ordinary(s),
                    Err(_) => {
                        let mut out = Vec::new();
                        self.bpe_bytes(&possibility, &mut out);
                        out
                    }
                };
                let mut seq = Vec::new();
                let mut len = 0;
                for token in encoded {
                    seq.push(token);
                    len += bytes_of(token).len();
                    if len >= unstable.len() {
                        break;
                    }
                }
                completions.insert(seq);
            }
        }
        // Appending text can make a split appear before trailing whitespace.
        if unstable.len() > 1 {
            let (last_char, size) = last_utf8_char(&unstable);
            if unstable.len() - size > 0 && last_char.is_some_and(char::is_whitespace) {
                let mut reencoded = Vec::new();
                self.bpe_bytes(&unstable[..unstable.len() - size], &mut reencoded);
                self.bpe_bytes(&unstable[unstable.len() - size..], &mut reencoded);
                completions.insert(reencoded);
            }
        }
        Ok((tokens, completions.into_iter().collect()))
    }
}

/// The last UTF-8 character of `bytes` and its length (`(None, 1)` for an invalid
/// ending), as `bstr::decode_last_utf8`.
fn last_utf8_char(bytes: &[u8]) -> (Option<char>, usize) {
    let start = bytes.len().saturating_sub(4);
    for begin in (start..bytes.len()).rev() {
        if let Ok(s) = std::str::from_utf8(&bytes[begin..]) {
            if let Some(c) = s.chars().next() {
                if c.len_utf8() == bytes.len() - begin {
                    return (Some(c), c.len_utf8());
                }
            }
        }
    }
    (None, 1)
}

#[cfg(test)]
mod tests {
    use super::last_utf8_char;

    #[test]
    fn last_char() {
        assert_eq!(last_utf8_char(b"ab "), (Some(' '), 1));
        assert_eq!(last_utf8_char("a你".as_bytes()), (Some('你'), 3));
        assert_eq!(last_utf8_char(b"a\xe4\xbd"), (None, 1));
    }
}
