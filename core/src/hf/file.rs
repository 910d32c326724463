//! Reading `tokenizer.json` (simd-json) into plain Rust values, with the JSON path of
//! anything wrong. What the native engine cannot run is refused here with
//! [`Error::UnsupportedTokenizer`], naming the feature.

use crate::error::{Error, Result};
use crate::json::{self, Value};
use simd_json::prelude::*;

fn bad(path: &str, reason: String) -> Error {
    Error::InvalidTokenizerFile { path: path.to_string(), reason }
}

fn unsupported(what: String) -> Error {
    Error::UnsupportedTokenizer(what)
}

/// The parts of a byte-level BPE `tokenizer.json`, checked for types and ranges.
/// Token strings borrow from the parsed file (no copy of ~400 000 strings).
pub(crate) struct Spec<'v> {
    /// `model.vocab`: token string (byte-level alphabet) and id.
    pub vocab: Vec<(&'v str, u32)>,
    /// `model.merges` in file order.
    pub merges: Vec<(&'v str, &'v str)>,
    pub ignore_merges: bool,
    pub nfc: bool,
    pub pre_tokenizer: Vec<PreStep>,
    pub added: Vec<AddedSpec>,
    pub post: Vec<PostStep>,
    /// `decoder` is ByteLevel (else null: tokens joined with spaces).
    pub byte_level_decoder: bool,
}

/// One pre-tokenizer of the (flattened) sequence.
pub(crate) enum PreStep {
    Split { pattern: String, behavior: Behavior, invert: bool },
    ByteLevel { add_prefix_space: bool, use_regex: bool },
}

/// `Split`'s `behavior`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Behavior {
    Removed,
    Isolated,
    MergedWithPrevious,
    MergedWithNext,
    Contiguous,
}

/// One entry of `added_tokens`.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct AddedSpec {
    pub id: u32,
    pub content: String,
    pub single_word: bool,
    pub lstrip: bool,
    pub rstrip: bool,
    pub normalized: bool,
    pub special: bool,
}

/// One post-processor step: ids put around the sequence when special tokens are added.
pub(crate) struct PostStep {
    pub before: Vec<u32>,
    pub after: Vec<u32>,
}

/// Largest id accepted (ids index arrays).
const MAX_ID: u64 = 1 << 26;

/// An id; `path` is only built for an error.
fn id_of(v: &Value<'_>, path: impl FnOnce() -> String) -> Result<u32> {
    match v.as_u64() {
        Some(n) if n < MAX_ID => Ok(n as u32),
        Some(n) => Err(bad(&path(), format!("id {n} is too large (limit {MAX_ID})"))),
        None => Err(bad(&path(), "must be a non-negative integer id".into())),
    }
}

fn bool_field(v: &Value<'_>, key: &str, path: &str, default: bool) -> Result<bool> {
    match json::get(v, key) {
        None => Ok(default),
        Some(x) if x.is_null() => Ok(default),
        Some(x) => x.as_bool().ok_or_else(|| bad(&format!("{path}.{key}"), "must be true or false".into())),
    }
}

fn str_field<'v>(v: &'v Value<'_>, key: &str, path: &str) -> Result<&'v str> {
    json::opt_str(v, key, path, bad)?.ok_or_else(|| bad(&format!("{path}.{key}"), "missing".into()))
}

fn type_of<'v>(v: &'v Value<'_>, path: &str) -> Result<&'v str> {
    if !json::is_object(v) {
        return Err(bad(path, "must be an object".into()));
    }
    str_field(v, "type", path)
}

/// Parses the file's text (simd-json rewrites `bytes` in place).
pub(crate) fn parse(bytes: &mut [u8]) -> Result<Value<'_>> {
    json::parse(bytes, |reason| bad("$", reason))
}

