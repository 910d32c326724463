//! Ids equal the official tiktoken on the whole shared corpus, as 8 KiB documents
//! and as whole files, for cl100k_base and o200k_base (and Anthropic's legacy `claude`
//! against tiktoken's `Encoding` built from its claude.json).
//!
//! Expected ids are produced by `conformance/corpus_oracle.py` (see `.ci/run`) into
//! `$TOKFARE_CORPUS_IDS`. CI sets `TOKFARE_REQUIRE_ORACLE=1`, which turns missing data
//! into a failure; a developer without the oracle sees the test say it did nothing.

mod common;

fn check(encoding: &str) {
    let ids = std::env::var_os("TOKFARE_CORPUS_IDS").map(std::path::PathBuf::from);
    let present = ids.as_ref().is_some_and(|d| d.join("o200k_base").is_dir());
    let Some(dir) = common::require(ids, present, "TOKFARE_CORPUS_IDS (run conformance/corpus_oracle.py)") else { return };
    let enc = tokfare_tokenizer::get_encoding(encoding).expect("built-in");
    let mut checked = 0;
    for file in common::oracle_files(&dir.join(encoding)) {
        let (stem, docs) = (&file.stem, file.documents());
        let texts: Vec<&str> = docs.iter().map(|(t, _)| *t).collect();
        let batch = enc.encode_ordinary_batch(&texts);
        let counts = enc.count_batch(&texts);
        for (i, ((doc, expected), ids)) in docs.iter().zip(&batch).enumerate() {
            if ids.as_slice() != *expected {
                let at = common::first_difference(ids, expected);
                panic!(
                    "{encoding} {stem} document {i}: first difference at token {at}: ours {:?} oracle {:?} near {:?}",
                    ids.get(at..at + 5),
                    expected.get(at..at + 5),
                    enc.decode_lossy(&ids[at.saturating_sub(3)..(at + 3).min(ids.len())])
                );
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

#[test]
fn corpus_parity_claude() {
    check("claude");
}
