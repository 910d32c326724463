//! Rank tables: token bytes <-> rank, tuned for the BPE hot path.
//!
//! All token bytes live in one arena in rank order; lookups go through an
//! open-addressing table whose slots hold a 32-bit hash tag and the rank, so a
//! miss almost never touches the arena. This is the single most frequent
//! operation of encoding (one lookup per piece, more for pieces that need merging).

mod packed;
mod tiktoken_file;

pub(crate) use packed::parse_packed;
pub(crate) use tiktoken_file::parse_tiktoken_file;

use crate::error::{Error, Result};

/// A token's id in the vocabulary (tiktoken calls it a rank: lower merges first).
pub type Rank = u32;

/// Marks "no rank" in merge bookkeeping.
pub(crate) const NO_RANK: Rank = Rank::MAX;

/// Byte-string -> rank map plus the reverse direction.
#[derive(Clone)]
pub(crate) struct Vocab {
    /// All token bytes, concatenated in rank order.
    arena: Vec<u8>,
    /// `arena[offsets[r]..offsets[r + 1]]` are the bytes of rank `r`; empty for a hole.
    offsets: Vec<u32>,
    /// Open addressing, linear probing. Slot = `(tag << 32) | (rank + 1)`, 0 = empty.
    slots: Vec<u64>,
    /// `64 - log2(slots.len())`, for Fibonacci hashing.
    shift: u32,
    /// Number of tokens (ranks that are not holes).
    len: usize,
    /// Length in bytes of the longest token: longer slices are rejected without hashing.
    max_token_len: usize,
    /// `single_byte[b]` is the rank of the one-byte token `b`, or NO_RANK.
    single_byte: [Rank; 256],
}

const HASH_MUL: u64 = 0x9E37_79B9_7F4A_7C15;

#[inline(always)]
fn hash_bytes(bytes: &[u8]) -> u64 {
    // One multiply per 8 bytes; tokens average 6-7 bytes, so usually one or two rounds.
    let mut h = (bytes.len() as u64).wrapping_mul(HASH_MUL);
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().expect("chunks_exact(8) yields 8 bytes"));
        h = (h.rotate_left(23) ^ word).wrapping_mul(HASH_MUL);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut buf = [0u8; 8];
        buf[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(23) ^ u64::from_le_bytes(buf)).wrapping_mul(HASH_MUL);
    }
    h ^ (h >> 29)
}

impl Vocab {
    /// Builds a vocabulary from `(bytes, rank)` pairs in any order.
    pub(crate) fn from_pairs<B: AsRef<[u8]>>(pairs: impl IntoIterator<Item = (B, Rank)>) -> Result<Self> {
        let mut items: Vec<(B, Rank)> = pairs.into_iter().collect();
        items.sort_unstable_by_key(|(_, rank)| *rank);
        let rank_limit = match items.last() {
            Some((_, r)) => *r as usize + 1,
            None => 0,
        };
        if rank_limit >= u32::MAX as usize {
            return Err(Error::InvalidVocabulary("rank too large".into()));
        }
        let total: usize = items.iter().map(|(b, _)| b.as_ref().len()).sum();
        let mut arena = Vec::with_capacity(total);
        let mut offsets = Vec::with_capacity(rank_limit + 1);
        offsets.push(0u32);
        let mut next = 0usize;
        for (bytes, rank) in &items {
            let rank = *rank as usize;
            if rank < next {
                return Err(Error::InvalidVocabulary(format!("rank {rank} is used twice")));
            }
            let bytes = bytes.as_ref();
            if bytes.is_empty() {
                return Err(Error::InvalidVocabulary(format!("rank {rank} has an empty token")));
            }
            // Holes get an empty span.
            offsets.resize(rank + 1, arena.len() as u32);
            arena.extend_from_slice(bytes);
            offsets.push(arena.len() as u32);
            next = rank + 1;
        }
        if arena.len() >= u32::MAX as usize {
            return Err(Error::InvalidVocabulary("vocabulary larger than 4 GiB".into()));
        }
        Self::index(arena, offsets)
    }