/// The tokenizer described by a parsed file.
pub(crate) fn spec<'v>(root: &'v Value<'_>) -> Result<Spec<'v>> {
    if !json::is_object(root) {
        return Err(bad("$", "must be an object".into()));
    }
    let model = json::get_object(root, "model", "$", bad)?.ok_or_else(|| bad("$.model", "missing".into()))?;
    let (vocab, merges, ignore_merges) = model_spec(model)?;
    Ok(Spec {
        vocab,
        merges,
        ignore_merges,
        nfc: normalizer(json::get(root, "normalizer"), "$.normalizer")?,
        pre_tokenizer: pre_tokenizer(json::get(root, "pre_tokenizer"), "$.pre_tokenizer")?,
        added: added_tokens(json::get(root, "added_tokens"))?,
        post: post_processor(json::get(root, "post_processor"), "$.post_processor")?,
        byte_level_decoder: decoder(json::get(root, "decoder"), "$.decoder")?,
    })
}

type ModelParts<'v> = (Vec<(&'v str, u32)>, Vec<(&'v str, &'v str)>, bool);

fn model_spec<'v>(model: &'v Value<'_>) -> Result<ModelParts<'v>> {
    let path = "$.model";
    // `type` may be omitted in old files; then the fields say it is BPE.
    let kind = json::opt_str(model, "type", path, bad)?.unwrap_or("BPE");
    if kind != "BPE" {
        return Err(unsupported(format!("model type {kind:?} (only byte-level BPE is native)")));
    }
    if let Some(d) = json::get(model, "dropout").filter(|d| !d.is_null()) {
        if d.as_f64() != Some(0.0) {
            return Err(unsupported("BPE dropout (random tokenization)".into()));
        }
    }
    for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
        if let Some(s) = json::opt_str(model, key, path, bad)? {
            if !s.is_empty() {
                return Err(unsupported(format!("model.{key} {s:?}")));
            }
        }
    }
    if bool_field(model, "byte_fallback", path, false)? {
        return Err(unsupported("byte_fallback (SentencePiece-style BPE)".into()));
    }
    let ignore_merges = bool_field(model, "ignore_merges", path, false)?;

    let vocab_value = json::get(model, "vocab").ok_or_else(|| bad("$.model.vocab", "missing".into()))?;
    let object = vocab_value.as_object().ok_or_else(|| bad("$.model.vocab", "must be an object of token: id".into()))?;
    let mut vocab = Vec::with_capacity(object.len());
    for (token, id) in object.iter() {
        vocab.push((token.as_ref(), id_of(id, || format!("$.model.vocab[{token:?}]"))?));
    }

    let merges_value = json::get(model, "merges").ok_or_else(|| bad("$.model.merges", "missing".into()))?;
    let items = json::as_array(merges_value).ok_or_else(|| bad("$.model.merges", "must be a list".into()))?;
    let mut merges = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let pair = if let Some(s) = json::as_str(item) {
            // "a b": the two tokens, split at the first space (tokens never hold a space:
            // the byte-level alphabet writes it as Ġ).
            let mut parts = s.splitn(3, ' ');
            match (parts.next(), parts.next(), parts.next()) {
                (Some(a), Some(b), None) if !a.is_empty() && !b.is_empty() => (a, b),
                _ => return Err(bad(&format!("$.model.merges[{i}]"), format!("{s:?} is not two tokens separated by a space"))),
            }
        } else if let Some([a, b]) = json::as_array(item) {
            match (json::as_str(a), json::as_str(b)) {
                (Some(a), Some(b)) if !a.is_empty() && !b.is_empty() => (a, b),
                _ => return Err(bad(&format!("$.model.merges[{i}]"), "must be two strings".into())),
            }
        } else {
            return Err(bad(&format!("$.model.merges[{i}]"), "must be \"a b\" or [\"a\", \"b\"]".into()));
        };
        merges.push(pair);
    }
    Ok((vocab, merges, ignore_merges))
}

/// `true` for NFC; `false` for none.
fn normalizer(v: Option<&Value<'_>>, path: &str) -> Result<bool> {
    normalizer_at(v, path, 0)
}

