//! The meter's stores against the same rules: the in-memory meter is the reference,
//! SQLite must give the same records, sums, invoices and budgets — and keep them
//! with several processes writing at once and a writer killed mid-batch.
//!
//! Several tests start copies of this test binary as child processes (the
//! `child_process` test does the child's work when `TOKFARE_STORE_CHILD` is set).

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use tokfare_pricing::meter::{Fsync, GroupBy, InvoiceOptions, Meter, OnError, Recorded, StoreUrl, TimeRange, UsageEvent};
use tokfare_pricing::price::{Currency, Money, PriceBook, Service, Usage};
use tokfare_pricing::Error;

const CHILD: &str = "TOKFARE_STORE_CHILD";

fn t0() -> DateTime<Utc> {
    "2026-11-01T00:00:00Z".parse().expect("time")
}

/// Event number `i` under `id`: the content depends on `i` only, so two processes
/// delivering the same `i` under the same id deliver the same event.
fn event(id: &str, i: u64) -> UsageEvent {
    let customers = ["acme", "globex", "initech", "umbrella", "hooli"];
    let models = ["gpt-4o", "gpt-4o-mini", "gpt-4.1"];
    let mut usage = Usage::tokens(100 + i % 997, 10 + i % 89);
    usage.cached_input = i % 7 * 50;
    let at = t0() + Duration::seconds((i * 37) as i64) + Duration::milliseconds((i % 1000) as i64);
    let mut e = UsageEvent::new(id, customers[(i % 5) as usize], models[(i % 3) as usize], usage, at);
    if i.is_multiple_of(11) {
        e.service = Service::Batch;
    }
    e
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("tokfare-store-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn open_url(url: &str) -> Meter {
    Meter::open_store(PriceBook::bundled(), url, Fsync::Always).expect("open store")
}

/// A fresh PostgreSQL database on the test cluster (scripts/pg-test-cluster.sh), or
/// `None` with a loud message when there is none (an error under
/// `TOKFARE_REQUIRE_POSTGRES=1`, as in CI).
fn postgres_db(name: &str) -> Option<String> {
    let Ok(admin) = std::env::var("TOKFARE_TEST_POSTGRES") else {
        assert!(
            std::env::var_os("TOKFARE_REQUIRE_POSTGRES").is_none(),
            "TOKFARE_REQUIRE_POSTGRES is set but TOKFARE_TEST_POSTGRES is not: the test cluster did not start"
        );
        eprintln!("\n*** SKIPPED on PostgreSQL: no TOKFARE_TEST_POSTGRES (scripts/test.sh rust starts a cluster) ***\n");
        return None;
    };
    let db = format!("tokfare_{name}_{}", std::process::id());
    let mut client = postgres::Client::connect(&admin, postgres::NoTls).expect("connect to the test cluster");
    client.batch_execute(&format!("DROP DATABASE IF EXISTS {db}")).expect("drop an old test database");
    client.batch_execute(&format!("CREATE DATABASE {db}")).expect("create a test database");
    let (base, _) = admin.rsplit_once('/').expect("a database in the URL");
    Some(format!("{base}/{db}"))
}

/// The database stores a test runs on: SQLite, and PostgreSQL when a cluster is up.
fn backends(dir: &TempDir, name: &str) -> Vec<String> {
    let mut urls = vec![dir.join(&format!("{name}.db")).display().to_string()];
    urls.extend(postgres_db(name));
    urls
}

fn open(path: &Path) -> Meter {
    Meter::open_store(PriceBook::bundled(), path.to_str().expect("utf-8 path"), Fsync::Always).expect("open store")
}

/// Everything a meter answers that must not depend on its store.
fn answers(meter: &Meter) -> Vec<String> {
    let mut out = vec![format!("len {}", meter.len().expect("len"))];
    for dims in [&[GroupBy::Customer, GroupBy::Model][..], &[GroupBy::Schedule, GroupBy::Period(tokfare_pricing::meter::Period::Day)]] {
        for row in meter.aggregate(dims).expect("aggregate") {
            let cost: Vec<String> = row.cost.iter().map(|(c, a)| format!("{c} {}", a.normalize())).collect();
            out.push(format!("{:?} {} {:?} {cost:?}", row.key, row.events, row.usage.entries()));
        }
    }
    for customer in ["acme", "globex", "initech", "umbrella", "hooli", "nobody"] {
        out.push(format!("{customer} {}", meter.spent(customer, Currency::USD).expect("spent").amount().normalize()));
    }
    out.push(meter.invoice(&InvoiceOptions::default()).expect("invoice").to_json());
    let options = InvoiceOptions::from_names(Some(&["customer", "day"]), Some("day")).expect("options");
    out.push(meter.invoice(&options).expect("invoice").to_json());
    out
}

fn child() -> Command {
    let mut cmd = Command::new(std::env::current_exe().expect("test binary"));
    cmd.args(["--exact", "child_process", "--nocapture", "--test-threads=1"]);
    cmd
}

/// The child's side of the multi-process tests (does nothing in a normal run).
#[test]
fn child_process() {
    let Ok(spec) = std::env::var(CHILD) else { return };
    let parts: Vec<&str> = spec.split('|').collect();
    let mut meter = open_url(parts[1]);
    let mut out = std::io::stdout().lock();
    match parts[0] {
        // write|db|worker|n: n events, every 10th under an id all workers share.
        "write" => {
            let worker: u64 = parts[2].parse().expect("worker");
            let n: u64 = parts[3].parse().expect("n");
            let ids: Vec<(String, u64)> = (0..n)
                .map(|i| if i % 10 == 0 { (format!("shared-{i}"), i) } else { (format!("w{worker}-{i}"), worker * 1_000_000 + i) })
                .collect();
            for chunk in ids.chunks(500) {
                let events = chunk.iter().map(|(id, i)| event(id, *i)).collect();
                for outcome in meter.record_batch(events, OnError::Stop).expect("batch") {
                    outcome.expect("outcome").expect("recorded");
                }
            }
            writeln!(out, "done").expect("stdout");
        }
        // crash|db: batches of 100 forever, each acknowledged on stdout once recorded.
        "crash" => {
            for batch in 0u64.. {
                let events = (0..100).map(|k| event(&format!("k-{}", batch * 100 + k), batch * 100 + k)).collect();
                for outcome in meter.record_batch(events, OnError::Stop).expect("batch") {
                    outcome.expect("outcome").expect("recorded");
                }
                writeln!(out, "\nacked {batch}").expect("stdout");
                out.flush().expect("flush");
            }
        }
        // budget|db|worker|rounds: authorize, then settle at the estimate when allowed.
        "budget" => {
            let worker: u64 = parts[2].parse().expect("worker");
            let rounds: u64 = parts[3].parse().expect("rounds");
            let mut allowed = 0;
            for round in 0..rounds {
                let estimate = Usage::tokens(10_000, 1_000);
                let a = meter.authorize("racer", "gpt-4o", estimate, Service::Standard).expect("authorize");
                if let Some(r) = a.reservation {
                    allowed += 1;
                    let e = UsageEvent::new(format!("b{worker}-{round}"), "racer", "gpt-4o", estimate, t0());
                    meter.settle(r, e).expect("settle");
                }
            }
            writeln!(out, "\nallowed {allowed}").expect("stdout");
        }
        other => panic!("unknown child {other}"),
    }
}

#[test]
fn database_stores_answer_as_the_memory_meter_does() {
    let dir = TempDir::new("same");
    for url in backends(&dir, "same") {
        database_stores_answer_as_the_memory_meter_does_on(&url);
    }
}

fn database_stores_answer_as_the_memory_meter_does_on(url: &str) {
    let mut memory = Meter::new(PriceBook::bundled());
    let mut sqlite = open_url(url);
    let events: Vec<UsageEvent> = (0..3000).map(|i| event(&format!("e{i}"), i)).collect();
    // One by one into memory; in batches (with redeliveries) into SQLite.
    for e in &events {
        assert!(matches!(memory.record(e.clone()).expect("record"), Recorded::New { .. }));
    }
    for chunk in events.chunks(700) {
        let mut batch = chunk.to_vec();
        batch.extend(chunk.iter().take(50).cloned());
        let outcomes = sqlite.record_batch(batch, OnError::Continue).expect("batch");
        let dup = outcomes.iter().filter(|o| matches!(o, Some(Ok(Recorded::Duplicate)))).count();
        assert_eq!(dup, 50.min(chunk.len()));
    }
    assert_eq!(answers(&sqlite), answers(&memory));
    assert_eq!(sqlite.records().expect("records"), memory.records().expect("records"));
    assert_eq!(sqlite.get("e17").expect("get"), memory.get("e17").expect("get"));
    // Reopened, the same.
    drop(sqlite);
    let sqlite = open_url(url);
    assert_eq!(answers(&sqlite), answers(&memory));
}

/// A large batch (priced on one thread while the SQLite store writes, or priced first
/// and written after) gives each event the outcome the memory meter gives it: new,
/// redelivered (in the store or earlier in the batch), conflicting, unpriceable or
/// malformed, with `Stop` and `Continue`, and with the problem at the start, the middle
/// or the end of the batch.
#[test]
fn large_batches_give_each_event_the_memory_meters_outcome() {
    let dir = TempDir::new("large");
    for (n, url) in backends(&dir, "large").into_iter().enumerate() {
        for on_error in [OnError::Continue, OnError::Stop] {
            for at in [0, 700, 1499] {
                let url = if n == 0 { dir.join(&format!("large-{on_error:?}-{at}.db")).display().to_string() } else { url.clone() };
                large_batches_give_each_event_the_memory_meters_outcome_on(&url, on_error, at);
                if n > 0 {
                    // One PostgreSQL database: its events are kept apart by id prefix.
                    break;
                }
            }
        }
    }
}

fn large_batches_give_each_event_the_memory_meters_outcome_on(url: &str, on_error: OnError, at: usize) {
    let run = format!("{on_error:?}{at}-");
    let id = |i: u64| format!("{run}{i}");
    let mut memory = Meter::new(PriceBook::bundled());
    let mut store = open_url(url);
    let before: Vec<UsageEvent> = (0..100).map(|i| event(&id(i), i)).collect();
    for meter in [&mut memory, &mut store] {
        meter.record_batch(before.clone(), OnError::Stop).expect("batch");
    }
    let mut batch: Vec<UsageEvent> = (100..1600).map(|i| event(&id(i), i)).collect();
    let mut unknown = event(&id(5000), 5000);
    unknown.model = "no-such-model".into();
    let mut conflicting = event(&id(7), 8);
    conflicting.customer = "someone-else".into();
    let malformed = event("", 5001);
    // An event of the batch redelivered with a model that does not price.
    let mut twin = event(&id(150), 150);
    twin.model = "no-such-model".into();
    // Problems at `at` and spread after it, in an order per place (with `Stop`, the
    // first failure ends the batch): a redelivery of a stored event, one of an event
    // earlier in the batch, a conflict, an unknown model, an event with no id, an
    // unknown model under the id of an event earlier in the batch.
    let (stored, earlier) = (event(&id(3), 3), event(&id(100), 100));
    let problems = match at {
        0 => [stored, earlier, conflicting, unknown, malformed, twin],
        700 => [unknown, stored, malformed, earlier, conflicting, twin],
        _ => [malformed, twin, stored, unknown, conflicting, earlier],
    };
    for (k, problem) in problems.into_iter().enumerate() {
        let place = (at + k * 97).min(batch.len());
        batch.insert(place, problem);
    }
    let expected = memory.record_batch(batch.clone(), on_error).expect("memory batch");
    let got = store.record_batch(batch, on_error).expect("store batch");
    let show = |o: &[Option<tokfare_pricing::Result<Recorded>>]| -> Vec<String> { o.iter().map(|o| format!("{o:?}")).collect() };
    assert_eq!(show(&got), show(&expected), "{url} {on_error:?} at {at}");
    assert!(got.iter().any(|o| matches!(o, Some(Err(_)))), "a problem was met");
    for i in [0, 100, 800, 1599] {
        assert_eq!(store.get(&id(i)).expect("get"), memory.get(&id(i)).expect("get"), "{url} {i}");
    }
    if !url.starts_with("postgres") {
        assert_eq!(answers(&store), answers(&memory), "{url} {on_error:?} at {at}");
        store.check().expect("check");
    }
}

#[test]
fn invoices_over_any_time_range_match_the_events_in_it() {
    let dir = TempDir::new("range");
    for url in backends(&dir, "range") {
        invoices_over_any_time_range_match_the_events_in_it_on(&url);
    }
}

fn invoices_over_any_time_range_match_the_events_in_it_on(url: &str) {
    let mut sqlite = open_url(url);
    // Events every 37 minutes from 2026-10-20: over three months, so month, day and
    // hour sums all answer part of the ranges below.
    let events: Vec<UsageEvent> = (0..4000)
        .map(|i| {
            let mut e = event(&format!("e{i}"), i);
            e.timestamp = "2026-10-20T00:00:00Z".parse::<DateTime<Utc>>().expect("t") + Duration::seconds((i * 37 * 60 + i % 61) as i64);
            e
        })
        .collect();
    sqlite.record_batch(events.clone(), OnError::Stop).expect("batch");
    let ranges = [
        ("2026-11-01T00:00:00Z", "2026-11-01T12:00:00Z"),
        ("2026-11-01T00:20:31.5Z", "2026-11-01T07:03:02Z"),
        ("2026-11-01T03:10:00Z", "2026-11-01T03:50:00Z"),
        ("2026-10-01T00:00:00Z", "2027-01-01T00:00:00Z"),
        ("2026-10-25T13:30:00Z", "2026-12-03T04:05:06Z"),
        ("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"),
    ];
    let groupings: [(&[&str], &str); 4] =
        [(&["customer", "hour"], "month"), (&["customer", "model"], "month"), (&["day"], "day"), (&["month", "schedule"], "hour")];
    for ((from, to), (group_by, period)) in ranges.into_iter().flat_map(|r| groupings.iter().map(move |g| (r, *g))) {
        let range = TimeRange { from: Some(from.parse().expect("from")), to: Some(to.parse().expect("to")) };
        // The reference: a memory meter holding only the events inside the range.
        let mut inside = Meter::new(PriceBook::bundled());
        for e in events.iter().filter(|e| range.contains(e.timestamp)) {
            inside.record(e.clone()).expect("record");
        }
        let options = InvoiceOptions { range, ..InvoiceOptions::from_names(Some(group_by), Some(period)).expect("options") };
        let all = InvoiceOptions { range: TimeRange::ALL, ..options.clone() };
        assert_eq!(sqlite.invoice(&options).expect("invoice"), inside.invoice(&all).expect("invoice"), "{from}..{to} {group_by:?}");
        let dims = &options.group_by;
        assert_eq!(sqlite.aggregate_in(&range, dims).expect("aggregate"), inside.aggregate(dims).expect("aggregate"), "{from}..{to}");
        assert!(inside.len().expect("len") > 0, "{from}..{to} holds events");
    }
}

#[test]
fn conflicts_change_nothing_and_merges_keep_the_canonical_record() {
    let dir = TempDir::new("conflict");
    for url in backends(&dir, "conflict") {
        conflicts_change_nothing_and_merges_keep_the_canonical_record_on(&url);
    }
}

fn conflicts_change_nothing_and_merges_keep_the_canonical_record_on(url: &str) {
    let mut sqlite = open_url(url);
    let mut memory = Meter::new(PriceBook::bundled());
    for m in [&mut sqlite, &mut memory] {
        m.record(event("a", 1)).expect("record");
        let before = m.spent("globex", Currency::USD).expect("spent");
        let err = m.record(event("a", 2)).expect_err("conflict");
        assert!(matches!(err, Error::ConflictingEvent { ref id } if id == "a"), "{err}");
        assert_eq!(m.spent("globex", Currency::USD).expect("spent"), before);
        assert_eq!(m.record(event("a", 1)).expect("redelivery"), Recorded::Duplicate);
        // Stop at a conflict: nothing after it in the batch is recorded.
        let outcomes = m.record_batch(vec![event("b", 3), event("a", 4), event("c", 5)], OnError::Stop).expect("batch");
        assert!(matches!(outcomes[0], Some(Ok(Recorded::New { .. }))));
        assert!(matches!(outcomes[1], Some(Err(Error::ConflictingEvent { .. }))));
        assert!(outcomes[2].is_none());
        assert!(m.get("c").expect("get").is_none());
    }
    assert_eq!(answers(&sqlite), answers(&memory));
    // A merge: the record whose canonical JSON sorts first wins, in either store.
    let mut other = Meter::new(PriceBook::bundled());
    other.record(event("a", 9)).expect("record");
    other.record(event("z", 10)).expect("record");
    let m1 = sqlite.merge(&other).expect("merge");
    let m2 = memory.merge(&other).expect("merge");
    assert_eq!(m1, m2);
    assert_eq!((m1.added, m1.conflicts.clone()), (1, vec!["a".to_string()]));
    assert_eq!(answers(&sqlite), answers(&memory));
    // The incoming record wins when its JSON sorts first ("aardvark" < "globex"): its
    // sums replace the old one's, and the old group (customer, model, hour) is gone.
    let mut winner = Meter::new(PriceBook::bundled());
    let mut e = event("a", 1);
    e.customer = "aardvark".into();
    e.model = "gpt-4.1".into();
    e.timestamp += Duration::days(3);
    winner.record(e).expect("record");
    for m in [&mut sqlite, &mut memory] {
        let report = m.merge(&winner).expect("merge");
        assert_eq!(report.conflicts, vec!["a".to_string()]);
        assert_eq!(m.get("a").expect("get").expect("kept").event.customer, "aardvark");
        assert!(m.aggregate(&[GroupBy::Customer, GroupBy::Model]).expect("aggregate").iter().all(|r| r.events > 0));
        m.check().expect("sums agree");
    }
    assert_eq!(answers(&sqlite), answers(&memory));
}

#[test]
fn budgets_hold_and_reservations_expire() {
    let dir = TempDir::new("budget");
    for url in backends(&dir, "budget") {
        budgets_hold_and_reservations_expire_on(&url);
    }
}

fn budgets_hold_and_reservations_expire_on(url: &str) {
    let mut m = open_url(url);
    m.set_budget("acme", Money::new(Decimal::new(100, 2), Currency::USD)).expect("budget");
    let estimate = Usage::tokens(100_000, 10_000); // $0.35 on gpt-4o
    let now = t0();
    let a = m.authorize_at("acme", "gpt-4o", estimate, Service::Standard, now).expect("authorize");
    let b = m.authorize_at("acme", "gpt-4o", estimate, Service::Standard, now).expect("authorize");
    let c = m.authorize_at("acme", "gpt-4o", estimate, Service::Standard, now).expect("authorize");
    assert!(a.allowed && b.allowed && !c.allowed, "{a:?} {b:?} {c:?}");
    assert_eq!(c.reserved.amount(), Decimal::new(70, 2));
    // After the time to live, the two reservations no longer hold budget.
    let later = now + Duration::minutes(16);
    let d = m.authorize_at("acme", "gpt-4o", estimate, Service::Standard, later).expect("authorize");
    assert!(d.allowed && d.reserved.amount().is_zero(), "{d:?}");
    assert!(!m.release(a.reservation.expect("held")).expect("release"), "expired");
    assert!(m.release(d.reservation.expect("held")).expect("release"));
    // Settling records the actual usage even after expiry.
    let e = UsageEvent::new("s1", "acme", "gpt-4o", estimate, later);
    assert!(matches!(m.settle(b.reservation.expect("held"), e).expect("settle"), Recorded::New { .. }));
    assert_eq!(m.spent("acme", Currency::USD).expect("spent").amount().normalize(), Decimal::new(35, 2));
    assert_eq!(m.budget("acme").expect("budget"), Some(Money::new(Decimal::new(100, 2), Currency::USD)));
}

#[test]
fn bad_files_and_urls_are_clear_errors() {
    let dir = TempDir::new("bad");
    let junk = dir.join("junk.db");
    std::fs::write(&junk, b"this is not an SQLite database, it is a text file long enough to have a header").expect("write");
    let err = Meter::open_store(PriceBook::bundled(), junk.to_str().expect("path"), Fsync::Always).expect_err("not a database");
    assert_eq!(err.code(), "store", "{err}");
    assert!(err.to_string().contains("junk.db"), "{err}");
    // No server on port 1: a store error, the password never shown.
    let err = Meter::open_store(PriceBook::bundled(), "postgresql://u:pw@127.0.0.1:1/x", Fsync::Always).expect_err("no server");
    assert_eq!(err.code(), "store", "{err}");
    assert!(err.to_string().contains("***") && !err.to_string().contains("pw@"), "{err}");
    assert_eq!(Meter::open_store(PriceBook::bundled(), "ftp://x", Fsync::Always).expect_err("scheme").code(), "invalid_argument");
    // A file from a newer tokfare is refused, not written.
    let newer = dir.join("newer.db");
    drop(open(&newer));
    rusqlite_user_version(&newer, 99);
    let err = Meter::open_store(PriceBook::bundled(), newer.to_str().expect("path"), Fsync::Always).expect_err("newer");
    assert!(err.to_string().contains("newer"), "{err}");
    let journal = dir.join("m.jsonl");
    assert_eq!(StoreUrl::parse(journal.to_str().expect("path")).expect("url"), StoreUrl::Journal(journal.clone()));
}

fn rusqlite_user_version(path: &Path, v: i64) {
    let conn = rusqlite::Connection::open(path).expect("open");
    conn.pragma_update(None, "user_version", v).expect("user_version");
}

#[test]
fn four_processes_record_each_event_exactly_once() {
    let dir = TempDir::new("procs");
    for url in backends(&dir, "procs") {
        four_processes_record_each_event_exactly_once_on(&url);
    }
}

fn four_processes_record_each_event_exactly_once_on(url: &str) {
    drop(open_url(url));
    let n = 50_000u64;
    let children: Vec<_> =
        (0..4).map(|w| child().env(CHILD, format!("write|{url}|{w}|{n}")).stdout(Stdio::piped()).spawn().expect("spawn")).collect();
    for c in children {
        let out = c.wait_with_output().expect("child");
        assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).contains("done"), "{out:?}");
    }
    // The reference: every distinct event once, in memory.
    let mut memory = Meter::new(PriceBook::bundled());
    let mut events = Vec::new();
    for i in (0..n).step_by(10) {
        events.push(event(&format!("shared-{i}"), i));
    }
    for w in 0..4u64 {
        events.extend((0..n).filter(|i| i % 10 != 0).map(|i| event(&format!("w{w}-{i}"), w * 1_000_000 + i)));
    }
    memory.record_batch(events, OnError::Stop).expect("batch");
    let sqlite = open_url(url);
    assert_eq!(sqlite.len().expect("len"), 4 * 45_000 + 5_000);
    assert_eq!(answers(&sqlite), answers(&memory));
}

