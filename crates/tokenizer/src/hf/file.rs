//! Reading `tokenizer.json` (simd-json) into plain Rust values, with the JSON path of
//! anything wrong. What the native engine cannot run is refused here with
//! [`Error::UnsupportedTokenizer`], naming the feature.

use crate::error::{Error, Result};
use simd_json::prelude::*;
use simd_json::tape::{Array, Value};

/// A value of the parsed file: a window on simd-json's flat tape (`Copy`; strings
/// borrow from the file's bytes). The tape is built in one pass with no tree of
/// maps, and dropping it is not recursive, so hostile nesting costs nothing.
type V<'t, 'i> = Value<'t, 'i>;

fn bad(path: &str, reason: String) -> Error {
    Error::InvalidTokenizerFile { path: path.to_string(), reason }
}

fn unsupported(what: String) -> Error {
    Error::UnsupportedTokenizer(what)
}

/// The parts of a byte-level BPE `tokenizer.json`, checked for types and ranges,
/// except the two big ones: `model.vocab` and `model.merges` stay on the tape, to be
/// read by [`vocab_entries`] and [`merge_pairs`] (on two threads).
pub(crate) struct Spec<'t, 'i> {
    /// `model.vocab`, an object.
    pub vocab: V<'t, 'i>,
    /// `model.merges`, a list.
    pub merges: V<'t, 'i>,
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
fn id_of(v: V<'_, '_>, path: impl FnOnce() -> String) -> Result<u32> {
    match v.as_u64() {
        Some(n) if n < MAX_ID => Ok(n as u32),
        Some(n) => Err(bad(&path(), format!("id {n} is too large (limit {MAX_ID})"))),
        None => Err(bad(&path(), "must be a non-negative integer id".into())),
    }
}

/// `v[key]`; `null` counts as absent (as `tokenizers` reads optional fields).
fn field<'t, 'i>(v: V<'t, 'i>, key: &str) -> Option<V<'t, 'i>> {
    v.get(key).filter(|x| !x.is_null())
}

fn required<'t, 'i>(v: V<'t, 'i>, key: &str, path: &str) -> Result<V<'t, 'i>> {
    field(v, key).ok_or_else(|| bad(&format!("{path}.{key}"), "missing".into()))
}

fn bool_field(v: V<'_, '_>, key: &str, path: &str, default: bool) -> Result<bool> {
    match field(v, key) {
        None => Ok(default),
        Some(x) => x.as_bool().ok_or_else(|| bad(&format!("{path}.{key}"), "must be true or false".into())),
    }
}

fn opt_str<'i>(v: V<'_, 'i>, key: &str, path: &str) -> Result<Option<&'i str>> {
    match field(v, key) {
        None => Ok(None),
        Some(x) => x.into_string().map(Some).ok_or_else(|| bad(&format!("{path}.{key}"), "must be a string".into())),
    }
}

fn str_field<'i>(v: V<'_, 'i>, key: &str, path: &str) -> Result<&'i str> {
    opt_str(v, key, path)?.ok_or_else(|| bad(&format!("{path}.{key}"), "missing".into()))
}

fn opt_object<'t, 'i>(v: V<'t, 'i>, key: &str, path: &str) -> Result<Option<V<'t, 'i>>> {
    match field(v, key) {
        None => Ok(None),
        Some(x) if x.is_object() => Ok(Some(x)),
        Some(_) => Err(bad(&format!("{path}.{key}"), "must be an object".into())),
    }
}

fn list<'t, 'i>(v: V<'t, 'i>, key: &str, path: &str) -> Result<Array<'t, 'i>> {
    field(v, key).and_then(|x| x.as_array()).ok_or_else(|| bad(&format!("{path}.{key}"), "must be a list".into()))
}

fn type_of<'i>(v: V<'_, 'i>, path: &str) -> Result<&'i str> {
    if !v.is_object() {
        return Err(bad(path, "must be an object".into()));
    }
    str_field(v, "type", path)
}

/// Parses the file's text (simd-json rewrites `bytes` in place) into a tape.
pub(crate) fn parse(bytes: &mut [u8]) -> Result<simd_json::Tape<'_>> {
    tokfare_json::check_nesting(bytes).map_err(|reason| bad("$", reason))?;
    simd_json::to_tape(bytes).map_err(|e| bad("$", format!("not valid JSON: {e}")))
}

/// The tokenizer described by a parsed file.
pub(crate) fn spec<'t, 'i>(root: V<'t, 'i>) -> Result<Spec<'t, 'i>> {
    if !root.is_object() {
        return Err(bad("$", "must be an object".into()));
    }
    let model = opt_object(root, "model", "$")?.ok_or_else(|| bad("$.model", "missing".into()))?;
    let (vocab, merges, ignore_merges) = model_spec(model)?;
    Ok(Spec {
        vocab,
        merges,
        ignore_merges,
        nfc: normalizer(field(root, "normalizer"), "$.normalizer", 0)?,
        pre_tokenizer: pre_tokenizer(field(root, "pre_tokenizer"), "$.pre_tokenizer")?,
        added: added_tokens(field(root, "added_tokens"))?,
        post: post_processor(field(root, "post_processor"), "$.post_processor")?,
        byte_level_decoder: decoder(field(root, "decoder"), "$.decoder")?,
    })
}

