//! Hugging Face models: ids equal `tokenizers` 0.23 (`encode(text,
//! add_special_tokens=False)`) on the whole shared corpus, as 8 KiB documents and as
//! whole files, for the llama3, qwen3, gpt4o and deepseek_v3 `tokenizer.json` files.
//!
//! Expected ids come from `conformance/corpus_oracle.py OUT HF_DIR` into
//! `$TOKFARE_CORPUS_IDS/hf-<model>/`; the files from `$TOKFARE_HF_DIR/<model>/tokenizer.json`
//! (the oracle's `hf/` folder). CI sets `TOKFARE_REQUIRE_ORACLE=1`, which turns missing
//! data into a failure; without the oracle the test says it did nothing.
#![cfg(feature = "hf")]

use tokfare_tokenizer::hf::Tokenizer;

mod common;

fn check(model: &str) {
    let ids = std::env::var_os("TOKFARE_CORPUS_IDS").map(|d| std::path::PathBuf::from(d).join(format!("hf-{model}")));
    let file = std::env::var_os("TOKFARE_HF_DIR").map(|d| std::path::PathBuf::from(d).join(model).join("tokenizer.json"));
    let present = ids.as_ref().is_some_and(|d| d.is_dir()) && file.as_ref().is_some_and(|f| f.is_file());
    let what = format!("TOKFARE_CORPUS_IDS and TOKFARE_HF_DIR (the HF oracle; file {file:?})");
    let Some(ids_dir) = common::require(ids, present, &what) else { return };
    let tok = Tokenizer::from_file(file.expect("present")).expect("tokenizer.json loads natively");
    let mut checked = 0;
    for oracle in common::oracle_files(&ids_dir) {
        let (stem, docs) = (&oracle.stem, oracle.documents());
        let texts: Vec<&str> = docs.iter().map(|(t, _)| *t).collect();
        let batch = tok.encode_batch(&texts, false).expect("encode");
        let counts = tok.count_batch(&texts).expect("count");
        for (i, (((doc, expected), ids), count)) in docs.iter().zip(&batch).zip(&counts).enumerate() {
            if ids.as_slice() != *expected {
                let at = common::first_difference(ids, expected);
                let near = |v: &[u32]| tok.decode(&v[at.saturating_sub(3)..(at + 3).min(v.len())], false).unwrap_or_default();
                panic!(
                    "{model} {stem} document {i}: first difference at token {at}: ours {:?} {:?}, tokenizers {:?} {:?}",
                    ids.get(at..at + 5),
                    near(ids),
                    expected.get(at..at + 5),
                    near(expected)
                );
            }
            assert_eq!(*count, expected.len(), "{model} {stem} document {i} count");
            if i % 16 == 0 {
                assert_eq!(tok.decode(ids, false).expect("decode"), *doc, "{model} {stem} document {i} round trip");
            }
            checked += 1;
        }
    }
    assert!(checked >= 7 * 200, "only {checked} documents checked");
}

#[test]
fn llama3_equals_tokenizers_on_the_corpus() {
    check("llama3");
}

#[test]
fn qwen3_equals_tokenizers_on_the_corpus() {
    check("qwen3");
}

#[test]
fn gpt4o_equals_tokenizers_on_the_corpus() {
    check("gpt4o");
}

#[test]
fn deepseek_v3_equals_tokenizers_on_the_corpus() {
    check("deepseek_v3");
}
