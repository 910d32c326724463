//! Encoding names and model names -> encodings (tiktoken 0.14's tables), and the
//! embedded vocabularies behind them, decoded on first use and cached.

use crate::encoding::Encoding;
use crate::error::{Error, Result};
use crate::pretokenize::patterns;
use crate::vocab::Rank;
use std::sync::{Arc, OnceLock};

const ENDOFTEXT: &str = "<|endoftext|>";
const FIM_PREFIX: &str = "<|fim_prefix|>";
const FIM_MIDDLE: &str = "<|fim_middle|>";
const FIM_SUFFIX: &str = "<|fim_suffix|>";
const ENDOFPROMPT: &str = "<|endofprompt|>";

/// Every encoding name tokfare knows, as `tiktoken.list_encoding_names()`.
pub const ENCODING_NAMES: &[&str] =
    &["gpt2", "r50k_base", "p50k_base", "p50k_edit", "cl100k_base", "o200k_base", "o200k_harmony"];

/// Names of the encodings known to tokfare (built into this binary or not).
pub fn list_encoding_names() -> &'static [&'static str] {
    ENCODING_NAMES
}

/// Packed vocabularies (see `tools/pack_vocab.py`), one cargo feature each.
mod data {
    #[cfg(feature = "r50k")]
    pub(super) const R50K: Option<&[u8]> = Some(include_bytes!("../data/r50k_base.tfv"));
    #[cfg(not(feature = "r50k"))]
    pub(super) const R50K: Option<&[u8]> = None;
    #[cfg(feature = "p50k")]
    pub(super) const P50K: Option<&[u8]> = Some(include_bytes!("../data/p50k_base.tfv"));
    #[cfg(not(feature = "p50k"))]
    pub(super) const P50K: Option<&[u8]> = None;
    #[cfg(feature = "cl100k")]
    pub(super) const CL100K: Option<&[u8]> = Some(include_bytes!("../data/cl100k_base.tfv"));
    #[cfg(not(feature = "cl100k"))]
    pub(super) const CL100K: Option<&[u8]> = None;
    #[cfg(feature = "o200k")]
    pub(super) const O200K: Option<&[u8]> = Some(include_bytes!("../data/o200k_base.tfv"));
    #[cfg(not(feature = "o200k"))]
    pub(super) const O200K: Option<&[u8]> = None;
}

struct Definition {
    data: Option<&'static [u8]>,
    feature: &'static str,
    pattern: &'static str,
    specials: Vec<(String, Rank)>,
    explicit_n_vocab: Option<usize>,
}

fn specials(list: &[(&str, Rank)]) -> Vec<(String, Rank)> {
    list.iter().map(|(t, r)| (t.to_string(), *r)).collect()
}

