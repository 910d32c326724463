//! Criterion benchmarks, peers side by side in each group (`{op}-{encoding}`):
//! encode and count over the corpus as 8 KiB documents, and the latency of one
//! ~100-byte chat message.
//!
//!     cargo bench -p tokfare-benches --bench tokenize

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use tokfare_benches::{corpus, documents, peers};

const ENCODINGS: [&str; 2] = ["cl100k_base", "o200k_base"];
const MESSAGE: &str = "Hi! Could you summarise the attached report in three bullet points, in French? Merci 🙂";

fn bench(c: &mut Criterion) {
    let corpus = corpus();
    for (file, text) in &corpus {
        let docs = documents(text, 8192);
        for encoding in ENCODINGS {
            let peers = peers(encoding);
            let mut group = c.benchmark_group(format!("encode-{encoding}"));
            group.throughput(Throughput::Bytes(text.len() as u64)).sample_size(10);
            for peer in &peers {
                group.bench_with_input(BenchmarkId::new(peer.name, file), &docs, |b, docs| {
                    b.iter(|| docs.iter().map(|d| (peer.encode)(black_box(d))).sum::<usize>())
                });
            }
            group.finish();
            let mut group = c.benchmark_group(format!("count-{encoding}"));
            group.throughput(Throughput::Bytes(text.len() as u64)).sample_size(10);
            for peer in &peers {
                let Some(count) = &peer.count else { continue };
                group.bench_with_input(BenchmarkId::new(peer.name, file), &docs, |b, docs| {
                    b.iter(|| docs.iter().map(|d| count(black_box(d))).sum::<usize>())
                });
            }
            group.finish();
        }
    }
    for encoding in ENCODINGS {
        let mut group = c.benchmark_group(format!("message-{encoding}"));
        group.throughput(Throughput::Bytes(MESSAGE.len() as u64));
        for peer in &peers(encoding) {
            group.bench_function(peer.name, |b| b.iter(|| (peer.encode)(black_box(MESSAGE))));
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
