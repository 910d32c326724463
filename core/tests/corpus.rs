//! Ids equal the official tiktoken on the whole shared corpus, as 8 KiB documents
//! and as whole files, for cl100k_base and o200k_base.
//!
//! Expected ids are produced by `conformance/corpus_oracle.py` (see `.ci/run`) into
//! `$TOKFARE_CORPUS_IDS`. CI sets `TOKFARE_REQUIRE_ORACLE=1`, which turns missing data
//! into a failure; a developer without the oracle sees the test say it did nothing.

use std::path::{Path, PathBuf};

fn read_u32s(bytes: &[u8]) -> Vec<u32> {
    bytes.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes"))).collect()
}

fn oracle_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("TOKFARE_CORPUS_IDS").map(PathBuf::from);
    let present = dir.as_ref().is_some_and(|d| d.join("o200k_base").is_dir());
    if !present {
        assert!(
            std::env::var_os("TOKFARE_REQUIRE_ORACLE").is_none(),
            "TOKFARE_REQUIRE_ORACLE is set but TOKFARE_CORPUS_IDS={dir:?} holds no oracle ids"
        );
        eprintln!("SKIPPED: corpus parity needs TOKFARE_CORPUS_IDS (run conformance/corpus_oracle.py)");
        return None;
    }
    dir
}

fn check(encoding: &str) {
    let Some(dir) = oracle_dir() else { return };
    let enc = tokfare::get_encoding(encoding).expect("built-in");
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir.join(encoding)).expect("oracle dir") {
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
        let batch = enc.encode_ordinary_batch(&texts);
        let counts = enc.count_batch(&texts);
        for (i, ((doc, expected), ids)) in docs.iter().zip(&batch).enumerate() {
            if ids.as_slice() != *expected {
                let at = ids.iter().zip(expected.iter()).position(|(a, b)| a != b).unwrap_or(ids.len().min(expected.len()));
                panic!("{encoding} {stem} document {i}: first difference at token {at}: ours {:?} oracle {:?} near {:?}",
                    ids.get(at..at + 5), expected.get(at..at + 5), enc.decode_lossy(&ids[at.saturating_sub(3)..(at + 3).min(ids.len())]));
            }
            assert_eq!(counts[i], expected.len(), "{encoding} {stem} document {i} count");
            assert_eq!(enc.encode_ordinary(doc).len(), expected.len());
            checked += 1;
        }
    }
    assert!(checked >= 7 * 200, "only {checked} documents checked");
}

#[test]
fn corpus_parity_cl100k_base() {
    check("cl100k_base");
}

#[test]
fn corpus_parity_o200k_base() {
    check("o200k_base");
}
