//! Byte-pair merging of one piece, with tiktoken's exact semantics: repeatedly merge
//! the adjacent pair whose concatenation has the lowest rank, leftmost first.
//!
//! Three paths, fastest first:
//! 1. the whole piece is a token (most English words): one hash lookup;
//! 2. short pieces: tiktoken's own algorithm on stack arrays (quadratic in the piece
//!    length but with tiny constants; pieces are rarely longer than 20 bytes);
//! 3. long pieces: a min segment tree over blocks of parts, O(n log n), so a 10 MB
//!    single "word" is fine.
//!
//! Pieces that need merging go through a per-thread cache first ([`cache`]): text
//! repeats its words, and a hit skips the merge. The short path starts characters of
//! 2 or 3 bytes as one part where that provably gives the same result ([`chars`]):
//! Chinese and Japanese pieces are long, and most of their byte-level merges only
//! re-assemble characters.

pub(crate) mod cache;
mod long;
#[cfg(feature = "hf")]
pub(crate) mod pairs;
mod reference;
mod small;

use crate::vocab::{Rank, Vocab};

/// Pieces up to this many bytes take the stack-array path.
pub(crate) const SMALL_PIECE: usize = 128;

/// Appends the tokens of `piece` to `out`.
#[inline(always)]
pub(crate) fn encode_piece(vocab: &Vocab, piece: &[u8], out: &mut Vec<Rank>) {
    if let Some(rank) = vocab.get(piece) {
        out.push(rank);
    } else {
        cache::merge(vocab, piece, |rank| out.push(rank));
    }
}

/// Number of tokens of `piece`, without materialising them.
#[inline(always)]
pub(crate) fn count_piece(vocab: &Vocab, piece: &[u8]) -> usize {
    if vocab.get(piece).is_some() {
        1
    } else {
        let mut n = 0;
        cache::merge(vocab, piece, |_| n += 1);
        n
    }
}

/// Merges a piece that is not itself a token; `emit` receives its tokens in order.
/// Requires every single byte to be a token (checked when an encoding is built).
#[inline]
pub(crate) fn merge(vocab: &Vocab, piece: &[u8], emit: impl FnMut(Rank)) {
    // In a WASM build every caller shares one copy of the merge code (one indirect call
    // per token): the engine's download size matters more there than the last percent.
    #[cfg(target_arch = "wasm32")]
    return merge_shared(vocab, piece, &mut { emit });
    #[cfg(not(target_arch = "wasm32"))]
    merge_any(vocab, piece, emit)
}

#[cfg(target_arch = "wasm32")]
#[inline(never)]
fn merge_shared(vocab: &Vocab, piece: &[u8], emit: &mut dyn FnMut(Rank)) {
    merge_any(vocab, piece, emit)
}

