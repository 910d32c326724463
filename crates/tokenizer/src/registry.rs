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
/// The first seven are tiktoken's; `claude` is Anthropic's legacy tokenizer (see
/// [`get_encoding`]).
pub const ENCODING_NAMES: &[&str] =
    &["gpt2", "r50k_base", "p50k_base", "p50k_edit", "cl100k_base", "o200k_base", "o200k_harmony", "claude"];

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
    #[cfg(feature = "claude")]
    pub(super) const CLAUDE: Option<&[u8]> = Some(include_bytes!("../data/claude.tfv"));
    #[cfg(not(feature = "claude"))]
    pub(super) const CLAUDE: Option<&[u8]> = None;
}

/// Length and FNV-1a 64 hash of each packed vocabulary file (`crates/tokenizer/data/*.tfv`), so a
/// vocabulary supplied at run time ([`encoding_from_packed`]) is known to be the right
/// one, byte for byte. A unit test recomputes them from the embedded files.
const PACKED_DIGESTS: &[(&str, usize, u64)] = &[
    ("r50k", 421_338, 0x46b2_6dfd_8947_0947),
    ("p50k", 421_710, 0x8bf7_8422_6f5a_f7a7),
    ("cl100k", 844_354, 0xe039_7c7d_41f9_be25),
    ("o200k", 1_797_678, 0x12a7_6881_a1a0_27e4),
    ("claude", 540_523, 0x0710_cdeb_e2a0_493a),
];

fn fnv1a64(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3))
}

struct Definition {
    data: Option<&'static [u8]>,
    /// The cargo feature that embeds the vocabulary; also the name of its packed file's family.
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
        // Anthropic's legacy tokenizer (`claude.json` of npm @anthropic-ai/tokenizer
        // 0.0.4): GPT-2's pattern, ids 0-4 special. Its package NFKC-normalizes text
        // before encoding; this encoding does not (an encoding maps bytes, as tiktoken's
        // Encoding built from that file does): normalize first for the package's counts.
        "claude" => def(
            data::CLAUDE,
            "claude",
            patterns::R50K,
            &[("<EOT>", 0), ("<META>", 1), ("<META_START>", 2), ("<META_END>", 3), ("<SOS>", 4)],
            None,
        ),
        _ => return None,
    })
}

fn build(name: &str) -> Result<Encoding> {
    let def = definition(name).ok_or_else(|| unknown_encoding(name))?;
    let data = def.data.ok_or(Error::EncodingNotBuilt { name: name.to_string(), feature: def.feature })?;
    let vocab = crate::vocab::parse_packed(data)?;
    Encoding::assemble(name, def.pattern, vocab, def.specials, def.explicit_n_vocab)
}

/// A built-in encoding from its packed vocabulary supplied at run time: the file
/// `crates/tokenizer/data/<family>.tfv` (`r50k_base.tfv` for gpt2 and r50k_base, `p50k_base.tfv`
/// for p50k_base and p50k_edit, `cl100k_base.tfv`, `o200k_base.tfv` for o200k_base and
/// o200k_harmony). For builds that do not embed vocabularies, such as WASM, where each
/// vocabulary is a separate asset loaded on demand. The bytes must be exactly that file
/// (checked by length and hash); the encoding is then identical to `get_encoding(name)`.
pub fn encoding_from_packed(name: &str, packed: &[u8]) -> Result<Encoding> {
    let def = definition(name).ok_or_else(|| unknown_encoding(name))?;
    let (_, len, digest) = PACKED_DIGESTS.iter().find(|(family, _, _)| *family == def.feature).ok_or_else(|| unknown_encoding(name))?;
    if packed.len() != *len || fnv1a64(packed) != *digest {
        return Err(Error::InvalidVocabulary(format!(
            "this is not the packed vocabulary of {name} (expected {len} bytes with FNV-1a 64 {digest:#018x}, \
             got {} bytes): load crates/tokenizer/data/{}",
            packed.len(),
            packed_vocabulary_file(name)?
        )));
    }
    let vocab = crate::vocab::parse_packed(packed)?;
    Encoding::assemble(name, def.pattern, vocab, def.specials, def.explicit_n_vocab)
}

/// The packed vocabulary file that [`encoding_from_packed`] needs for `name`
/// (`"o200k_base.tfv"` for o200k_harmony, ...).
pub fn packed_vocabulary_file(name: &str) -> Result<&'static str> {
    let def = definition(name).ok_or_else(|| unknown_encoding(name))?;
    Ok(match def.feature {
        "r50k" => "r50k_base.tfv",
        "p50k" => "p50k_base.tfv",
        "cl100k" => "cl100k_base.tfv",
        "claude" => "claude.tfv",
        _ => "o200k_base.tfv",
    })
}

fn unknown_encoding(name: &str) -> Error {
    Error::UnknownEncoding { name: name.to_string(), known: ENCODING_NAMES.join(", ") }
}

/// The encoding called `name` (`"cl100k_base"`, `"o200k_base"`, ...). The vocabulary
/// is decoded on the first call (a few ms) and shared afterwards.
pub fn get_encoding(name: &str) -> Result<Arc<Encoding>> {
    static CACHE: [OnceLock<Result<Arc<Encoding>>>; ENCODING_NAMES.len()] = [const { OnceLock::new() }; ENCODING_NAMES.len()];
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
            ("claude", "claude", cfg!(feature = "claude")),
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

    #[test]
    fn packed_digests_match_the_embedded_files() {
        for (family, embedded) in
            [("r50k", data::R50K), ("p50k", data::P50K), ("cl100k", data::CL100K), ("o200k", data::O200K), ("claude", data::CLAUDE)]
        {
            let Some(bytes) = embedded else { continue };
            let (_, len, digest) = PACKED_DIGESTS.iter().find(|(f, _, _)| *f == family).expect("listed");
            assert_eq!((bytes.len(), fnv1a64(bytes)), (*len, *digest), "{family}");
        }
    }

    #[test]
    fn an_encoding_from_packed_bytes_equals_the_embedded_one() {
        let Some(bytes) = data::O200K else { return };
        for name in ["o200k_base", "o200k_harmony"] {
            let loaded = encoding_from_packed(name, bytes).expect("the right file");
            let embedded = get_encoding(name).expect("built in");
            let text = "hello wörld 🙂 <|endoftext|> 中文";
            assert_eq!(loaded.encode_ordinary(text), embedded.encode_ordinary(text));
            assert_eq!(loaded.n_vocab(), embedded.n_vocab());
            assert_eq!(packed_vocabulary_file(name).expect("known"), "o200k_base.tfv");
        }
        let Err(err) = encoding_from_packed("cl100k_base", bytes) else {
            panic!("o200k_base's file must not load as cl100k_base");
        };
        assert_eq!(err.code(), "invalid_vocabulary");
        assert!(encoding_from_packed("cl200k", bytes).is_err());
        let mut corrupt = bytes.to_vec();
        corrupt[1000] ^= 1;
        assert!(encoding_from_packed("o200k_base", &corrupt).is_err());
    }
}
