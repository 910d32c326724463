//! Characters that can enter a merge as one part instead of as their 2 or 3 bytes: a
//! table derived from the vocabulary alone (like `Vocab`'s byte-pair table), built once
//! per vocabulary and kept with it; the merge (`bpe`) reads it.
//!
//! Chinese and Japanese pieces run to dozens of characters, and merging them byte by
//! byte spends two of every three merges (and most hash lookups) re-assembling
//! characters. For a character `c` of 2 or 3 bytes, starting it whole gives exactly
//! tiktoken's result when, for this vocabulary:
//!
//! 1. `c` is a token and merging its bytes alone gives that token; call `inner(c)`
//!    the highest rank merged on the way;
//! 2. every token holding some of `c`'s bytes together with bytes outside `c` ranks
//!    above `inner(c)`; and in the piece the byte after `c` is not a continuation
//!    byte (so no fragment token of continuation bytes reaches out of `c`).
//!
//! Why: while `c` is incomplete it offers a merge ranked at most `inner(c)`, so
//! tiktoken never picks a merge ranked above that: no merge takes part of `c` along
//! with outside bytes, hence `c`'s bytes merge as they would alone and do become `c`;
//! and the merges that starting `c` whole makes available early all hold `c` and
//! other bytes, so rank above `inner(c)` and would not have been picked before `c`
//! was whole either. The other merges happen in the same order. Trained vocabularies
//! nearly always satisfy this (a token is created after its parts); the table checks
//! every character, so where one does not, it is merged byte by byte.

use crate::vocab::{Rank, Vocab, NO_RANK};
use std::collections::HashMap;

/// Code points below this are covered (every character of 2 or 3 bytes).
pub(crate) const TABLE_LEN: usize = 0x1_0000;

#[inline(always)]
fn is_continuation(b: u8) -> bool {
    b & 0xC0 == 0x80
}

/// The code point and length of a complete 2- or 3-byte character at the start of
/// `bytes` (not overlong, not a surrogate).
#[inline(always)]
pub(crate) fn char_at(bytes: &[u8]) -> Option<(usize, usize)> {
    match *bytes {
        [lead @ 0xC2..=0xDF, c1, ..] if is_continuation(c1) => Some((((lead as usize & 0x1F) << 6) | (c1 as usize & 0x3F), 2)),
        [lead @ 0xE0..=0xEF, c1, c2, ..] if is_continuation(c1) && is_continuation(c2) => {
            let cp = ((lead as usize & 0x0F) << 12) | ((c1 as usize & 0x3F) << 6) | (c2 as usize & 0x3F);
            (cp >= 0x800 && !(0xD800..0xE000).contains(&cp)).then_some((cp, 3))
        }
        _ => None,
    }
}

/// Bytes a UTF-8 sequence with this lead byte takes (1 for anything else).
fn sequence_len(lead: u8) -> usize {
    match lead {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xFF => 4,
        _ => 1,
    }
}

/// A token that, in any text, lies inside one character: a lead byte and fewer
/// continuation bytes than it needs, or at most three continuation bytes.
fn is_fragment(token: &[u8]) -> bool {
    match token.split_first() {
        Some((&lead, rest)) if lead >= 0xC0 => rest.iter().all(|&b| is_continuation(b)) && token.len() < sequence_len(lead),
        _ => token.len() <= 3 && token.iter().all(|&b| is_continuation(b)),
    }
}

/// When a character may start whole: its rank, and the bytes around it in the piece
/// under which condition 2 holds (the tokens that cut a character are nearly all a
/// neighbouring byte and part of it, like a space and a lead byte, ` \xE6`, so which
/// neighbour it has decides).
#[derive(Clone, Copy)]
pub(crate) struct CharStart {
    /// `NO_RANK`: never starts whole.
    rank: Rank,
    /// Bit `j`: allowed after the continuation byte `0x80 + j` (a character's last byte).
    after_continuation: u64,
    /// Bits [`BEFORE_LEAD_E0`]`+ j`: allowed before the lead byte `0xE0 + j`; and the
    /// other neighbour classes below.
    around: u32,
}