    /// Builds the lookup table over an arena already in rank order.
    pub(crate) fn index(arena: Vec<u8>, offsets: Vec<u32>) -> Result<Self> {
        let rank_limit = offsets.len().saturating_sub(1);
        let span = |r: usize| &arena[offsets[r] as usize..offsets[r + 1] as usize];
        let len = (0..rank_limit).filter(|&r| !span(r).is_empty()).count();
        let bits = ((len.max(1) * 2).next_power_of_two().trailing_zeros()).max(4);
        let shift = 64 - bits;
        let mut slots = vec![0u64; 1usize << bits];
        let mask = slots.len() - 1;
        let mut max_token_len = 0;
        let mut single_byte = [NO_RANK; 256];
        for rank in 0..rank_limit {
            let bytes = span(rank);
            if bytes.is_empty() {
                continue;
            }
            max_token_len = max_token_len.max(bytes.len());
            if bytes.len() == 1 {
                single_byte[bytes[0] as usize] = rank as Rank;
            }
            let h = hash_bytes(bytes);
            let mut i = (h.wrapping_mul(HASH_MUL) >> shift) as usize;
            loop {
                let slot = slots[i];
                if slot == 0 {
                    slots[i] = ((h as u32 as u64) << 32) | (rank as u64 + 1);
                    break;
                }
                let other = (slot as u32 - 1) as usize;
                if (slot >> 32) as u32 == h as u32 && span(other) == bytes {
                    return Err(Error::InvalidVocabulary(format!(
                        "token {:?} has two ranks, {other} and {rank}",
                        String::from_utf8_lossy(bytes)
                    )));
                }
                i = (i + 1) & mask;
            }
        }
        Ok(Vocab { arena, offsets, slots, shift, len, max_token_len, single_byte })
    }

    /// The rank of exactly these bytes, if they are a token.
    #[inline(always)]
    pub(crate) fn get(&self, bytes: &[u8]) -> Option<Rank> {
        if bytes.len() > self.max_token_len {
            return None;
        }
        if bytes.len() == 1 {
            let r = self.single_byte[bytes[0] as usize];
            return (r != NO_RANK).then_some(r);
        }
        let h = hash_bytes(bytes);
        let tag = h as u32;
        let mask = self.slots.len() - 1;
        let mut i = (h.wrapping_mul(HASH_MUL) >> self.shift) as usize;
        loop {
            // SAFETY-free indexing: `i` is always masked into range.
            let slot = self.slots[i];
            if slot == 0 {
                return None;
            }
            if (slot >> 32) as u32 == tag {
                let rank = (slot as u32) - 1;
                if self.token_bytes(rank) == bytes {
                    return Some(rank);
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// Rank of these bytes or `NO_RANK`.
    #[inline(always)]
    pub(crate) fn rank_or_max(&self, bytes: &[u8]) -> Rank {
        self.get(bytes).unwrap_or(NO_RANK)
    }

    /// The bytes of a rank (empty for a hole or an out-of-range rank).
    #[inline(always)]
    pub(crate) fn token_bytes(&self, rank: Rank) -> &[u8] {
        let r = rank as usize;
        if r + 1 >= self.offsets.len() {
            return &[];
        }
        &self.arena[self.offsets[r] as usize..self.offsets[r + 1] as usize]
    }

    /// Whether `rank` is a token of this vocabulary.
    pub(crate) fn contains_rank(&self, rank: Rank) -> bool {
        !self.token_bytes(rank).is_empty()
    }

    /// Number of tokens.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// One more than the largest rank.
    pub(crate) fn rank_limit(&self) -> u32 {
        self.offsets.len().saturating_sub(1) as u32
    }

    /// Every token's bytes, in rank order (holes skipped).
    pub(crate) fn iter(&self) -> impl Iterator<Item = (Rank, &[u8])> + '_ {
        (0..self.rank_limit()).map(|r| (r, self.token_bytes(r))).filter(|(_, b)| !b.is_empty())
    }

    /// Whether every single byte is a token (true of all byte-level BPE vocabularies;
    /// encoding relies on it to always have a fallback).
    pub(crate) fn covers_all_bytes(&self) -> bool {
        self.single_byte.iter().all(|&r| r != NO_RANK)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_roundtrip_and_holes() {
        let v = Vocab::from_pairs([(&b"a"[..], 0), (b"bc", 1), (b"long token bytes!", 5)]).expect("valid");
        assert_eq!(v.get(b"a"), Some(0));
        assert_eq!(v.get(b"bc"), Some(1));
        assert_eq!(v.get(b"long token bytes!"), Some(5));
        assert_eq!(v.get(b"b"), None);
        assert_eq!(v.get(b"long token bytes?"), None);
        assert_eq!(v.token_bytes(3), b"");
        assert!(!v.contains_rank(3));
        assert_eq!(v.len(), 3);
        assert_eq!(v.rank_limit(), 6);
    }

    #[test]
    fn duplicates_are_errors() {
        assert!(Vocab::from_pairs([(&b"a"[..], 0), (b"a", 1)]).is_err());
        assert!(Vocab::from_pairs([(&b"a"[..], 0), (b"b", 0)]).is_err());
        assert!(Vocab::from_pairs([(&b""[..], 0)]).is_err());
    }
}
