//! One interface over the two engines, and the one rule that picks a model's tokenizer.
//!
//! [`Tokenize`] is what counting, encoding and decoding look like whatever the engine:
//! an OpenAI encoding ([`Encoding`], tiktoken's semantics) or a Hugging Face
//! `tokenizer.json` model ([`hf::Tokenizer`](crate::hf::Tokenizer), `tokenizers`'
//! semantics). [`AnyTokenizer`] holds either; [`AnyTokenizer::choose`] is the rule every
//! front-end uses to turn "a model, or an encoding name, or a tokenizer file" into one:
//!
//! 1. a tokenizer file (or bundled tokenizer name) when given;
//! 2. else an encoding name when given;
//! 3. else the model's OpenAI encoding (tiktoken's table of names and prefixes);
//! 4. else, for an open-weight model, its tokenizer.json: bundled (Qwen 3) or
//!    [`Error::TokenizerFileNeeded`] naming the file to supply;
//!
//! steps 3 and 4 are tried on the name as given, then on the name after each provider
//! prefix, longest first (`azure/gpt-4o`, `openrouter/openai/gpt-4o` are `gpt-4o`;
//! `cerebras/llama-3.1-8b` and `anyscale/meta-llama/Meta-Llama-3-8B-Instruct` are Llama 3
//! models). A model none of them knows is [`Error::UnknownModel`]; the front
//! crate's estimate then counts with an encoding it names as an approximation.
//!
//! [`TokenizerSource`] says which step answered, so a quote can report how it counted.

use crate::{get_encoding, Encoding, Error, Rank, Result};
use std::fmt;
use std::sync::Arc;

/// Counting, encoding and decoding, whatever the engine.
///
/// The semantics are each engine's own, as its reference library has them: an
/// [`Encoding`] treats special-token text as ordinary text (tiktoken's
/// `encode_ordinary`); a tokenizer.json model recognises its added tokens in the text and
/// adds none (`tokenizers`' `encode(text, add_special_tokens=False)`).
pub trait Tokenize: Send + Sync {
    /// The encoding's or tokenizer's name (`o200k_base`, `qwen3`, a file's name).
    fn name(&self) -> &str;
    /// Size of the vocabulary, special tokens included.
    fn n_vocab(&self) -> usize;
    /// The number of tokens of `text`.
    fn count(&self, text: &str) -> Result<usize>;
    /// The ids of `text`.
    fn encode(&self, text: &str) -> Result<Vec<Rank>>;
    /// The text of `ids` (an [`Encoding`] refuses invalid UTF-8; a tokenizer.json model
    /// replaces it with U+FFFD, as `tokenizers` does).
    fn decode(&self, ids: &[Rank]) -> Result<String>;
    /// [`count`](Tokenize::count) of each text, in order, on all cores of the current
    /// rayon pool (one core without the `parallel` feature). Fails on the first text (in
    /// order) that fails.
    fn count_batch(&self, texts: &[&str]) -> Result<Vec<usize>> {
        crate::parallel::map(texts, |t| self.count(t)).into_iter().collect()
    }
    /// [`encode`](Tokenize::encode) of each text, as [`count_batch`](Tokenize::count_batch).
    fn encode_batch(&self, texts: &[&str]) -> Result<Vec<Vec<Rank>>> {
        crate::parallel::map(texts, |t| self.encode(t)).into_iter().collect()
    }
}

impl Tokenize for Encoding {
    fn name(&self) -> &str {
        Encoding::name(self)
    }
    fn n_vocab(&self) -> usize {
        Encoding::n_vocab(self)
    }
    fn count(&self, text: &str) -> Result<usize> {
        Ok(Encoding::count(self, text))
    }
    fn encode(&self, text: &str) -> Result<Vec<Rank>> {
        Ok(self.encode_ordinary(text))
    }
    fn decode(&self, ids: &[Rank]) -> Result<String> {
        Encoding::decode(self, ids)
    }
}

#[cfg(feature = "hf")]
impl Tokenize for crate::hf::Tokenizer {
    fn name(&self) -> &str {
        crate::hf::Tokenizer::name(self)
    }
    fn n_vocab(&self) -> usize {
        crate::hf::Tokenizer::n_vocab(self)
    }
    fn count(&self, text: &str) -> Result<usize> {
        crate::hf::Tokenizer::count(self, text)
    }
    fn encode(&self, text: &str) -> Result<Vec<Rank>> {
        crate::hf::Tokenizer::encode(self, text, false)
    }
    fn decode(&self, ids: &[Rank]) -> Result<String> {
        crate::hf::Tokenizer::decode(self, ids, false)
    }
}

