//! The meter's SQLite store, measured: recording in batches and one by one, `authorize`
//! latency, and an invoice over many events (time and peak memory of the process that
//! reads it). A benchmark program, not a test; results go to benches/RESULTS.md.
//!
//! ```sh
//! cargo run --release -p tokfare-benches --bin meter -- [--batch-events N] [--single-events N]
//!     [--batch-size N] [--authorize N] [--invoice-events N] [--dir DIR] [--postgres URL]
//!     [--ids sequential|random]
//! ```
//!
//! With `--postgres URL` (a database of a running server, e.g. the test cluster of
//! scripts/pg-test-cluster.sh) the same recording and authorize phases run there too,
//! with ids of their own (the database need not be empty).
//!
//! Events arrive in time order at 10 million a month, from 1,000 customers over 5 models
//! (3 OpenAI, 2 Anthropic), 8% batch service, each id distinct; the invoice groups by
//! customer and month. `--invoice-events 0` skips the big invoice (it needs ~0.7 KB of disk per event).
//!
//! Ids are `<run>-<n>` by default (`--ids sequential`: each batch's ids land next to
//! the last ones in the stores' id index); `--ids random` gives 32 hex digits in an
//! order unrelated to time, as random UUIDs do, so every insert lands on a leaf of the
//! id index of its own — the dearer case for a B-tree store that writes whole pages.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokfare::meter::{Fsync, InvoiceOptions, Meter, OnError, UsageEvent};
use tokfare::price::{Currency, Money, PriceBook, Service, Usage};

const MODELS: [&str; 5] = ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "claude-sonnet-4-5", "claude-haiku-4-5"];

/// Event `i` of a run (a cheap deterministic mix, no RNG crate): customers and models
/// at random, timestamps in order from 2026-11-01 at 10 million events a month (one
/// every 0.2592 s), as a busy service's log arrives.
fn event(run: &str, i: u64) -> UsageEvent {
    let h = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11;
    let id = if RANDOM_IDS.load(std::sync::atomic::Ordering::Relaxed) {
        format!("{run}-{:016x}{:016x}", mix(i), mix(i ^ 0x5555_5555_5555_5555))
    } else {
        format!("{run}-{i}")
    };
    let mut usage = Usage::tokens(200 + h % 9_000, 20 + (h >> 20) % 900);
    usage.cached_input = (h >> 30) % 3 * 512;
    let millis = (i as u128 * 30 * 86_400_000 / 10_000_000) as i64;
    let at = "2026-11-01T00:00:00Z".parse::<chrono::DateTime<chrono::Utc>>().expect("time") + chrono::Duration::milliseconds(millis);
    let mut e = UsageEvent::new(id, format!("customer-{}", (h >> 12) % 1_000), MODELS[(h >> 40) as usize % 5], usage, at);
    if (h >> 44) % 100 < 8 {
        e.service = Service::Batch;
    }
    e
}

/// `--ids random`.
static RANDOM_IDS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// SplitMix64's finalizer: a bijection of `u64` (distinct inputs, distinct ids) that
/// scatters neighbours.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn open(path: &Path, fsync: Fsync) -> Meter {
    Meter::open_store(PriceBook::bundled(), path.to_str().expect("UTF-8 path"), fsync).expect("open store")
}

fn fresh(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    path
}

fn rate(n: u64, took: Duration) -> String {
    format!("{:.0} events/s ({n} in {:.2} s)", n as f64 / took.as_secs_f64(), took.as_secs_f64())
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 =
        status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.split_whitespace().next()?.parse().ok()).unwrap_or(0.0);
    kb / 1024.0
}

