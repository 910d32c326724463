//! Prints the side-by-side table of benches/RESULTS.md:
//!
//!     cargo run --release -p tokfare-benches --bin compare [-- --rounds N]
//!
//! Every peer tokenizes the same documents in the same process; each measurement
//! tokenizes every document exactly once, rounds interleave the peers so machine noise
//! hits them alike, and the median round is reported. tokfare's merge cache (per
//! thread) stays warm across rounds, as it would in a server: its first round, with
//! the cache cold, is reported separately.

use std::time::{Duration, Instant};
use tokfare_benches::{corpus, documents, peers};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn mbps(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

fn time<R>(f: impl FnOnce() -> R) -> (Duration, R) {
    let start = Instant::now();
    let r = f();
    (start.elapsed(), r)
}

fn main() {
    let rounds: usize = std::env::args().skip_while(|a| a != "--rounds").nth(1).map(|n| n.parse().expect("--rounds N")).unwrap_or(5);

    // Load time of the embedded vocabularies: the first call in this process.
    println!("## Load time (first `get_encoding` in a process)\n");
    println!("| encoding | tokfare |\n|---|---|");
    for name in ["cl100k_base", "o200k_base"] {
        let (d, _) = time(|| tokfare::get_encoding(name).expect("built-in"));
        println!("| {name} | {:.1} ms |", d.as_secs_f64() * 1e3);
    }

    let corpus = corpus();
    let docs: Vec<&str> = corpus.iter().flat_map(|(_, t)| documents(t, 8192)).collect();
    let total: usize = docs.iter().map(|d| d.len()).sum();
    println!(
        "\n## Throughput, single thread, whole corpus as {} documents of <= 8 KiB ({:.1} MB), MB/s, median of {rounds} rounds\n",
        docs.len(),
        total as f64 / 1e6
    );
    let extra = peers("o200k_base").len() > 3;
    if extra {
        println!("| encoding | op | tokfare | tiktoken-rs 0.12 | bpe-openai 0.3 | tokfare / tiktoken-rs | tokfare / bpe-openai | fastokens 0.3.5 (encode) | tokfare / fastokens |");
        println!("|---|---|---|---|---|---|---|---|---|");
    } else {
        println!("| encoding | op | tokfare | tiktoken-rs 0.12 | bpe-openai 0.3 | tokfare / tiktoken-rs | tokfare / bpe-openai |");
        println!("|---|---|---|---|---|---|---|");
    }
    // tokfare's first round has its merge cache cold (nothing of the corpus seen yet).
    let mut first_rounds = Vec::new();
    for encoding in ["cl100k_base", "o200k_base"] {
        let peers = peers(encoding);
        let mut encode = vec![Vec::new(); peers.len()];
        let mut count = vec![Vec::new(); peers.len()];
        for _ in 0..rounds {
            for (i, peer) in peers.iter().enumerate() {
                let (d, n) = time(|| docs.iter().map(|d| (peer.encode)(d)).sum::<usize>());
                std::hint::black_box(n);
                encode[i].push(d);
                if let Some(c) = &peer.count {
                    let (d, n) = time(|| docs.iter().map(|d| c(d)).sum::<usize>());
                    std::hint::black_box(n);
                    count[i].push(d);
                }
            }
        }
        let rate = |v: &Vec<Duration>| if v.is_empty() { None } else { Some(mbps(total, median(v.clone()))) };
        let tiktoken = mbps(total, median(encode[1].clone()));
        for (op, table) in [("encode", &encode), ("count", &count)] {
            first_rounds.push((encoding, op, mbps(total, table[0][0]), mbps(total, median(table[0].clone())), tiktoken));
        }
        for (op, table) in [("encode", &encode), ("count", &count)] {
            let r: Vec<Option<f64>> = table.iter().map(rate).collect();
            let cell = |x: Option<f64>| x.map_or("–".to_string(), |v| format!("{v:.1}"));
            let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
                (Some(a), Some(b)) => format!("{:.2}×", a / b),
                _ => "–".into(),
            };
            // A peer without a count API is compared on its encode.
            let tik = r[1].or(rate(&encode[1]));
            let more = if extra {
                let fast = rate(&encode[3]);
                format!(" {} | {} |", cell(fast), ratio(r[0], fast))
            } else {
                String::new()
            };
            println!(
                "| {encoding} | {op} | {} | {} | {} | {} | {} |{more}",
                cell(r[0]),
                cell(r[1]),
                cell(r[2]),
                ratio(r[0], tik),
                ratio(r[0], r[2].or(rate(&encode[2])))
            );
        }
    }

    println!("\n## tokfare's first round (merge cache cold: no document seen before) vs the median round\n");
    println!("| encoding | op | first round | median | first round / tiktoken-rs |\n|---|---|---|---|---|");
    for (encoding, op, first, median, tiktoken) in first_rounds {
        println!("| {encoding} | {op} | {first:.1} | {median:.1} | {:.2}× |", first / tiktoken);
    }

    #[cfg(feature = "fastokens")]
    if extra {
        println!("\n## fastokens: first pass in a fresh process state vs later passes (its pretoken cache), and id parity\n");
        println!("| encoding | first pass MB/s | later passes MB/s (median) | ids equal tokfare's on all documents |\n|---|---|---|---|");
        for encoding in ["cl100k_base", "o200k_base"] {
            let p = peers(encoding);
            tokfare_benches::reset_fastokens_caches();
            let (first, _) = time(|| docs.iter().map(|d| (p[3].encode)(d)).sum::<usize>());
            let later: Vec<Duration> = (0..rounds).map(|_| time(|| docs.iter().map(|d| (p[3].encode)(d)).sum::<usize>()).0).collect();
            let ids = tokfare_benches::fastokens_ids(encoding, &docs);
            let enc = tokfare::get_encoding(encoding).expect("built-in");
            let equal = docs.iter().zip(&ids).all(|(d, i)| &enc.encode_ordinary(d) == i);
            println!("| {encoding} | {:.1} | {:.1} | {equal} |", mbps(total, first), mbps(total, median(later)));
        }
    }

    println!("\n## Per corpus file, encode, single thread, MB/s (median of {rounds})\n");
    if extra {
        println!("| file | encoding | tokfare | tiktoken-rs | bpe-openai | fastokens |\n|---|---|---|---|---|---|");
    } else {
        println!("| file | encoding | tokfare | tiktoken-rs | bpe-openai |\n|---|---|---|---|---|");
    }
    for (file, text) in &corpus {
        let docs = documents(text, 8192);
        for encoding in ["cl100k_base", "o200k_base"] {
            let peers = peers(encoding);
            let cells: Vec<String> = peers
                .iter()
                .map(|p| {
                    let runs = (0..rounds).map(|_| time(|| docs.iter().map(|d| (p.encode)(d)).sum::<usize>()).0).collect();
                    format!("{:.1}", mbps(text.len(), median(runs)))
                })
                .collect();
            println!("| {file} | {encoding} | {} |", cells.join(" | "));
        }
    }

    println!("\n## Batch (rayon, {} threads) vs single thread, tokfare, MB/s\n", rayon_threads());
    println!("| encoding | op | single | batch | speed-up |\n|---|---|---|---|---|");
    for encoding in ["cl100k_base", "o200k_base"] {
        let enc = tokfare::get_encoding(encoding).expect("built-in");
        for op in ["encode", "count"] {
            let mut single = Vec::new();
            let mut batch = Vec::new();
            for _ in 0..rounds {
                // The single-thread side keeps its results too, as the batch returns them
                // (all ids alive at the end: the same memory to allocate and fault in).
                single.push(match op {
                    "encode" => time(|| docs.iter().map(|d| enc.encode_ordinary(d)).collect::<Vec<_>>().len()).0,
                    _ => time(|| docs.iter().map(|d| enc.count(d)).sum::<usize>()).0,
                });
                batch.push(match op {
                    "encode" => time(|| enc.encode_ordinary_batch(&docs).len()).0,
                    _ => time(|| enc.count_batch(&docs).len()).0,
                });
            }
            let (s, b) = (mbps(total, median(single)), mbps(total, median(batch)));
            println!("| {encoding} | {op} | {s:.1} | {b:.1} | {:.2}× |", b / s);
        }
    }

    const MESSAGE: &str = "Hi! Could you summarise the attached report in three bullet points, in French? Merci 🙂";
    println!("\n## Latency of one {}-byte chat message (median of 15 × 20k calls), ns per call\n", MESSAGE.len());
    println!(
        "| encoding | tokfare encode | tokfare count | tiktoken-rs | bpe-openai encode | bpe-openai count |\n|---|---|---|---|---|---|"
    );
    for encoding in ["cl100k_base", "o200k_base"] {
        let peers = peers(encoding);
        let per_call = |f: &dyn Fn(&str) -> usize| {
            let runs: Vec<Duration> =
                (0..15).map(|_| time(|| (0..20_000).map(|_| f(std::hint::black_box(MESSAGE))).sum::<usize>()).0).collect();
            format!("{:.0}", median(runs).as_nanos() as f64 / 20_000.0)
        };
        let c = |i: usize| peers[i].count.as_ref().map_or("–".into(), |c| per_call(c.as_ref()));
        println!(
            "| {encoding} | {} | {} | {} | {} | {} |",
            per_call(peers[0].encode.as_ref()),
            c(0),
            per_call(peers[1].encode.as_ref()),
            per_call(peers[2].encode.as_ref()),
            c(2)
        );
    }

    println!("\n## Worst case: one long \"word\" (seconds)\n");
    println!("| input | tokfare 10 MB | tiktoken-rs 100 KB | bpe-openai 10 MB |\n|---|---|---|---|");
    for (label, unit) in [("repeated `a`", "a"), ("repeated 😀", "😀"), ("repeated `ab1 `", "ab1 ")] {
        let big = unit.repeat(10_000_000 / unit.len());
        let small = unit.repeat(100_000 / unit.len());
        let p = peers("o200k_base");
        let (ours, _) = time(|| (p[0].encode)(&big));
        let (tik, _) = time(|| (p[1].encode)(&small));
        let (bpe, _) = time(|| (p[2].encode)(&big));
        println!("| {label}, o200k_base | {:.2} | {:.2} | {:.2} |", ours.as_secs_f64(), tik.as_secs_f64(), bpe.as_secs_f64());
    }
}

fn rayon_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