type ModelParts<'t, 'i> = (V<'t, 'i>, V<'t, 'i>, bool);

fn model_spec<'t, 'i>(model: V<'t, 'i>) -> Result<ModelParts<'t, 'i>> {
    let path = "$.model";
    // `type` may be omitted in old files; then the fields say it is BPE.
    let kind = opt_str(model, "type", path)?.unwrap_or("BPE");
    if kind != "BPE" {
        return Err(unsupported(format!("model type {kind:?} (only byte-level BPE is native)")));
    }
    if let Some(d) = field(model, "dropout") {
        if d.as_f64() != Some(0.0) {
            return Err(unsupported("BPE dropout (random tokenization)".into()));
        }
    }
    for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
        if let Some(s) = opt_str(model, key, path)? {
            if !s.is_empty() {
                return Err(unsupported(format!("model.{key} {s:?}")));
            }
        }
    }
    if bool_field(model, "byte_fallback", path, false)? {
        return Err(unsupported("byte_fallback (SentencePiece-style BPE)".into()));
    }
    let ignore_merges = bool_field(model, "ignore_merges", path, false)?;
    let vocab = required(model, "vocab", path)?;
    if !vocab.is_object() {
        return Err(bad("$.model.vocab", "must be an object of token: id".into()));
    }
    let merges = required(model, "merges", path)?;
    if !merges.is_array() {
        return Err(bad("$.model.merges", "must be a list".into()));
    }
    Ok((vocab, merges, ignore_merges))
}

/// `model.vocab` as `(token, id)` in file order. A key written twice is kept twice
/// here (the engine keeps its last id, as `tokenizers`' serde map does).
pub(crate) fn vocab_entries<'i>(vocab: V<'_, 'i>) -> Result<Vec<(&'i str, u32)>> {
    let object = vocab.as_object().ok_or_else(|| bad("$.model.vocab", "must be an object of token: id".into()))?;
    let mut out = Vec::with_capacity(object.len());
    for (token, id) in object.iter() {
        out.push((token, id_of(id, || format!("$.model.vocab[{token:?}]"))?));
    }
    Ok(out)
}

/// `model.merges` as token pairs, in file order.
pub(crate) fn merge_pairs<'i>(merges: V<'_, 'i>) -> Result<Vec<(&'i str, &'i str)>> {
    let items = merges.as_array().ok_or_else(|| bad("$.model.merges", "must be a list".into()))?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let pair = if let Some(s) = item.into_string() {
            // "a b": the two tokens, split at the space (tokens never hold a space:
            // the byte-level alphabet writes it as Ġ). A byte search: `split_once`
            // costs more than the rest of this loop.
            let space = s.as_bytes().iter().position(|&c| c == b' ');
            match space.map(|at| (&s[..at], &s[at + 1..])) {
                Some((a, b)) if !a.is_empty() && !b.is_empty() && !b.as_bytes().contains(&b' ') => (a, b),
                _ => return Err(bad(&format!("$.model.merges[{i}]"), format!("{s:?} is not two tokens separated by a space"))),
            }
        } else if let Some(pair) = item.as_array().filter(|p| p.len() == 2) {
            match (pair.get(0).and_then(|a| a.into_string()), pair.get(1).and_then(|b| b.into_string())) {
                (Some(a), Some(b)) if !a.is_empty() && !b.is_empty() => (a, b),
                _ => return Err(bad(&format!("$.model.merges[{i}]"), "must be two strings".into())),
            }
        } else {
            return Err(bad(&format!("$.model.merges[{i}]"), "must be \"a b\" or [\"a\", \"b\"]".into()));
        };
        out.push(pair);
    }
    Ok(out)
}

/// Deepest nesting of `Sequence`s accepted (a hostile file must not exhaust the stack).
const MAX_DEPTH: usize = 32;

fn too_deep(path: &str) -> Error {
    bad(path, format!("Sequences nested more than {MAX_DEPTH} deep"))
}

/// `true` for NFC; `false` for none.
fn normalizer(v: Option<V<'_, '_>>, path: &str, depth: usize) -> Result<bool> {
    let Some(v) = v else { return Ok(false) };
    if depth > MAX_DEPTH {
        return Err(too_deep(path));
    }
    match type_of(v, path)? {
        "NFC" => Ok(true),
        "Sequence" => {
            let mut nfc = false;
            for (i, n) in list(v, "normalizers", path)?.iter().enumerate() {
                let n = Some(n).filter(|n| !n.is_null());
                nfc |= normalizer(n, &format!("{path}.normalizers[{i}]"), depth + 1)?;
            }
            // NFC twice is NFC once; NFC after nothing else is the only other shape allowed.
            Ok(nfc)
        }
        other => Err(unsupported(format!("normalizer {other:?}"))),
    }
}

