//! Shared set-up for tokfare's benchmarks: the corpus cut into documents exactly as
//! `conformance/corpus_oracle.py` does, and the peers behind one interface.

use std::path::PathBuf;

/// `../shared/corpus`, or `$TOKFARE_CORPUS`.
pub fn corpus_dir() -> PathBuf {
    std::env::var_os("TOKFARE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus")))
}

/// `(file stem, text)` of every corpus file, sorted by name.
pub fn corpus() -> Vec<(String, String)> {
    let dir = corpus_dir();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("corpus files are UTF-8");
            (p.file_stem().expect("name").to_string_lossy().into_owned(), text)
        })
        .collect()
}

/// Documents of at most `max_bytes`, cut at line ends (a longer line stands alone).
pub fn documents(text: &str, max_bytes: usize) -> Vec<&str> {
    let mut docs = Vec::new();
    let (mut start, mut pos) = (0, 0);
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        if end - start > max_bytes && pos > start {
            docs.push(&text[start..pos]);
            start = pos;
        }
        pos = end;
    }
    if start < text.len() {
        docs.push(&text[start..]);
    }
    docs
}

/// A tokenizing function: text in, number of tokens out.
pub type TokenizeFn = Box<dyn Fn(&str) -> usize + Sync>;

/// A tokenizer under test.
pub struct Peer {
    /// Name shown in tables.
    pub name: &'static str,
    /// Encode to ids (the ids are returned so the work cannot be optimised away).
    pub encode: TokenizeFn,
    /// Count only, where the peer has such an API.
    pub count: Option<TokenizeFn>,
}

/// tokfare, tiktoken-rs and bpe-openai for `encoding` (`cl100k_base` or `o200k_base`).
pub fn peers(encoding: &str) -> Vec<Peer> {
    let ours = tokfare::get_encoding(encoding).expect("built-in encoding");
    let ours2 = ours.clone();
    let tiktoken = match encoding {
        "cl100k_base" => tiktoken_rs::cl100k_base(),
        "o200k_base" => tiktoken_rs::o200k_base(),
        _ => panic!("no peers for {encoding}"),
    }
    .expect("tiktoken-rs loads");
    let bpe: &'static bpe_openai::Tokenizer = match encoding {
        "cl100k_base" => bpe_openai::cl100k_base(),
        _ => bpe_openai::o200k_base(),
    };
    #[allow(unused_mut)]
    let mut all = vec![
        Peer { name: "tokfare", encode: Box::new(move |t| ours.encode_ordinary(t).len()), count: Some(Box::new(move |t| ours2.count(t))) },
        Peer { name: "tiktoken-rs", encode: Box::new(move |t| tiktoken.encode_ordinary(t).len()), count: None },
        Peer { name: "bpe-openai", encode: Box::new(move |t| bpe.encode(t).len()), count: Some(Box::new(move |t| bpe.count(t))) },
    ];
    #[cfg(feature = "fastokens")]
    all.push(fastokens_peer(encoding));
    all
}

/// fastokens built from the same (official) ranks tokfare embeds.
#[cfg(feature = "fastokens")]
fn fastokens_peer(encoding: &str) -> Peer {
    let tokenizer = fastokens_tokenizer(encoding);
    Peer { name: "fastokens", encode: Box::new(move |t| tokenizer.encode_ordinary(t).expect("fastokens encodes").len()), count: None }
}

/// fastokens' ids for each document (a fresh tokenizer), to check it is exact here.
#[cfg(feature = "fastokens")]
pub fn fastokens_ids(encoding: &str, docs: &[&str]) -> Vec<Vec<u32>> {
    let tokenizer = fastokens_tokenizer(encoding);
    docs.iter().map(|d| tokenizer.encode_ordinary(d).expect("fastokens encodes")).collect()
}

#[cfg(feature = "fastokens")]
fn fastokens_tokenizer(encoding: &str) -> fastokens::Tokenizer {
    use base64::Engine as _;
    let ours = tokfare::get_encoding(encoding).expect("built-in encoding");
    let mut file = String::new();
    for (rank, bytes) in ours.mergeable_ranks() {
        file.push_str(&base64::engine::general_purpose::STANDARD.encode(bytes));
        file.push_str(&format!(" {rank}\n"));
    }
    let config = match encoding {
        "cl100k_base" => fastokens::TiktokenConfig::cl100k_base(),
        _ => fastokens::TiktokenConfig::o200k_base(),
    };
    fastokens::Tokenizer::from_tiktoken_str(&file, config).expect("fastokens loads")
}

/// Empties fastokens' per-thread pretoken caches (its own benchmark hook), so a first
/// pass is measured cold.
#[cfg(feature = "fastokens")]
pub fn reset_fastokens_caches() {
    fastokens::models::bpe::__bench_reset_thread_caches();
}
