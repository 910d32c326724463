//! Malformed and hostile tokenizer.json files: a precise error (with the JSON path of
//! the bad field), never a panic, whatever the bytes.
#![cfg(feature = "hf")]

use proptest::prelude::*;
use serde_json::{json, Value};
use tokfare_tokenizer::hf::Tokenizer;
use tokfare_tokenizer::Error;

/// GPT-2's byte-level alphabet: the character standing for byte `b`.
fn byte_char(b: u8) -> char {
    let printable = (0x21..=0x7e).contains(&b) || (0xa1..=0xac).contains(&b) || b >= 0xae;
    if printable {
        b as char
    } else {
        let n = (0..b).filter(|&x| !((0x21..=0x7e).contains(&x) || (0xa1..=0xac).contains(&x) || x >= 0xae)).count();
        char::from_u32(256 + n as u32).expect("valid")
    }
}

/// A small, valid byte-level BPE file: 256 byte tokens, merges for "he", "ll", "hell",
/// "hello", " w", an added special token.
fn small() -> Value {
    let mut vocab = serde_json::Map::new();
    for b in 0..=255u8 {
        vocab.insert(byte_char(b).to_string(), json!(b));
    }
    let sp = byte_char(b' ');
    for (i, t) in ["he", "ll", "hell", "hello", &format!("{sp}w")].iter().enumerate() {
        vocab.insert(t.to_string(), json!(256 + i));
    }
    json!({
        "version": "1.0",
        "added_tokens": [{"id": 261, "content": "<|end|>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
        "normalizer": null,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": tokfare_tokenizer::pretokenize::patterns::LLAMA3}, "behavior": "Isolated", "invert": false},
            {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]},
        "post_processor": null,
        "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
        "model": {"type": "BPE", "dropout": null, "unk_token": null, "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
                  "vocab": vocab, "merges": ["h e", "l l", "he ll", ["hell", "o"], format!("{sp} w")]}
    })
}

fn load(v: &Value) -> Result<Tokenizer, Error> {
    Tokenizer::native_from_bytes("test", serde_json::to_vec(v).expect("serialises"))
}

fn path_of(e: Error) -> String {
    match e {
        Error::InvalidTokenizerFile { path, .. } => path,
        other => panic!("expected InvalidTokenizerFile, got {other:?}"),
    }
}

#[test]
fn the_small_file_works() {
    let tok = load(&small()).expect("valid");
    assert_eq!(
        tok.encode("hello world<|end|>", false).expect("encode"),
        vec![259, 260, b'o' as u32, b'r' as u32, b'l' as u32, b'd' as u32, 261]
    );
    assert_eq!(tok.decode(&[259, 260], false).expect("decode"), "hello w");
    assert_eq!(tok.encode_ordinary("<|end|>").expect("encode").len(), 7);
}

#[test]
fn a_vocabulary_key_written_twice_keeps_its_last_id() {
    // tokenizers 0.23 reads `model.vocab` as a map: the later entry wins (checked:
    // `"ab": 256, "ab": 300` with merge "a b" encodes "ab" as [300]).
    let text = String::from_utf8(serde_json::to_vec(&small()).expect("serialises")).expect("utf-8");
    let twice = text.replacen("\"hello\":259", "\"hello\":259,\"hello\":262", 1);
    assert_ne!(twice, text);
    let tok = Tokenizer::native_from_bytes("test", twice.into_bytes()).expect("valid");
    assert_eq!(tok.encode("hello", false).expect("encode"), vec![262]);
    assert_eq!(tok.decode(&[262], false).expect("decode"), "hello");
}

#[test]
fn bad_fields_name_their_path() {
    type Mutation = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Mutation)> = vec![
        ("$.model.merges[2]", Box::new(|v| v["model"]["merges"][2] = json!("he zz"))),
        ("$.model.merges[1]", Box::new(|v| v["model"]["merges"][1] = json!("l l l"))),
        ("$.model.merges[0]", Box::new(|v| v["model"]["merges"][0] = json!(7))),
        ("$.model.merges", Box::new(|v| v["model"]["merges"] = json!({}))),
        ("$.model.vocab[\"he\"]", Box::new(|v| v["model"]["vocab"]["he"] = json!(1u64 << 40))),
        ("$.model.vocab[\"he\"]", Box::new(|v| v["model"]["vocab"]["he"] = json!(-1))),
        ("$.model.vocab[\"he\"]", Box::new(|v| v["model"]["vocab"]["he"] = json!("256"))),
        ("$.model.vocab", Box::new(|v| v["model"]["vocab"]["ll"] = json!(256))),
        ("$.model", Box::new(|v| v.as_object_mut().expect("object").remove("model").map(|_| ()).unwrap_or(()))),
        ("$.added_tokens[0].id", Box::new(|v| v["added_tokens"][0]["id"] = json!(null))),
        ("$.added_tokens[0].special", Box::new(|v| v["added_tokens"][0]["special"] = json!("yes"))),
        ("$.pre_tokenizer.pretokenizers[0].behavior", Box::new(|v| v["pre_tokenizer"]["pretokenizers"][0]["behavior"] = json!("Sideways"))),
        (
            "$.pre_tokenizer.pretokenizers[0].pattern",
            Box::new(|v| v["pre_tokenizer"]["pretokenizers"][0]["pattern"] = json!({"Glob": "*"})),
        ),
        ("$", Box::new(|v| *v = json!([1, 2, 3]))),
    ];
    for (expected, mutate) in cases {
        let mut v = small();
        mutate(&mut v);
        let err = load(&v).expect_err(expected);
        assert_eq!(path_of(err), expected);
    }
}