fn pre_tokenizer(v: Option<V<'_, '_>>, path: &str) -> Result<Vec<PreStep>> {
    let Some(v) = v else { return Ok(Vec::new()) };
    let mut steps = Vec::new();
    pre_step(v, path, &mut steps, 0)?;
    Ok(steps)
}

fn pre_step(v: V<'_, '_>, path: &str, out: &mut Vec<PreStep>, depth: usize) -> Result<()> {
    if depth > MAX_DEPTH {
        return Err(too_deep(path));
    }
    match type_of(v, path)? {
        "Sequence" => {
            for (i, p) in list(v, "pretokenizers", path)?.iter().enumerate() {
                pre_step(p, &format!("{path}.pretokenizers[{i}]"), out, depth + 1)?;
            }
        }
        "ByteLevel" => out.push(PreStep::ByteLevel {
            add_prefix_space: bool_field(v, "add_prefix_space", path, true)?,
            use_regex: bool_field(v, "use_regex", path, true)?,
        }),
        "Split" => {
            let pattern_path = format!("{path}.pattern");
            let pattern_value = opt_object(v, "pattern", path)?.ok_or_else(|| bad(&pattern_path, "missing".into()))?;
            let pattern = if let Some(re) = opt_str(pattern_value, "Regex", &pattern_path)? {
                re.to_string()
            } else if let Some(s) = opt_str(pattern_value, "String", &pattern_path)? {
                if s.is_empty() {
                    return Err(unsupported("Split on an empty string".into()));
                }
                crate::pretokenize::escape(s)
            } else {
                return Err(bad(&pattern_path, "must be {\"Regex\": ...} or {\"String\": ...}".into()));
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

fn added_tokens(v: Option<V<'_, '_>>) -> Result<Vec<AddedSpec>> {
    let path = "$.added_tokens";
    let Some(v) = v else { return Ok(Vec::new()) };
    let items = v.as_array().ok_or_else(|| bad(path, "must be a list".into()))?;
    let mut out = Vec::with_capacity(items.len());
    for (i, t) in items.iter().enumerate() {
        let p = format!("{path}[{i}]");
        if !t.is_object() {
            return Err(bad(&p, "must be an object".into()));
        }
        // An empty content is ignored, as `tokenizers` does.
        let content = str_field(t, "content", &p)?;
        let special = bool_field(t, "special", &p, false)?;
        out.push(AddedSpec {
            id: id_of(required(t, "id", &p)?, || format!("{p}.id"))?,
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

fn post_processor(v: Option<V<'_, '_>>, path: &str) -> Result<Vec<PostStep>> {
    let Some(v) = v else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    post_step(v, path, &mut out, 0)?;
    Ok(out)
}

fn post_step(v: V<'_, '_>, path: &str, out: &mut Vec<PostStep>, depth: usize) -> Result<()> {
    if depth > MAX_DEPTH {
        return Err(too_deep(path));
    }
    match type_of(v, path)? {
        // ByteLevel only trims offsets: ids are unchanged.
        "ByteLevel" => {}
        "Sequence" => {
            for (i, p) in list(v, "processors", path)?.iter().enumerate() {
                post_step(p, &format!("{path}.processors[{i}]"), out, depth + 1)?;
            }
        }
        "TemplateProcessing" => {
            let single = list(v, "single", path)?;
            let specials = opt_object(v, "special_tokens", path)?;
            let (mut before, mut after, mut seen_sequence) = (Vec::new(), Vec::new(), false);
            for (i, piece) in single.iter().enumerate() {
                let p = format!("{path}.single[{i}]");
                if piece.get("Sequence").is_some() {
                    if seen_sequence {
                        return Err(bad(&p, "the single template holds the sequence twice".into()));
                    }
                    seen_sequence = true;
                } else if let Some(special) = piece.get("SpecialToken") {
                    let name = str_field(special, "id", &format!("{p}.SpecialToken"))?;
                    let entry = specials
                        .and_then(|s| s.get(name))
                        .ok_or_else(|| bad(&format!("{path}.special_tokens"), format!("no entry for {name:?}")))?;
                    let ids = list(entry, "ids", &format!("{path}.special_tokens[{name:?}]"))?;
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
                let pair = list(v, key, path).map_err(|_| bad(&format!("{path}.{key}"), "must be [token, id]".into()))?;
                match (pair.len(), pair.get(1)) {
                    (2, Some(id)) => id_of(id, || format!("{path}.{key}[1]")),
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
fn decoder(v: Option<V<'_, '_>>, path: &str) -> Result<bool> {
    let Some(v) = v else { return Ok(false) };
    match type_of(v, path)? {
        "ByteLevel" => Ok(true),
        other => Err(unsupported(format!("decoder {other:?}"))),
    }
}
