//! Runs the Hugging Face conformance vectors (conformance/tokenize/hf*.jsonl, generated
//! from `tokenizers` by conformance/generate_hf.py) against the native engine.
//!
//! The tokenizer.json files come from `$TOKFARE_HF_DIR/<model>/tokenizer.json` (the
//! oracle's `hf/` folder); without them the test says it did nothing, and CI
//! (`TOKFARE_REQUIRE_ORACLE=1`) fails.
#![cfg(feature = "hf")]

use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;
use tokfare_tokenizer::hf::Tokenizer;
use tokfare_tokenizer::Rank;

fn rows(name: &str) -> Vec<Value> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../conformance/tokenize").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines().map(|l| serde_json::from_str(l).expect("valid JSON line")).collect()
}

fn ids(v: &Value) -> Vec<Rank> {
    v.as_array().expect("ids array").iter().map(|x| x.as_u64().expect("id") as Rank).collect()
}

fn hf_file(model: &str) -> Option<Vec<u8>> {
    let path = std::env::var_os("TOKFARE_HF_DIR").map(|d| PathBuf::from(d).join(model).join("tokenizer.json"));
    match path.as_ref().and_then(|p| std::fs::read(p).ok()) {
        Some(bytes) => Some(bytes),
        None => {
            assert!(std::env::var_os("TOKFARE_REQUIRE_ORACLE").is_none(), "TOKFARE_REQUIRE_ORACLE is set but {path:?} is missing");
            eprintln!("SKIPPED: the HF vectors need TOKFARE_HF_DIR/<model>/tokenizer.json");
            None
        }
    }
}

fn native(name: &str, json: Vec<u8>) -> Tokenizer {
    let tok = Tokenizer::native_from_bytes(name, json).expect("loads natively");
    assert!(tok.is_native());
    tok
}

fn check_case(tok: &Tokenizer, label: &str, row: &Value) {
    let text = row["text"].as_str().expect("text");
    let expected = ids(&row["ids"]);
    let got = match row["mode"].as_str().expect("mode") {
        "encode" => {
            let got = tok.encode(text, false).expect("encode");
            assert_eq!(tok.count(text).expect("count"), expected.len(), "{label} count of {text:?}");
            if !expected.is_empty() {
                assert_eq!(tok.count_until(text, expected.len() - 1).expect("count_until"), None);
            }
            assert_eq!(tok.count_until(text, expected.len()).expect("count_until"), Some(expected.len()));
            got
        }
        "encode+special" => tok.encode(text, true).expect("encode"),
        "ordinary" => tok.encode_ordinary(text).expect("encode_ordinary"),
        other => panic!("unknown mode {other}"),
    };
    assert_eq!(got, expected, "{label} {} of {text:?}", row["mode"]);
}

#[test]
fn model_vectors() {
    let mut tokenizers = HashMap::new();
    let mut checked = 0;
    for row in rows("hf.jsonl") {
        let model = row["model"].as_str().expect("model").to_string();
        if !tokenizers.contains_key(&model) {
            let Some(json) = hf_file(&model) else { return };
            tokenizers.insert(model.clone(), native(&model, json));
        }
        check_case(&tokenizers[&model], &model, &row);
        checked += 1;
    }
    assert!(checked > 2000);
}

#[test]
fn decode_vectors() {
    let mut tokenizers = HashMap::new();
    for row in rows("hf_decode.jsonl") {
        let model = row["model"].as_str().expect("model").to_string();
        if !tokenizers.contains_key(&model) {
            let Some(json) = hf_file(&model) else { return };
            tokenizers.insert(model.clone(), native(&model, json));
        }
        let tok = &tokenizers[&model];
        let skip = row["skip_special_tokens"].as_bool().expect("bool");
        assert_eq!(tok.decode(&ids(&row["ids"]), skip).expect("decode"), row["text"].as_str().expect("text"), "{model} {row}");
    }
}

/// Applies a vectors patch: each key a dotted path, replaced by its value.
fn patched(base: &[u8], patch: &Value) -> Vec<u8> {
    let mut spec: Value = serde_json::from_slice(base).expect("base file is JSON");
    for (path, value) in patch.as_object().expect("patch object") {
        let keys: Vec<&str> = path.split('.').collect();
        let mut node = &mut spec;
        for k in &keys[..keys.len() - 1] {
            node = &mut node[*k];
        }
        node[*keys.last().expect("a key")] = value.clone();
    }
    serde_json::to_vec(&spec).expect("serialises")
}

#[test]
fn variant_vectors() {
    let mut variants: HashMap<String, Tokenizer> = HashMap::new();
    let mut checked = 0;
    for row in rows("hf_variants.jsonl") {
        let name = row["variant"].as_str().expect("variant").to_string();
        if let Some(patch) = row.get("patch") {
            let Some(base) = hf_file(row["base"].as_str().expect("base")) else { return };
            variants.insert(name.clone(), native(&name, patched(&base, patch)));
            continue;
        }
        let tok = &variants[&name];
        if let Some(decode) = row.get("decode") {
            assert_eq!(tok.decode(&ids(decode), false).expect("decode"), row["text"].as_str().expect("text"), "{name}");
        } else {
            check_case(tok, &name, &row);
        }
        checked += 1;
    }
    assert!(checked > 1000);
}