const BEFORE_LEAD_E0: u32 = 0; // 16 bits: a 3-byte character follows
const BEFORE_ASCII: u32 = 1 << 16;
const BEFORE_OTHER_LEAD: u32 = 1 << 17; // a 2- or 4-byte character follows
const AT_END: u32 = 1 << 18;
const AFTER_ASCII: u32 = 1 << 19;
const AFTER_LEAD: u32 = 1 << 20; // invalid text: a lead byte before a lead byte
const AT_START: u32 = 1 << 21;

const NEVER: CharStart = CharStart { rank: NO_RANK, after_continuation: 0, around: 0 };

/// A neighbour of a character, as the tables tell them apart.
#[derive(Clone, Copy)]
enum Neighbour {
    Ascii,
    /// A continuation byte, `0x80 + j` (only before a character: after one, the
    /// merge never starts it whole).
    Continuation(u8),
    /// A lead byte `0xE0 + j` (3-byte characters).
    Lead3(u8),
    /// Any other lead byte.
    OtherLead,
}

/// Neighbour classes, as indices into [`ByNeighbour`].
const NEIGHBOURS: usize = 1 + 64 + 16 + 1;

impl Neighbour {
    fn index(self) -> usize {
        match self {
            Neighbour::Ascii => 0,
            Neighbour::Continuation(j) => 1 + j as usize,
            Neighbour::Lead3(j) => 65 + j as usize,
            Neighbour::OtherLead => 81,
        }
    }
}

/// The lowest rank of a token per neighbour class (one hash lookup per byte string
/// rather than one per string and neighbour: building the table takes a few ms).
type ByNeighbour = [Rank; NEIGHBOURS];

fn neighbour(b: u8) -> Neighbour {
    match b {
        0x00..=0x7F => Neighbour::Ascii,
        0x80..=0xBF => Neighbour::Continuation(b - 0x80),
        0xE0..=0xEF => Neighbour::Lead3(b - 0xE0),
        _ => Neighbour::OtherLead,
    }
}

/// `map[key][n] = min(map[key][n], rank)`.
fn lower<'a>(map: &mut HashMap<&'a [u8], ByNeighbour>, key: &'a [u8], n: Neighbour, rank: Rank) {
    let slot = &mut map.entry(key).or_insert([NO_RANK; NEIGHBOURS])[n.index()];
    *slot = (*slot).min(rank);
}

