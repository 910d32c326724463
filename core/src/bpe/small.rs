//! tiktoken's `_byte_pair_merge` on fixed stack arrays, for pieces of at most
//! [`SMALL_PIECE`](super::SMALL_PIECE) bytes.
//!
//! Part `i` starts at byte `i` for its whole life, so `pair[i]` (the rank of merging
//! part `i` with its right neighbour, `NO_RANK` when impossible or when part `i` was
//! merged away) can stay at a fixed index: the "lowest rank, leftmost" search is a
//! branch-free scan of a flat array that the compiler vectorises, instead of a walk
//! along a list. Neighbours are found through `next` / `prev` links.

use super::SMALL_PIECE;
use crate::vocab::{Rank, Vocab, NO_RANK};

const END: u8 = u8::MAX;

#[inline]
pub(super) fn merge(vocab: &Vocab, piece: &[u8], mut emit: impl FnMut(Rank)) {
    let n = piece.len();
    debug_assert!((2..=SMALL_PIECE).contains(&n) && SMALL_PIECE < END as usize);
    let mut end = [0u8; SMALL_PIECE];
    let mut next = [END; SMALL_PIECE];
    let mut prev = [END; SMALL_PIECE];
    let mut pair = [NO_RANK; SMALL_PIECE];
    let mut token = [NO_RANK; SMALL_PIECE];
    for i in 0..n {
        end[i] = i as u8 + 1;
        token[i] = vocab.byte_rank(piece[i]);
    }
    for i in 0..n - 1 {
        next[i] = i as u8 + 1;
        prev[i + 1] = i as u8;
        pair[i] = vocab.byte_pair_rank(piece[i], piece[i + 1]);
    }
    let pairs = &mut pair[..n];
    loop {
        let min = pairs.iter().copied().min().unwrap_or(NO_RANK);
        if min == NO_RANK {
            break;
        }
        let a = pairs.iter().position(|&r| r == min).unwrap_or(0);
        let b = next[a] as usize;
        token[a] = min;
        end[a] = end[b];
        next[a] = next[b];
        pairs[b] = NO_RANK;
        pairs[a] = match next[a] {
            END => NO_RANK,
            c => {
                prev[c as usize] = a as u8;
                vocab.rank_or_max(&piece[a..end[c as usize] as usize])
            }
        };
        if prev[a] != END {
            let p = prev[a] as usize;
            pairs[p] = vocab.rank_or_max(&piece[p..end[a] as usize]);
        }
    }
    let mut i = 0u8;
    while i != END {
        emit(token[i as usize]);
        i = next[i as usize];
    }
}