#[test]
fn two_processes_share_a_journal_and_count_each_event_once() {
    // Each batch takes the journal's lock and first reads the other writer's lines:
    // 2 × 10,000 events, every 10th id recorded by both, end as 19,000, each once.
    let dir = TempDir::new("journal-procs");
    let url = dir.join("meter.jsonl").display().to_string();
    let n = 10_000u64;
    let children: Vec<_> =
        (0..2).map(|w| child().env(CHILD, format!("write|{url}|{w}|{n}")).stdout(Stdio::piped()).spawn().expect("spawn")).collect();
    for c in children {
        let out = c.wait_with_output().expect("child");
        assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).contains("done"), "{out:?}");
    }
    let mut memory = Meter::new(PriceBook::bundled());
    let mut events: Vec<UsageEvent> = (0..n).step_by(10).map(|i| event(&format!("shared-{i}"), i)).collect();
    for w in 0..2u64 {
        events.extend((0..n).filter(|i| i % 10 != 0).map(|i| event(&format!("w{w}-{i}"), w * 1_000_000 + i)));
    }
    memory.record_batch(events, OnError::Stop).expect("batch");
    let journal = open_url(&url);
    assert_eq!(journal.len().expect("len"), 2 * 9_000 + 1_000);
    assert_eq!(answers(&journal), answers(&memory));
    // Every line whole, each id once: the file itself, not only the meter's view.
    let text = std::fs::read_to_string(dir.join("meter.jsonl")).expect("journal");
    assert_eq!(text.lines().count(), 19_000);
    assert!(text.ends_with('\n'));
}