/// `table[cp]` for every code point of 2 or 3 bytes (see [`CharStart`]).
pub(crate) fn build(vocab: &Vocab) -> Box<[CharStart]> {
    // The lowest rank of a token holding each character and more bytes; of a token
    // ending with a proper prefix of a character, by the byte before that prefix; of a
    // token starting with a proper suffix (continuation bytes), by the byte after it.
    let mut holding = vec![NO_RANK; TABLE_LEN];
    // The rank of each character that is a token by itself.
    let mut own = vec![NO_RANK; TABLE_LEN];
    let mut cut_prefix: HashMap<&[u8], ByNeighbour> = HashMap::new();
    let mut cut_suffix: HashMap<&[u8], ByNeighbour> = HashMap::new();
    for rank in 0..vocab.rank_limit() {
        let token = vocab.token_bytes(rank);
        if let Some((cp, _)) = char_at(token).filter(|&(_, len)| len == token.len()) {
            own[cp] = own[cp].min(rank);
            continue;
        }
        if token.len() < 2 || is_fragment(token) {
            continue;
        }
        let leading = token.iter().take_while(|&&b| is_continuation(b)).count();
        if (1..=2).contains(&leading) && leading < token.len() {
            lower(&mut cut_suffix, &token[..leading], neighbour(token[leading]), rank);
        }
        if let Some(last_lead) = token.iter().rposition(|&b| b >= 0xC0).filter(|&p| p > 0) {
            let tail = &token[last_lead..];
            if tail.len() < sequence_len(tail[0]) && tail[1..].iter().all(|&b| is_continuation(b)) {
                lower(&mut cut_prefix, tail, neighbour(token[last_lead - 1]), rank);
            }
        }
        for i in 0..token.len() {
            if let Some((cp, _)) = char_at(&token[i..]) {
                holding[cp] = holding[cp].min(rank);
            }
        }
    }

    let mut table = vec![NEVER; TABLE_LEN].into_boxed_slice();
    let mut buf = [0u8; 4];
    for cp in 0x80..TABLE_LEN {
        let rank = own[cp];
        let Some(c) = char::from_u32(cp as u32).filter(|_| rank != NO_RANK) else { continue };
        let bytes = c.encode_utf8(&mut buf).as_bytes();
        // Condition 1.
        let inner = match *bytes {
            [_, _] => rank,
            [b1, b2, b3] => {
                let (first, second) = (vocab.byte_pair_rank(b1, b2), vocab.byte_pair_rank(b2, b3));
                if first == NO_RANK && second == NO_RANK {
                    continue; // three single bytes: the character never forms
                }
                first.min(second).max(rank)
            }
            _ => continue,
        };
        // Condition 2, per neighbour.
        if holding[cp] <= inner {
            continue;
        }
        // The tokens ending with a proper prefix of `c`, and those starting with a proper suffix.
        let (mut prefixes, mut suffixes) = ([None; 2], [None; 2]);
        for k in 1..bytes.len() {
            prefixes[k - 1] = cut_prefix.get(&bytes[..k]);
            suffixes[k - 1] = cut_suffix.get(&bytes[k..]);
        }
        let cut_after = |n: Neighbour| prefixes.iter().flatten().all(|ranks| ranks[n.index()] > inner);
        let cut_before = |n: Neighbour| suffixes.iter().flatten().all(|ranks| ranks[n.index()] > inner);
        let mut entry = CharStart { rank, after_continuation: 0, around: AT_START | AT_END };
        for j in 0..64u8 {
            if cut_after(Neighbour::Continuation(j)) {
                entry.after_continuation |= 1 << j;
            }
        }
        for j in 0..16u8 {
            if cut_before(Neighbour::Lead3(j)) {
                entry.around |= 1 << (BEFORE_LEAD_E0 + j as u32);
            }
        }
        for (ok, bit) in [
            (cut_before(Neighbour::Ascii), BEFORE_ASCII),
            (cut_before(Neighbour::OtherLead), BEFORE_OTHER_LEAD),
            (cut_after(Neighbour::Ascii), AFTER_ASCII),
            (
                cut_after(Neighbour::OtherLead) && cut_after(Neighbour::Lead3(0)) && (1..16).all(|j| cut_after(Neighbour::Lead3(j))),
                AFTER_LEAD,
            ),
        ] {
            if ok {
                entry.around |= bit;
            }
        }
        table[cp] = entry;
    }
    table
}

