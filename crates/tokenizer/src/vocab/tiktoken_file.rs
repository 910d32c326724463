//! Parser for OpenAI's `.tiktoken` text format: one `base64(token) rank` pair per line.

use super::{Rank, Vocab};
use crate::error::{Error, Result};
use base64::Engine as _;

/// Parses the contents of a `.tiktoken` file.
pub(crate) fn parse_tiktoken_file(data: &[u8]) -> Result<Vocab> {
    let mut pairs: Vec<(Vec<u8>, Rank)> = Vec::with_capacity(data.len() / 12);
    for (index, line) in data.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        let bad = |reason: String| Error::InvalidRankFile { line: index + 1, reason };
        let mut fields = line.split(|&b| b == b' ').filter(|f| !f.is_empty());
        let (Some(token), Some(rank), None) = (fields.next(), fields.next(), fields.next()) else {
            return Err(bad("expected two fields: base64 token and rank".into()));
        };
        let token = base64::engine::general_purpose::STANDARD.decode(token).map_err(|e| bad(format!("token is not base64: {e}")))?;
        let rank = std::str::from_utf8(rank)
            .ok()
            .and_then(|r| r.parse::<Rank>().ok())
            .filter(|&r| r < Rank::MAX - 1)
            .ok_or_else(|| bad(format!("rank {:?} is not a non-negative integer", String::from_utf8_lossy(rank))))?;
        if token.is_empty() {
            return Err(bad("empty token".into()));
        }
        pairs.push((token, rank));
    }
    Vocab::from_pairs(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_reports_line_numbers() {
        let v = parse_tiktoken_file(b"YQ== 0\nYmM= 1\n\n").expect("valid");
        assert_eq!(v.get(b"bc"), Some(1));
        let err = parse_tiktoken_file(b"YQ== 0\n!!! 1\n").err().expect("invalid base64");
        assert!(matches!(err, Error::InvalidRankFile { line: 2, .. }), "{err}");
        let err = parse_tiktoken_file(b"YQ== -1\n").err().expect("negative rank");
        assert!(matches!(err, Error::InvalidRankFile { line: 1, .. }), "{err}");
        let err = parse_tiktoken_file(b"YQ==\n").err().expect("missing rank");
        assert!(matches!(err, Error::InvalidRankFile { line: 1, .. }), "{err}");
    }

    #[test]
    fn a_huge_rank_is_refused_before_tables_are_sized_by_it() {
        // Found by the tiktoken_file fuzz target: one line with rank 2,628,888,888 made the
        // rank-indexed tables take gigabytes (an out-of-memory abort).
        let err = parse_tiktoken_file(b"AA== 0\nAQ== 1\nIHdvcg== 2628888888\n").err().expect("too sparse");
        assert!(matches!(&err, Error::InvalidVocabulary(m) if m.contains("too large")), "{err}");
        let err = parse_tiktoken_file(b"AA== 0\nAQ== 1\nIHdvcg== 5000\n").err().expect("too sparse");
        assert!(matches!(&err, Error::InvalidVocabulary(m) if m.contains("this sparse")), "{err}");
        // Holes as added tokens leave them are fine.
        assert!(parse_tiktoken_file(b"AA== 0\nAQ== 1\nIHdvcg== 700\n").is_ok());
    }
}
