//! Pre-tokenization: splitting text into the pieces that BPE then merges.
//!
//! The official OpenAI patterns run on hand-written [`scanners`] (the bottleneck of
//! every regex-based peer), o200k's ASCII text on x86_64 a window at a time
//! (`bitwise`); any other pattern runs on `fancy-regex`, exactly as
//! tiktoken does (cargo feature `regex`; a build without it refuses other patterns
//! with [`Error::FeatureNotBuilt`]).

#[cfg(target_arch = "x86_64")]
mod bitwise;
mod runs;
pub(crate) mod scanners;
mod simd;
pub(crate) mod unicode;

use crate::error::{Error, Result};
use scanners::{Cl100k, Llama3, O200k, Qwen2, R50k, Scanner};
use std::ops::ControlFlow;

/// The official patterns, verbatim from tiktoken 0.14 (`tiktoken_ext/openai_public.py`).
pub mod patterns {
    /// r50k_base, p50k_base, p50k_edit and gpt2.
    pub const R50K: &str = r"'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s";
    /// GPT-2's original release pattern; matches exactly like [`R50K`].
    pub const GPT2_ORIGINAL: &str = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";
    /// cl100k_base.
    pub const CL100K: &str =
        r"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s";
    /// Llama 3 (and 3.1–3.3) `tokenizer.json`: cl100k's, except at trailing whitespace.
    pub const LLAMA3: &str =
        r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    /// Qwen 2, 2.5 and 3 `tokenizer.json`: Llama 3's pattern with single digits.
    pub const QWEN2: &str =
        r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    /// Kimi K2 / K2.5 (`tokenization_kimi.py`): Han runs first, then o200k-style words
    /// without Han. Kimi ships a tiktoken-format `tiktoken.model`: load it with
    /// [`Encoding::from_tiktoken_bytes`](crate::Encoding::from_tiktoken_bytes) and this
    /// pattern (the regex engine runs it).
    pub const KIMI_K2: &str = concat!(
        r"[\p{Han}]+",
        r"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}&&[^\p{Han}]]*[\p{Ll}\p{Lm}\p{Lo}\p{M}&&[^\p{Han}]]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
        r"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}&&[^\p{Han}]]+[\p{Ll}\p{Lm}\p{Lo}\p{M}&&[^\p{Han}]]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
        r"|\p{N}{1,3}",
        r"| ?[^\s\p{L}\p{N}]+[\r\n]*",
        r"|\s*[\r\n]+",
        r"|\s+(?!\S)",
        r"|\s+",
    );
    /// DeepSeek V3 (and R1) `tokenizer.json`: three `Split`s in a row, as the file
    /// writes them (`\r` and `\n` are the characters themselves in the third).
    pub const DEEPSEEK_V3: [&str; 3] = [
        r"\p{N}{1,3}",
        "[\u{4e00}-\u{9fa5}\u{3040}-\u{309f}\u{30a0}-\u{30ff}]+",
        concat!(
            r##"[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^"##,
            "\r\n",
            r"\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[",
            "\r\n",
            r"]*|\s*[",
            "\r\n",
            r"]+|\s+(?!\S)|\s+",
        ),
    ];
    /// o200k_base and o200k_harmony.
    pub const O200K: &str = concat!(
        r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
        "|",
        r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
        "|",
        r"\p{N}{1,3}",
        "|",
        r" ?[^\s\p{L}\p{N}]+[\r\n/]*",
        "|",
        r"\s*[\r\n]+",
        "|",
        r"\s+(?!\S)",
        "|",
        r"\s+",
    );
}

/// How an encoding splits text into pieces.
#[derive(Debug, Clone)]
pub(crate) enum Pretokenizer {
    /// Scanner for [`patterns::R50K`].
    R50k,
    /// Scanner for [`patterns::CL100K`].
    Cl100k,
    /// Scanner for [`patterns::O200K`].
    O200k,
    /// Scanner for the three splits of [`patterns::DEEPSEEK_V3`] (built by the `hf` loader).
    #[cfg_attr(not(feature = "hf"), allow(dead_code))]
    DeepSeekV3,
    /// Scanner for [`patterns::LLAMA3`].
    Llama3,
    /// Scanner for [`patterns::QWEN2`].
    Qwen2,
    /// Any other pattern, on the general regex engine.
    #[cfg(feature = "regex")]
    Regex(Box<fancy_regex::Regex>),
}

impl Pretokenizer {
    /// Picks the scanner for a known pattern, else compiles the regex.
    pub(crate) fn for_pattern(pattern: &str) -> Result<Self> {
        Ok(match pattern {
            patterns::R50K | patterns::GPT2_ORIGINAL => Pretokenizer::R50k,
            patterns::CL100K => Pretokenizer::Cl100k,
            patterns::LLAMA3 => Pretokenizer::Llama3,
            patterns::QWEN2 => Pretokenizer::Qwen2,
            patterns::O200K => Pretokenizer::O200k,
            // No backtracking limit: a limit would turn hostile input into an error
            // half-way through a text; tiktoken does not set one either.
            #[cfg(feature = "regex")]
            _ => Pretokenizer::Regex(Box::new(
                fancy_regex::RegexBuilder::new(pattern)
                    .backtrack_limit(usize::MAX)
                    .build()
                    .map_err(|e| Error::InvalidPattern(e.to_string()))?,
            )),
            #[cfg(not(feature = "regex"))]
            _ => {
                return Err(Error::FeatureNotBuilt {
                    what: format!("the pre-tokenization pattern {pattern:?} (no built-in scanner for it)"),
                    feature: "regex",
                })
            }
        })
    }

