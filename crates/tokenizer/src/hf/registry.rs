//! Open-weight model names → the tokenizer they need: the bundled Qwen 3 tokenizer, or
//! a `tokenizer.json` the user must supply (Llama 3 and DeepSeek V3 files are not
//! redistributable here), said clearly.

use super::Tokenizer;
use crate::error::{Error, Result};
use std::sync::Arc;
#[cfg(feature = "qwen3")]
use std::sync::OnceLock;

/// Tokenizers embedded in this build (feature `qwen3`).
pub const BUNDLED_TOKENIZERS: &[&str] = if cfg!(feature = "qwen3") { &["qwen3"] } else { &[] };

/// Tokenizers tokfare ships, and their packed file in `crates/tokenizer/data/` (a
/// zlib-compressed tokenizer.json): embedded in native builds with their feature, and
/// shipped as an asset next to the vocabularies by the browser package.
pub const SHIPPED_TOKENIZERS: &[(&str, &str)] = &[("qwen3", "qwen3.tokenizer.json.zz")];

/// The packed file of the tokenizer an open-weight model (or family name) uses, if
/// tokfare ships it (see [`SHIPPED_TOKENIZERS`]); else [`Error::TokenizerFileNeeded`]
/// saying where to get it, as [`tokenizer_for_model`] does.
pub fn packed_tokenizer_file(model: &str) -> Result<(&'static str, &'static str)> {
    let family = tokenizer_name_for_model(model)?;
    match SHIPPED_TOKENIZERS.iter().find(|(name, _)| *name == family) {
        Some((name, file)) => Ok((name, file)),
        None => {
            Err(Error::TokenizerFileNeeded { model: model.to_string(), tokenizer: family.to_string(), origin: source(family).to_string() })
        }
    }
}

/// Model-name prefixes (lower-case) and the tokenizer family they use.
const FAMILIES: &[(&str, &str)] = &[
    ("meta-llama/llama-3", "llama3"),
    ("meta-llama/meta-llama-3", "llama3"),
    ("llama-3", "llama3"),
    ("llama3", "llama3"),
    ("deepseek-ai/deepseek-v3", "deepseek_v3"),
    ("deepseek-ai/deepseek-r1", "deepseek_v3"),
    ("deepseek-v3", "deepseek_v3"),
    ("deepseek-r1", "deepseek_v3"),
    ("deepseek-chat", "deepseek_v3"),
    ("deepseek-reasoner", "deepseek_v3"),
];

/// Where to get each family's file.
fn source(family: &str) -> &'static str {
    match family {
        "llama3" => "meta-llama/Llama-3.1-8B-Instruct (gated; Llama 3 Community License)",
        "deepseek_v3" => "deepseek-ai/DeepSeek-V3",
        _ => "the model's Hugging Face repository",
    }
}

/// The tokenizer family of an open-weight model: `qwen3`, `llama3` or `deepseek_v3`.
/// Case-insensitive; `Qwen/Qwen3-8B`, `qwen3-32b`, `meta-llama/Llama-3.1-8B-Instruct`,
/// `deepseek-chat`...
pub fn tokenizer_name_for_model(model: &str) -> Result<&'static str> {
    let lower = model.trim().to_ascii_lowercase();
    if is_qwen3(&lower) {
        return Ok("qwen3");
    }
    // Distilled models (`deepseek-r1-distill-llama-70b`) keep their student's tokenizer.
    FAMILIES
        .iter()
        .filter(|_| !lower.contains("distill"))
        .find(|(prefix, _)| lower.starts_with(prefix))
        .map(|(_, family)| *family)
        .ok_or_else(|| Error::UnknownModel { model: model.to_string() })
}

/// A Qwen 3 open-weight model of the Qwen 3 release, whose tokenizer is the bundled one:
/// `qwen3` and the sizes (`qwen3-8b`, `qwen3-235b-a22b-instruct-2507`, `qwen3-1p7b`,
/// `Qwen/Qwen3-1.7B`). Not the later versions a provider spells `qwen3.5-plus` or
/// `qwen3-5-plus`, not `qwen3-coder*` / `qwen3-next*` / `qwen3-omni*` (separate releases
/// this tokfare has no reference tokenizer for), and not the closed `qwen3-max`: their
/// counts are approximations, said so.
fn is_qwen3(lower: &str) -> bool {
    let name = lower.strip_prefix("qwen/").unwrap_or(lower);
    let Some(rest) = name.strip_prefix("qwen3") else { return false };
    if rest.is_empty() {
        return true;
    }
    let Some(rest) = rest.strip_prefix('-') else { return false };
    // A size: digits, optionally `.` or `p` and digits (1.7, 1p7), then `b`.
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let after = &rest[digits..];
    let after = match after.strip_prefix('p').or_else(|| after.strip_prefix('.')) {
        Some(frac) => &frac[frac.bytes().take_while(u8::is_ascii_digit).count()..],
        None => after,
    };
    digits > 0 && after.starts_with('b')
}

/// The tokenizer of an open-weight model, if it is bundled; else
/// [`Error::TokenizerFileNeeded`] naming the file to load with
/// [`Tokenizer::from_file`].
pub fn tokenizer_for_model(model: &str) -> Result<Arc<Tokenizer>> {
    tokenizer_of_family(model, tokenizer_name_for_model(model)?)
}

