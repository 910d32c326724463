//! Tokenizes the corpus documents in a loop with tokfare only: a target for `perf record`.
//!
//!     cargo build --release -p tokfare-benches --bin profile_target
//!     perf record -g target/release/profile_target o200k_base encode 3
//!
//! Operations: encode, count, scan (pre-tokenization only), encode_batch, count_batch,
//! long (one 10 MB "word"). With `_fresh` appended (`encode_fresh`), every round uses a
//! new encoding of the same vocabulary, warmed up on one short text, as
//! `benches/python/compare.py` does: the merge cache then starts cold every round.

use tokfare_benches::{corpus, documents};

fn main() {
    let mut args = std::env::args().skip(1);
    let encoding = args.next().unwrap_or_else(|| "o200k_base".into());
    let op = args.next().unwrap_or_else(|| "encode".into());
    let (op, fresh) = match op.strip_suffix("_fresh") {
        Some(op) => (op.to_string(), true),
        None => (op, false),
    };
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(3);
    let only = args.next();
    let mut enc = tokfare::get_encoding(&encoding).expect("built-in encoding");
    if op == "long" {
        // One long "word": `profile_target o200k_base long 1 a` tokenizes 10 MB of `a`.
        let unit = only.unwrap_or_else(|| "a".into());
        let text = unit.repeat(10_000_000 / unit.len());
        let started = std::time::Instant::now();
        let n: usize = (0..rounds).map(|_| enc.encode_ordinary(&text).len()).sum();
        println!("{n} tokens, {:.2} s per round", started.elapsed().as_secs_f64() / rounds as f64);
        return;
    }
    let corpus = corpus();
    let docs: Vec<&str> =
        corpus.iter().filter(|(name, _)| only.as_ref().is_none_or(|o| o == name)).flat_map(|(_, t)| documents(t, 8192)).collect();
    let bytes: usize = docs.iter().map(|d| d.len()).sum();
    let mut total = 0;
    for round in 0..rounds {
        if fresh {
            let ranks: Vec<(Vec<u8>, u32)> = enc.mergeable_ranks().map(|(r, b)| (b.to_vec(), r)).collect();
            let specials: Vec<(String, u32)> = enc.special_tokens().map(|(s, r)| (s.to_string(), r)).collect();
            let new = tokfare::Encoding::new(enc.name(), enc.pattern(), ranks, specials, None).expect("same vocabulary");
            enc = std::sync::Arc::new(new);
            enc.encode_ordinary("Grüße, 世界! Привет.");
        }
        let started = std::time::Instant::now();
        // All documents at once on every core (rayon), against the loop of one thread.
        match op.as_str() {
            "encode_batch" => total += enc.encode_ordinary_batch(&docs).len(),
            "count_batch" => total += enc.count_batch(&docs).iter().sum::<usize>(),
            _ => {}
        }
        for d in docs.iter().filter(|_| !op.ends_with("_batch")) {
            total += match op.as_str() {
                "count" => enc.count(d),
                "scan" => enc.count_pieces(d),
                _ => enc.encode_ordinary(d).len(),
            };
        }
        // Round 1 is the honest number for a cache-carrying tokenizer: no text seen before.
        eprintln!("round {}: {:.1} MB/s", round + 1, bytes as f64 / started.elapsed().as_secs_f64() / 1e6);
    }
    println!("{total}");
}