fn normalizer_at(v: Option<&Value<'_>>, path: &str, depth: usize) -> Result<bool> {
    let Some(v) = v.filter(|v| !v.is_null()) else { return Ok(false) };
    if depth > MAX_DEPTH {
        return Err(too_deep(path));
    }
    match type_of(v, path)? {
        "NFC" => Ok(true),
        "Sequence" => {
            let list = json::get(v, "normalizers").and_then(json::as_array).ok_or_else(|| bad(&format!("{path}.normalizers"), "must be a list".into()))?;
            let mut nfc = false;
            for (i, n) in list.iter().enumerate() {
                nfc |= normalizer_at(Some(n), &format!("{path}.normalizers[{i}]"), depth + 1)?;
            }
            // NFC twice is NFC once; NFC after nothing else is the only other shape allowed.
            Ok(nfc)
        }
        other => Err(unsupported(format!("normalizer {other:?}"))),
    }
}

/// Deepest nesting of `Sequence`s accepted (a hostile file must not exhaust the stack).
const MAX_DEPTH: usize = 32;

fn too_deep(path: &str) -> Error {
    bad(path, format!("Sequences nested more than {MAX_DEPTH} deep"))
}

fn pre_tokenizer(v: Option<&Value<'_>>, path: &str) -> Result<Vec<PreStep>> {
    let Some(v) = v.filter(|v| !v.is_null()) else { return Ok(Vec::new()) };
    let mut steps = Vec::new();
    pre_step(v, path, &mut steps, 0)?;
    Ok(steps)
}

fn pre_step(v: &Value<'_>, path: &str, out: &mut Vec<PreStep>, depth: usize) -> Result<()> {
    if depth > MAX_DEPTH {
        return Err(too_deep(path));
    }
    match type_of(v, path)? {
        "Sequence" => {
            let list = json::get(v, "pretokenizers").and_then(json::as_array).ok_or_else(|| bad(&format!("{path}.pretokenizers"), "must be a list".into()))?;
            for (i, p) in list.iter().enumerate() {
                pre_step(p, &format!("{path}.pretokenizers[{i}]"), out, depth + 1)?;
            }
        }
        "ByteLevel" => out.push(PreStep::ByteLevel {
            add_prefix_space: bool_field(v, "add_prefix_space", path, true)?,
            use_regex: bool_field(v, "use_regex", path, true)?,
        }),
        "Split" => {
            let pattern_value = json::get_object(v, "pattern", path, bad)?.ok_or_else(|| bad(&format!("{path}.pattern"), "missing".into()))?;
            let pattern = if let Some(re) = json::opt_str(pattern_value, "Regex", &format!("{path}.pattern"), bad)? {
                re.to_string()
            } else if let Some(s) = json::opt_str(pattern_value, "String", &format!("{path}.pattern"), bad)? {
                if s.is_empty() {
                    return Err(unsupported("Split on an empty string".into()));
                }
                fancy_regex::escape(s).into_owned()
            } else {
                return Err(bad(&format!("{path}.pattern"), "must be {\"Regex\": ...} or {\"String\": ...}".into()));
            };
            let behavior = match str_field(v, "behavior", path)? {
                "Removed" => Behavior::Removed,
                "Isolated" => Behavior::Isolated,
                "MergedWithPrevious" => Behavior::MergedWithPrevious,
                "MergedWithNext" => Behavior::MergedWithNext,
                "Contiguous" => Behavior::Contiguous,
                other => return Err(bad(&format!("{path}.behavior"), format!("unknown behavior {other:?}"))),
            };
            out.push(PreStep::Split { pattern, behavior, invert: bool_field(v, "invert", path, false)? });
        }
        other => return Err(unsupported(format!("pre-tokenizer {other:?}"))),
    }
    Ok(())
}

fn added_tokens(v: Option<&Value<'_>>) -> Result<Vec<AddedSpec>> {
    let path = "$.added_tokens";
    let Some(v) = v.filter(|v| !v.is_null()) else { return Ok(Vec::new()) };
    let list = json::as_array(v).ok_or_else(|| bad(path, "must be a list".into()))?;
    let mut out = Vec::with_capacity(list.len());
    for (i, t) in list.iter().enumerate() {
        let p = format!("{path}[{i}]");
        if !json::is_object(t) {
            return Err(bad(&p, "must be an object".into()));
        }
        // An empty content is ignored, as `tokenizers` does.
        let content = str_field(t, "content", &p)?;
        let special = bool_field(t, "special", &p, false)?;
        out.push(AddedSpec {
            id: id_of(json::get(t, "id").ok_or_else(|| bad(&format!("{p}.id"), "missing".into()))?, || format!("{p}.id"))?,
            content: content.to_string(),
            single_word: bool_field(t, "single_word", &p, false)?,
            lstrip: bool_field(t, "lstrip", &p, false)?,
            rstrip: bool_field(t, "rstrip", &p, false)?,
            normalized: bool_field(t, "normalized", &p, !special)?,
            special,
        });
    }
    Ok(out)
}