#[inline(always)]
fn merge_any(vocab: &Vocab, piece: &[u8], emit: impl FnMut(Rank)) {
    // The short path packs ranks into u32 keys with the position; a vocabulary with
    // ids beyond that (over 67 million tokens) takes tiktoken's own algorithm there.
    if piece.len() <= SMALL_PIECE && vocab.rank_limit() > small::MAX_KEYED_RANK {
        reference::merge(vocab, piece, emit);
    } else if piece.len() <= SMALL_PIECE {
        small::merge(vocab, piece, emit);
    } else {
        long::merge(vocab, piece, emit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::chars;

    /// The short and long paths equal tiktoken's algorithm on the real vocabularies,
    /// on random multi-script text.
    #[test]
    fn fast_paths_equal_reference_on_real_vocabularies() {
        const CHARS: &[&str] = &[
            "中", "文", "字", "の", "は", "カ", "ー", "한", "국", "Ж", "ж", "и", "й", "ё", "é", "ß", "ç", "α", "ω", "ا", "ل", "😀", "🏽",
            "\u{200d}", "\u{301}", "€", "—", "…", "a", "b", "e", " ", "1", "'", "\u{a0}", "\u{3000}", "ſ",
        ];
        let mut rng = crate::test_rng::Lcg::new(0x9E37_79B9);
        for name in ["cl100k_base", "o200k_base", "r50k_base"] {
            let enc = crate::get_encoding(name).expect("built-in");
            let vocab = enc.vocab();
            for len in 1..220 {
                for _ in 0..6 {
                    let piece: String = (0..len).map(|_| rng.pick(CHARS)).collect();
                    let piece = piece.as_bytes();
                    if piece.len() < 2 {
                        continue;
                    }
                    let (mut fast, mut slow) = (Vec::new(), Vec::new());
                    merge(vocab, piece, |r| fast.push(r));
                    reference::merge(vocab, piece, |r| slow.push(r));
                    assert_eq!(fast, slow, "{name} on {:?}", String::from_utf8_lossy(piece));
                }
            }
        }
    }

    /// Starting characters whole (`chars`) equals tiktoken's byte-level algorithm on the
    /// real vocabularies: random characters from whole script ranges (rare ones too),
    /// mixed with ASCII and, for raw-byte input, stray bytes.
    #[test]
    fn whole_character_starts_equal_reference_on_random_text() {
        const RANGES: &[(u32, u32)] =
            &[(0x80, 0x7FF), (0x3040, 0x30FF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0x0400, 0x04FF), (0xFF00, 0xFFEF)];
        let mut rng = crate::test_rng::Lcg::new(0x5EED);
        let mut next = |m: u32| rng.below(m as usize) as u32;
        for name in ["cl100k_base", "o200k_base"] {
            let enc = crate::get_encoding(name).expect("built-in");
            let vocab = enc.vocab();
            // Most common characters start whole (else this test would prove nothing).
            let table = vocab.whole_chars();
            let between = |c: char| {
                let text = format!("{c}{c}{c}");
                chars::start_rank(table, text.as_bytes(), c.len_utf8(), c.len_utf8(), c as usize)
            };
            let whole = (0x80..chars::TABLE_LEN as u32).filter_map(char::from_u32).filter(|&c| between(c) != crate::vocab::NO_RANK).count();
            assert!(whole > 1000, "{name}: {whole} characters start whole between two of their own");
            for c in ['的', 'の', 'é', '日'] {
                assert_ne!(between(c), crate::vocab::NO_RANK, "{name}: {c}");
            }
            for round in 0..8000 {
                let mut piece = Vec::new();
                let chars = 1 + next(40);
                for _ in 0..chars {
                    match next(10) {
                        0 => piece.push(b" .,'\n(azAZ09"[next(12) as usize]),
                        3 => piece.push(b'a' + next(26) as u8),
                        1 if round % 2 == 1 => piece.push(0x80 + next(0x80) as u8), // a stray byte
                        2 if round % 4 == 3 => piece.push(next(256) as u8),         // any byte
                        _ => {
                            let (lo, hi) = RANGES[next(RANGES.len() as u32) as usize];
                            if let Some(c) = char::from_u32(lo + next(hi - lo + 1)) {
                                piece.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                            }
                        }
                    }
                }
                if piece.len() < 2 || piece.len() > SMALL_PIECE {
                    continue;
                }
                let (mut fast, mut slow) = (Vec::new(), Vec::new());
                merge(vocab, &piece, |r| fast.push(r));
                reference::merge(vocab, &piece, |r| slow.push(r));
                assert_eq!(fast, slow, "{name} on {piece:?}");
            }
        }
    }

    fn toy_vocab() -> Vocab {
        let mut pairs: Vec<(Vec<u8>, Rank)> = (0..=255u8).map(|b| (vec![b], b as Rank)).collect();
        for (i, t) in ["aa", "ab", "ba", "aaa", "aab", "abab", "aaaa", "bb", "abba", "baab"].iter().enumerate() {
            pairs.push((t.as_bytes().to_vec(), 256 + i as Rank));
        }
        Vocab::from_pairs(pairs).expect("valid toy vocabulary")
    }

    #[test]
    fn small_and_long_paths_equal_tiktoken_reference() {
        let vocab = toy_vocab();
        let mut rng = crate::test_rng::Lcg::new(0x1234_5678);
        for len in 2..700 {
            for _ in 0..8 {
                let piece: Vec<u8> = (0..len).map(|_| rng.pick(b"ab")).collect();
                let mut expected = Vec::new();
                reference::merge(&vocab, &piece, |r| expected.push(r));
                let mut small_out = Vec::new();
                let mut long_out = Vec::new();
                long::merge(&vocab, &piece, |r| long_out.push(r));
                assert_eq!(long_out, expected, "long path on {:?}", String::from_utf8_lossy(&piece));
                if len <= SMALL_PIECE {
                    small::merge(&vocab, &piece, |r| small_out.push(r));
                    assert_eq!(small_out, expected, "small path on {:?}", String::from_utf8_lossy(&piece));
                }
            }
        }
    }
}
