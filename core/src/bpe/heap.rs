//! O(n log n) merging for long pieces: a doubly linked list of parts and a min-heap
//! of candidate merges keyed by (rank, start offset), which is exactly tiktoken's
//! "lowest rank, leftmost first" order. Stale heap entries are skipped lazily.

use crate::vocab::{Rank, Vocab, NO_RANK};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

const NONE: u32 = u32::MAX;

/// A part of the piece; part `i` starts at byte `i` (its identity never changes).
#[derive(Clone, Copy)]
struct Part {
    end: u32,
    prev: u32,
    next: u32,
    token: Rank,
    /// Rank of this part merged with the next one; NO_RANK if none (or if dead).
    pair: Rank,
}

#[inline]
fn key(rank: Rank, start: u32) -> Reverse<u64> {
    Reverse(((rank as u64) << 32) | start as u64)
}

pub(super) fn merge(vocab: &Vocab, piece: &[u8], mut emit: impl FnMut(Rank)) {
    let n = piece.len();
    assert!(n < NONE as usize, "pieces are limited to 4 GiB");
    let mut parts: Vec<Part> = (0..n)
        .map(|i| Part {
            end: i as u32 + 1,
            prev: if i == 0 { NONE } else { i as u32 - 1 },
            next: if i + 1 == n { NONE } else { i as u32 + 1 },
            token: vocab.byte_rank(piece[i]),
            pair: if i + 1 < n { vocab.byte_pair_rank(piece[i], piece[i + 1]) } else { NO_RANK },
        })
        .collect();
    let initial: Vec<Reverse<u64>> =
        parts.iter().enumerate().filter(|(_, p)| p.pair != NO_RANK).map(|(i, p)| key(p.pair, i as u32)).collect();
    let mut heap = BinaryHeap::from(initial);
    let pair_rank = |parts: &[Part], i: u32| -> Rank {
        let next = parts[i as usize].next;
        if next == NONE {
            NO_RANK
        } else {
            vocab.rank_or_max(&piece[i as usize..parts[next as usize].end as usize])
        }
    };
    while let Some(Reverse(k)) = heap.pop() {
        let (rank, i) = ((k >> 32) as Rank, k as u32);
        if parts[i as usize].pair != rank {
            continue; // stale: this part merged or its neighbour changed since
        }
        let j = parts[i as usize].next;
        let after = parts[j as usize].next;
        parts[i as usize].end = parts[j as usize].end;
        parts[i as usize].token = rank;
        parts[i as usize].next = after;
        parts[j as usize].pair = NO_RANK;
        if after != NONE {
            parts[after as usize].prev = i;
        }
        let own = pair_rank(&parts, i);
        parts[i as usize].pair = own;
        if own != NO_RANK {
            heap.push(key(own, i));
        }
        let prev = parts[i as usize].prev;
        if prev != NONE {
            let left = pair_rank(&parts, prev);
            parts[prev as usize].pair = left;
            if left != NO_RANK {
                heap.push(key(left, prev));
            }
        }
    }
    let mut i = 0u32;
    while i != NONE {
        emit(parts[i as usize].token);
        i = parts[i as usize].next;
    }
}
