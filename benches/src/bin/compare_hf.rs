//! Hugging Face tokenizer.json models side by side: tokfare's native engine against the
//! `tokenizers` crate (the reference), in one process, on the same documents.
//!
//!     cargo run --release -p tokfare-benches --bin compare_hf -- HF_DIR [--rounds N]
//!
//! HF_DIR holds <model>/tokenizer.json (the oracle's hf/ folder). Both peers keep a
//! cache of merged words across calls (tokenizers' BPE cache, tokfare's merge cache),
//! so the first round over the corpus (nothing seen before) is reported next to the
//! median of the later rounds. Ids are checked equal on every document first.

use std::path::PathBuf;
use std::time::{Duration, Instant};
use tokfare_benches::{corpus, documents};

fn time<R>(f: impl FnOnce() -> R) -> (Duration, R) {
    let start = Instant::now();
    let r = f();
    (start.elapsed(), r)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Times 5 loads of `bytes` by each side, prints the table row, returns both tokenizers.
fn load_row(model: &str, label: &str, bytes: &[u8]) -> (tokfare::hf::Tokenizer, tokenizers::Tokenizer) {
    let ours: Vec<Duration> =
        (0..5).map(|_| time(|| tokfare::hf::Tokenizer::from_bytes(model, bytes.to_vec()).expect("loads")).0).collect();
    let theirs: Vec<Duration> = (0..5).map(|_| time(|| tokenizers::Tokenizer::from_bytes(bytes).expect("loads")).0).collect();
    let tok = tokfare::hf::Tokenizer::from_bytes(model, bytes.to_vec()).expect("loads");
    let reference = tokenizers::Tokenizer::from_bytes(bytes).expect("loads");
    println!(
        "| {label} | {:.1} MB | {:.1} ms | {:.1} ms | {} |",
        bytes.len() as f64 / 1e6,
        median(ours).as_secs_f64() * 1e3,
        median(theirs).as_secs_f64() * 1e3,
        tok.engine()
    );
    (tok, reference)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = PathBuf::from(args.first().expect("usage: compare_hf HF_DIR [--rounds N]"));
    let rounds: usize = args.iter().skip_while(|a| *a != "--rounds").nth(1).map_or(5, |n| n.parse().expect("--rounds N"));
    let corpus = corpus();
    let docs: Vec<&str> = corpus.iter().flat_map(|(_, t)| documents(t, 8192)).collect();
    let total: usize = docs.iter().map(|d| d.len()).sum();
    let mbps = |d: Duration| total as f64 / 1e6 / d.as_secs_f64();

    println!("## Load time of tokenizer.json (median of 5 loads)\n");
    println!("| model | file size | tokfare | tokenizers 0.23 | engine |\n|---|---|---|---|---|");
    let models = ["llama3", "qwen3", "deepseek_v3", "gpt4o"];
    let mut loaded = Vec::new();
    for model in models {
        let path = dir.join(model).join("tokenizer.json");
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let (tok, reference) = load_row(model, model, &bytes);
        loaded.push((model, tok, reference));
    }
    // The same Llama 3 tokenizer as `tokenizers` 0.23 saves it (indented, merges as
    // pairs): a bigger file of the same content, checked to give the same ids.
    let (_, llama3, llama3_reference) = &loaded[0];
    let saved = llama3_reference.to_string(true).expect("serialises").into_bytes();
    let resaved = tokfare::hf::Tokenizer::from_bytes("llama3", saved.clone()).expect("loads");
    let same = docs.iter().all(|d| resaved.encode(d, false).ok() == llama3.encode(d, false).ok());
    load_row("llama3", &format!("llama3 saved by tokenizers 0.23 (indented, pair merges; ids equal: {same})"), &saved);

    println!("\n## Encode, single thread, whole corpus as {} documents of <= 8 KiB ({:.1} MB), MB/s\n", docs.len(), total as f64 / 1e6);
    println!("| model | tokfare first round | tokfare median of {rounds} | tokenizers first round | tokenizers median | tokfare / tokenizers (median) | ids equal |");
    println!("|---|---|---|---|---|---|---|");
    for (model, tok, reference) in &loaded {
        // Parity first (this also warms nothing: it runs on fresh clones below).
        let equal =
            docs.iter().all(|d| tok.encode(d, false).expect("encode") == reference.encode_fast(*d, false).expect("encode").get_ids());
        let tok = tok.clone();
        let reference = reference.clone();
        let ours_round = || time(|| docs.iter().map(|d| tok.encode(d, false).expect("encode").len()).sum::<usize>()).0;
        let theirs_round = || time(|| docs.iter().map(|d| reference.encode_fast(*d, false).expect("encode").len()).sum::<usize>()).0;
        // tokfare's merge cache is per thread: a fresh thread starts it empty.
        let ours_first = std::thread::scope(|s| s.spawn(ours_round).join().expect("no panic"));
        let theirs_first = theirs_round();
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            ours.push(ours_round());
            theirs.push(theirs_round());
        }
        let (o, t) = (mbps(median(ours)), mbps(median(theirs)));
        println!("| {model} | {:.1} | {o:.1} | {:.1} | {t:.1} | {:.1}× | {equal} |", mbps(ours_first), mbps(theirs_first), o / t);
    }
}
