//! Rank tables: token bytes <-> rank, tuned for the BPE hot path.
//!
//! All token bytes live in one arena in rank order; lookups go through an
//! open-addressing table whose slots hold a 32-bit hash tag and the rank, so a
//! miss almost never touches the arena. This is the single most frequent
//! operation of encoding (one lookup per piece, more for pieces that need merging).

pub(crate) mod chars;
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
    /// Open addressing, linear probing; a token's first 8 bytes live in its slot, so
    /// most lookups touch one cache line and never the arena.
    slots: Vec<Slot>,
    /// `64 - log2(slots.len())`, for Fibonacci hashing.
    shift: u32,
    /// A Bloom filter of the tokens, 4 bits per slot, two bits set per token (see
    /// [`filter_bits`]): most lookups made while merging are misses, and this
    /// 128-256 KiB filter stays in cache where the slot table (MBs) does not.
    filter: Vec<u64>,
    /// Number of tokens (ranks that are not holes).
    len: usize,
    /// Length in bytes of the longest token: longer slices are rejected without hashing.
    max_token_len: usize,
    /// `single_byte[b]` is the rank of the one-byte token `b`, or NO_RANK.
    single_byte: [Rank; 256],
    /// `byte_pair[a << 8 | b]` is the rank of the two-byte token `ab`, or NO_RANK:
    /// the first round of every merge, without hashing (256 KiB).
    byte_pair: Vec<Rank>,
    /// Unique per vocabulary built in this process (clones share it): the merge cache
    /// keys its entries with it, so encodings never see each other's entries.
    tag: u32,
    /// Rank to start each 2- or 3-byte character with when merging (see
    /// [`chars`]), built on first use.
    whole_chars: std::sync::OnceLock<Box<[chars::CharStart]>>,
}

/// The next vocabulary tag. 0 means "do not cache" (the merge cache also marks its
/// empty entries with 0): after four billion vocabularies in one process, new ones
/// simply merge without the cache instead of sharing a tag.
fn next_tag() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(1);
    NEXT.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |t| (t != 0).then_some(t.wrapping_add(1))).unwrap_or(0)
}

/// One hash table entry; `len == 0` marks an empty slot.
#[derive(Clone, Copy, Default)]
struct Slot {
    prefix: u64,
    rank: Rank,
    len: u32,
}

const HASH_MUL: u64 = 0x9E37_79B9_7F4A_7C15;
/// The filter has `2^FILTER_EXTRA_BITS` bits per slot.
const FILTER_EXTRA_BITS: u32 = 2;

/// The first `min(8, len)` bytes as a little-endian u64, zero-padded, without a
/// variable-length copy (overlapping loads; OR-ing equal bytes is harmless).
#[inline(always)]
fn prefix_u64(b: &[u8]) -> u64 {
    let n = b.len();
    if n >= 8 {
        u64::from_le_bytes(b[..8].try_into().expect("8 bytes"))
    } else if n >= 4 {
        let lo = u32::from_le_bytes(b[..4].try_into().expect("4 bytes")) as u64;
        let hi = u32::from_le_bytes(b[n - 4..n].try_into().expect("4 bytes")) as u64;
        lo | (hi << ((n - 4) * 8))
    } else if n >= 2 {
        let lo = u16::from_le_bytes(b[..2].try_into().expect("2 bytes")) as u64;
        let hi = u16::from_le_bytes(b[n - 2..n].try_into().expect("2 bytes")) as u64;
        lo | (hi << ((n - 2) * 8))
    } else if n == 1 {
        b[0] as u64
    } else {
        0
    }
}