#[test]
fn a_writer_killed_mid_batch_loses_no_acknowledged_event() {
    let dir = TempDir::new("kill");
    for url in backends(&dir, "kill") {
        a_writer_killed_mid_batch_loses_no_acknowledged_event_on(&url);
    }
    // A journal too (its batches are line by line: whole lines survive, not whole batches).
    a_writer_killed_mid_batch_loses_no_acknowledged_event_on(&dir.join("kill.jsonl").display().to_string());
}

fn a_writer_killed_mid_batch_loses_no_acknowledged_event_on(url: &str) {
    drop(open_url(url));
    for round in 0..3 {
        let mut c = child().env(CHILD, format!("crash|{url}")).stdout(Stdio::piped()).spawn().expect("spawn");
        let mut lines = BufReader::new(c.stdout.take().expect("stdout")).lines();
        let mut acked = None;
        // Let it write a varying number of batches, then kill -9 while it writes.
        for _ in 0..(20 + round * 13) {
            let line = lines.next().expect("a line").expect("utf-8");
            if let Some(b) = line.strip_prefix("acked ") {
                acked = Some(b.parse::<u64>().expect("batch"));
            }
        }
        c.kill().expect("kill -9");
        c.wait().expect("reaped");
        let acked = acked.expect("acknowledged batches");
        let m = open_url(url);
        for i in 0..(acked + 1) * 100 {
            assert!(m.get(&format!("k-{i}")).expect("get").is_some(), "acknowledged k-{i} lost (round {round})");
        }
        let stored = m.len().expect("len");
        assert!(stored >= (acked + 1) * 100, "{stored}");
        if !url.ends_with(".jsonl") {
            assert!(stored.is_multiple_of(100), "whole batches only: {stored}");
        }
        m.check().expect("sums agree with events");
    }
}

