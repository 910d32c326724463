//! Special tokens (`<|endoftext|>` and friends): lookup both ways and matching in
//! text with tiktoken's semantics (leftmost match, earlier-defined token first).

use crate::error::{Error, Result};
use crate::vocab::Rank;
use aho_corasick::{AhoCorasick, Input, MatchKind};
use std::collections::{HashMap, HashSet};

/// Which special tokens an `encode` call allows (or disallows), as tiktoken's
/// `allowed_special` / `disallowed_special` arguments.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SpecialSet<'a> {
    /// No special token.
    #[default]
    None,
    /// Every special token of the encoding (tiktoken's `"all"`).
    All,
    /// These strings. For `allowed`, strings that are not special tokens are ignored;
    /// for `disallowed`, every listed string is refused, as in tiktoken.
    Some(&'a [&'a str]),
}

#[derive(Clone)]
pub(crate) struct SpecialTokens {
    /// In definition order (the order in which matches are preferred).
    ordered: Vec<(String, Rank)>,
    by_text: HashMap<String, Rank>,
    by_rank: HashMap<Rank, String>,
    matcher: Option<AhoCorasick>,
}

fn build_matcher<I: IntoIterator<Item = S>, S: AsRef<[u8]>>(patterns: I) -> Result<AhoCorasick> {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .build(patterns)
        .map_err(|e| Error::InvalidVocabulary(format!("special tokens: {e}")))
}

impl SpecialTokens {
    pub(crate) fn new(ordered: Vec<(String, Rank)>) -> Result<Self> {
        let mut by_text = HashMap::with_capacity(ordered.len());
        let mut by_rank = HashMap::with_capacity(ordered.len());
        for (text, rank) in &ordered {
            if text.is_empty() {
                return Err(Error::InvalidVocabulary("empty special token".into()));
            }
            if by_text.insert(text.clone(), *rank).is_some() {
                return Err(Error::InvalidVocabulary(format!("special token {text:?} defined twice")));
            }
            // Two strings may share an id (o200k_harmony: <|endofprompt|> and
            // <|reserved_200018|>); decoding gives the first defined, as tiktoken does.
            by_rank.entry(*rank).or_insert_with(|| text.clone());
        }
        let matcher = if ordered.is_empty() { None } else { Some(build_matcher(ordered.iter().map(|(t, _)| t))?) };
        Ok(SpecialTokens { ordered, by_text, by_rank, matcher })
    }

    pub(crate) fn get(&self, text: &str) -> Option<Rank> {
        self.by_text.get(text).copied()
    }

    pub(crate) fn text_of(&self, rank: Rank) -> Option<&str> {
        self.by_rank.get(&rank).map(String::as_str)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, Rank)> + '_ {
        self.ordered.iter().map(|(t, r)| (t.as_str(), *r))
    }

    pub(crate) fn len(&self) -> usize {
        self.ordered.len()
    }

    pub(crate) fn max_rank(&self) -> Option<Rank> {
        self.ordered.iter().map(|(_, r)| *r).max()
    }

    /// The set of special-token strings that `set` allows.
    pub(crate) fn allowed<'a>(&'a self, set: SpecialSet<'a>) -> HashSet<&'a str> {
        match set {
            SpecialSet::None => HashSet::new(),
            SpecialSet::All => self.ordered.iter().map(|(t, _)| t.as_str()).collect(),
            SpecialSet::Some(list) => list.iter().copied().filter(|t| self.by_text.contains_key(*t)).collect(),
        }
    }

    /// Fails on the first occurrence in `text` of a disallowed string.
    pub(crate) fn check_disallowed(&self, text: &str, allowed: &HashSet<&str>, disallowed: SpecialSet<'_>) -> Result<()> {
        let found = match disallowed {
            SpecialSet::None => return Ok(()),
            SpecialSet::All if allowed.is_empty() => match &self.matcher {
                Some(m) => m.find(text),
                None => return Ok(()),
            },
            SpecialSet::All => {
                let refused: Vec<&str> = self.ordered.iter().map(|(t, _)| t.as_str()).filter(|t| !allowed.contains(t)).collect();
                if refused.is_empty() {
                    return Ok(());
                }
                build_matcher(refused)?.find(text)
            }
            SpecialSet::Some(list) => {
                let mut refused: Vec<&str> = list.iter().copied().filter(|t| !t.is_empty()).collect();
                if refused.is_empty() {
                    return Ok(());
                }
                refused.sort_unstable();
                build_matcher(refused)?.find(text)
            }
        };
        match found {
            Some(m) => Err(Error::DisallowedSpecialToken { token: text[m.start()..m.end()].to_string(), offset: m.start() }),
            None => Ok(()),
        }
    }

    /// The next allowed special token at or after `from`: `(start, end, rank)`.
    /// Mirrors tiktoken's loop: a match that is not allowed is skipped by retrying one
    /// byte after its start.
    pub(crate) fn next_allowed(&self, text: &str, mut from: usize, allowed: &HashSet<&str>) -> Option<(usize, usize, Rank)> {
        let matcher = self.matcher.as_ref()?;
        while from <= text.len() {
            let m = matcher.find(Input::new(text).range(from..))?;
            let token = &text[m.start()..m.end()];
            if allowed.contains(token) {
                return Some((m.start(), m.end(), self.by_text[token]));
            }
            from = m.start() + 1;
        }
        None
    }
}