fn definition(name: &str) -> Option<Definition> {
    let def = |data, feature, pattern, list: &[(&str, Rank)], n| Definition {
        data,
        feature,
        pattern,
        specials: specials(list),
        explicit_n_vocab: n,
    };
    Some(match name {
        "gpt2" | "r50k_base" => def(data::R50K, "r50k", patterns::R50K, &[(ENDOFTEXT, 50256)], Some(50257)),
        "p50k_base" => def(data::P50K, "p50k", patterns::R50K, &[(ENDOFTEXT, 50256)], Some(50281)),
        "p50k_edit" => def(
            data::P50K,
            "p50k",
            patterns::R50K,
            &[(ENDOFTEXT, 50256), (FIM_PREFIX, 50281), (FIM_MIDDLE, 50282), (FIM_SUFFIX, 50283)],
            None,
        ),
        "cl100k_base" => def(
            data::CL100K,
            "cl100k",
            patterns::CL100K,
            &[(ENDOFTEXT, 100257), (FIM_PREFIX, 100258), (FIM_MIDDLE, 100259), (FIM_SUFFIX, 100260), (ENDOFPROMPT, 100276)],
            None,
        ),
        "o200k_base" => def(data::O200K, "o200k", patterns::O200K, &[(ENDOFTEXT, 199999), (ENDOFPROMPT, 200018)], None),
        "o200k_harmony" => {
            // Same order as tiktoken's dict (which decides preference between specials).
            let mut list: Vec<(String, Rank)> = vec![(ENDOFTEXT.into(), 199999), (ENDOFPROMPT.into(), 200018)];
            let named = [
                ("<|startoftext|>", 199998),
                ("<|reserved_200000|>", 200000),
                ("<|reserved_200001|>", 200001),
                ("<|return|>", 200002),
                ("<|constrain|>", 200003),
                ("<|reserved_200004|>", 200004),
                ("<|channel|>", 200005),
                ("<|start|>", 200006),
                ("<|end|>", 200007),
                ("<|message|>", 200008),
                ("<|reserved_200009|>", 200009),
                ("<|reserved_200010|>", 200010),
                ("<|reserved_200011|>", 200011),
                ("<|call|>", 200012),
            ];
            list.extend(named.iter().map(|(t, r)| (t.to_string(), *r)));
            list.extend((200013..201088).map(|i| (format!("<|reserved_{i}|>"), i)));
            Definition { data: data::O200K, feature: "o200k", pattern: patterns::O200K, specials: list, explicit_n_vocab: None }
        }
        _ => return None,
    })
}

fn build(name: &str) -> Result<Encoding> {
    let def = definition(name).ok_or_else(|| unknown_encoding(name))?;
    let data = def.data.ok_or(Error::EncodingNotBuilt { name: name.to_string(), feature: def.feature })?;
    let vocab = crate::vocab::parse_packed(data)?;
    Encoding::assemble(name, def.pattern, vocab, def.specials, def.explicit_n_vocab)
}

fn unknown_encoding(name: &str) -> Error {
    Error::UnknownEncoding { name: name.to_string(), known: ENCODING_NAMES.join(", ") }
}

/// The encoding called `name` (`"cl100k_base"`, `"o200k_base"`, ...). The vocabulary
/// is decoded on the first call (a few ms) and shared afterwards.
pub fn get_encoding(name: &str) -> Result<Arc<Encoding>> {
    static CACHE: [OnceLock<Result<Arc<Encoding>>>; 7] = [const { OnceLock::new() }; 7];
    let index = ENCODING_NAMES.iter().position(|n| *n == name).ok_or_else(|| unknown_encoding(name))?;
    CACHE[index].get_or_init(|| build(name).map(Arc::new)).clone()
}

/// tiktoken 0.14's `MODEL_TO_ENCODING`.
const MODEL_TO_ENCODING: &[(&str, &str)] = &[
    // reasoning
    ("o1", "o200k_base"),
    ("o3", "o200k_base"),
    ("o4-mini", "o200k_base"),
    // chat
    ("gpt-5", "o200k_base"),
    ("gpt-4.1", "o200k_base"),
    ("gpt-4o", "o200k_base"),
    ("gpt-4", "cl100k_base"),
    ("gpt-3.5-turbo", "cl100k_base"),
    ("gpt-3.5", "cl100k_base"),
    ("gpt-35-turbo", "cl100k_base"),
    // base
    ("davinci-002", "cl100k_base"),
    ("babbage-002", "cl100k_base"),
    // embeddings
    ("text-embedding-ada-002", "cl100k_base"),
    ("text-embedding-3-small", "cl100k_base"),
    ("text-embedding-3-large", "cl100k_base"),
    // legacy text
    ("text-davinci-003", "p50k_base"),
    ("text-davinci-002", "p50k_base"),
    ("text-davinci-001", "r50k_base"),
    ("text-curie-001", "r50k_base"),
    ("text-babbage-001", "r50k_base"),
    ("text-ada-001", "r50k_base"),
    ("davinci", "r50k_base"),
    ("curie", "r50k_base"),
    ("babbage", "r50k_base"),
    ("ada", "r50k_base"),
    // legacy code
    ("code-davinci-002", "p50k_base"),
    ("code-davinci-001", "p50k_base"),
    ("code-cushman-002", "p50k_base"),
    ("code-cushman-001", "p50k_base"),
    ("davinci-codex", "p50k_base"),
    ("cushman-codex", "p50k_base"),
    // legacy edit
    ("text-davinci-edit-001", "p50k_edit"),
    ("code-davinci-edit-001", "p50k_edit"),
    // legacy embeddings
    ("text-similarity-davinci-001", "r50k_base"),
    ("text-similarity-curie-001", "r50k_base"),
    ("text-similarity-babbage-001", "r50k_base"),
    ("text-similarity-ada-001", "r50k_base"),
    ("text-search-davinci-doc-001", "r50k_base"),
    ("text-search-curie-doc-001", "r50k_base"),
    ("text-search-babbage-doc-001", "r50k_base"),
    ("text-search-ada-doc-001", "r50k_base"),
    ("code-search-babbage-code-001", "r50k_base"),
    ("code-search-ada-code-001", "r50k_base"),
    // open source
    ("gpt2", "gpt2"),
    ("gpt-2", "gpt2"),
];

