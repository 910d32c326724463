//! Behaviour of the public API beyond plain encoding: counting limits, truncation,
//! chunks, batches, custom encodings, errors, and long hostile inputs.

use tokfare_tokenizer::{get_encoding, Encoding, Error, SpecialSet};

const MIXED: &str = "The quick brown fox — 素早い茶色の狐 — jumps over 13 lazy dogs! 🦊🐕\n\n  Done.   ";

#[test]
fn count_until_stops_at_the_limit() {
    let enc = get_encoding("o200k_base").expect("built-in");
    let n = enc.count(MIXED);
    assert!(n > 10);
    assert_eq!(enc.count_until(MIXED, n), Some(n));
    assert_eq!(enc.count_until(MIXED, n + 100), Some(n));
    assert_eq!(enc.count_until(MIXED, n - 1), None);
    assert_eq!(enc.count_until(MIXED, 0), None);
    assert_eq!(enc.count_until("", 0), Some(0));
}

#[test]
fn truncate_keeps_a_prefix_within_the_limit() {
    for name in ["cl100k_base", "o200k_base", "r50k_base"] {
        let enc = get_encoding(name).expect("built-in");
        let full = enc.encode_ordinary(MIXED);
        for max in 0..=full.len() + 1 {
            let cut = enc.truncate(MIXED, max);
            assert!(MIXED.starts_with(cut));
            let ids = enc.encode_ordinary(cut);
            assert!(ids.len() <= max, "{name} max {max}: {cut:?} has {} tokens", ids.len());
            if max >= full.len() {
                assert_eq!(cut, MIXED);
            }
            // Cutting at a token boundary of the whole text keeps most of the budget.
            assert!(ids.len() + 3 >= max.min(full.len()), "{name} max {max}: only {} tokens in {cut:?}", ids.len());
        }
    }
}

#[test]
fn chunks_cover_the_text_and_respect_the_limit() {
    let text = MIXED.repeat(50);
    for name in ["cl100k_base", "o200k_base"] {
        let enc = get_encoding(name).expect("built-in");
        for max in [1, 2, 3, 7, 64, 1000, 100_000] {
            let chunks = match enc.chunks(&text, max) {
                Ok(c) => c,
                // A single emoji needs more than one token: refusing is the only honest answer.
                Err(Error::InvalidArgument { .. }) if max < 4 => continue,
                Err(e) => panic!("{name} {max}: {e}"),
            };
            assert_eq!(chunks.concat(), text);
            for c in &chunks {
                assert!(!c.is_empty() && enc.count(c) <= max, "{name} {max}: {c:?}");
            }
            let total: usize = chunks.iter().map(|c| enc.count(c)).sum();
            assert!(total <= enc.count(&text) + chunks.len(), "{name} {max}: re-encoding chunks should not inflate much");
        }
        assert!(matches!(enc.chunks(&text, 0), Err(Error::InvalidArgument { name: "max_tokens", .. })));
        assert_eq!(enc.chunks("", 5).expect("empty"), Vec::<&str>::new());
    }
}

#[test]
fn batches_equal_one_by_one() {
    let enc = get_encoding("cl100k_base").expect("built-in");
    let texts: Vec<String> = (0..200).map(|i| format!("{i}: {}", MIXED.repeat(i % 7))).collect();
    let one_by_one: Vec<Vec<u32>> = texts.iter().map(|t| enc.encode_ordinary(t)).collect();
    assert_eq!(enc.encode_ordinary_batch(&texts), one_by_one);
    assert_eq!(enc.count_batch(&texts), one_by_one.iter().map(Vec::len).collect::<Vec<_>>());
    assert_eq!(enc.encode_batch(&texts, SpecialSet::None, SpecialSet::All).expect("no specials"), one_by_one);
    let with_special = vec!["fine".to_string(), "not <|endoftext|> fine".to_string()];
    assert_eq!(enc.encode_batch(&with_special, SpecialSet::None, SpecialSet::All).expect_err("refused").code(), "disallowed_special_token");
}

