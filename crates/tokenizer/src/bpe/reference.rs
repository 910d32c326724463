//! tiktoken's `_byte_pair_merge`, transcribed: quadratic, used only for vocabularies
//! too large for the packed keys of the fast paths, and as the reference in tests.

use crate::vocab::{Rank, Vocab};

pub(crate) fn merge(vocab: &Vocab, piece: &[u8], mut emit: impl FnMut(Rank)) {
    let mut parts: Vec<(usize, Rank)> = Vec::with_capacity(piece.len() + 1);
    for i in 0..piece.len() - 1 {
        parts.push((i, vocab.rank_or_max(&piece[i..i + 2])));
    }
    parts.push((piece.len() - 1, Rank::MAX));
    parts.push((piece.len(), Rank::MAX));
    let get = |parts: &Vec<(usize, Rank)>, i: usize| {
        if i + 3 < parts.len() {
            vocab.rank_or_max(&piece[parts[i].0..parts[i + 3].0])
        } else {
            Rank::MAX
        }
    };
    loop {
        let mut min = (Rank::MAX, usize::MAX);
        for (i, &(_, r)) in parts[..parts.len() - 1].iter().enumerate() {
            if r < min.0 {
                min = (r, i);
            }
        }
        if min.0 == Rank::MAX {
            break;
        }
        let i = min.1;
        if i > 0 {
            parts[i - 1].1 = get(&parts, i - 1);
        }
        parts[i].1 = get(&parts, i);
        parts.remove(i + 1);
    }
    for w in parts.windows(2) {
        emit(vocab.rank_or_max(&piece[w[0].0..w[1].0]));
    }
}
