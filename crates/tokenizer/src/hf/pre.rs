//! The `pre_tokenizer` of a `tokenizer.json`, run the fastest way that gives the same
//! pieces as `tokenizers`.
//!
//! The common shapes — one `Split` whose matches tile the text (Llama 3, Qwen 2/2.5/3,
//! GPT-4o files), or GPT-2's `ByteLevel` regex — are one pass of the core's scanners
//! (or of the regex engine for an unknown pattern with `Removed` + `invert`). Anything
//! else runs step by step as `tokenizers` does: each `Split` cuts every piece with its
//! behavior, and `ByteLevel` may prefix a space and cut with GPT-2's pattern.

use super::file::{Behavior, PreStep};
use crate::error::{Error, Result};
use crate::pretokenize::{patterns, Pretokenizer};
use std::borrow::Cow;
use std::ops::ControlFlow;

#[derive(Clone, Debug)]
pub(crate) enum PreTokenizer {
    /// One pass whose pieces are exactly the pipeline's.
    Single(Pretokenizer),
    /// The general pipeline.
    Steps(Vec<Step>),
}

#[derive(Clone, Debug)]
pub(crate) enum Step {
    Split { engine: Pretokenizer, behavior: Behavior, invert: bool },
    PrefixSpace,
}

/// Patterns whose matches cover every character (so `Isolated` keeps no gap).
fn tiles(pattern: &str) -> bool {
    [patterns::CL100K, patterns::LLAMA3, patterns::QWEN2, patterns::O200K, patterns::R50K, patterns::GPT2_ORIGINAL].contains(&pattern)
}

