//! Loading the price catalog: the bundled LiteLLM 1.110.2 snapshot (what
//! `Catalog::bundled()` parses once, on first use), and — when `TOKFARE_OLD_CATALOG`
//! names a file — an older snapshot parsed by the same code in the same run, for a
//! before/after ratio. Every iteration parses the whole document from its text.
//!
//!     cargo bench -p tokfare-benches --bench catalog
//!     git show 470ab8a:crates/pricing/data/catalog.json > /tmp/catalog-old.json
//!     TOKFARE_OLD_CATALOG=/tmp/catalog-old.json cargo bench -p tokfare-benches --bench catalog

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tokfare::price::Catalog;

const BUNDLED: &str = include_str!("../../crates/pricing/data/catalog.json");

fn bench(c: &mut Criterion) {
    let mut documents = vec![("litellm-1.110.2", BUNDLED.to_string())];
    if let Ok(path) = std::env::var("TOKFARE_OLD_CATALOG") {
        documents.push(("older snapshot", std::fs::read_to_string(&path).expect("TOKFARE_OLD_CATALOG")));
    }
    let mut group = c.benchmark_group("catalog_load");
    for (name, text) in &documents {
        let entries = Catalog::from_litellm_json(text, name).expect("catalog").len();
        eprintln!("{name}: {} bytes, {entries} entries", text.len());
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(*name, |b| b.iter(|| Catalog::from_litellm_json(std::hint::black_box(text), name).expect("catalog")));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