#[test]
fn eight_processes_racing_on_one_budget_never_exceed_it() {
    let dir = TempDir::new("race");
    for url in backends(&dir, "race") {
        eight_processes_racing_on_one_budget_never_exceed_it_on(&url);
    }
}

fn eight_processes_racing_on_one_budget_never_exceed_it_on(url: &str) {
    let limit = Money::new(Decimal::new(500, 2), Currency::USD); // $5.00; each call $0.035
    open_url(url).set_budget("racer", limit).expect("budget");
    let children: Vec<_> =
        (0..8).map(|w| child().env(CHILD, format!("budget|{url}|{w}|40")).stdout(Stdio::piped()).spawn().expect("spawn")).collect();
    let mut allowed = 0u64;
    for c in children {
        let out = c.wait_with_output().expect("child");
        assert!(out.status.success(), "{out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        let line = text.lines().find_map(|l| l.strip_prefix("allowed ")).expect("allowed line");
        allowed += line.parse::<u64>().expect("count");
    }
    let m = open_url(url);
    let spent = m.spent("racer", Currency::USD).expect("spent").amount();
    assert!(spent <= limit.amount(), "spent {spent} over {limit}");
    // 8 × 40 calls want $11.20: exactly as many as fit were allowed.
    assert_eq!(allowed, 142, "floor(5.00 / 0.035)");
    assert_eq!(spent, Decimal::new(35, 3) * Decimal::from(allowed));
}

/// Runs `conformance/meter/store.jsonl` (shared with the Python and Node packages)
/// against a meter over `url`.
fn run_store_vectors(url_of: &dyn Fn(usize) -> String) {
    let text = std::fs::read_to_string(format!("{}/../../conformance/meter/store.jsonl", env!("CARGO_MANIFEST_DIR"))).expect("vectors");
    for (n, line) in text.lines().enumerate() {
        let case: serde_json::Value = serde_json::from_str(line).expect("JSON line");
        let name = case["name"].as_str().expect("name");
        let url = url_of(n);
        let mut m = Meter::open_store(PriceBook::bundled(), &url, Fsync::Always).expect("open");
        let usage = |v: &serde_json::Value| tokfare_pricing::price::parse_usage(&v.to_string(), None).expect("usage");
        let text = |v: &serde_json::Value| v.as_str().expect("text").to_string();
        let money = |s: &str| s.parse::<Decimal>().expect("decimal");
        let mut reservations = Vec::new();
        for step in case["steps"].as_array().expect("steps") {
            let expect = &step["expect"];
            match step["op"].as_str().expect("op") {
                "record" | "settle" => {
                    let at: DateTime<Utc> = text(&step["timestamp"]).parse().expect("time");
                    let e = UsageEvent::new(text(&step["id"]), text(&step["customer"]), text(&step["model"]), usage(&step["usage"]), at);
                    let got = if step["op"] == "settle" {
                        m.settle(reservations[step["reservation"].as_u64().expect("index") as usize], e)
                    } else {
                        m.record(e)
                    };
                    let got = match got {
                        Ok(Recorded::New { .. }) => "new",
                        Ok(Recorded::Duplicate) => "duplicate",
                        Err(Error::ConflictingEvent { .. }) => "conflict",
                        Err(e) => panic!("{name}: {e}"),
                    };
                    assert_eq!(got, expect.as_str().expect("outcome"), "{name} on {url}: {step}");
                }
                "len" => assert_eq!(m.len().expect("len"), expect.as_u64().expect("n"), "{name} on {url}"),
                "spent" => {
                    let spent = m.spent(step["customer"].as_str().expect("customer"), Currency::USD).expect("spent").amount();
                    assert_eq!(spent, money(expect.as_str().expect("amount")), "{name} on {url}: {step}");
                }
                "invoice_total" => {
                    let invoice = m.invoice(&InvoiceOptions::default()).expect("invoice");
                    assert_eq!(invoice.totals[&Currency::USD], money(expect.as_str().expect("amount")), "{name} on {url}");
                }
                "set_budget" => {
                    let limit = Money::new(money(step["amount"].as_str().expect("amount")), Currency::USD);
                    m.set_budget(step["customer"].as_str().expect("customer"), limit).expect("budget");
                }
                "authorize" => {
                    let a = m
                        .authorize(
                            step["customer"].as_str().expect("customer"),
                            step["model"].as_str().expect("model"),
                            usage(&step["usage"]),
                            Service::Standard,
                        )
                        .expect("authorize");
                    assert_eq!(a.allowed, expect["allowed"].as_bool().expect("allowed"), "{name} on {url}: {step}");
                    assert_eq!(a.reserved.amount(), money(expect["reserved"].as_str().expect("reserved")), "{name} on {url}: {step}");
                    assert_eq!(a.spent.amount(), money(expect["spent"].as_str().expect("spent")), "{name} on {url}: {step}");
                    reservations.extend(a.reservation);
                }
                "release" => {
                    let r = reservations[step["reservation"].as_u64().expect("index") as usize];
                    assert_eq!(m.release(r).expect("release"), expect.as_bool().expect("bool"), "{name} on {url}: {step}");
                }
                other => panic!("unknown op {other}"),
            }
        }
    }
}

#[test]
fn store_vectors_hold_on_every_store() {
    let dir = TempDir::new("vectors");
    run_store_vectors(&|_| ":memory:".to_string());
    run_store_vectors(&|n| dir.join(&format!("j{n}.jsonl")).display().to_string());
    run_store_vectors(&|n| dir.join(&format!("s{n}.db")).display().to_string());
    run_store_vectors(&|n| format!("sqlite://{}", dir.join(&format!("u{n}.db")).display()));
    if postgres_db("probe").is_some() {
        run_store_vectors(&|n| postgres_db(&format!("v{n}")).expect("cluster"));
    }
}

#[test]
fn odd_ids_and_names_survive_every_store() {
    let dir = TempDir::new("odd");
    for url in backends(&dir, "odd") {
        let mut m = open_url(&url);
        // More than a handful, so PostgreSQL stages them with COPY (its escaping).
        let ids = ["a\tb", "line\nbreak\r", "back\\slash", "\\.", "\\N", "ünïcödé 🙂", "comma,\"quote\"", "%25", "x", "y"];
        let events: Vec<UsageEvent> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let mut e = event(id, i as u64);
                e.customer = format!("cust\t{}\\{}", i % 2, "\n🙂");
                e
            })
            .collect();
        let outcomes = m.record_batch(events.clone(), OnError::Stop).expect("batch");
        assert!(outcomes.iter().all(|o| matches!(o, Some(Ok(Recorded::New { .. })))), "{url}");
        let again = m.record_batch(events.clone(), OnError::Stop).expect("batch");
        assert!(again.iter().all(|o| matches!(o, Some(Ok(Recorded::Duplicate)))), "{url}");
        for e in &events {
            assert_eq!(m.get(&e.id).expect("get").expect("stored").event, *e, "{url}");
        }
        assert_eq!(m.len().expect("len"), ids.len() as u64);
        m.check().expect("sums agree");
        let mut memory = Meter::new(PriceBook::bundled());
        memory.record_batch(events, OnError::Stop).expect("batch");
        assert_eq!(answers(&m), answers(&memory), "{url}");
    }
}

