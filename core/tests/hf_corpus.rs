//! Hugging Face models: ids equal `tokenizers` 0.23 (`encode(text,
//! add_special_tokens=False)`) on the whole shared corpus, as 8 KiB documents and as
//! whole files, for the llama3, qwen3, gpt4o and deepseek_v3 `tokenizer.json` files.
//!
//! Expected ids come from `conformance/corpus_oracle.py OUT HF_DIR` into
//! `$TOKFARE_CORPUS_IDS/hf-<model>/`; the files from `$TOKFARE_HF_DIR/<model>/tokenizer.json`
//! (the oracle's `hf/` folder). CI sets `TOKFARE_REQUIRE_ORACLE=1`, which turns missing
//! data into a failure; without the oracle the test says it did nothing.
#![cfg(feature = "hf")]

use std::path::{Path, PathBuf};
use tokfare::hf::Tokenizer;

fn read_u32s(bytes: &[u8]) -> Vec<u32> {
    bytes.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes"))).collect()
}

fn dirs(model: &str) -> Option<(PathBuf, PathBuf)> {
    let ids = std::env::var_os("TOKFARE_CORPUS_IDS").map(|d| PathBuf::from(d).join(format!("hf-{model}")));
    let file = std::env::var_os("TOKFARE_HF_DIR").map(|d| PathBuf::from(d).join(model).join("tokenizer.json"));
    match (ids, file) {
        (Some(ids), Some(file)) if ids.is_dir() && file.is_file() => Some((ids, file)),
        (ids, file) => {
            assert!(
                std::env::var_os("TOKFARE_REQUIRE_ORACLE").is_none(),
                "TOKFARE_REQUIRE_ORACLE is set but the HF oracle is missing: ids {ids:?}, file {file:?}"
            );
            eprintln!("SKIPPED: HF corpus parity needs TOKFARE_CORPUS_IDS and TOKFARE_HF_DIR");
            None
        }
    }
}

fn check(model: &str) {
    let Some((ids_dir, file)) = dirs(model) else { return };
    let tok = Tokenizer::from_file(&file).expect("tokenizer.json loads natively");
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    let mut checked = 0;
    for entry in std::fs::read_dir(&ids_dir).expect("oracle dir") {
        let path = entry.expect("entry").path();
        let stem = path.file_stem().expect("file name").to_string_lossy().into_owned();
        let text = std::fs::read_to_string(corpus.join(format!("{stem}.txt"))).expect("corpus file");
        let words = read_u32s(&std::fs::read(&path).expect("oracle file"));
        let mut pos = 0;
        let mut docs: Vec<(&str, &[u32])> = Vec::new();
        while pos < words.len() {
            let (start, len, n) = (words[pos] as usize, words[pos + 1] as usize, words[pos + 2] as usize);
            docs.push((&text[start..start + len], &words[pos + 3..pos + 3 + n]));
            pos += 3 + n;
        }
        let texts: Vec<&str> = docs.iter().map(|(t, _)| *t).collect();
        let batch = tok.encode_batch(&texts, false).expect("encode");
        let counts = tok.count_batch(&texts).expect("count");
        for (i, (((doc, expected), ids), count)) in docs.iter().zip(&batch).zip(&counts).enumerate() {
            if ids.as_slice() != *expected {
                let at = ids.iter().zip(expected.iter()).position(|(a, b)| a != b).unwrap_or(ids.len().min(expected.len()));
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