fn post_processor(v: Option<&Value<'_>>, path: &str) -> Result<Vec<PostStep>> {
    let Some(v) = v.filter(|v| !v.is_null()) else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    post_step(v, path, &mut out, 0)?;
    Ok(out)
}

fn post_step(v: &Value<'_>, path: &str, out: &mut Vec<PostStep>, depth: usize) -> Result<()> {
    if depth > MAX_DEPTH {
        return Err(too_deep(path));
    }
    match type_of(v, path)? {
        // ByteLevel only trims offsets: ids are unchanged.
        "ByteLevel" => {}
        "Sequence" => {
            let list = json::get(v, "processors").and_then(json::as_array).ok_or_else(|| bad(&format!("{path}.processors"), "must be a list".into()))?;
            for (i, p) in list.iter().enumerate() {
                post_step(p, &format!("{path}.processors[{i}]"), out, depth + 1)?;
            }
        }
        "TemplateProcessing" => {
            let single = json::get(v, "single").and_then(json::as_array).ok_or_else(|| bad(&format!("{path}.single"), "must be a list".into()))?;
            let specials = json::get_object(v, "special_tokens", path, bad)?;
            let (mut before, mut after, mut seen_sequence) = (Vec::new(), Vec::new(), false);
            for (i, piece) in single.iter().enumerate() {
                let p = format!("{path}.single[{i}]");
                if json::get(piece, "Sequence").is_some() {
                    if seen_sequence {
                        return Err(bad(&p, "the single template holds the sequence twice".into()));
                    }
                    seen_sequence = true;
                } else if let Some(special) = json::get(piece, "SpecialToken") {
                    let name = str_field(special, "id", &format!("{p}.SpecialToken"))?;
                    let entry = specials
                        .and_then(|s| json::get(s, name))
                        .ok_or_else(|| bad(&format!("{path}.special_tokens"), format!("no entry for {name:?}")))?;
                    let ids = json::get(entry, "ids").and_then(json::as_array).ok_or_else(|| bad(&format!("{path}.special_tokens[{name:?}].ids"), "must be a list".into()))?;
                    let target = if seen_sequence { &mut after } else { &mut before };
                    for (j, id) in ids.iter().enumerate() {
                        target.push(id_of(id, || format!("{path}.special_tokens[{name:?}].ids[{j}]"))?);
                    }
                } else {
                    return Err(bad(&p, "must be {\"Sequence\": ...} or {\"SpecialToken\": ...}".into()));
                }
            }
            out.push(PostStep { before, after });
        }
        // Their other fields only move offsets.
        "BertProcessing" | "RobertaProcessing" => {
            let token = |key: &str| -> Result<u32> {
                let pair = json::get(v, key).and_then(json::as_array).ok_or_else(|| bad(&format!("{path}.{key}"), "must be [token, id]".into()))?;
                match pair {
                    [_, id] => id_of(id, || format!("{path}.{key}[1]")),
                    _ => Err(bad(&format!("{path}.{key}"), "must be [token, id]".into())),
                }
            };
            out.push(PostStep { before: vec![token("cls")?], after: vec![token("sep")?] });
        }
        other => return Err(unsupported(format!("post-processor {other:?}"))),
    }
    Ok(())
}

/// `true` for a ByteLevel decoder, `false` for none.
fn decoder(v: Option<&Value<'_>>, path: &str) -> Result<bool> {
    let Some(v) = v.filter(|v| !v.is_null()) else { return Ok(false) };
    match type_of(v, path)? {
        "ByteLevel" => Ok(true),
        other => Err(unsupported(format!("decoder {other:?}"))),
    }
}