/// An event no store could keep — an empty id, a NUL character in any text — is the
/// same typed error on every store, recorded nowhere, and the rest of the batch goes on.
#[test]
fn empty_ids_and_nul_characters_are_refused_by_every_store() {
    let dir = TempDir::new("nul");
    let mut urls = vec![":memory:".to_string(), dir.join("nul.jsonl").display().to_string()];
    urls.extend(backends(&dir, "nul"));
    for url in urls {
        let mut m = open_url(&url);
        let mut bad = vec![event("", 1), event("nul\0id", 2), event("ok-c", 3), event("ok-m", 4), event("ok-t", 5)];
        bad[2].customer = "acme\0".into();
        bad[3].model = "gpt-4o\0".into();
        bad[4].tags.insert("team".into(), "a\0b".into());
        let outcomes = m.record_batch(bad, OnError::Continue).expect("batch");
        let fields: Vec<&str> = outcomes
            .iter()
            .map(|o| match o {
                Some(Err(Error::InvalidArgument { name, .. })) => *name,
                other => panic!("{url}: {other:?}"),
            })
            .collect();
        assert_eq!(fields, ["id", "id", "customer", "model", "tags"], "{url}");
        assert_eq!(m.len().expect("len"), 0, "{url}");
        // The good event after them is recorded.
        let outcomes = m.record_batch(vec![event("nul\0late", 6), event("fine", 7)], OnError::Continue).expect("batch");
        assert!(matches!(outcomes[0], Some(Err(Error::InvalidArgument { name: "id", .. }))), "{url}");
        assert!(matches!(outcomes[1], Some(Ok(Recorded::New { .. }))), "{url}");
        assert_eq!(m.len().expect("len"), 1, "{url}");
    }
}