/// The bundled tokenizer of `family` for `model` (whose family it is); else
/// [`Error::TokenizerFileNeeded`] naming `model`, the family and where to get its file.
pub fn tokenizer_of_family(model: &str, family: &str) -> Result<Arc<Tokenizer>> {
    bundled(family).map_err(|e| match e {
        Error::TokenizerFileNeeded { .. } => {
            Error::TokenizerFileNeeded { model: model.to_string(), tokenizer: family.to_string(), origin: source(family).to_string() }
        }
        other => other,
    })
}

/// A bundled tokenizer by name (`qwen3`), built on first use and shared.
pub fn bundled(name: &str) -> Result<Arc<Tokenizer>> {
    match name {
        #[cfg(feature = "qwen3")]
        "qwen3" => {
            static QWEN3: OnceLock<Arc<Tokenizer>> = OnceLock::new();
            if let Some(t) = QWEN3.get() {
                return Ok(t.clone());
            }
            const PACKED: &[u8] = include_bytes!("../../data/qwen3.tokenizer.json.zz");
            let json = miniz_oxide::inflate::decompress_to_vec_zlib(PACKED)
                .map_err(|e| Error::InvalidTokenizerFile { path: "$".into(), reason: format!("bundled qwen3 is corrupt: {e:?}") })?;
            let tok = Arc::new(Tokenizer::native_from_bytes("qwen3", json)?);
            Ok(QWEN3.get_or_init(|| tok).clone())
        }
        #[cfg(not(feature = "qwen3"))]
        "qwen3" => {
            Err(Error::TokenizerFileNeeded { model: name.to_string(), tokenizer: name.to_string(), origin: source(name).to_string() })
        }
        "llama3" | "deepseek_v3" => {
            Err(Error::TokenizerFileNeeded { model: name.to_string(), tokenizer: name.to_string(), origin: source(name).to_string() })
        }
        _ => Err(Error::UnknownEncoding { name: name.to_string(), known: BUNDLED_TOKENIZERS.join(", ") }),
    }
}

/// The same tokenizer as [`Tokenizer::from_file`], or a bundled one: the CLI's and
/// bindings' `--tokenizer PATH_OR_NAME`.
pub fn load(path_or_name: &str) -> Result<Arc<Tokenizer>> {
    if BUNDLED_TOKENIZERS.contains(&path_or_name) {
        return bundled(path_or_name);
    }
    let path = std::path::Path::new(path_or_name);
    if path.is_dir() {
        return Tokenizer::from_file(path.join("tokenizer.json")).map(Arc::new);
    }
    Tokenizer::from_file(path).map(Arc::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_names_map_to_families() {
        assert_eq!(tokenizer_name_for_model("Qwen/Qwen3-8B").ok(), Some("qwen3"));
        assert_eq!(tokenizer_name_for_model("qwen3-235b-a22b").ok(), Some("qwen3"));
        for qwen3 in ["qwen3", "Qwen/Qwen3-1.7B", "qwen3-1p7b-fp8-draft", "qwen3-235b-a22b-instruct-2507"] {
            assert_eq!(tokenizer_name_for_model(qwen3).ok(), Some("qwen3"), "{qwen3}");
        }
        // Later versions and closed models are not the bundled tokenizer's.
        assert!(tokenizer_name_for_model("deepseek-ai/DeepSeek-R1-Distill-Qwen-32B").is_err());
        for other in ["qwen3.5-plus", "qwen3-5-plus", "qwen3-8-max", "qwen3-max", "qwen3-omni-flash", "qwen3-coder-plus", "qwen30"] {
            assert!(tokenizer_name_for_model(other).is_err(), "{other}");
        }
        assert_eq!(tokenizer_name_for_model("meta-llama/Llama-3.1-8B-Instruct").ok(), Some("llama3"));
        assert_eq!(tokenizer_name_for_model("deepseek-chat").ok(), Some("deepseek_v3"));
        assert_eq!(packed_tokenizer_file("Qwen/Qwen3-8B").ok(), Some(("qwen3", "qwen3.tokenizer.json.zz")));
        assert_eq!(packed_tokenizer_file("qwen3").ok(), Some(("qwen3", "qwen3.tokenizer.json.zz")));
        assert!(matches!(packed_tokenizer_file("llama3"), Err(Error::TokenizerFileNeeded { ref tokenizer, .. }) if tokenizer == "llama3"));
        for (name, file) in SHIPPED_TOKENIZERS {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data").join(file);
            assert!(path.is_file(), "{name}: {}", path.display());
        }
        assert!(matches!(tokenizer_name_for_model("gpt-4o"), Err(Error::UnknownModel { .. })));
        assert!(matches!(
            tokenizer_for_model("deepseek-reasoner"),
            Err(Error::TokenizerFileNeeded { ref tokenizer, .. }) if tokenizer == "deepseek_v3"
        ));
    }

    #[cfg(feature = "qwen3")]
    #[test]
    fn bundled_qwen3_loads_natively_and_is_shared() {
        let a = tokenizer_for_model("Qwen/Qwen3-8B").expect("bundled");
        let b = bundled("qwen3").expect("bundled");
        assert!(Arc::ptr_eq(&a, &b));
        assert!(a.is_native());
        assert_eq!(a.engine(), "native bpe, scanner:qwen2");
        assert_eq!(a.n_vocab(), 151_669);
        let ids = a.encode("<|im_start|>user\nHello<|im_end|>", false).expect("encode");
        assert_eq!(ids.first(), Some(&151_644));
        assert_eq!(a.decode(&ids, false).expect("decode"), "<|im_start|>user\nHello<|im_end|>");
    }
}
