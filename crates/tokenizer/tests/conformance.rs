//! Runs the shared conformance vectors (conformance/, generated from the official
//! tiktoken by conformance/generate.py) against the core.

use serde_json::Value;
use tokfare_tokenizer::{get_encoding, Rank, SpecialSet};

fn rows(name: &str) -> Vec<Value> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../conformance").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines().map(|l| serde_json::from_str(l).expect("valid JSON line")).collect()
}

fn ids(v: &Value) -> Vec<Rank> {
    v.as_array().expect("ids array").iter().map(|x| x.as_u64().expect("id") as Rank).collect()
}

/// A special-token argument as the vectors write it: `"all"` (`None`) or a list.
fn special_arg(v: &Value) -> Option<Vec<&str>> {
    match v {
        Value::String(s) if s == "all" => None,
        v => Some(v.as_array().expect("\"all\" or a list").iter().map(|x| x.as_str().expect("string")).collect()),
    }
}

#[test]
fn ordinary_vectors() {
    let rows = rows("tokenize/ordinary.jsonl");
    assert!(rows.len() > 3000);
    for row in &rows {
        let enc = get_encoding(row["encoding"].as_str().expect("encoding")).expect("built-in encoding");
        let text = row["text"].as_str().expect("text");
        let expected = ids(&row["ids"]);
        let context = || format!("{} on {text:?}", enc.name());
        assert_eq!(enc.encode_ordinary(text), expected, "{}", context());
        assert_eq!(enc.count(text), expected.len(), "count: {}", context());
        assert_eq!(enc.count_until(text, expected.len()), Some(expected.len()), "{}", context());
        if !expected.is_empty() {
            assert_eq!(enc.count_until(text, expected.len() - 1), None, "{}", context());
        }
        assert_eq!(enc.decode_bytes(&expected).expect("known ids"), text.as_bytes(), "{}", context());
        let (with_offsets, offsets) = enc.encode_ordinary_with_offsets(text);
        assert_eq!(with_offsets, expected, "{}", context());
        for (i, &id) in expected.iter().enumerate() {
            let bytes = enc.decode_single_token_bytes(id).expect("known id");
            assert_eq!(&text.as_bytes()[offsets[i]..offsets[i] + bytes.len()], bytes, "offsets: {}", context());
        }
    }
}

#[test]
fn special_token_vectors() {
    let rows = rows("tokenize/special.jsonl");
    assert!(rows.len() > 400);
    for row in &rows {
        let enc = get_encoding(row["encoding"].as_str().expect("encoding")).expect("built-in encoding");
        let text = row["text"].as_str().expect("text");
        let allowed_list = special_arg(&row["allowed_special"]);
        let disallowed_list = special_arg(&row["disallowed_special"]);
        let allowed = allowed_list.as_deref().map_or(SpecialSet::All, SpecialSet::Some);
        let disallowed = disallowed_list.as_deref().map_or(SpecialSet::All, SpecialSet::Some);
        let got = enc.encode(text, allowed, disallowed);
        let context = format!("{} on {text:?} allowed={} disallowed={}", enc.name(), row["allowed_special"], row["disallowed_special"]);
        match row.get("ids") {
            Some(expected) => {
                let expected = ids(expected);
                assert_eq!(got.as_ref().ok(), Some(&expected), "{context}");
                assert_eq!(enc.count_with_special(text, allowed, disallowed).ok(), Some(expected.len()), "{context}");
            }
            None => {
                let err = got.expect_err(&context);
                assert_eq!(err.code(), row["error"].as_str().expect("error code"), "{context}");
            }
        }
    }
}

#[test]
fn decode_error_vectors() {
    for row in rows("errors.jsonl") {
        let enc = get_encoding(row["encoding"].as_str().expect("encoding")).expect("built-in encoding");
        let decode = ids(&row["decode"]);
        let code = row.get("error").and_then(Value::as_str);
        match (row.get("bytes_hex").and_then(Value::as_str), code) {
            (Some(hex), code) => {
                let bytes = enc.decode_bytes(&decode).expect("bytes decode fine");
                let as_hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                assert_eq!(as_hex, hex, "{} decode {decode:?}", enc.name());
                if let Some(code) = code {
                    assert_eq!(enc.decode(&decode).expect_err("not UTF-8").code(), code);
                    assert!(enc.decode_lossy(&decode).expect("lossy").contains('\u{fffd}'));
                } else {
                    assert_eq!(enc.decode(&decode).expect("text").as_bytes(), bytes);
                }
            }
            (None, Some(code)) => {
                assert_eq!(enc.decode(&decode).expect_err("must fail").code(), code);
                assert_eq!(enc.decode_bytes(&decode).expect_err("unknown").code(), code);
            }
            (None, None) => panic!("row without expectation: {row}"),
        }
    }
}

#[test]
fn model_vectors() {
    let rows = rows("models.jsonl");
    assert!(rows.len() > 100);
    for row in rows {
        let model = row["model"].as_str().expect("model");
        match row.get("encoding").and_then(Value::as_str) {
            Some(encoding) => {
                assert_eq!(tokfare_tokenizer::encoding_name_for_model(model).ok(), Some(encoding), "{model}");
                assert_eq!(tokfare_tokenizer::encoding_for_model(model).expect("maps").name(), encoding);
            }
            None => assert_eq!(tokfare_tokenizer::encoding_name_for_model(model).expect_err(model).code(), "unknown_model"),
        }
    }
}

#[test]
fn custom_encoding_vectors() {
    let base = get_encoding("cl100k_base").expect("built-in");
    let ranks: Vec<(Vec<u8>, Rank)> = base.mergeable_ranks().map(|(r, b)| (b.to_vec(), r)).collect();
    let mut cache: std::collections::HashMap<String, tokfare_tokenizer::Encoding> = Default::default();
    for row in rows("tokenize/custom.jsonl") {
        let pattern = row["pattern"].as_str().expect("pattern");
        let enc = cache.entry(pattern.to_string()).or_insert_with(|| {
            let specials = vec![("<|x|>".to_string(), 100300), ("<|y|>".to_string(), 100301)];
            tokfare_tokenizer::Encoding::new("custom", pattern, ranks.clone(), specials, None).expect("valid custom encoding")
        });
        assert_eq!(enc.engine(), "regex");
        let text = row["text"].as_str().expect("text");
        assert_eq!(enc.encode(text, SpecialSet::All, SpecialSet::None).expect("encodes"), ids(&row["ids"]), "{pattern} on {text:?}");
    }
}
