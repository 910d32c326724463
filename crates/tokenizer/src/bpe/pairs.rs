//! Hugging Face BPE merging: two adjacent parts merge only if the pair is listed in the
//! file's `merges`, and the pair listed first merges first (leftmost among equals).
//!
//! This differs from tiktoken's rule (lowest rank of the concatenation) whenever a
//! token can be spelled as several pairs: Llama 3 lists 280 147 merges for 128 000
//! tokens. It is `tokenizers`' `Word::merge_all` without dropout: a heap of
//! (merge rank, position) there, which equals "repeatedly merge the listed pair of
//! lowest rank, leftmost first" because a stale heap entry always names a pair whose
//! bytes changed, hence whose merged token changed.

use crate::vocab::{Rank, Vocab, NO_RANK};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// `(left, right) -> (merge rank, merged token)`, open addressing keyed by the pair.
#[derive(Clone)]
pub(crate) struct MergeTable {
    slots: Vec<MergeSlot>,
    shift: u32,
    len: usize,
}

#[derive(Clone, Copy)]
struct MergeSlot {
    /// `left << 32 | right`; [`EMPTY_KEY`] for an empty slot.
    key: u64,
    rank: u32,
    merged: Rank,
}

const EMPTY_KEY: u64 = u64::MAX;

#[inline(always)]
fn pair_key(left: Rank, right: Rank) -> u64 {
    (left as u64) << 32 | right as u64
}

impl MergeTable {
    /// An empty table sized for `n` merges (it grows as needed).
    pub(crate) fn with_capacity(n: usize) -> Self {
        // At most 3/4 full after `n` inserts, at least 3/8.
        let bits = ((n.max(1) * 4 / 3 + 1).next_power_of_two().trailing_zeros()).max(4);
        MergeTable { slots: vec![MergeSlot { key: EMPTY_KEY, rank: 0, merged: NO_RANK }; 1usize << bits], shift: 64 - bits, len: 0 }
    }

