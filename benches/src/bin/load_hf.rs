//! Loads a tokenizer.json N times with tokfare (a target for `perf record`).
//!
//!     cargo run --release -p tokfare-benches --bin load_hf -- PATH [N]
fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: load_hf PATH [N]");
    let n: usize = args.next().map_or(5, |n| n.parse().expect("N"));
    let bytes = std::fs::read(&path).expect("readable file");
    for _ in 0..n {
        let started = std::time::Instant::now();
        let tok = tokfare::hf::Tokenizer::from_bytes(&path, bytes.clone()).expect("loads");
        eprintln!("{:.1} ms ({})", started.elapsed().as_secs_f64() * 1e3, tok.engine());
    }
}