    /// A name for diagnostics: which engine runs.
    pub(crate) fn engine(&self) -> &'static str {
        match self {
            Pretokenizer::R50k => "scanner:r50k",
            Pretokenizer::Cl100k => "scanner:cl100k",
            Pretokenizer::O200k => "scanner:o200k",
            Pretokenizer::Llama3 => "scanner:llama3",
            Pretokenizer::DeepSeekV3 => "scanner:deepseek_v3",
            Pretokenizer::Qwen2 => "scanner:qwen2",
            #[cfg(feature = "regex")]
            Pretokenizer::Regex(_) => "regex",
        }
    }

    /// Whether a hand-written scanner runs (not the general regex engine).
    pub(crate) fn is_scanner(&self) -> bool {
        match self {
            #[cfg(feature = "regex")]
            Pretokenizer::Regex(_) => false,
            _ => true,
        }
    }

    /// Calls `f(start, piece)` for every piece of `text`, in order, until it breaks.
    #[inline]
    pub(crate) fn for_each_piece<F>(&self, text: &str, f: F) -> Result<()>
    where
        F: FnMut(usize, &[u8]) -> ControlFlow<()>,
    {
        // In a WASM build every caller shares one copy of each scanner (one indirect
        // call per piece): the engine's download size matters more there.
        #[cfg(target_arch = "wasm32")]
        return self.scan_shared(text, &mut { f });
        #[cfg(not(target_arch = "wasm32"))]
        self.scan(text, f)
    }

    #[cfg(target_arch = "wasm32")]
    #[inline(never)]
    fn scan_shared(&self, text: &str, f: &mut dyn FnMut(usize, &[u8]) -> ControlFlow<()>) -> Result<()> {
        self.scan(text, f)
    }

    #[inline(always)]
    fn scan<F>(&self, text: &str, f: F) -> Result<()>
    where
        F: FnMut(usize, &[u8]) -> ControlFlow<()>,
    {
        match self {
            Pretokenizer::R50k => scan::<R50k, F>(text.as_bytes(), f),
            Pretokenizer::Cl100k => scan::<Cl100k, F>(text.as_bytes(), f),
            #[cfg(target_arch = "x86_64")]
            Pretokenizer::O200k => bitwise::scan_o200k(text.as_bytes(), O200k::piece_end, f),
            #[cfg(not(target_arch = "x86_64"))]
            Pretokenizer::O200k => scan::<O200k, F>(text.as_bytes(), f),
            Pretokenizer::Llama3 => scan::<Llama3, F>(text.as_bytes(), f),
            Pretokenizer::DeepSeekV3 => {
                let mut f = f;
                let bytes = text.as_bytes();
                scanners::deepseek_v3(bytes, |start, end| f(start, &bytes[start..end]));
            }
            Pretokenizer::Qwen2 => scan::<Qwen2, F>(text.as_bytes(), f),
            #[cfg(feature = "regex")]
            Pretokenizer::Regex(regex) => return scan_regex(regex, text, f),
        }
        Ok(())
    }
}

#[inline(always)]
fn scan<S: Scanner, F: FnMut(usize, &[u8]) -> ControlFlow<()>>(text: &[u8], mut f: F) {
    let mut start = 0;
    while start < text.len() {
        let end = S::piece_end(text, start);
        debug_assert!(end > start && end <= text.len());
        if f(start, &text[start..end]).is_break() {
            return;
        }
        start = end;
    }
}

#[cfg(feature = "regex")]
fn scan_regex<F: FnMut(usize, &[u8]) -> ControlFlow<()>>(regex: &fancy_regex::Regex, text: &str, mut f: F) -> Result<()> {
    // Like tiktoken: text between matches (if a pattern does not cover everything) is
    // dropped. Empty matches (a pattern like `a*`) hold no bytes, so no tokens: skipped
    // (tiktoken would crash on them).
    for found in regex.find_iter(text) {
        let found = found.map_err(|e| Error::PatternRuntime(e.to_string()))?;
        if found.as_str().is_empty() {
            continue;
        }
        if f(found.start(), found.as_str().as_bytes()).is_break() {
            break;
        }
    }
    Ok(())
}

/// A pattern matching exactly `literal`: its regex metacharacters escaped (the set
/// `fancy_regex::escape` escapes, without needing the regex engine in the build).
#[cfg_attr(not(feature = "hf"), allow(dead_code))]
pub(crate) fn escape(literal: &str) -> String {
    let mut out = String::with_capacity(literal.len());
    for c in literal.chars() {
        if matches!(c, '\\' | '.' | '+' | '*' | '?' | '(' | ')' | '|' | '[' | ']' | '{' | '}' | '^' | '$' | '#') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Splits `text` into pieces with the pattern's engine (test and tooling helper).
#[doc(hidden)]
pub fn split(pattern: &str, text: &str) -> Result<Vec<String>> {
    let pretokenizer = Pretokenizer::for_pattern(pattern)?;
    let mut out = Vec::new();
    pretokenizer.for_each_piece(text, |_, piece| {
        out.push(String::from_utf8_lossy(piece).into_owned());
        ControlFlow::Continue(())
    })?;
    Ok(out)
}

#[cfg(all(test, feature = "regex"))]
mod tests {
    use proptest::prelude::*;

    proptest! {
        /// The same escaping as fancy-regex, and the escaped pattern matches exactly the literal.
        #[test]
        fn escape_matches_fancy_regex(literal in "[a-z.+*?()|\\[\\]{}^$#\\\\ é&~-]{1,12}") {
            let escaped = super::escape(&literal);
            prop_assert_eq!(&escaped, &fancy_regex::escape(&literal));
            let regex = fancy_regex::Regex::new(&format!("^{escaped}$")).expect("an escaped literal compiles");
            prop_assert!(regex.is_match(&literal).expect("no backtracking limit reached"));
        }
    }
}