/// How [`AnyTokenizer::choose`] found the tokenizer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenizerSource {
    /// A tokenizer file or bundled tokenizer name was given.
    TokenizerGiven,
    /// An encoding name was given.
    EncodingGiven,
    /// The model's OpenAI encoding.
    ModelEncoding,
    /// The open-weight model's bundled tokenizer.json.
    ModelTokenizer,
}

impl TokenizerSource {
    /// A stable snake_case name (`model_encoding` ...), for the bindings.
    pub fn name(self) -> &'static str {
        match self {
            TokenizerSource::TokenizerGiven => "tokenizer_given",
            TokenizerSource::EncodingGiven => "encoding_given",
            TokenizerSource::ModelEncoding => "model_encoding",
            TokenizerSource::ModelTokenizer => "model_tokenizer",
        }
    }
}

/// Which tokenizer a model uses, by name, before anything is loaded (the browser package
/// fetches the asset it names).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelTokenizer {
    /// An OpenAI encoding (`o200k_base`).
    Encoding(&'static str),
    /// A tokenizer.json family (`qwen3`, `llama3`, `deepseek_v3`).
    #[cfg(feature = "hf")]
    TokenizerJson(&'static str),
}

impl ModelTokenizer {
    /// The model's OpenAI encoding (tiktoken's table of names and prefixes), else its
    /// open-weight tokenizer family, else [`Error::UnknownModel`].
    pub fn for_model(model: &str) -> Result<ModelTokenizer> {
        // A fine-tune is its base model (`ft:gpt-4.1-2025-04-14:org::id` is GPT-4.1, o200k,
        // where tiktoken's `ft:gpt-4` prefix says cl100k).
        if let Some(base) = model.strip_prefix("ft:").and_then(|rest| rest.split(':').next()) {
            if let Some(found) = Self::derived(base)? {
                return Ok(found);
            }
        }
        match Self::for_name(model) {
            Err(Error::UnknownModel { .. }) => {}
            other => return other,
        }
        // Then the name after each provider prefix, longest first
        // (`anyscale/meta-llama/Meta-Llama-3-8B` → `meta-llama/Meta-Llama-3-8B` → ...).
        for (i, _) in model.match_indices('/') {
            if let Some(found) = Self::derived(&model[i + 1..])? {
                return Ok(found);
            }
        }
        Err(Error::UnknownModel { model: model.to_string() })
    }

    /// The tokenizer of a name derived from the one given (a fine-tune's base, the name
    /// after a provider prefix): only current encodings and tokenizer.json families, never
    /// a legacy GPT-3 encoding (`azure/ada` is ada-002, cl100k, not GPT-3's `ada`).
    fn derived(name: &str) -> Result<Option<ModelTokenizer>> {
        match Self::for_name(name) {
            Ok(ModelTokenizer::Encoding("r50k_base" | "p50k_base" | "p50k_edit" | "gpt2")) | Err(Error::UnknownModel { .. }) => Ok(None),
            Ok(found) => Ok(Some(found)),
            Err(e) => Err(e),
        }
    }

    /// The tokenizer an estimate counts `model` with: its own ([`ModelTokenizer::for_model`]),
    /// else, for a model none of its steps knows, [`APPROXIMATION_ENCODING`] — an
    /// approximation the estimate says it is ([`count_is_exact`] is false).
    pub fn for_estimate(model: &str) -> Result<ModelTokenizer> {
        match Self::for_model(model) {
            Err(Error::UnknownModel { .. }) => Ok(ModelTokenizer::Encoding(APPROXIMATION_ENCODING)),
            other => other,
        }
    }

    fn for_name(model: &str) -> Result<ModelTokenizer> {
        match crate::encoding_name_for_model(model) {
            Ok(name) => Ok(ModelTokenizer::Encoding(name)),
            #[cfg(feature = "hf")]
            Err(Error::UnknownModel { .. }) => crate::hf::tokenizer_name_for_model(model).map(ModelTokenizer::TokenizerJson),
            Err(e) => Err(e),
        }
    }

    /// `encoding` or `tokenizer.json`, as [`AnyTokenizer::kind`].
    pub fn kind(self) -> &'static str {
        match self {
            ModelTokenizer::Encoding(_) => "encoding",
            #[cfg(feature = "hf")]
            ModelTokenizer::TokenizerJson(_) => "tokenizer.json",
        }
    }

    /// The encoding's or family's name.
    pub fn name(self) -> &'static str {
        match self {
            ModelTokenizer::Encoding(name) => name,
            #[cfg(feature = "hf")]
            ModelTokenizer::TokenizerJson(name) => name,
        }
    }
}

/// The encoding that counts prompts of models without a public tokenizer tokfare knows
/// (Claude, Gemini, OpenAI models newer than tiktoken's table ...): `o200k_base`,
/// OpenAI's current encoding. Such counts are approximations and say so.
pub const APPROXIMATION_ENCODING: &str = "o200k_base";