fn arg(args: &[String], name: &str, default: u64) -> u64 {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).map_or(default, |v| v.parse().expect("a number"))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == "--ids").and_then(|i| args.get(i + 1)).map(String::as_str) {
        None | Some("sequential") => {}
        Some("random") => RANDOM_IDS.store(true, std::sync::atomic::Ordering::Relaxed),
        Some(other) => panic!("--ids {other}: sequential or random"),
    }
    // The child half of the big invoice: a process that only opens and invoices.
    if args.get(1).map(String::as_str) == Some("--invoice-child") {
        let meter = open(Path::new(&args[2]), Fsync::Always);
        let options = InvoiceOptions::from_names(Some(&["customer", "month"]), Some("month")).expect("options");
        let start = Instant::now();
        let invoice = meter.invoice(&options).expect("invoice");
        let took = start.elapsed();
        println!(
            "invoice: {} events, {} lines, total {} USD in {:.2} s; peak RSS of the process {:.0} MB",
            invoice.events,
            invoice.lines.len(),
            invoice.totals.get(&Currency::USD).copied().unwrap_or_default(),
            took.as_secs_f64(),
            peak_rss_mb()
        );
        return;
    }
    let dir = args.iter().position(|a| a == "--dir").and_then(|i| args.get(i + 1)).map_or_else(std::env::temp_dir, PathBuf::from);
    let batch_events = arg(&args, "--batch-events", 1_000_000);
    let single_events = arg(&args, "--single-events", 10_000);
    let authorizations = arg(&args, "--authorize", 20_000);
    let invoice_events = arg(&args, "--invoice-events", 10_000_000);
    let batch_size = arg(&args, "--batch-size", 2048);
    let postgres = args.iter().position(|a| a == "--postgres").and_then(|i| args.get(i + 1)).cloned();
    let run = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());

    if let Some(url) = &postgres {
        for fsync in [Fsync::Always, Fsync::Never] {
            let mut meter = Meter::open_store(PriceBook::bundled(), url, fsync).expect("open PostgreSQL");
            let tag = format!("pg{run}{fsync:?}");
            let start = Instant::now();
            let mut i = 0;
            while i < batch_events {
                let n = batch_size.min(batch_events - i);
                for outcome in meter.record_batch((i..i + n).map(|k| event(&tag, k)).collect(), OnError::Stop).expect("batch") {
                    outcome.expect("outcome").expect("recorded");
                }
                i += n;
            }
            println!(
                "PostgreSQL record_batch ({batch_size} per transaction, COPY, fsync {fsync:?}): {}",
                rate(batch_events, start.elapsed())
            );
            let start = Instant::now();
            for k in 0..single_events {
                meter.record(event(&format!("{tag}s"), k)).expect("record");
            }
            println!("PostgreSQL record one by one (fsync {fsync:?}): {}", rate(single_events, start.elapsed()));
            let customer = format!("budget-{tag}");
            meter.set_budget(&customer, Money::new(1_000_000_000.into(), Currency::USD)).expect("budget");
            let mut times = Vec::new();
            for _ in 0..authorizations.min(5_000) {
                let start = Instant::now();
                let a = meter.authorize(&customer, "gpt-4o", Usage::tokens(2_000, 500), Service::Standard).expect("authorize");
                times.push(start.elapsed());
                meter.release(a.reservation.expect("allowed")).expect("release");
            }
            times.sort();
            if !times.is_empty() {
                let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)].as_secs_f64() * 1e6;
                println!("PostgreSQL authorize (fsync {fsync:?}, {} calls): p50 {:.0} µs, p99 {:.0} µs", times.len(), at(0.5), at(0.99));
            }
        }
    }

    // 1. Batches of --batch-size (2,048 by default: what record_log writes per transaction).
    for fsync in [Fsync::Always, Fsync::Never].into_iter().filter(|_| batch_events > 0) {
        let path = fresh(&dir, "bench-batch.db");
        let mut meter = open(&path, fsync);
        let start = Instant::now();
        let mut i = 0;
        while i < batch_events {
            let n = batch_size.min(batch_events - i);
            let events = (i..i + n).map(|k| event("b", k)).collect();
            for outcome in meter.record_batch(events, OnError::Stop).expect("batch") {
                outcome.expect("outcome").expect("recorded");
            }
            i += n;
        }
        println!("record_batch ({batch_size} per transaction, fsync {fsync:?}): {}", rate(batch_events, start.elapsed()));
    }
    // The same events into the in-memory meter, for scale.
    let mut memory = Meter::new(PriceBook::bundled());
    let start = Instant::now();
    for k in 0..batch_events.min(1_000_000) {
        memory.record(event("b", k)).expect("record");
    }
    println!("in-memory meter, record one by one: {}", rate(batch_events.min(1_000_000), start.elapsed()));
    drop(memory);

    // 2. One by one: one transaction per event.
    for fsync in [Fsync::Always, Fsync::Never].into_iter().filter(|_| single_events > 0) {
        let path = fresh(&dir, "bench-single.db");
        let mut meter = open(&path, fsync);
        let start = Instant::now();
        for k in 0..single_events {
            meter.record(event("s", k)).expect("record");
        }
        println!("record one by one (fsync {fsync:?}): {}", rate(single_events, start.elapsed()));
    }

    // 3. authorize latency: a budget that never runs out, each reservation released.
    for fsync in [Fsync::Always, Fsync::Never].into_iter().filter(|_| authorizations > 0) {
        let path = fresh(&dir, "bench-budget.db");
        let mut meter = open(&path, fsync);
        for c in 0..100 {
            meter.set_budget(&format!("customer-{c}"), Money::new(1_000_000_000.into(), Currency::USD)).expect("budget");
        }
        let estimate = Usage::tokens(2_000, 500);
        let mut times = Vec::with_capacity(authorizations as usize);
        for k in 0..authorizations {
            let start = Instant::now();
            let a = meter.authorize(&format!("customer-{}", k % 100), "gpt-4o", estimate, Service::Standard).expect("authorize");
            times.push(start.elapsed());
            meter.release(a.reservation.expect("allowed")).expect("release");
        }
        times.sort();
        let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)].as_secs_f64() * 1e6;
        println!(
            "authorize (fsync {fsync:?}, {authorizations} calls): p50 {:.0} µs, p99 {:.0} µs, max {:.0} µs",
            at(0.5),
            at(0.99),
            at(1.0)
        );
    }

    // 4. An invoice over many events, read by a process that did not write them.
    if invoice_events > 0 {
        let path = fresh(&dir, "bench-invoice.db");
        let mut meter = open(&path, Fsync::Never);
        let start = Instant::now();
        let mut i = 0;
        while i < invoice_events {
            let n = 2048.min(invoice_events - i);
            meter.record_batch((i..i + n).map(|k| event("i", k)).collect(), OnError::Stop).expect("batch");
            i += n;
        }
        meter.sync().expect("sync");
        drop(meter);
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) as f64 / 1e9;
        println!("populated {invoice_events} events: {} ; file {size:.1} GB", rate(invoice_events, start.elapsed()));
        let out = std::process::Command::new(std::env::current_exe().expect("exe"))
            .args(["--invoice-child", path.to_str().expect("path")])
            .output()
            .expect("child");
        print!("{}", String::from_utf8_lossy(&out.stdout));
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}