/// The rank to start the character `cp` at `piece[i..i + len]` with, or `NO_RANK`
/// (the byte after it must not be a continuation byte: checked here too).
#[inline(always)]
pub(crate) fn start_rank(table: &[CharStart], piece: &[u8], i: usize, len: usize, cp: usize) -> Rank {
    let entry = table[cp];
    let before = match piece.get(i + len) {
        None => AT_END,
        Some(&b) => match b {
            0x00..=0x7F => BEFORE_ASCII,
            0x80..=0xBF => return NO_RANK,
            0xE0..=0xEF => 1 << (BEFORE_LEAD_E0 + (b - 0xE0) as u32),
            _ => BEFORE_OTHER_LEAD,
        },
    };
    let after_ok = match i.checked_sub(1).map(|p| piece[p]) {
        None => true,
        Some(b @ 0x80..=0xBF) => entry.after_continuation & (1 << (b - 0x80)) != 0,
        Some(0x00..=0x7F) => entry.around & AFTER_ASCII != 0,
        Some(_) => entry.around & AFTER_LEAD != 0,
    };
    if after_ok && entry.around & before != 0 {
        entry.rank
    } else {
        NO_RANK
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_and_characters_are_told_apart() {
        assert!(is_fragment(&[0xE3, 0x81]));
        assert!(is_fragment(&[0x81, 0x82]));
        assert!(!is_fragment(&[0xE3, 0x81, 0x82]));
        assert!(!is_fragment(&[0x82, b'a']));
        assert!(!is_fragment(&[0xC3, 0xA9]));
        assert_eq!(char_at("é".as_bytes()), Some((0xE9, 2)));
        assert_eq!(char_at("あ".as_bytes()), Some((0x3042, 3)));
        assert_eq!(char_at(&[0xE0, 0x80, 0x80]), None); // overlong
        assert_eq!(char_at(&[0xED, 0xA0, 0x80]), None); // surrogate
        assert_eq!(char_at(&[0xE3, 0x81]), None);
    }

    fn vocab(extra: &[(&[u8], Rank)]) -> Vocab {
        let mut pairs: Vec<(Vec<u8>, Rank)> = (0..=255u8).map(|b| (vec![b], b as Rank)).collect();
        pairs.extend(extra.iter().map(|(t, r)| (t.to_vec(), *r)));
        Vocab::from_pairs(pairs).expect("valid vocabulary")
    }

    #[test]
    fn each_condition_excludes_a_character() {
        let a = "あ".as_bytes(); // E3 81 82
        let i = "い".as_bytes(); // E3 81 84
        let u = "う".as_bytes(); // E3 81 86
        let e = "え".as_bytes(); // E3 81 88
        let ai: Vec<u8> = [a, i].concat();
        let cut: Vec<u8> = [&u[1..], b"x"].concat(); // a suffix of う with other bytes, ranked first
        let v = vocab(&[
            (&a[..2], 256),
            (a, 257),
            (i, 258),
            (&ai, 259),
            (u, 261),
            (&cut, 260),
            (e, 270),
            (&[b'z', e[0], e[1], e[2]], 263), // holds え, ranked before it
        ]);
        let table = build(&v);
        let alone = |cp: char| start_rank(&table, cp.to_string().as_bytes(), 0, 3, cp as usize);
        assert_eq!(alone('あ'), 257, "あ: both conditions hold");
        assert_eq!(alone('い'), 258, "い: E3 81 merges first, then the character");
        assert_eq!(start_rank(&table, "うx".as_bytes(), 0, 3, 0x3046), NO_RANK, "う: a token cutting it ranks first");
        assert_eq!(alone('う'), 261, "う: nothing follows to cut it with");
        assert_eq!(alone('え'), NO_RANK, "え: a token holding it ranks first");
        assert_eq!(alone('お'), NO_RANK, "お: not a token");
        // A space and the lead byte of か, ranked first: only after a space does it matter.
        let ka = "か".as_bytes();
        let v = vocab(&[(&ka[..2], 256), (&[b' ', ka[0]], 257), (ka, 258)]);
        let table = build(&v);
        assert_eq!(start_rank(&table, " か".as_bytes(), 1, 3, 0x304B), NO_RANK);
        assert_eq!(start_rank(&table, "かか".as_bytes(), 3, 3, 0x304B), 258);
        assert_eq!(start_rank(&table, "か ".as_bytes(), 0, 3, 0x304B), 258);
        // Never before a continuation byte (a stray one, in raw bytes).
        assert_eq!(start_rank(&table, &[ka[0], ka[1], ka[2], 0x80], 0, 3, 0x304B), NO_RANK);
    }
}
