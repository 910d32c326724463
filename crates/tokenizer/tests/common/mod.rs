//! The corpus oracle's files, shared by the corpus parity tests (`corpus.rs` for the
//! tiktoken encodings, `hf_corpus.rs` for tokenizer.json models).
//!
//! `conformance/corpus_oracle.py` writes, per corpus file, little-endian `u32` records
//! `start, len, n, id × n`: a document (`text[start..start + len]`, bytes) and the ids the
//! reference tokenizer gives it.

use std::path::{Path, PathBuf};

/// `dir` if it holds oracle data (`present`); otherwise `None` after saying the test did
/// nothing, or a failure where CI requires the oracle (`TOKFARE_REQUIRE_ORACLE`).
pub fn require(dir: Option<PathBuf>, present: bool, what: &str) -> Option<PathBuf> {
    if present {
        return dir;
    }
    assert!(std::env::var_os("TOKFARE_REQUIRE_ORACLE").is_none(), "TOKFARE_REQUIRE_ORACLE is set but {what} is missing ({dir:?})");
    eprintln!("SKIPPED: corpus parity needs {what}");
    None
}

/// One corpus file and its oracle records.
pub struct OracleFile {
    /// The corpus file's name without `.txt`.
    pub stem: String,
    pub text: String,
    words: Vec<u32>,
}

impl OracleFile {
    /// The documents with their expected ids.
    pub fn documents(&self) -> Vec<(&str, &[u32])> {
        let w = &self.words;
        let mut docs = Vec::new();
        let mut pos = 0;
        while pos < w.len() {
            let (start, len, n) = (w[pos] as usize, w[pos + 1] as usize, w[pos + 2] as usize);
            docs.push((&self.text[start..start + len], &w[pos + 3..pos + 3 + n]));
            pos += 3 + n;
        }
        docs
    }
}

/// Every oracle file in `ids_dir`, with its corpus text from `../shared/corpus`.
pub fn oracle_files(ids_dir: &Path) -> Vec<OracleFile> {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    std::fs::read_dir(ids_dir)
        .expect("oracle dir")
        .map(|entry| {
            let path = entry.expect("entry").path();
            let stem = path.file_stem().expect("file name").to_string_lossy().into_owned();
            let text = std::fs::read_to_string(corpus.join(format!("{stem}.txt"))).expect("corpus file");
            let bytes = std::fs::read(&path).expect("oracle file");
            let words = bytes.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes"))).collect();
            OracleFile { stem, text, words }
        })
        .collect()
}

/// Index of the first token where `ours` and `expected` differ.
pub fn first_difference(ours: &[u32], expected: &[u32]) -> usize {
    ours.iter().zip(expected).position(|(a, b)| a != b).unwrap_or(ours.len().min(expected.len()))
}
