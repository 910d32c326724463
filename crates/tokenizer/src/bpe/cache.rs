//! A per-thread cache of merged pieces: the tokens of the pieces that are not a token
//! themselves, the ones that need merging (8–35% of pieces, most of the time).
//!
//! Text repeats its words: on the shared corpus 44–80% of the pieces that need merging
//! were already seen earlier in the same 2 MB file (Russian 80%, Chinese 55%, Japanese
//! 44%), and merging is most of the cost of tokenizing such text. A cache hit replaces
//! the merge with one comparison of at most [`KEY_BYTES`] bytes.
//!
//! Design, for exactness first:
//! - the key is the piece's exact bytes plus the vocabulary's unique tag
//!   ([`Vocab::tag`]), so two encodings never share entries, and an entry is only ever
//!   written with the tokens the merge itself produced for those bytes;
//! - direct-mapped, one 64-byte line per entry, fixed size (1 MiB per thread that
//!   merges), allocated on first use and never grown: no eviction policy, no locking,
//!   no memory growth with input;
//! - pieces longer than [`KEY_BYTES`] or of more than [`MAX_TOKENS`] tokens are merged
//!   every time (they are rare and their merge dominates any lookup anyway).

use crate::vocab::{Rank, Vocab};
use std::cell::RefCell;

/// Longest piece kept, in bytes.
pub(crate) const KEY_BYTES: usize = 26;
/// Most tokens kept per piece.
pub(crate) const MAX_TOKENS: usize = 8;
/// 16 384 entries (1 MiB). Text a cache has not seen yet is the case that matters (a
/// server tokenizes new documents); there a bigger cache loses more to its own cache
/// misses than it gains in hits. On the shared corpus with a new encoding per pass
/// (`profile_target o200k_base encode_fresh`), four alternating runs each: 2^13, 2^14,
/// 2^15, 2^16 entries gave 79.9, 83.6, 79.3 and 75.7 MB/s; the same text again and
/// again (warm) favours size, but 2^14 and 2^16 measured alike there (82.4, 83.2).
const ENTRIES_LOG2: u32 = 14;

#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Entry {
    /// The vocabulary's tag; 0 for an empty entry (tags start at 1).
    tag: u32,
    len: u8,
    tokens: u8,
    key: [u8; KEY_BYTES],
    ranks: [Rank; MAX_TOKENS],
}

const EMPTY: Entry = Entry { tag: 0, len: 0, tokens: 0, key: [0; KEY_BYTES], ranks: [0; MAX_TOKENS] };
const _: () = assert!(std::mem::size_of::<Entry>() == 64);

thread_local! {
    static CACHE: RefCell<Vec<Entry>> = const { RefCell::new(Vec::new()) };
}

/// A merge rule the cache can front: tiktoken's ([`Vocab`] itself) or Hugging Face's
/// ([`super::pairs`]). Its vocabulary's tag keys the entries.
pub(crate) trait Merger {
    /// The vocabulary the merged tokens come from.
    fn vocab(&self) -> &Vocab;
    /// Merges `piece` (not empty), emitting its tokens in order.
    fn merge(&self, piece: &[u8], emit: impl FnMut(Rank));
}

impl Merger for Vocab {
    #[inline(always)]
    fn vocab(&self) -> &Vocab {
        self
    }
    #[inline(always)]
    fn merge(&self, piece: &[u8], emit: impl FnMut(Rank)) {
        super::merge(self, piece, emit)
    }
}

/// `merger.merge(piece, emit)` through the cache: `emit` receives the same tokens, in
/// the same order.
#[inline]
pub(crate) fn merge<M: Merger>(merger: &M, piece: &[u8], mut emit: impl FnMut(Rank)) {
    let vocab = merger.vocab();
    let tag = vocab.tag();
    if piece.len() > KEY_BYTES || tag == 0 {
        return merger.merge(piece, emit);
    }
    CACHE.with(|cell| {
        // Never re-entered in practice (`emit` only collects); if it ever were, merge
        // without the cache rather than fail.
        let Ok(mut table) = cell.try_borrow_mut() else {
            return merger.merge(piece, &mut emit);
        };
        if table.is_empty() {
            *table = vec![EMPTY; 1 << ENTRIES_LOG2];
        }
        let index = (vocab.hash(piece) >> (64 - ENTRIES_LOG2)) as usize;
        let entry = &mut table[index];
        if entry.tag == tag && entry.len as usize == piece.len() && entry.key[..piece.len()] == *piece {
            entry.ranks[..entry.tokens as usize].iter().for_each(|&r| emit(r));
            return;
        }
        let mut ranks = [0 as Rank; MAX_TOKENS];
        let mut n = 0usize;
        merger.merge(piece, |r| {
            if n < MAX_TOKENS {
                ranks[n] = r;
            }
            n += 1;
            emit(r);
        });
        if n <= MAX_TOKENS {
            let mut key = [0u8; KEY_BYTES];
            key[..piece.len()].copy_from_slice(piece);
            *entry = Entry { tag, len: piece.len() as u8, tokens: n as u8, key, ranks };
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab(extra: &[(&str, Rank)]) -> Vocab {
        let mut pairs: Vec<(Vec<u8>, Rank)> = (0..=255u8).map(|b| (vec![b], b as Rank)).collect();
        pairs.extend(extra.iter().map(|(t, r)| (t.as_bytes().to_vec(), *r)));
        Vocab::from_pairs(pairs).expect("valid vocabulary")
    }

    fn tokens(vocab: &Vocab, piece: &str, cached: bool) -> Vec<Rank> {
        let mut out = Vec::new();
        if cached {
            merge(vocab, piece.as_bytes(), |r| out.push(r));
        } else {
            super::super::merge(vocab, piece.as_bytes(), |r| out.push(r));
        }
        out
    }

    #[test]
    fn hits_and_misses_give_the_merge_result() {
        let v = vocab(&[("ab", 256), ("abc", 257), ("cd", 258)]);
        for piece in ["abcd", "abcdabcd", "xabcdy", "abababababababababababababab", "ab cd ab cd ab cd ab cd ab cd"] {
            let expected = tokens(&v, piece, false);
            assert_eq!(tokens(&v, piece, true), expected, "first time: {piece}");
            assert_eq!(tokens(&v, piece, true), expected, "cached: {piece}");
        }
    }

    #[test]
    fn vocabularies_never_share_entries() {
        // The same piece, two vocabularies that merge it differently, alternately.
        let a = vocab(&[("ab", 256), ("abc", 257)]);
        let b = vocab(&[("bc", 256), ("abc", 300), ("cd", 301)]);
        assert_ne!(a.tag(), b.tag());
        for _ in 0..3 {
            assert_eq!(tokens(&a, "abcd", true), vec![257, b'd' as Rank]);
            assert_eq!(tokens(&b, "abcd", true), vec![300, b'd' as Rank]);
            assert_eq!(tokens(&a, "bcd", true), vec![b'b' as Rank, b'c' as Rank, b'd' as Rank]);
            assert_eq!(tokens(&b, "bcd", true), vec![256, b'd' as Rank]);
        }
        // A clone is the same vocabulary, so it may use the same entries.
        assert_eq!(a.clone().tag(), a.tag());
    }

    #[test]
    fn threads_have_their_own_caches() {
        let v = std::sync::Arc::new(vocab(&[("ab", 256), ("abab", 257)]));
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let v = v.clone();
                std::thread::spawn(move || (0..1000).all(|_| tokens(&v, "ababab", true) == vec![257, 256]))
            })
            .collect();
        assert!(handles.into_iter().all(|h| h.join().expect("no panic")));
    }
}