/// Where a hash sets its filter bits: the slot index's hash bits and the two below them
/// pick a word of the filter and a bit in it; the six bits below those pick a second
/// bit in the same word. Two bits in one word instead of one cut the false positives from ~10%
/// (measured on Chinese text, o200k_base) to ~3% (in theory), each of them a wasted
/// probe of the slot table, for the same single load: Chinese and Japanese encode
/// 8-10% faster; a third bit measured no further gain.
#[inline(always)]
fn filter_bits(h: u64, shift: u32) -> (usize, u64) {
    let f = (h >> (shift - FILTER_EXTRA_BITS)) as usize;
    let second = (h >> (shift - FILTER_EXTRA_BITS - 6)) & 63;
    (f / 64, 1 << (f % 64) | 1 << second)
}

#[inline(always)]
fn hash_bytes(prefix: u64, bytes: &[u8]) -> u64 {
    // One multiply per 8 bytes; most tokens are at most 8 bytes long.
    let mut h = (prefix ^ (bytes.len() as u64).rotate_right(8)).wrapping_mul(HASH_MUL);
    if bytes.len() > 8 {
        let mut chunks = bytes[8..].chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().expect("chunks_exact(8) yields 8 bytes"));
            h = (h.rotate_left(23) ^ word).wrapping_mul(HASH_MUL);
        }
        h = (h.rotate_left(23) ^ prefix_u64(chunks.remainder())).wrapping_mul(HASH_MUL);
    }
    h
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
        // The tables are indexed by rank: a rank far beyond the number of tokens (a
        // hostile file's `IHdvcg== 2628888888`) would allocate gigabytes for one line.
        // Real vocabularies are dense (holes only where added tokens sit).
        const MAX_RANK: usize = 1 << 26;
        if rank_limit > MAX_RANK {
            return Err(Error::InvalidVocabulary(format!("rank {} is too large (limit {MAX_RANK})", rank_limit - 1)));
        }
        if rank_limit > 2 * items.len() + 1024 {
            return Err(Error::InvalidVocabulary(format!(
                "ranks go up to {} for {} tokens: a vocabulary this sparse is refused (its tables grow with the largest rank)",
                rank_limit - 1,
                items.len()
            )));
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
        let mut slots = vec![Slot::default(); 1usize << bits];
        let mask = slots.len() - 1;
        let mut max_token_len = 0;
        let mut single_byte = [NO_RANK; 256];
        let mut byte_pair = vec![NO_RANK; 1 << 16];
        let mut filter = vec![0u64; (1usize << (bits + FILTER_EXTRA_BITS)) / 64];
        // Hashes first, so that the slot of a token a few ranks ahead can be prefetched:
        // inserts into a table of MBs miss the cache (this is most of building it).
        #[cfg(target_arch = "x86_64")]
        const AHEAD: usize = 8;
        let hashes: Vec<u64> = (0..rank_limit).map(span).map(|b| hash_bytes(prefix_u64(b), b)).collect();
        for (rank, &h) in hashes.iter().enumerate() {
            #[cfg(target_arch = "x86_64")]
            if let Some(&ahead) = hashes.get(rank + AHEAD) {
                // SAFETY: a prefetch is a hint that never faults; the index is in bounds anyway.
                unsafe {
                    use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
                    _mm_prefetch(slots.as_ptr().wrapping_add((ahead >> shift) as usize) as *const i8, _MM_HINT_T0);
                }
            }
            let bytes = span(rank);
            if bytes.is_empty() {
                continue;
            }
            max_token_len = max_token_len.max(bytes.len());
            match bytes.len() {
                1 => single_byte[bytes[0] as usize] = rank as Rank,
                2 => byte_pair[(bytes[0] as usize) << 8 | bytes[1] as usize] = rank as Rank,
                _ => {}
            }
            let prefix = prefix_u64(bytes);
            let (word, bits) = filter_bits(h, shift);
            filter[word] |= bits;
            let mut i = (h >> shift) as usize;
            loop {
                let slot = slots[i];
                if slot.len == 0 {
                    slots[i] = Slot { prefix, rank: rank as Rank, len: bytes.len() as u32 };
                    break;
                }
                if slot.prefix == prefix && span(slot.rank as usize) == bytes {
                    return Err(Error::InvalidVocabulary(format!(
                        "token {:?} has two ranks, {} and {rank}",
                        String::from_utf8_lossy(bytes),
                        slot.rank
                    )));
                }
                i = (i + 1) & mask;
            }
        }
        Ok(Vocab {
            arena,
            offsets,
            slots,
            shift,
            filter,
            len,
            max_token_len,
            single_byte,
            byte_pair,
            tag: next_tag(),
            whole_chars: std::sync::OnceLock::new(),
        })
    }

    /// The rank of exactly these bytes, if they are a token.
    #[inline(always)]
    pub(crate) fn get(&self, bytes: &[u8]) -> Option<Rank> {
        let len = bytes.len();
        if len > self.max_token_len {
            return None;
        }
        if len <= 2 {
            let r = match len {
                1 => self.single_byte[bytes[0] as usize],
                2 => self.byte_pair[(bytes[0] as usize) << 8 | bytes[1] as usize],
                _ => NO_RANK,
            };
            return (r != NO_RANK).then_some(r);
        }
        let prefix = prefix_u64(bytes);
        let h = hash_bytes(prefix, bytes);
        let (word, bits) = filter_bits(h, self.shift);
        if self.filter[word] & bits != bits {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut i = (h >> self.shift) as usize;
        loop {
            let slot = self.slots[i];
            if slot.len == 0 {
                return None;
            }
            if slot.prefix == prefix && slot.len as usize == len && (len <= 8 || self.token_bytes(slot.rank)[8..] == bytes[8..]) {
                return Some(slot.rank);
            }
            i = (i + 1) & mask;
        }
    }

    /// Asks the CPU to start loading the cache lines a later `get(bytes)` will read, so
    /// that a batch of independent lookups (the tokenizer.json loader resolving its
    /// merges) overlaps instead of stalling one by one. Encoding does not use it:
    /// prefetching the next piece's slot measured slower there.
    #[cfg(feature = "hf")]
    #[inline(always)]
    pub(crate) fn prefetch(&self, bytes: &[u8]) {
        #[cfg(target_arch = "x86_64")]
        if bytes.len() > 2 && bytes.len() <= self.max_token_len {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            let h = hash_bytes(prefix_u64(bytes), bytes);
            let (word, _) = filter_bits(h, self.shift);
            let i = (h >> self.shift) as usize;
            // SAFETY: prefetching is a hint that never faults; both indices are in
            // bounds anyway (they are computed exactly as in `get`).
            unsafe {
                _mm_prefetch(self.filter.as_ptr().wrapping_add(word) as *const i8, _MM_HINT_T0);
                _mm_prefetch(self.slots.as_ptr().wrapping_add(i) as *const i8, _MM_HINT_T0);
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = bytes;
    }

    /// This vocabulary's unique tag (see the field).
    #[inline(always)]
    pub(crate) fn tag(&self) -> u32 {
        self.tag
    }

    /// The hash `get` uses for these bytes.
    #[inline(always)]
    pub(crate) fn hash(&self, bytes: &[u8]) -> u64 {
        hash_bytes(prefix_u64(bytes), bytes)
    }

    /// Rank of the two-byte token `[a, b]`, or `NO_RANK`.
    #[inline(always)]
    pub(crate) fn byte_pair_rank(&self, a: u8, b: u8) -> Rank {
        self.byte_pair[(a as usize) << 8 | b as usize]
    }

    /// Rank of the one-byte token `b`, or `NO_RANK`.
    #[inline(always)]
    pub(crate) fn byte_rank(&self, b: u8) -> Rank {
        self.single_byte[b as usize]
    }

    /// When a merge may start character `cp` (2 or 3 bytes) whole (see
    /// [`chars`]).
    #[inline(always)]
    pub(crate) fn whole_chars(&self) -> &[chars::CharStart] {
        self.whole_chars.get_or_init(|| chars::build(self))
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