#[test]
fn unsupported_features_say_what_they_are() {
    let mut v = small();
    v["model"]["type"] = json!("Unigram");
    assert!(matches!(load(&v), Err(Error::UnsupportedTokenizer(m)) if m.contains("Unigram")));
    let mut v = small();
    v["normalizer"] = json!({"type": "Lowercase"});
    assert!(matches!(load(&v), Err(Error::UnsupportedTokenizer(m)) if m.contains("Lowercase")));
    let mut v = small();
    v["model"]["vocab"].as_object_mut().expect("object").remove(&byte_char(0).to_string());
    assert!(matches!(load(&v), Err(Error::UnsupportedTokenizer(m)) if m.contains("256 byte tokens")));
    let mut v = small();
    v["pre_tokenizer"] = json!({"type": "Whitespace"});
    assert!(matches!(load(&v), Err(Error::UnsupportedTokenizer(_))));
}

#[test]
fn deep_nesting_and_garbage_are_errors() {
    let mut nested = json!({"type": "ByteLevel"});
    for _ in 0..100 {
        nested = json!({"type": "Sequence", "pretokenizers": [nested]});
    }
    let mut v = small();
    v["pre_tokenizer"] = nested;
    assert!(matches!(load(&v), Err(Error::InvalidTokenizerFile { .. })));
    for bytes in [&b""[..], b"{", b"null", b"\xff\xfe", &[b'['; 200_000][..]] {
        assert!(
            matches!(Tokenizer::native_from_bytes("x", bytes.to_vec()), Err(Error::InvalidTokenizerFile { .. })),
            "{:?}",
            &bytes[..bytes.len().min(8)]
        );
    }
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(Tokenizer::native_from_bytes("x", deep.into_bytes()).is_err());
    // 50 MB of `[`: refused by the nesting check before a tape node is built (it took
    // 1.58 GB before), with the reason.
    match Tokenizer::native_from_bytes("x", vec![b'['; 50 << 20]) {
        Err(Error::InvalidTokenizerFile { reason, .. }) => assert!(reason.contains("nested more than 128 deep"), "{reason}"),
        other => panic!("{:?}", other.map(|_| ())),
    }
}

#[test]
fn every_truncation_is_an_error() {
    let bytes = serde_json::to_vec(&small()).expect("serialises");
    for cut in (0..bytes.len()).step_by(bytes.len() / 300 + 1) {
        let result = Tokenizer::native_from_bytes("x", bytes[..cut].to_vec());
        assert!(matches!(result, Err(Error::InvalidTokenizerFile { .. })), "cut at {cut}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    /// Random byte edits: any result but a panic; a file that loads also tokenizes.
    #[test]
    fn mutations_never_panic(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let mut bytes = serde_json::to_vec(&small()).expect("serialises");
        for (at, b) in edits {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        if let Ok(tok) = Tokenizer::native_from_bytes("x", bytes) {
            let ids = tok.encode("hello world <|end|> \u{1F600}", true).expect("encode");
            let _ = tok.decode(&ids, false);
        }
    }
}

#[test]
fn a_file_far_larger_than_any_tokenizer_json_is_refused_before_it_is_read() {
    // A sparse file: 1 GiB and a byte on paper, nothing on disk.
    let path = std::env::temp_dir().join(format!("tokfare-huge-tokenizer-{}.json", std::process::id()));
    std::fs::File::create(&path).and_then(|f| f.set_len((1 << 30) + 1)).expect("sparse file");
    match Tokenizer::from_file(&path) {
        Err(Error::InvalidTokenizerFile { reason, .. }) => assert!(reason.contains("may be at most 1024 MiB"), "{reason}"),
        other => panic!("{:?}", other.map(|_| ())),
    }
    let _ = std::fs::remove_file(&path);
}