impl PreTokenizer {
    pub(crate) fn new(steps: &[PreStep]) -> Result<Self> {
        let Some((PreStep::ByteLevel { add_prefix_space, use_regex }, splits)) = steps.split_last() else {
            return Err(Error::UnsupportedTokenizer("a pre-tokenizer that does not end with ByteLevel (not a byte-level BPE)".into()));
        };
        if splits.iter().any(|s| matches!(s, PreStep::ByteLevel { .. })) {
            return Err(Error::UnsupportedTokenizer("ByteLevel twice in the pre-tokenizer".into()));
        }
        // The single-pass shapes.
        if !add_prefix_space {
            match (splits, use_regex) {
                ([], true) => return Ok(PreTokenizer::Single(Pretokenizer::for_pattern(patterns::GPT2_ORIGINAL)?)),
                ([PreStep::Split { pattern, behavior: Behavior::Isolated, invert: false }], false) if tiles(pattern) => {
                    return Ok(PreTokenizer::Single(Pretokenizer::for_pattern(pattern)?))
                }
                (
                    [PreStep::Split { pattern: a, behavior: Behavior::Isolated, invert: false }, PreStep::Split { pattern: b, behavior: Behavior::Isolated, invert: false }, PreStep::Split { pattern: c, behavior: Behavior::Isolated, invert: false }],
                    false,
                ) if [a.as_str(), b.as_str(), c.as_str()] == patterns::DEEPSEEK_V3 => {
                    return Ok(PreTokenizer::Single(Pretokenizer::DeepSeekV3))
                }
                // Keeping only the matches is what the core's regex path does.
                ([PreStep::Split { pattern, behavior: Behavior::Removed, invert: true }], false) => {
                    return Ok(PreTokenizer::Single(Pretokenizer::for_pattern(pattern)?))
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        for step in splits {
            if let PreStep::Split { pattern, behavior, invert } = step {
                out.push(Step::Split { engine: Pretokenizer::for_pattern(pattern)?, behavior: *behavior, invert: *invert });
            }
        }
        if *add_prefix_space {
            out.push(Step::PrefixSpace);
        }
        if *use_regex {
            out.push(Step::Split {
                engine: Pretokenizer::for_pattern(patterns::GPT2_ORIGINAL)?,
                behavior: Behavior::Isolated,
                invert: false,
            });
        }
        Ok(PreTokenizer::Steps(out))
    }

    /// Which engine runs, for diagnostics.
    pub(crate) fn engine(&self) -> String {
        match self {
            PreTokenizer::Single(p) => p.engine().to_string(),
            PreTokenizer::Steps(steps) => {
                let names: Vec<&str> = steps
                    .iter()
                    .map(|s| match s {
                        Step::Split { engine, .. } => engine.engine(),
                        Step::PrefixSpace => "prefix-space",
                    })
                    .collect();
                format!("steps[{}]", names.join(","))
            }
        }
    }

    /// Calls `f` with every piece of `text`, in order, until it breaks.
    pub(crate) fn for_each_piece(&self, text: &str, mut f: impl FnMut(&[u8]) -> ControlFlow<()>) -> Result<()> {
        match self {
            PreTokenizer::Single(p) => p.for_each_piece(text, |_, piece| f(piece)),
            PreTokenizer::Steps(steps) => {
                let mut pieces: Vec<Cow<'_, str>> = vec![Cow::Borrowed(text)];
                for step in steps {
                    let mut next = Vec::with_capacity(pieces.len());
                    for piece in &pieces {
                        match step {
                            Step::PrefixSpace => {
                                next.push(if piece.starts_with(' ') { piece.clone() } else { Cow::Owned(format!(" {piece}")) })
                            }
                            Step::Split { engine, behavior, invert } => {
                                for (start, end) in split(engine, piece, *behavior, *invert)? {
                                    next.push(match piece {
                                        Cow::Borrowed(s) => Cow::Borrowed(&s[start..end]),
                                        Cow::Owned(s) => Cow::Owned(s[start..end].to_string()),
                                    });
                                }
                            }
                        }
                    }
                    pieces = next;
                }
                for piece in &pieces {
                    if f(piece.as_bytes()).is_break() {
                        break;
                    }
                }
                Ok(())
            }
        }
    }
}

/// `NormalizedString::split` of `tokenizers`: the parts of `text` to keep, as byte
/// ranges, none empty.
fn split(engine: &Pretokenizer, text: &str, behavior: Behavior, invert: bool) -> Result<Vec<(usize, usize)>> {
    // (start, end, is_match) covering the text.
    let mut parts: Vec<(usize, usize, bool)> = Vec::new();
    let mut done = 0;
    engine.for_each_piece(text, |start, piece| {
        if start > done {
            parts.push((done, start, false));
        }
        parts.push((start, start + piece.len(), true));
        done = start + piece.len();
        ControlFlow::Continue(())
    })?;
    if done < text.len() {
        parts.push((done, text.len(), false));
    }
    if invert {
        parts.iter_mut().for_each(|p| p.2 = !p.2);
    }
    // (start, end, remove)
    let kept: Vec<(usize, usize, bool)> = match behavior {
        Behavior::Isolated => parts.into_iter().map(|(s, e, _)| (s, e, false)).collect(),
        Behavior::Removed => parts,
        Behavior::Contiguous => {
            let mut acc: Vec<(usize, usize, bool)> = Vec::new();
            let mut previous = false;
            for (s, e, m) in parts {
                match acc.last_mut() {
                    Some(last) if m == previous => last.1 = e,
                    _ => acc.push((s, e, false)),
                }
                previous = m;
            }
            acc
        }
        Behavior::MergedWithPrevious => {
            let mut acc: Vec<(usize, usize, bool)> = Vec::new();
            let mut previous = false;
            for (s, e, m) in parts {
                match acc.last_mut() {
                    Some(last) if m && !previous => last.1 = e,
                    _ => acc.push((s, e, false)),
                }
                previous = m;
            }
            acc
        }
        Behavior::MergedWithNext => {
            let mut acc: Vec<(usize, usize, bool)> = Vec::new();
            let mut previous = false;
            for (s, e, m) in parts.into_iter().rev() {
                match acc.last_mut() {
                    Some(last) if m && !previous => last.0 = s,
                    _ => acc.push((s, e, false)),
                }
                previous = m;
            }
            acc.reverse();
            acc
        }
    };
    Ok(kept.into_iter().filter(|&(s, e, remove)| !remove && e > s).map(|(s, e, _)| (s, e)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pretokenize::patterns;

    fn pieces(pre: &PreTokenizer, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        pre.for_each_piece(text, |p| {
            out.push(String::from_utf8_lossy(p).into_owned());
            ControlFlow::Continue(())
        })
        .expect("no regex failure");
        out
    }

    /// The DeepSeek V3 scanner cuts text exactly as its three `Split`s run one after the
    /// other on the regex engine, on random text over the characters the patterns tell
    /// apart (the CJK range edges, numbers of every kind, punctuation, symbols, marks,
    /// controls, white space).
    #[test]
    fn deepseek_scanner_equals_the_split_steps() {
        let split = |p: &str| PreStep::Split { pattern: p.to_string(), behavior: Behavior::Isolated, invert: false };
        let mut steps: Vec<PreStep> = patterns::DEEPSEEK_V3.iter().map(|p| split(p)).collect();
        steps.push(PreStep::ByteLevel { add_prefix_space: false, use_regex: false });
        let scanner = PreTokenizer::new(&steps).expect("builds");
        assert_eq!(scanner.engine(), "scanner:deepseek_v3");
        let general = PreTokenizer::Steps(
            patterns::DEEPSEEK_V3
                .iter()
                .map(|p| Step::Split {
                    engine: Pretokenizer::for_pattern(&format!("(?:{p})|[^\\s\\S]")).expect("compiles"),
                    behavior: Behavior::Isolated,
                    invert: false,
                })
                .collect(),
        );
        const CHARS: &[&str] = &[
            "a", "Z", "é", "ß", "Ж", "\u{4e00}", "\u{9fa5}", "\u{9fa6}", "\u{3040}", "\u{309f}", "\u{30a0}", "\u{30ff}", "\u{3400}", "中",
            "カ", "の", "한", "0", "7", "٣", "²", "Ⅻ", "½", " ", "  ", "\t", "\n", "\r", "\u{a0}", "\u{3000}", "'", "-", "_", "`", "~",
            "!", ".", ",", "、", "。", "€", "©", "😀", "🏽", "\u{301}", "\u{308}", "\u{903}", "\u{200d}", "\u{feff}", "\u{0}", "\u{1c}",
            "\u{7f}", "\u{e000}", "s", "'s",
        ];
        let mut rng = crate::test_rng::Lcg::new(0x5EED);
        for round in 0..30_000 {
            let len = 1 + round % 24;
            let text: String = (0..len).map(|_| rng.pick(CHARS)).collect();
            assert_eq!(pieces(&scanner, &text), pieces(&general, &text), "{text:?}");
        }
    }
}
