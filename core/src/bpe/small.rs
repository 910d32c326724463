//! tiktoken's `_byte_pair_merge` on fixed stack arrays, for pieces of at most
//! [`SMALL_PIECE`](super::SMALL_PIECE) bytes. Each part remembers its own token and
//! the rank of merging it with its right neighbour, so no lookup is repeated.

use super::SMALL_PIECE;
use crate::vocab::{Rank, Vocab, NO_RANK};

#[inline]
pub(super) fn merge(vocab: &Vocab, piece: &[u8], mut emit: impl FnMut(Rank)) {
    let n = piece.len();
    debug_assert!((2..=SMALL_PIECE).contains(&n));
    // starts[i]: byte offset of part i (starts[len] is the end sentinel);
    // pair[i]: rank of part i + part i+1; token[i]: rank of part i.
    let mut starts = [0u8; SMALL_PIECE + 1];
    let mut pair = [NO_RANK; SMALL_PIECE];
    let mut token = [NO_RANK; SMALL_PIECE];
    for i in 0..n {
        starts[i] = i as u8;
        token[i] = vocab.rank_or_max(&piece[i..i + 1]);
    }
    starts[n] = n as u8;
    for i in 0..n - 1 {
        pair[i] = vocab.rank_or_max(&piece[i..i + 2]);
    }
    let mut len = n;
    let span = |starts: &[u8; SMALL_PIECE + 1], a: usize, b: usize| &piece[starts[a] as usize..starts[b] as usize];
    loop {
        let mut min = NO_RANK;
        let mut at = 0;
        for (i, &r) in pair[..len - 1].iter().enumerate() {
            if r < min {
                min = r;
                at = i;
            }
        }
        if min == NO_RANK {
            break;
        }
        token[at] = min;
        starts.copy_within(at + 2..=len, at + 1);
        pair.copy_within(at + 2..len, at + 1);
        token.copy_within(at + 2..len, at + 1);
        len -= 1;
        pair[len - 1] = NO_RANK;
        if at + 1 < len {
            pair[at] = vocab.rank_or_max(span(&starts, at, at + 2));
        }
        if at > 0 {
            pair[at - 1] = vocab.rank_or_max(span(&starts, at - 1, at + 1));
        }
    }
    for &t in &token[..len] {
        emit(t);
    }
}