/// True when the tokenizer named `tokenizer` (an encoding name, or a tokenizer.json
/// model's name) is `model`'s own ([`ModelTokenizer::for_model`]): its OpenAI encoding,
/// or — for an open-weight model — a tokenizer.json (its bundled one, or the file the
/// caller supplied for it). False for a model without a known tokenizer, and for any
/// other tokenizer: such a count is an approximation.
pub fn count_is_exact(model: &str, tokenizer: &str) -> bool {
    match ModelTokenizer::for_model(model) {
        Ok(own) if own.kind() == "encoding" => own.name() == tokenizer,
        // An open-weight model: its family's tokenizer, or a file the caller supplied (not
        // an encoding, not another bundled tokenizer).
        Ok(own) => own.name() == tokenizer || !(crate::ENCODING_NAMES.contains(&tokenizer) || is_bundled_tokenizer(tokenizer)),
        Err(_) => false,
    }
}

/// True when `name` is a tokenizer.json embedded in this build (`qwen3` with its feature):
/// one that loads by name without a file.
pub fn is_embedded_tokenizer(name: &str) -> bool {
    #[cfg(feature = "hf")]
    return crate::hf::BUNDLED_TOKENIZERS.contains(&name);
    #[cfg(not(feature = "hf"))]
    return {
        let _ = name;
        false
    };
}

/// True when `name` is a tokenizer.json tokfare bundles in this build or ships as an
/// asset (`qwen3`).
pub fn is_bundled_tokenizer(name: &str) -> bool {
    #[cfg(feature = "hf")]
    return crate::hf::BUNDLED_TOKENIZERS.contains(&name) || crate::hf::SHIPPED_TOKENIZERS.iter().any(|(n, _)| *n == name);
    #[cfg(not(feature = "hf"))]
    return {
        let _ = name;
        false
    };
}

/// An OpenAI encoding or a tokenizer.json model, shared (cheap to clone).
#[derive(Clone)]
pub enum AnyTokenizer {
    /// A tiktoken encoding.
    Encoding(Arc<Encoding>),
    /// A Hugging Face tokenizer.json model.
    #[cfg(feature = "hf")]
    HuggingFace(Arc<crate::hf::Tokenizer>),
}

impl fmt::Debug for AnyTokenizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AnyTokenizer({:?}, {})", self.kind(), self.name())
    }
}

impl AnyTokenizer {
    /// The rule of the module docs: `tokenizer` (a tokenizer.json path or bundled name)
    /// first, then `encoding`, then the tokenizer of `model`.
    pub fn choose(model: &str, encoding: Option<&str>, tokenizer: Option<&str>) -> Result<(AnyTokenizer, TokenizerSource)> {
        match (tokenizer, encoding) {
            (Some(path), _) => Self::tokenizer_file(path).map(|t| (t, TokenizerSource::TokenizerGiven)),
            (None, Some(name)) => Ok((AnyTokenizer::Encoding(get_encoding(name)?), TokenizerSource::EncodingGiven)),
            (None, None) => Self::for_model(model),
        }
    }

    /// The tokenizer of `model` (see [`ModelTokenizer::for_model`]), loaded: its OpenAI
    /// encoding, else its bundled tokenizer.json, else [`Error::TokenizerFileNeeded`].
    pub fn for_model(model: &str) -> Result<(AnyTokenizer, TokenizerSource)> {
        Self::load(model, ModelTokenizer::for_model(model)?)
    }

    /// The tokenizer an estimate counts `model` with ([`ModelTokenizer::for_estimate`]):
    /// its own, else [`APPROXIMATION_ENCODING`].
    pub fn for_estimate(model: &str) -> Result<AnyTokenizer> {
        Self::load(model, ModelTokenizer::for_estimate(model)?).map(|(t, _)| t)
    }

    #[cfg_attr(not(feature = "hf"), allow(unused_variables))]
    fn load(model: &str, which: ModelTokenizer) -> Result<(AnyTokenizer, TokenizerSource)> {
        match which {
            ModelTokenizer::Encoding(name) => Ok((AnyTokenizer::Encoding(get_encoding(name)?), TokenizerSource::ModelEncoding)),
            #[cfg(feature = "hf")]
            ModelTokenizer::TokenizerJson(family) => {
                crate::hf::tokenizer_of_family(model, family).map(|t| (AnyTokenizer::HuggingFace(t), TokenizerSource::ModelTokenizer))
            }
        }
    }

    /// A tokenizer.json file (or a folder holding one) or a bundled tokenizer's name.
    #[allow(clippy::needless_return)]
    pub fn tokenizer_file(path_or_name: &str) -> Result<AnyTokenizer> {
        #[cfg(feature = "hf")]
        return crate::hf::load(path_or_name).map(AnyTokenizer::HuggingFace);
        #[cfg(not(feature = "hf"))]
        return Err(Error::FeatureNotBuilt { what: format!("the tokenizer.json model {path_or_name:?}"), feature: "hf" });
    }