/// A PostgreSQL database of schema version 1 (one sums row per item) migrates to
/// version 2 (one row per group, NUMERIC arrays) and 3 (pending sums) on open and keeps
/// every sum.
#[test]
fn a_postgres_version_1_schema_migrates_and_keeps_its_sums() {
    let (Some(current), Some(old)) = (postgres_db("migrate_v2"), postgres_db("migrate_v1")) else {
        return;
    };
    let mut meter = open_url(&current);
    // 64 batches: the 64th folds every batch's pending sums into tokfare_period_sums.
    for batch in 0..64 {
        let events: Vec<UsageEvent> = (batch * 7..batch * 7 + 7).map(|i| event(&format!("m{i}"), i)).collect();
        for outcome in meter.record_batch(events, OnError::Stop).expect("record") {
            outcome.expect("outcome").expect("recorded");
        }
    }
    let expected = answers(&meter);
    drop(meter);

    // The same events and sums, written as version 1 had them.
    let mut from = postgres::Client::connect(&current, postgres::NoTls).expect("connect");
    let pending: i64 = from.query_one("SELECT count(*) FROM tokfare_pending_sums", &[]).expect("pending").get(0);
    assert_eq!(pending, 0, "the 64th batch folded the pending sums");
    let mut to = postgres::Client::connect(&old, postgres::NoTls).expect("connect");
    to.batch_execute(include_str!("../src/meter/store/sql/postgres/0001_init.sql")).expect("schema 1");
    to.batch_execute(
        "CREATE TABLE tokfare_schema (version INTEGER NOT NULL, applied TIMESTAMPTZ NOT NULL DEFAULT now()); \
         INSERT INTO tokfare_schema (version) VALUES (1)",
    )
    .expect("version 1");
    for row in from.query("SELECT id, event_hash, record_hash, ts, record FROM tokfare_events", &[]).expect("events") {
        let (id, eh, rh, ts, record): (String, Vec<u8>, Vec<u8>, i64, String) =
            (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4));
        to.execute("INSERT INTO tokfare_events VALUES ($1, $2, $3, $4, $5)", &[&id, &eh, &rh, &ts, &record]).expect("event");
    }
    let items = from
        .query(
            "SELECT level, start, customer, model, schedule, currency, u.item, u.count, u.quantity::text, u.amount::text \
             FROM tokfare_period_sums, unnest(items, counts, quantities, amounts) AS u (item, count, quantity, amount)",
            &[],
        )
        .expect("sums");
    assert!(items.len() > 500, "{} item sums", items.len());
    for row in items {
        let (level, start, customer, model, schedule, currency, item, count, quantity, amount): (
            i16,
            i64,
            String,
            String,
            String,
            String,
            String,
            i64,
            String,
            String,
        ) = (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4), row.get(5), row.get(6), row.get(7), row.get(8), row.get(9));
        to.execute(
            "INSERT INTO tokfare_sums VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::numeric, $10::text::numeric)",
            &[&level, &start, &customer, &model, &schedule, &currency, &item, &count, &quantity, &amount],
        )
        .expect("sum");
    }
    for row in from.query("SELECT customer, currency, amount::text FROM tokfare_spend", &[]).expect("spend") {
        let (customer, currency, amount): (String, String, String) = (row.get(0), row.get(1), row.get(2));
        to.execute("INSERT INTO tokfare_spend VALUES ($1, $2, $3::text::numeric)", &[&customer, &currency, &amount]).expect("spend");
    }

    // Grants on the table survive the migrations (it is changed in place, then renamed).
    to.batch_execute("GRANT SELECT ON tokfare_sums TO PUBLIC").expect("grant");

    let migrated = open_url(&old);
    let acl: String =
        to.query_one("SELECT coalesce(relacl::text, '') FROM pg_class WHERE relname = 'tokfare_period_sums'", &[]).expect("acl").get(0);
    assert!(acl.contains("=r/"), "the grant to PUBLIC is gone: {acl}");
    let version: i32 = to.query_one("SELECT max(version) FROM tokfare_schema", &[]).expect("version").get(0);
    assert_eq!(version, 3);
    migrated.check().expect("sums agree with the events after the migration");
    assert_eq!(answers(&migrated), expected);
}

