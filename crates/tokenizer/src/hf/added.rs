//! Added tokens (`added_tokens`): found in the text before anything else, exactly as
//! `tokenizers`' `AddedVocabulary` does — leftmost-longest matching, first on the raw
//! text for tokens with `normalized: false`, then on each normalized segment for the
//! others, with `single_word`, `lstrip` and `rstrip`.

use super::file::AddedSpec;
use crate::error::{Error, Result};
use aho_corasick::{AhoCorasick, MatchKind};

/// Where added tokens are looked for.
#[derive(Clone, Copy)]
pub(crate) enum Stage {
    /// The raw text: tokens with `normalized: false`.
    Raw,
    /// A normalized segment: tokens with `normalized: true`.
    Normalized,
}

/// A part of the text: an added token, or text for the model.
pub(crate) enum Segment<'t> {
    Added(u32),
    Text(&'t str),
}

#[derive(Clone)]
pub(crate) struct AddedTokens {
    tokens: Vec<Token>,
    raw: Option<Matcher>,
    normalized: Option<Matcher>,
}

#[derive(Clone)]
struct Token {
    id: u32,
    single_word: bool,
    lstrip: bool,
    rstrip: bool,
    special: bool,
}

/// An automaton and, for each of its patterns, the index of its token.
#[derive(Clone)]
struct Matcher {
    automaton: AhoCorasick,
    token_of_pattern: Vec<usize>,
}

impl Matcher {
    fn build(patterns: Vec<(String, usize)>) -> Result<Option<Matcher>> {
        if patterns.is_empty() {
            return Ok(None);
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(patterns.iter().map(|(p, _)| p.as_bytes()))
            .map_err(|e| Error::InvalidTokenizerFile { path: "$.added_tokens".into(), reason: e.to_string() })?;
        Ok(Some(Matcher { automaton, token_of_pattern: patterns.into_iter().map(|(_, t)| t).collect() }))
    }
}

impl AddedTokens {
    /// `normalize` gives the form a `normalized: true` token is looked for in.
    pub(crate) fn new(specs: &[AddedSpec], normalize: impl Fn(&str) -> String) -> Result<Self> {
        let mut raw = Vec::new();
        let mut normalized = Vec::new();
        let mut tokens = Vec::with_capacity(specs.len());
        for (index, spec) in specs.iter().enumerate() {
            tokens.push(Token {
                id: spec.id,
                single_word: spec.single_word,
                lstrip: spec.lstrip,
                rstrip: spec.rstrip,
                special: spec.special,
            });
            if spec.normalized {
                let form = normalize(&spec.content);
                if !form.is_empty() {
                    normalized.push((form, index));
                }
            } else {
                raw.push((spec.content.clone(), index));
            }
        }
        Ok(AddedTokens { tokens, raw: Matcher::build(raw)?, normalized: Matcher::build(normalized)? })
    }

    /// Splits `text` into added tokens and text, in order. With `skip_special`, special
    /// tokens are not looked for (`tokenizers`' `encode_special_tokens`). Empty text
    /// segments are not reported.
    pub(crate) fn split<'t>(&self, stage: Stage, text: &'t str, skip_special: bool, mut f: impl FnMut(Segment<'t>)) {
        let matcher = match stage {
            Stage::Raw => &self.raw,
            Stage::Normalized => &self.normalized,
        };
        let Some(matcher) = matcher else {
            if !text.is_empty() {
                f(Segment::Text(text));
            }
            return;
        };
        let mut done = 0;
        for found in matcher.automaton.find_iter(text) {
            let token = &self.tokens[matcher.token_of_pattern[found.pattern().as_usize()]];
            if skip_special && token.special {
                continue;
            }
            let (mut start, mut stop) = (found.start(), found.end());
            if token.single_word {
                let word_before = text[..start].chars().next_back().is_some_and(is_word_char);
                let word_after = text[stop..].chars().next().is_some_and(is_word_char);
                if word_before || word_after {
                    continue;
                }
            }
            if token.lstrip {
                let trimmed = text[..start].trim_end_matches(char::is_whitespace).len();
                // Spaces an earlier match already took stay with it.
                start = trimmed.max(done);
            }
            if token.rstrip {
                let rest = &text[stop..];
                stop += rest.len() - rest.trim_start_matches(char::is_whitespace).len();
            }
            if done < start {
                f(Segment::Text(&text[done..start]));
            }
            f(Segment::Added(token.id));
            done = stop;
        }
        if done < text.len() {
            f(Segment::Text(&text[done..]));
        }
    }

    /// Whether `id` is an added token marked special.
    pub(crate) fn is_special(&self, id: u32) -> bool {
        self.tokens.iter().any(|t| t.special && t.id == id)
    }
}

/// `\w` of the `regex` crate, which `tokenizers` uses for `single_word`.
fn is_word_char(c: char) -> bool {
    crate::pretokenize::unicode::flags_of(c as u32) & crate::pretokenize::unicode::WORD != 0
}
