//! Merging for long pieces (over [`SMALL_PIECE`](super::SMALL_PIECE) bytes) in
//! O(n log n) with good locality, so one 10 MB "word" takes about a second.
//!
//! Same layout as the short path: part `i` starts at byte `i` for its whole life and
//! `pair[i]` is the rank of merging it with its right neighbour (`NO_RANK` if none or
//! if part `i` is gone). The positions are cut into blocks of [`BLOCK`] parts; each
//! block's lowest `(rank, position)` sits in a leaf of a min segment tree. Finding
//! tiktoken's next merge (lowest rank, leftmost) is reading the root; a merge changes
//! at most three pair ranks, each followed by a rescan of one block (a vectorised
//! scan of 64 entries) and a walk up the tree. A binary heap over all candidate pairs
//! does the same work with a cache miss at every level of an 80 MB heap.

use crate::vocab::{Rank, Vocab, NO_RANK};

const BLOCK: usize = 64;
const NONE: u32 = u32::MAX;
const EMPTY: u64 = u64::MAX;

#[inline]
fn key(rank: Rank, pos: usize) -> u64 {
    ((rank as u64) << 32) | pos as u64
}

struct Tournament {
    /// `tree[leaves + b]` = lowest key of block `b`; inner nodes hold their children's min.
    tree: Vec<u64>,
    leaves: usize,
}

impl Tournament {
    fn new(blocks: usize) -> Self {
        let leaves = blocks.next_power_of_two();
        Tournament { tree: vec![EMPTY; 2 * leaves], leaves }
    }

    fn build(&mut self) {
        for node in (1..self.leaves).rev() {
            self.tree[node] = self.tree[2 * node].min(self.tree[2 * node + 1]);
        }
    }

    #[inline]
    fn set(&mut self, block: usize, value: u64) {
        let mut node = self.leaves + block;
        self.tree[node] = value;
        while node > 1 {
            node /= 2;
            let m = self.tree[2 * node].min(self.tree[2 * node + 1]);
            if self.tree[node] == m {
                break;
            }
            self.tree[node] = m;
        }
    }

    #[inline]
    fn min(&self) -> u64 {
        self.tree[1]
    }
}

/// Lowest `(rank, position)` key of one block of `pair` (a vectorised min, then
/// the first position holding it).
#[inline(always)]
fn block_min(pair: &[Rank], block: usize) -> u64 {
    let start = block * BLOCK;
    let slice = &pair[start..(start + BLOCK).min(pair.len())];
    let min = slice.iter().copied().fold(NO_RANK, Rank::min);
    if min == NO_RANK {
        return EMPTY;
    }
    let offset = slice.iter().position(|&r| r == min).unwrap_or(0);
    key(min, start + offset)
}

pub(super) fn merge(vocab: &Vocab, piece: &[u8], emit: impl FnMut(Rank)) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2 (checked just above).
        return unsafe { merge_avx2(vocab, piece, emit) };
    }
    merge_portable(vocab, piece, emit)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn merge_avx2(vocab: &Vocab, piece: &[u8], emit: impl FnMut(Rank)) {
    merge_portable(vocab, piece, emit)
}

#[inline(always)]
fn merge_portable(vocab: &Vocab, piece: &[u8], mut emit: impl FnMut(Rank)) {
    let n = piece.len();
    assert!(n < NONE as usize, "pieces are limited to 4 GiB");
    let mut end: Vec<u32> = (1..=n as u32).collect();
    let mut next: Vec<u32> = (1..=n as u32).collect();
    next[n - 1] = NONE;
    let mut prev: Vec<u32> = (0..n as u32).map(|i| i.wrapping_sub(1)).collect();
    let mut token: Vec<Rank> = piece.iter().map(|&b| vocab.byte_rank(b)).collect();
    let mut pair: Vec<Rank> = piece.windows(2).map(|w| vocab.byte_pair_rank(w[0], w[1])).collect();
    pair.push(NO_RANK);

    let blocks = n.div_ceil(BLOCK);
    let mut tournament = Tournament::new(blocks);
    for b in 0..blocks {
        tournament.tree[tournament.leaves + b] = block_min(&pair, b);
    }
    tournament.build();

    let span_rank = |end: &[u32], from: usize, to_part: u32| -> Rank {
        if to_part == NONE {
            NO_RANK
        } else {
            vocab.rank_or_max(&piece[from..end[to_part as usize] as usize])
        }
    };
    loop {
        let top = tournament.min();
        if top == EMPTY {
            break;
        }
        let (rank, a) = ((top >> 32) as Rank, (top & 0xFFFF_FFFF) as usize);
        let b = next[a] as usize;
        token[a] = rank;
        end[a] = end[b];
        next[a] = next[b];
        pair[b] = NO_RANK;
        if next[a] != NONE {
            prev[next[a] as usize] = a as u32;
        }
        pair[a] = span_rank(&end, a, next[a]);
        let before = prev[a];
        if before != NONE {
            pair[before as usize] = vocab.rank_or_max(&piece[before as usize..end[a] as usize]);
        }
        // Rescan the (at most three) blocks whose entries changed.
        let (block_a, block_b) = (a / BLOCK, b / BLOCK);
        tournament.set(block_a, block_min(&pair, block_a));
        if block_b != block_a {
            tournament.set(block_b, block_min(&pair, block_b));
        }
        if before != NONE && before as usize / BLOCK != block_a {
            let block = before as usize / BLOCK;
            tournament.set(block, block_min(&pair, block));
        }
    }
    let mut i = 0u32;
    while i != NONE {
        emit(token[i as usize]);
        i = next[i as usize];
    }
}