/// `line` as a tokfare that kept each rate's scale wrote it: every unit price and amount
/// with trailing zeros (`2.5` -> `2.5000`, `0.015` -> `0.015000`, `10` -> `10.000`).
fn with_rate_scale(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = ["\"unit_price\":\"", "\"amount\":\""].iter().filter_map(|k| rest.find(k).map(|i| i + k.len())).min() {
        let end = at + rest[at..].find('"').expect("closing quote");
        out.push_str(&rest[..end]);
        out.push_str(if rest[at..end].contains('.') { "000" } else { ".000" });
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn records_priced_before_canonical_decimals_are_the_same_records() {
    let dir = TempDir::new("scale");
    let mut urls = vec![":memory:".to_string(), dir.join("scale.jsonl").display().to_string()];
    urls.extend(backends(&dir, "scale"));
    for url in urls {
        records_priced_before_canonical_decimals_are_the_same_records_on(&url);
    }
}

fn records_priced_before_canonical_decimals_are_the_same_records_on(url: &str) {
    let today = Meter::new(PriceBook::bundled());
    let events: Vec<UsageEvent> = (0..20).map(|i| event(&format!("e{i}"), i)).collect();
    let mut new_form = Meter::new(PriceBook::bundled());
    for e in &events {
        new_form.record(e.clone()).expect("record");
    }
    let lines: Vec<String> = new_form.records().expect("records").iter().map(|r| r.to_json()).collect();
    let old_lines: Vec<String> = lines.iter().map(|l| with_rate_scale(l)).collect();
    assert!(old_lines.iter().zip(&lines).all(|(o, n)| o != n && o.contains("0\",\"per\"")), "{}", old_lines[0]);
    let mut m = open_url(url);
    // Stored as an older tokfare wrote them...
    let report = m.import(format!("{}\n", old_lines.join("\n")).as_bytes()).expect("import");
    assert_eq!((report.added, report.duplicates, report.conflicts.len()), (20, 0, 0), "{url}");
    // ...they are the records priced today: by import, merge, record_priced and record.
    let report = m.import(format!("{}\n", lines.join("\n")).as_bytes()).expect("import");
    assert_eq!((report.added, report.duplicates, report.conflicts.clone()), (0, 20, vec![]), "{url}");
    let report = m.merge(&new_form).expect("merge");
    assert_eq!((report.added, report.duplicates, report.conflicts.clone()), (0, 20, vec![]), "{url}");
    for e in &events {
        assert_eq!(m.record_priced(today.price(e).expect("price")).expect("record_priced"), Recorded::Duplicate, "{url}");
        assert_eq!(m.record(e.clone()).expect("record"), Recorded::Duplicate, "{url}");
    }
    // Kept as written, counted once, the same money.
    let kept: Vec<String> = m.records().expect("records").iter().map(|r| r.to_json()).collect();
    assert_eq!(kept, old_lines, "{url}");
    assert_eq!(answers(&m), answers(&new_form), "{url}");
    m.check().expect("sums agree");
    // A value that differs is still a conflict.
    let changed = old_lines[0].replacen("\"amount\":\"", "\"amount\":\"1", 1);
    let report = m.import(format!("{changed}\n").as_bytes()).expect("import");
    assert_eq!(report.conflicts, vec!["e0".to_string()], "{url}");
}

/// SQLite and PostgreSQL keep each batch's sums as pending rows and fold them into
/// their sums table (every 64th batch on SQLite and PostgreSQL): their
/// answers equal the in-memory meter's between and after folds, a record replaced in a
/// merge while its sums were pending, or after they were folded, leaves no group
/// behind (the emptied sums row is deleted), and `check` agrees with the events.
#[test]
fn sums_stay_exact_across_folds_of_pending_batches() {
    let dir = TempDir::new("folds");
    for url in backends(&dir, "folds") {
        sums_stay_exact_across_folds_on(&url);
    }
}

fn sums_stay_exact_across_folds_on(url: &str) {
    let mut sqlite = open_url(url);
    let mut memory = Meter::new(PriceBook::bundled());
    // The only event of customer "solo", then replaced by a record that sorts first.
    let mut solo = event("e0", 0);
    solo.customer = "solo".into();
    let mut winner = Meter::new(PriceBook::bundled());
    let mut replacement = solo.clone();
    replacement.customer = "aardvark".into();
    winner.record(replacement).expect("record");
    for m in [&mut sqlite, &mut memory] {
        m.record(solo.clone()).expect("record");
        assert_eq!(m.merge(&winner).expect("merge").conflicts, vec!["e0".to_string()]);
    }
    assert_eq!(answers(&sqlite), answers(&memory));
    // The only event of customer "solo2", replaced after batch 100 (folded by then).
    let mut late = event("e1", 1);
    late.customer = "solo2".into();
    let mut late_winner = Meter::new(PriceBook::bundled());
    let mut replacement = late.clone();
    replacement.customer = "aardvark".into();
    late_winner.record(replacement).expect("record");
    for m in [&mut sqlite, &mut memory] {
        m.record(late.clone()).expect("record");
    }
    // 150 batches of 9 to 63 events (folds every 64th batch on SQLite and on
    // PostgreSQL, and batches pending after them), some of them redelivered.
    for b in 0..150u64 {
        let mut events: Vec<UsageEvent> = (0..(b % 7 + 1) * 9).map(|k| event(&format!("b{b}-{k}"), b * 100 + k)).collect();
        if b > 0 {
            events.push(event(&format!("b{}-0", b - 1), (b - 1) * 100));
        }
        for m in [&mut sqlite, &mut memory] {
            for outcome in m.record_batch(events.clone(), OnError::Stop).expect("batch") {
                outcome.expect("outcome").expect("recorded");
            }
        }
        if b % 29 == 5 {
            assert_eq!(answers(&sqlite), answers(&memory), "after batch {b}");
        }
        if b == 100 {
            for m in [&mut sqlite, &mut memory] {
                assert_eq!(m.merge(&late_winner).expect("merge").conflicts, vec!["e1".to_string()]);
            }
        }
    }
    let (a, b) = (answers(&sqlite), answers(&memory));
    assert_eq!(a, b);
    assert!(a.iter().all(|line| !line.contains("solo")), "no group of the replaced records");
    sqlite.check().expect("sums agree with the events");
    memory.check().expect("memory");
    // Not only answered as empty: the emptied sums rows are gone.
    let left: i64 = if url.starts_with("postgres") {
        let mut client = postgres::Client::connect(url, postgres::NoTls).expect("connect");
        client.query_one("SELECT count(*) FROM tokfare_period_sums WHERE customer LIKE 'solo%'", &[]).expect("count").get(0)
    } else {
        let conn = rusqlite::Connection::open(url).expect("open");
        conn.query_row("SELECT count(*) FROM period_sums WHERE customer LIKE 'solo%'", [], |r| r.get(0)).expect("count")
    };
    assert_eq!(left, 0, "{url}: sums rows of the replaced records");
}

/// A reader in another connection, while a writer's batches fold, sees whole batches
/// only, never fewer events than it saw before, and sums that agree with the events in
/// the same snapshot (a fold that removed pending rows apart from adding their sums, or
/// a reader that read the two in different snapshots, would show fewer).
#[test]
fn readers_see_whole_batches_while_folds_run() {
    let dir = TempDir::new("readers");
    for url in backends(&dir, "readers") {
        readers_see_whole_batches_while_folds_run_on(&url);
    }
}

fn readers_see_whole_batches_while_folds_run_on(url: &str) {
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    const SIZE: u64 = 8;
    drop(open_url(url)); // the schema, before two connections race to create it
    let done = AtomicBool::new(false);
    let reads = AtomicU64::new(0);
    let mut writer = open_url(url);
    let mut batches = 0;
    std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let meter = open_url(url);
            let mut last = 0;
            while !done.load(Ordering::SeqCst) {
                let events: u64 = meter.aggregate(&[GroupBy::Customer]).expect("aggregate").iter().map(|r| r.events).sum();
                assert_eq!(events % SIZE, 0, "{url}: a part of a batch");
                assert!(events >= last, "{url}: {events} events after {last}");
                last = events;
                meter.check().expect("sums agree with the events in one snapshot");
                reads.fetch_add(1, Ordering::SeqCst);
            }
        });
        // At least 140 batches (2 folds on PostgreSQL, 8 on SQLite) and 40 reads
        // alongside them.
        while (batches < 140 || reads.load(Ordering::SeqCst) < 40) && batches < 5_000 && !reader.is_finished() {
            let events: Vec<UsageEvent> = (0..SIZE).map(|k| event(&format!("r{batches}-{k}"), batches * SIZE + k)).collect();
            for outcome in writer.record_batch(events, OnError::Stop).expect("batch") {
                outcome.expect("outcome").expect("recorded");
            }
            batches += 1;
            // Paced so that the reader keeps up (its `check` grows with the store).
            while reads.load(Ordering::SeqCst) < batches / 4 && !reader.is_finished() {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        }
        done.store(true, Ordering::SeqCst);
        reader.join().expect("reader");
    });
    let reads = reads.load(Ordering::SeqCst);
    assert!(reads >= 40, "{url}: the reader ran alongside the writer ({reads} reads, {batches} batches)");
    // One more batch, with no reader alongside.
    let last: Vec<UsageEvent> = (0..SIZE).map(|k| event(&format!("last-{k}"), k)).collect();
    writer.record_batch(last, OnError::Stop).expect("batch");
    assert_eq!(writer.len().expect("len"), (batches + 1) * SIZE, "{url}");
    writer.check().expect("sums agree with the events");
    if url.starts_with("postgres") {
        // Folds ran after every 64th batch: fewer than 64 batches are pending, one row
        // each.
        let mut client = postgres::Client::connect(url, postgres::NoTls).expect("connect");
        let pending: i64 = client.query_one("SELECT count(*) FROM tokfare_pending_sums", &[]).expect("pending").get(0);
        assert!((0..64).contains(&pending), "{url}: {pending} pending rows");
        let folded: i64 = client.query_one("SELECT count(*) FROM tokfare_period_sums WHERE level = 2", &[]).expect("sums").get(0);
        assert!(folded > 0, "{url}: sums were folded");
    }
}