    /// Adds merge number `rank`. A pair listed twice keeps its later entry, like the
    /// `HashMap` that `tokenizers` fills in file order.
    pub(crate) fn insert(&mut self, left: Rank, right: Rank, rank: u32, merged: Rank) {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let key = pair_key(left, right);
        let mask = self.slots.len() - 1;
        let mut i = self.index(key);
        loop {
            let slot = &mut self.slots[i];
            if slot.key == EMPTY_KEY {
                *slot = MergeSlot { key, rank, merged };
                self.len += 1;
                return;
            }
            if slot.key == key {
                *slot = MergeSlot { key, rank, merged };
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /// Adds merges `first_rank`, `first_rank + 1`, ... in order: `(left, right, merged)`.
    /// Slots a few merges ahead are prefetched (the table is MBs; inserts miss the cache).
    pub(crate) fn extend(&mut self, first_rank: u32, merges: &[(Rank, Rank, Rank)]) {
        #[cfg(target_arch = "x86_64")]
        const AHEAD: usize = 8;
        while (self.len + merges.len()) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        for (k, &(left, right, merged)) in merges.iter().enumerate() {
            #[cfg(target_arch = "x86_64")]
            if let Some(&(l, r, _)) = merges.get(k + AHEAD) {
                let i = self.index(pair_key(l, r));
                // SAFETY: a prefetch is a hint that never faults; `i` is in bounds anyway.
                unsafe {
                    std::arch::x86_64::_mm_prefetch(self.slots.as_ptr().wrapping_add(i) as *const i8, std::arch::x86_64::_MM_HINT_T0)
                };
            }
            self.insert(left, right, first_rank + k as u32, merged);
        }
    }

    fn grow(&mut self) {
        let old = std::mem::replace(self, MergeTable::with_capacity(self.slots.len()));
        for slot in old.slots.into_iter().filter(|s| s.key != EMPTY_KEY) {
            self.insert((slot.key >> 32) as Rank, slot.key as Rank, slot.rank, slot.merged);
        }
    }

    #[inline(always)]
    fn index(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    /// The merge of `left` then `right`: `(rank, merged token)`.
    #[inline(always)]
    pub(crate) fn get(&self, left: Rank, right: Rank) -> Option<(u32, Rank)> {
        let key = pair_key(left, right);
        let mask = self.slots.len() - 1;
        let mut i = self.index(key);
        loop {
            let slot = self.slots[i];
            if slot.key == key {
                return Some((slot.rank, slot.merged));
            }
            if slot.key == EMPTY_KEY {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// Number of distinct pairs.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

/// Pieces up to this many bytes merge on stack arrays (quadratic, tiny constants);
/// longer ones on a heap, O(n log n).
const SMALL_PIECE: usize = 64;

/// Merges `piece` (not empty, every byte a token) and emits its tokens in order.
pub(crate) fn merge(vocab: &Vocab, merges: &MergeTable, piece: &[u8], emit: impl FnMut(Rank)) {
    if piece.len() <= SMALL_PIECE {
        merge_small(vocab, merges, piece, emit)
    } else {
        merge_long(vocab, merges, piece, emit)
    }
}

fn merge_small(vocab: &Vocab, merges: &MergeTable, piece: &[u8], mut emit: impl FnMut(Rank)) {
    let n0 = piece.len();
    let mut parts = [0 as Rank; SMALL_PIECE];
    // `pairs[i]` is the merge of parts i and i + 1: (rank, merged), rank u32::MAX if none.
    let mut pairs = [(u32::MAX, NO_RANK); SMALL_PIECE];
    for (part, &b) in parts.iter_mut().zip(piece) {
        *part = vocab.byte_rank(b);
    }
    let lookup = |l: Rank, r: Rank| merges.get(l, r).unwrap_or((u32::MAX, NO_RANK));
    for i in 0..n0 - 1 {
        pairs[i] = lookup(parts[i], parts[i + 1]);
    }
    let mut n = n0;
    loop {
        let mut best = (u32::MAX, 0usize);
        for (i, &(rank, _)) in pairs[..n - 1].iter().enumerate() {
            if rank < best.0 {
                best = (rank, i);
            }
        }
        if best.0 == u32::MAX {
            break;
        }
        let i = best.1;
        parts[i] = pairs[i].1;
        parts.copy_within(i + 2..n, i + 1);
        pairs.copy_within(i + 2..n, i + 1);
        n -= 1;
        if i + 1 < n {
            pairs[i] = lookup(parts[i], parts[i + 1]);
        } else {
            pairs[i] = (u32::MAX, NO_RANK);
        }
        if i > 0 {
            pairs[i - 1] = lookup(parts[i - 1], parts[i]);
        }
    }
    parts[..n].iter().for_each(|&r| emit(r));
}

/// `tokenizers`' algorithm: a min-heap of (rank, position) over a linked list of parts.
fn merge_long(vocab: &Vocab, merges: &MergeTable, piece: &[u8], mut emit: impl FnMut(Rank)) {
    const NONE: u32 = u32::MAX;
    #[derive(Clone, Copy)]
    struct Part {
        token: Rank,
        prev: u32,
        next: u32,
        alive: bool,
    }
    let n = piece.len();
    let mut parts: Vec<Part> = piece
        .iter()
        .enumerate()
        .map(|(i, &b)| Part {
            token: vocab.byte_rank(b),
            prev: if i == 0 { NONE } else { i as u32 - 1 },
            next: if i + 1 == n { NONE } else { i as u32 + 1 },
            alive: true,
        })
        .collect();
    // (rank, position of the left part, merged token)
    let mut heap: BinaryHeap<Reverse<(u32, u32, Rank)>> = BinaryHeap::with_capacity(n);
    for i in 0..n - 1 {
        if let Some((rank, merged)) = merges.get(parts[i].token, parts[i + 1].token) {
            heap.push(Reverse((rank, i as u32, merged)));
        }
    }
    while let Some(Reverse((_, pos, merged))) = heap.pop() {
        let left = parts[pos as usize];
        if !left.alive || left.next == NONE {
            continue;
        }
        let right = parts[left.next as usize];
        // A stale entry: the pair at `pos` changed since it was pushed.
        if merges.get(left.token, right.token).map(|(_, m)| m) != Some(merged) {
            continue;
        }
        parts[pos as usize].token = merged;
        parts[pos as usize].next = right.next;
        parts[left.next as usize].alive = false;
        if right.next != NONE {
            parts[right.next as usize].prev = pos;
        }
        if left.prev != NONE {
            let prev = parts[left.prev as usize].token;
            if let Some((rank, m)) = merges.get(prev, merged) {
                heap.push(Reverse((rank, left.prev, m)));
            }
        }
        if right.next != NONE {
            let next = parts[right.next as usize].token;
            if let Some((rank, m)) = merges.get(merged, next) {
                heap.push(Reverse((rank, pos, m)));
            }
        }
    }
    let mut i = 0u32;
    while i != NONE {
        emit(parts[i as usize].token);
        i = parts[i as usize].next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A toy vocabulary where "abc" can be spelled (ab, c) or (a, bc), but only
    /// (a, bc) is listed, so (ab, c) never merges.
    fn toy() -> (Vocab, MergeTable) {
        let mut pairs: Vec<(Vec<u8>, Rank)> = (0..=255u8).map(|b| (vec![b], b as Rank)).collect();
        for (i, t) in ["ab", "bc", "abc", "aa", "aaaa"].iter().enumerate() {
            pairs.push((t.as_bytes().to_vec(), 256 + i as Rank));
        }
        let vocab = Vocab::from_pairs(pairs).expect("toy vocabulary");
        let id = |t: &str| vocab.get(t.as_bytes()).expect("token");
        let mut merges = MergeTable::with_capacity(2);
        for (rank, (l, r)) in [("a", "b"), ("b", "c"), ("a", "bc"), ("a", "a"), ("aa", "aa")].iter().enumerate() {
            merges.insert(id(l), id(r), rank as u32, id(&format!("{l}{r}")));
        }
        (vocab, merges)
    }

    fn both(vocab: &Vocab, merges: &MergeTable, piece: &str) -> Vec<Rank> {
        let (mut small, mut long) = (Vec::new(), Vec::new());
        merge_small(vocab, merges, piece.as_bytes(), |r| small.push(r));
        merge_long(vocab, merges, piece.as_bytes(), |r| long.push(r));
        assert_eq!(small, long, "{piece}");
        small
    }

    #[test]
    fn only_listed_pairs_merge() {
        let (vocab, merges) = toy();
        // "ab" merges first (rank 0), then (ab, c) is not listed: stays two tokens.
        assert_eq!(both(&vocab, &merges, "abc"), vec![256, b'c' as Rank]);
        // "bc" first when "a" is not before it.
        assert_eq!(both(&vocab, &merges, "bc"), vec![257]);
        assert_eq!(both(&vocab, &merges, "aaaaa"), vec![260, b'a' as Rank]);
        assert_eq!(both(&vocab, &merges, "aaaaaa"), vec![260, 259]);
    }

    #[test]
    fn small_and_long_agree_on_random_pieces() {
        let (vocab, merges) = toy();
        let mut rng = crate::test_rng::Lcg::new(7);
        for len in 1..=SMALL_PIECE {
            for _ in 0..20 {
                let piece: String = (0..len).map(|_| rng.pick(&['a', 'b', 'c'])).collect();
                both(&vocab, &merges, &piece);
            }
        }
    }

    #[test]
    fn a_pair_listed_twice_keeps_the_later_entry() {
        let mut t = MergeTable::with_capacity(1);
        t.insert(1, 2, 0, 10);
        t.insert(1, 2, 5, 11);
        assert_eq!(t.get(1, 2), Some((5, 11)));
        assert_eq!(t.len(), 1);
        for i in 0..1000 {
            t.insert(i, i + 1, i, i);
        }
        assert_eq!(t.get(999, 1000), Some((999, 999)));
        assert_eq!(t.get(1000, 999), None);
    }
}