/// tiktoken 0.14's `MODEL_PREFIX_TO_ENCODING`, in its order (first match wins).
const MODEL_PREFIX_TO_ENCODING: &[(&str, &str)] = &[
    ("o1-", "o200k_base"),
    ("o3-", "o200k_base"),
    ("o4-mini-", "o200k_base"),
    ("gpt-5", "o200k_base"),
    ("gpt-4.5-", "o200k_base"),
    ("gpt-4.1-", "o200k_base"),
    ("chatgpt-4o-", "o200k_base"),
    ("gpt-4o-", "o200k_base"),
    ("gpt-4-", "cl100k_base"),
    ("gpt-3.5-turbo-", "cl100k_base"),
    ("gpt-35-turbo-", "cl100k_base"),
    ("gpt-oss-", "o200k_harmony"),
    ("ft:gpt-4o", "o200k_base"),
    ("ft:gpt-4", "cl100k_base"),
    ("ft:gpt-3.5-turbo", "cl100k_base"),
    ("ft:davinci-002", "cl100k_base"),
    ("ft:babbage-002", "cl100k_base"),
];

/// The encoding name a model uses, by exact name then by prefix, as tiktoken does.
pub fn encoding_name_for_model(model: &str) -> Result<&'static str> {
    if let Some((_, enc)) = MODEL_TO_ENCODING.iter().find(|(m, _)| *m == model) {
        return Ok(enc);
    }
    MODEL_PREFIX_TO_ENCODING
        .iter()
        .find(|(prefix, _)| model.starts_with(prefix))
        .map(|(_, enc)| *enc)
        .ok_or_else(|| Error::UnknownModel { model: model.to_string() })
}

/// The encoding a model uses (see [`encoding_name_for_model`]).
pub fn encoding_for_model(model: &str) -> Result<Arc<Encoding>> {
    get_encoding(encoding_name_for_model(model)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each encoding's vocabulary is behind its own feature; leaving one out gives a
    /// typed error naming the feature (run with `--no-default-features --features o200k`).
    #[test]
    fn encodings_follow_their_features() {
        for (name, feature, built) in [
            ("r50k_base", "r50k", cfg!(feature = "r50k")),
            ("p50k_edit", "p50k", cfg!(feature = "p50k")),
            ("cl100k_base", "cl100k", cfg!(feature = "cl100k")),
            ("o200k_harmony", "o200k", cfg!(feature = "o200k")),
        ] {
            match get_encoding(name) {
                Ok(enc) => assert!(built && enc.name() == name),
                Err(err) => {
                    assert!(!built, "{name}: {err}");
                    assert_eq!(err, Error::EncodingNotBuilt { name: name.into(), feature });
                }
            }
        }
    }
}