    /// `encoding` for a tiktoken encoding, `tokenizer.json` for a Hugging Face model.
    pub fn kind(&self) -> &'static str {
        match self {
            AnyTokenizer::Encoding(_) => "encoding",
            #[cfg(feature = "hf")]
            AnyTokenizer::HuggingFace(_) => "tokenizer.json",
        }
    }

    fn inner(&self) -> &dyn Tokenize {
        match self {
            AnyTokenizer::Encoding(e) => e.as_ref(),
            #[cfg(feature = "hf")]
            AnyTokenizer::HuggingFace(t) => t.as_ref(),
        }
    }
}

impl Tokenize for AnyTokenizer {
    fn name(&self) -> &str {
        self.inner().name()
    }
    fn n_vocab(&self) -> usize {
        self.inner().n_vocab()
    }
    fn count(&self, text: &str) -> Result<usize> {
        self.inner().count(text)
    }
    fn encode(&self, text: &str) -> Result<Vec<Rank>> {
        self.inner().encode(text)
    }
    fn decode(&self, ids: &[Rank]) -> Result<String> {
        self.inner().decode(ids)
    }
}

// Every test here needs o200k_base and one more vocabulary.
#[cfg(all(test, feature = "o200k", any(feature = "cl100k", feature = "qwen3")))]
mod tests {
    use super::*;

    #[test]
    #[cfg(feature = "cl100k")]
    fn the_choice_follows_the_rule() {
        let (t, how) = AnyTokenizer::choose("gpt-4o", None, None).expect("gpt-4o");
        assert_eq!((t.name(), how), ("o200k_base", TokenizerSource::ModelEncoding));
        let (t, how) = AnyTokenizer::choose("gpt-4o", Some("cl100k_base"), None).expect("encoding");
        assert_eq!((t.name(), how), ("cl100k_base", TokenizerSource::EncodingGiven));
        assert_eq!(t.count("hello world").expect("count"), 2);
        assert_eq!(t.decode(&t.encode("hé!").expect("encode")).expect("decode"), "hé!");
        assert!(matches!(AnyTokenizer::choose("no-such-model", None, None), Err(Error::UnknownModel { .. })));
        // A fine-tune is its base model; a legacy GPT-3 name behind a prefix is not GPT-3.
        assert_eq!(ModelTokenizer::for_model("ft:gpt-4.1-2025-04-14:acme::abc").map(ModelTokenizer::name), Ok("o200k_base"));
        assert_eq!(ModelTokenizer::for_model("ft:gpt-3.5-turbo-0125:acme::abc").map(ModelTokenizer::name), Ok("cl100k_base"));
        assert!(matches!(ModelTokenizer::for_model("azure/ada"), Err(Error::UnknownModel { .. })));
        // A provider's prefix is the same model; an unknown model stays unknown.
        assert_eq!(ModelTokenizer::for_model("azure/gpt-4o").map(ModelTokenizer::name), Ok("o200k_base"));
        assert_eq!(ModelTokenizer::for_model("openrouter/openai/gpt-4").map(ModelTokenizer::name), Ok("cl100k_base"));
        match ModelTokenizer::for_model("anthropic/claude-opus-4-6") {
            Err(Error::UnknownModel { model }) => assert_eq!(model, "anthropic/claude-opus-4-6"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    #[cfg(all(feature = "qwen3", feature = "o200k"))]
    fn open_weight_models_fall_back_to_their_tokenizer_json() {
        let (t, how) = AnyTokenizer::choose("Qwen/Qwen3-8B", None, None).expect("qwen3");
        assert_eq!((t.kind(), t.name(), how), ("tokenizer.json", "qwen3", TokenizerSource::ModelTokenizer));
        let (t, how) = AnyTokenizer::choose("gpt-4o", Some("o200k_base"), Some("qwen3")).expect("file wins");
        assert_eq!((t.name(), how), ("qwen3", TokenizerSource::TokenizerGiven));
        assert!(matches!(AnyTokenizer::for_model("meta-llama/Llama-3.1-8B"), Err(Error::TokenizerFileNeeded { .. })));
        // A provider's prefix before an open-weight model's name.
        let (t, _) = AnyTokenizer::for_model("together_ai/qwen3-32b").expect("qwen3 behind a prefix");
        assert_eq!(t.name(), "qwen3");
        match AnyTokenizer::for_model("groq/llama-3.1-8b-instant") {
            Err(Error::TokenizerFileNeeded { model, tokenizer, .. }) => {
                assert_eq!((model.as_str(), tokenizer.as_str()), ("groq/llama-3.1-8b-instant", "llama3"))
            }
            other => panic!("{other:?}"),
        }
    }
}