#[test]
fn offsets_point_at_each_token() {
    let enc = get_encoding("o200k_base").expect("built-in");
    let (ids, offsets) = enc.encode_ordinary_with_offsets(MIXED);
    assert_eq!(ids, enc.encode_ordinary(MIXED));
    assert_eq!(offsets[0], 0);
    assert!(offsets.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn special_tokens_follow_tiktoken_rules() {
    let enc = get_encoding("cl100k_base").expect("built-in");
    let err = enc.encode("a <|endoftext|> b", SpecialSet::None, SpecialSet::All).expect_err("refused");
    assert_eq!(err, Error::DisallowedSpecialToken { token: "<|endoftext|>".into(), offset: 2 });
    assert!(err.to_string().contains("<|endoftext|>"));
    // Allowing one special leaves the others refused.
    let err = enc.encode("<|endoftext|><|fim_prefix|>", SpecialSet::Some(&["<|endoftext|>"]), SpecialSet::All);
    assert_eq!(err.expect_err("fim refused").code(), "disallowed_special_token");
    assert_eq!(enc.encode("<|endoftext|>", SpecialSet::All, SpecialSet::All).expect("allowed"), vec![100257]);
    assert_eq!(enc.encode_single_token(b"<|endoftext|>").expect("special"), 100257);
    assert_eq!(enc.encode_single_token(b"hello").expect("ordinary"), 15339);
    assert_eq!(enc.encode_single_token(b"hello world").expect_err("two tokens").code(), "not_a_single_token");
    assert!(enc.is_special_token(100257) && !enc.is_special_token(15339));
    assert_eq!(enc.eot_token(), Some(100257));
    assert_eq!(enc.decode_single_token_bytes(100257).expect("special"), b"<|endoftext|>");
    assert_eq!(enc.n_vocab(), 100277);
    assert_eq!(get_encoding("o200k_harmony").expect("built-in").n_vocab(), 201088);
}

#[test]
fn unknown_names_are_typed_errors() {
    let err = get_encoding("cl200k").expect_err("unknown");
    assert_eq!(err.code(), "unknown_encoding");
    assert!(err.to_string().contains("cl100k_base"), "lists the known names: {err}");
    assert_eq!(tokfare_tokenizer::encoding_for_model("claude-3").expect_err("unknown").code(), "unknown_model");
    assert_eq!(tokfare_tokenizer::text_from_utf8(b"ok\xff").expect_err("invalid").code(), "invalid_input_utf8");
}

#[test]
fn custom_encodings_from_rank_files_and_their_errors() {
    // A tiny byte-level vocabulary in .tiktoken form: all 256 bytes plus "ab" and "abc".
    use base64::Engine as _;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let mut file = String::new();
    for b in 0..=255u8 {
        file.push_str(&format!("{} {b}\n", b64(&[b])));
    }
    file.push_str(&format!("{} 256\n{} 257\n", b64(b"ab"), b64(b"abc")));
    let specials = vec![("<|end|>".to_string(), 300)];
    let enc = Encoding::from_tiktoken_bytes("tiny", file.as_bytes(), r"\w+|\s+|[^\w\s]+", specials.clone()).expect("valid");
    assert_eq!(enc.encode_ordinary("abc ab"), vec![257, 32, 256]);
    assert_eq!(enc.encode("abc<|end|>", SpecialSet::All, SpecialSet::None).expect("ok"), vec![257, 300]);
    assert_eq!(enc.n_vocab(), 301);

    // Patterns that match the empty string, or do not cover the text, are fine:
    // empty matches carry no tokens, uncovered text is dropped (as in tiktoken).
    for (pattern, text, expected) in [("a*", "aab b", vec![97, 97]), ("", "abc", vec![]), ("b", "abcb", vec![98, 98])] {
        let enc = Encoding::from_tiktoken_bytes("odd", file.as_bytes(), pattern, vec![]).expect("valid");
        assert_eq!(enc.encode_ordinary(text), expected, "{pattern:?} on {text:?}");
        assert_eq!(enc.count(text), expected.len());
    }

    let bad = |r: tokfare_tokenizer::Result<Encoding>| r.expect_err("must fail").code();
    assert_eq!(bad(Encoding::from_tiktoken_bytes("x", b"!!! 0\n", "a", vec![])), "invalid_rank_file");
    assert_eq!(bad(Encoding::from_tiktoken_bytes("x", file.as_bytes(), "(unclosed", vec![])), "invalid_pattern");
    assert_eq!(bad(Encoding::from_tiktoken_bytes("x", file.as_bytes(), "a", vec![("<|c|>".into(), 257)])), "invalid_vocabulary");
    assert_eq!(bad(Encoding::new("x", "a", vec![(b"a".to_vec(), 0)], vec![], None)), "invalid_vocabulary");
    let all: Vec<(Vec<u8>, u32)> = (0..=255u8).map(|b| (vec![b], b as u32)).collect();
    assert_eq!(bad(Encoding::new("x", "a", all.clone(), vec![], Some(300))), "invalid_vocabulary");
    assert!(Encoding::new("x", "a", all, vec![], Some(256)).is_ok());
}

#[test]
fn long_single_words_take_the_linear_path_and_stay_exact() {
    // Pieces over 64 bytes take the heap-based merge; its ids are checked against
    // tiktoken by the adversarial conformance vectors and against tiktoken's own
    // algorithm in the bpe unit tests. Here: long inputs round-trip and count agrees.
    let enc = get_encoding("o200k_base").expect("built-in");
    for unit in ["a", "😀", "ab", "\u{301}", "1"] {
        let text = unit.repeat(200_000 / unit.len());
        let ids = enc.encode_ordinary(&text);
        assert_eq!(enc.decode_bytes(&ids).expect("known ids"), text.as_bytes());
        assert_eq!(enc.count(&text), ids.len());
    }
}

#[test]
fn encode_bytes_takes_bytes_that_are_not_utf8() {
    // tiktoken's own test of `_encode_bytes` (tests/test_encoding.py): a space and a
    // Hangul syllable cut short is one token in cl100k_base.
    let enc = get_encoding("cl100k_base").expect("built-in");
    assert_eq!(enc.encode_bytes(b" \xec\x8b\xa4\xed"), [62085]);
    for i in 0..10 {
        let bytes = vec![0x80; i];
        assert_eq!(enc.decode_bytes(&enc.encode_bytes(&bytes)).expect("decodes"), bytes);
    }
    assert_eq!(enc.encode_bytes("valid text".as_bytes()), enc.encode_ordinary("valid text"));
}
