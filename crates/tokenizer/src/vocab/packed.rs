//! The compact embedded vocabulary format written by `tools/pack_vocab.py` (see there).

use super::Vocab;
use crate::error::{Error, Result};

fn corrupt(what: &str) -> Error {
    Error::InvalidVocabulary(format!("corrupt packed vocabulary: {what}"))
}

/// Decodes a "TFV1" blob into a [`Vocab`].
pub(crate) fn parse_packed(data: &[u8]) -> Result<Vocab> {
    let header = data.get(..12).ok_or_else(|| corrupt("truncated header"))?;
    if &header[..4] != b"TFV1" {
        return Err(corrupt("bad magic"));
    }
    let count = u32::from_le_bytes(header[4..8].try_into().expect("4 bytes")) as usize;
    let rank_limit = u32::from_le_bytes(header[8..12].try_into().expect("4 bytes")) as usize;
    let mut arena = Vec::with_capacity(data.len());
    let mut offsets = Vec::with_capacity(rank_limit + 1);
    offsets.push(0u32);
    let mut pos = 12;
    for _ in 0..count {
        let mut gap = 0usize;
        let mut shift = 0;
        loop {
            let b = *data.get(pos).ok_or_else(|| corrupt("truncated rank gap"))?;
            pos += 1;
            gap |= ((b & 0x7F) as usize) << shift;
            if b & 0x80 == 0 {
                break;
            }
            shift += 7;
            if shift > 28 {
                return Err(corrupt("rank gap too large"));
            }
        }
        for _ in 0..gap {
            offsets.push(arena.len() as u32);
        }
        let mut len = *data.get(pos).ok_or_else(|| corrupt("truncated length"))? as usize;
        pos += 1;
        if len == 0 {
            // Escape for tokens of 256 bytes or more: a u16 length follows.
            let wide = data.get(pos..pos + 2).ok_or_else(|| corrupt("truncated length"))?;
            len = u16::from_le_bytes([wide[0], wide[1]]) as usize;
            pos += 2;
            if len < 256 {
                return Err(corrupt("escaped length under 256"));
            }
        }
        let bytes = data.get(pos..pos + len).ok_or_else(|| corrupt("truncated token"))?;
        pos += len;
        arena.extend_from_slice(bytes);
        offsets.push(arena.len() as u32);
    }
    if pos != data.len() || offsets.len() != rank_limit + 1 {
        return Err(corrupt("length mismatch"));
    }
    Vocab::index(arena, offsets)
}
