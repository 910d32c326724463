//! tiktoken's `_byte_pair_merge` on fixed stack arrays, for pieces of at most
//! [`SMALL_PIECE`](super::SMALL_PIECE) bytes.
//!
//! Part `i` starts at byte `i` for its whole life, so its merge candidate can live at a
//! fixed index as one `u32` key, `rank << 6 | i` (`u32::MAX` when there is none): the
//! next merge, "lowest rank, leftmost first", is then simply the smallest key, found by
//! a branch-free pass over eight lanes at a time that the compiler turns into SIMD
//! (AVX2 when the CPU has it, detected at run time; SSE2 otherwise). Neighbours are
//! found through `next` / `prev` links. Parts start as single bytes, or as whole
//! characters where [`chars`](crate::vocab::chars) allows it. Vocabularies with ranks of 2^26 or more take
//! the long-piece path instead (see `super::merge`).

use super::SMALL_PIECE;
use crate::vocab::chars;
use crate::vocab::{Rank, Vocab, NO_RANK};

const END: u8 = u8::MAX;
const POS_BITS: u32 = 7;
const NO_KEY: u32 = u32::MAX;
/// Largest rank that fits in a key.
pub(super) const MAX_KEYED_RANK: Rank = (1 << (32 - POS_BITS)) - 2;
const _: () = assert!(SMALL_PIECE <= 1 << POS_BITS && SMALL_PIECE.is_multiple_of(8));

#[inline(always)]
fn key(rank: Rank, pos: usize) -> u32 {
    if rank == NO_RANK {
        NO_KEY
    } else {
        (rank << POS_BITS) | pos as u32
    }
}

/// Smallest of `keys` (a multiple of 8 long), eight independent lanes at a time.
#[inline(always)]
fn min_key(keys: &[u32]) -> u32 {
    let mut lanes = [NO_KEY; 8];
    for chunk in keys.chunks_exact(8) {
        for (lane, &k) in lanes.iter_mut().zip(chunk) {
            *lane = (*lane).min(k);
        }
    }
    lanes.into_iter().fold(NO_KEY, u32::min)
}

#[inline]
pub(super) fn merge(vocab: &Vocab, piece: &[u8], emit: impl FnMut(Rank)) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2 (checked just above).
        return unsafe { merge_avx2(vocab, piece, emit) };
    }
    merge_sized(vocab, piece, emit)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn merge_avx2(vocab: &Vocab, piece: &[u8], emit: impl FnMut(Rank)) {
    merge_sized(vocab, piece, emit)
}

/// Picks arrays just big enough: most pieces that need merging are short, and
/// initialising five 128-entry arrays for a 10-byte word would cost more than merging it.
#[inline(always)]
fn merge_sized(vocab: &Vocab, piece: &[u8], emit: impl FnMut(Rank)) {
    match piece.len() {
        0..=16 => merge_portable::<16>(vocab, piece, emit),
        17..=32 => merge_portable::<32>(vocab, piece, emit),
        33..=64 => merge_portable::<64>(vocab, piece, emit),
        _ => merge_portable::<SMALL_PIECE>(vocab, piece, emit),
    }
}

#[inline(always)]
fn merge_portable<const N: usize>(vocab: &Vocab, piece: &[u8], mut emit: impl FnMut(Rank)) {
    let n = piece.len();
    debug_assert!((2..=N).contains(&n) && N <= SMALL_PIECE && N.is_multiple_of(8));
    let mut end = [0u8; N];
    let mut next = [END; N];
    let mut prev = [END; N];
    let mut keys = [NO_KEY; N];
    let mut token = [NO_RANK; N];
    // Parts: single bytes, except characters that may start whole (see `chars`).
    let whole_chars = if piece.iter().any(|&b| b >= 0xC2) { vocab.whole_chars() } else { &[] };
    let mut last = END;
    let mut i = 0;
    while i < n {
        let (len, rank) = match chars::char_at(&piece[i..]) {
            Some((cp, len)) => match chars::start_rank(whole_chars, piece, i, len, cp) {
                NO_RANK => (1, vocab.byte_rank(piece[i])),
                rank => (len, rank),
            },
            _ => (1, vocab.byte_rank(piece[i])),
        };
        end[i] = (i + len) as u8;
        token[i] = rank;
        if last != END {
            let l = last as usize;
            next[l] = i as u8;
            prev[i] = last;
            let pair = if end[l] as usize == l + 1 && len == 1 {
                vocab.byte_pair_rank(piece[l], piece[i])
            } else {
                vocab.rank_or_max(&piece[l..i + len])
            };
            keys[l] = key(pair, l);
        }
        last = i as u8;
        i += len;
    }
    let keys = &mut keys[..n.next_multiple_of(8)];
    loop {
        let min = min_key(keys);
        if min == NO_KEY {
            break;
        }
        let a = (min & ((1 << POS_BITS) - 1)) as usize;
        let b = next[a] as usize;
        token[a] = min >> POS_BITS;
        end[a] = end[b];
        next[a] = next[b];
        keys[b] = NO_KEY;
        keys[a] = match next[a] {
            END => NO_KEY,
            c => {
                prev[c as usize] = a as u8;
                key(vocab.rank_or_max(&piece[a..end[c as usize] as usize]), a)
            }
        };
        if prev[a] != END {
            let p = prev[a] as usize;
            keys[p] = key(vocab.rank_or_max(&piece[p..end[a] as usize]), p);
        }
    }
    let mut i = 0u8;
    while i != END {
        emit(token[i as usize]);
        i = next[i as usize];
    }
}
