//! The meter: idempotency, merge algebra (property-tested), crash recovery at every
//! byte of the last journal record, budgets, CloudEvents keys, usage logs, invoices.

use proptest::prelude::*;
use std::collections::BTreeMap;
use tokfare_pricing::meter::{idempotency_key, read_usage_log, Fsync, GroupBy, InvoiceOptions, Meter, OnError, Recorded, UsageEvent};
use tokfare_pricing::price::{parse_decimal, Currency, Decimal, Money, PriceBook, ScheduleSet, Service, Usage};
use tokfare_pricing::Error;

fn d(s: &str) -> Decimal {
    parse_decimal(s).expect("decimal")
}

fn at(t: &str) -> chrono::DateTime<chrono::Utc> {
    t.parse().expect("timestamp")
}

fn event(id: &str, customer: &str, model: &str, input: u64, output: u64) -> UsageEvent {
    UsageEvent::new(id, customer, model, Usage::tokens(input, output), at("2026-11-02T10:00:00Z"))
}

/// Every record's canonical line, by id: two meters are equal iff these are.
fn state(meter: &Meter) -> Vec<String> {
    meter.records().expect("records").iter().map(|r| r.to_json()).collect()
}

#[test]
fn recording_is_idempotent_and_conflicts_change_nothing() {
    let mut meter = Meter::new(PriceBook::bundled());
    let e = event("req-1", "acme", "gpt-4o", 1_000_000, 100_000);
    match meter.record(e.clone()).expect("recorded") {
        Recorded::New { cost, schedule } => {
            assert_eq!(cost.amount().normalize(), d("3.5")); // 2.50 + 1.00
            assert_eq!(schedule, "gpt-4o");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(meter.record(e.clone()).expect("dup"), Recorded::Duplicate);
    let changed = UsageEvent { usage: Usage::tokens(1, 1), ..e };
    assert!(matches!(meter.record(changed), Err(Error::ConflictingEvent { .. })));
    assert_eq!(meter.len().expect("len"), 1);
    assert_eq!(meter.spent("acme", Currency::USD).expect("spent").amount().normalize(), d("3.5"));
    // Unknown models are refused, never priced at $0.
    assert!(matches!(meter.record(event("req-2", "acme", "gpt-9-turbo", 1, 1)), Err(Error::UnknownModelPrice { .. })));
    assert_eq!(meter.len().expect("len"), 1);
}

fn arb_event() -> impl Strategy<Value = UsageEvent> {
    (0u8..12, 0u8..3, 0u8..3, 0u64..5000, 0u64..5000, 0u8..2).prop_map(|(id, customer, model, input, output, variant)| {
        let model = ["gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet-20241022"][model as usize];
        let mut e = event(&format!("e{id}"), &format!("c{customer}"), model, input, output);
        // Same id, different content sometimes: merges must still agree.
        if variant == 1 {
            e.service = Service::Batch;
        }
        e
    })
}

fn meter_of(events: &[UsageEvent]) -> Meter {
    let mut m = Meter::new(PriceBook::bundled());
    for e in events {
        let _ = m.record(e.clone()); // conflicts are refused; merge resolves them
    }
    m
}

fn merged(a: &Meter, b: &Meter) -> Meter {
    let mut m = Meter::new(PriceBook::bundled());
    m.merge(a).expect("merge");
    m.merge(b).expect("merge");
    m
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn merge_is_commutative_associative_and_idempotent(
        a in prop::collection::vec(arb_event(), 0..10),
        b in prop::collection::vec(arb_event(), 0..10),
        c in prop::collection::vec(arb_event(), 0..10),
    ) {
        let (ma, mb, mc) = (meter_of(&a), meter_of(&b), meter_of(&c));
        prop_assert_eq!(state(&merged(&ma, &mb)), state(&merged(&mb, &ma)));
        let ab_c = merged(&merged(&ma, &mb), &mc);
        let a_bc = merged(&ma, &merged(&mb, &mc));
        prop_assert_eq!(state(&ab_c), state(&a_bc));
        prop_assert_eq!(state(&merged(&ma, &ma)), state(&ma));
        // Spend equals the sum over the surviving records: nothing lost or doubled.
        let m = merged(&ab_c, &ma);
        for customer in ["c0", "c1", "c2"] {
            let expected: Decimal = m.records().expect("records").iter().filter(|r| r.event.customer == customer).map(|r| r.cost().amount()).sum();
            prop_assert_eq!(m.spent(customer, Currency::USD).expect("spent").amount(), expected);
        }
    }

    #[test]
    fn merging_disjoint_meters_equals_recording_everything_in_one(
        events in prop::collection::vec(arb_event(), 0..30),
        split in 0usize..30,
    ) {
        let single = meter_of(&events);
        let kept: Vec<UsageEvent> = single.records().expect("records").iter().map(|r| r.event.clone()).collect();
        let split = split.min(kept.len());
        let m = merged(&meter_of(&kept[..split]), &meter_of(&kept[split..]));
        prop_assert_eq!(state(&m), state(&single));
        let totals = |m: &Meter| m.aggregate(&[GroupBy::Customer]).expect("aggregate");
        prop_assert_eq!(totals(&m), totals(&single));
    }
}

#[test]
fn journal_recovery_at_every_byte_of_the_last_record_loses_and_doubles_nothing() {
    let dir = std::env::temp_dir().join(format!("tokfare-journal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("meter.jsonl");
    let _ = std::fs::remove_file(&path);
    let events: Vec<UsageEvent> = (0..4).map(|i| event(&format!("r{i}"), "acme", "gpt-4o-mini", 1000 + i, 10)).collect();
    {
        let (mut meter, recovery) = Meter::open(PriceBook::bundled(), &path, Fsync::Always).expect("open");
        assert_eq!(recovery.records, 0);
        for e in &events {
            meter.record(e.clone()).expect("record");
        }
        assert_eq!(meter.record(events[0].clone()).expect("dup"), Recorded::Duplicate);
    }
    let full = std::fs::read(&path).expect("journal");
    assert_eq!(full.iter().filter(|&&b| b == b'\n').count(), 4, "duplicates are not journaled");
    let last_start = full[..full.len() - 1].iter().rposition(|&b| b == b'\n').expect("several lines") + 1;
    for cut in last_start..=full.len() {
        std::fs::write(&path, &full[..cut]).expect("cut");
        let (mut meter, recovery) = Meter::open(PriceBook::bundled(), &path, Fsync::Always).expect("recover");
        let complete = cut == full.len();
        assert_eq!(meter.len().expect("len"), if complete { 4 } else { 3 }, "cut at {cut}");
        assert_eq!(recovery.torn_bytes, if complete { 0 } else { (cut - last_start) as u64 });
        // The client retries the unacknowledged event: counted exactly once.
        let outcome = meter.record(events[3].clone()).expect("retry");
        assert_eq!(outcome == Recorded::Duplicate, complete, "cut at {cut}");
        drop(meter);
        let (reopened, _) = Meter::open(PriceBook::bundled(), &path, Fsync::Always).expect("reopen");
        assert_eq!(reopened.len().expect("len"), 4, "cut at {cut}");
        assert_eq!(std::fs::read(&path).expect("journal"), full, "cut at {cut}: the journal heals to the same bytes");
    }
    // A corrupt record followed by good ones is refused, not dropped.
    let mut corrupt = full.clone();
    corrupt[5] = b'#';
    std::fs::write(&path, &corrupt).expect("write");
    assert!(matches!(Meter::open(PriceBook::bundled(), &path, Fsync::Always), Err(Error::Journal { .. })));
    // A complete last line (newline-terminated: it was acknowledged) that is corrupt is
    // refused too, never cut off as if it were a torn write.
    let mut corrupt = full.clone();
    corrupt[last_start + 3] = b'#';
    std::fs::write(&path, &corrupt).expect("write");
    match Meter::open(PriceBook::bundled(), &path, Fsync::Always) {
        Err(e @ Error::Journal { .. }) => assert!(e.to_string().contains("line 4 is complete but not a record"), "{e}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(std::fs::read(&path).expect("journal"), corrupt, "nothing cut");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn budgets_authorize_on_estimates_and_settle_on_actuals() {
    let mut meter = Meter::new(PriceBook::bundled());
    meter.set_budget("acme", Money::new(d("1.00"), Currency::USD)).expect("budget");
    // gpt-4o: 200k input + 20k output = 0.50 + 0.20 = 0.70
    let estimate = Usage::tokens(200_000, 20_000);
    let first = meter.authorize("acme", "gpt-4o", estimate, Service::Standard).expect("authorize");
    assert!(first.allowed);
    assert_eq!(first.estimate.amount().normalize(), d("0.7"));
    // The first reservation holds 0.70, so a second identical call does not fit.
    let second = meter.authorize("acme", "gpt-4o", estimate, Service::Standard).expect("authorize");
    assert!(!second.allowed && second.reservation.is_none());
    assert_eq!(second.remaining.expect("limit").amount().normalize(), d("0.3"));
    // Settle with the actual (smaller) usage: 100k + 10k = 0.35
    let actual = event("call-1", "acme", "gpt-4o", 100_000, 10_000);
    meter.settle(first.reservation.expect("held"), actual).expect("settle");
    assert_eq!(meter.spent("acme", Currency::USD).expect("spent").amount().normalize(), d("0.35"));
    let third = meter.authorize("acme", "gpt-4o", Usage::tokens(200_000, 10_000), Service::Standard).expect("authorize");
    assert!(third.allowed, "0.35 + 0.60 <= 1.00");
    assert!(meter.release(third.reservation.expect("held")).expect("release"));
    assert!(meter.set_budget("acme", Money::new(d("-1"), Currency::USD)).is_err());
}

#[test]
fn cloudevents_keys_are_deterministic_and_follow_the_provider_request() {
    let mut e = event("evt-1", "acme", "gpt-4o", 10, 10);
    e.provider = Some("openai".into());
    e.request_id = Some("chatcmpl-abc".into());
    let mut retried = e.clone();
    retried.id = "evt-1-retry".into();
    let key = idempotency_key(Some("openai"), Some("chatcmpl-abc"), "evt-1");
    assert_eq!(key, idempotency_key(Some("OpenAI"), Some("chatcmpl-abc"), "another-id"));
    assert_ne!(key, idempotency_key(None, None, "evt-1"));
    let mut meter = Meter::new(PriceBook::bundled());
    meter.record(e).expect("record");
    meter.record(retried).expect("record");
    let exported = meter.to_cloudevents("urn:tokfare:test").expect("export");
    assert_eq!(exported.len(), 2);
    let ids: Vec<String> = exported
        .iter()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).expect("valid JSON")["id"].as_str().expect("id").to_string())
        .collect();
    assert_eq!(ids[0], ids[1], "one provider request is one downstream event");
    assert_eq!(ids[0], key);
    let ce: serde_json::Value = serde_json::from_str(&exported[0]).expect("json");
    assert_eq!(ce["specversion"], "1.0");
    assert_eq!(ce["data"]["usage"]["input"], 10);
    assert_eq!(meter.to_cloudevents("urn:tokfare:test").expect("export"), exported, "deterministic");
}

#[test]
fn usage_logs_report_bad_lines_by_number_and_keep_the_good_ones() {
    let log = concat!(
        r#"{"id": "a", "customer": "acme", "model": "gpt-4o", "timestamp": "2026-11-01T00:00:00Z", "usage": {"prompt_tokens": 10, "completion_tokens": 5}}"#,
        "\n\n",
        r#"{"id": "b", "customer": "acme", "model": "gpt-4o", "timestamp": "2026-11-01T00:00:00Z", "usage": {"prompt_tokens": -1, "completion_tokens": 5}}"#,
        "\n",
        "not json\n",
        r#"{"customer": "zeta", "timestamp": 1762000000, "response": {"id": "msg_01", "type": "message", "model": "claude-3-5-sonnet-20241022", "usage": {"input_tokens": 7, "output_tokens": 3}}}"#,
        "\n",
        r#"{"customer": "zeta", "timestamp": "2026-11-01T00:00:00Z", "response": {"responseId": "g1", "modelVersion": "gemini-2.5-pro", "usageMetadata": {"promptTokenCount": 4, "candidatesTokenCount": 2}}}"#,
    );
    let stop = read_usage_log(log.as_bytes(), OnError::Stop);
    match stop {
        Err(Error::InvalidUsage { line: Some(3), path, reason }) => {
            assert_eq!(path, "$.usage.prompt_tokens");
            assert!(reason.contains("negative"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    let report = read_usage_log(log.as_bytes(), OnError::Continue).expect("continue");
    assert_eq!(report.lines, 5);
    let ids: Vec<&str> = report.events.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["a", "msg_01", "g1"]);
    let lines: Vec<Option<usize>> = report
        .errors
        .iter()
        .map(|e| match e {
            Error::InvalidUsage { line, .. } => *line,
            _ => None,
        })
        .collect();
    assert_eq!(lines, [Some(3), Some(4)]);
    assert_eq!(report.events[1].request_id.as_deref(), Some("msg_01"));
    assert_eq!(report.events[1].usage.input, 7);
}

#[test]
fn invoices_group_round_per_line_and_add_up() {
    let tiers = ScheduleSet::from_toml(
        r#"
name = "t"
rounding = { mode = "half_up", scale = "minor_unit" }
[schedules.flat]
models = ["flat-*"]
rates = { input = "3", output = "15" }
"#,
    )
    .expect("schedule");
    let mut meter = Meter::new(PriceBook::bundled().with_schedule_set(tiers));
    // 3 requests of 1 input token at $3/M: each 0.000003; the line sums exactly first.
    for i in 0..3 {
        meter.record(event(&format!("x{i}"), "acme", "flat-1", 1, 0)).expect("record");
    }
    // 1670 input tokens: 0.00501 -> 0.01 (half up); 330 output at $15/M: 0.00495 -> 0.00
    meter.record(event("y", "beta", "flat-1", 1670, 330)).expect("record");
    let invoice = meter.invoice(&InvoiceOptions::default()).expect("invoice");
    let by_item: BTreeMap<(String, String), (u64, Decimal)> =
        invoice.lines.iter().map(|l| ((l.group[0].1.clone(), l.item.clone()), (l.quantity, l.amount))).collect();
    assert_eq!(by_item[&("acme".into(), "input tokens".into())], (3, d("0.00")));
    assert_eq!(by_item[&("beta".into(), "input tokens".into())], (1670, d("0.01")));
    assert_eq!(by_item[&("beta".into(), "output tokens".into())], (330, d("0.00")));
    assert_eq!(invoice.totals[&Currency::USD], d("0.01"));
    let sum: Decimal = invoice.lines.iter().map(|l| l.amount).sum();
    assert_eq!(sum, invoice.totals[&Currency::USD], "the document adds up");
    let csv = invoice.to_csv();
    assert!(
        csv.starts_with(
            "customer,model,schedule,item,quantity,unit_price,per,amount,currency,item_code,context_above,service,window,rate_of\n"
        ),
        "{csv}"
    );
    let json: serde_json::Value = serde_json::from_str(&invoice.to_json()).expect("valid JSON");
    assert_eq!(json["totals"]["USD"], "0.01");
    assert_eq!(json["events"], 4);
}

#[test]
fn invoice_lines_say_why_their_rate_is_not_the_schedules_own() {
    // A long-context tier, a batch discount and a class without a rate of its own: each
    // line names its basis, in the item and in a structured field, and lines that differ
    // only in it stay apart.
    let set = ScheduleSet::from_toml(
        r#"
name = "t"
[schedules.m]
models = ["m-*"]
rates = { input = "2", output = "10", cache_write_5m = "2.5" }
context_tiers = [{ above = 1000, rates = { input = "4", output = "20" } }]
services.batch = { multiplier = "0.5" }
"#,
    )
    .expect("schedule");
    let mut meter = Meter::new(PriceBook::new().with_schedule_set(set));
    meter.record(event("short", "acme", "m-1", 500, 10)).expect("record");
    meter.record(event("long", "acme", "m-1", 5000, 10)).expect("record");
    let mut batch = event("batch", "acme", "m-1", 500, 10);
    batch.service = Service::Batch;
    meter.record(batch).expect("record");
    let mut cached = event("cached", "acme", "m-1", 0, 0);
    cached.usage.cache_write_1h = 1000;
    meter.record(cached).expect("record");
    let invoice = meter.invoice(&InvoiceOptions::default()).expect("invoice");
    let lines: Vec<(String, String, u64, String)> =
        invoice.lines.iter().map(|l| (l.item.clone(), l.item_code.clone(), l.quantity, l.unit_price.to_string())).collect();
    let want = |item: &str, code: &str, q: u64, rate: &str| (item.to_string(), code.to_string(), q, rate.to_string());
    for line in [
        want("input tokens", "tokens:input", 500, "2"),
        want("input tokens (prompt above 1000 tokens)", "tokens:input|ctx>1000", 5000, "4"),
        want("input tokens (batch)", "tokens:input|service=batch", 500, "1"),
        want("output tokens (batch)", "tokens:output|service=batch", 10, "5"),
        want("cache_write_1h tokens (at the cache_write_5m rate)", "tokens:cache_write_1h|rate=cache_write_5m", 1000, "2.5"),
    ] {
        assert!(lines.contains(&line), "{line:?} not in {lines:#?}");
    }
    let json: serde_json::Value = serde_json::from_str(&invoice.to_json()).expect("valid JSON");
    let basis_of =
        |code: &str| json["lines"].as_array().expect("lines").iter().find(|l| l["item_code"] == code).expect("a line")["basis"].clone();
    assert_eq!(basis_of("tokens:input|ctx>1000"), serde_json::json!({"context_above": 1000}));
    assert_eq!(basis_of("tokens:input|service=batch"), serde_json::json!({"service": "batch"}));
    assert_eq!(basis_of("tokens:cache_write_1h|rate=cache_write_5m"), serde_json::json!({"rate_of": "cache_write_5m"}));
    assert_eq!(basis_of("tokens:input"), serde_json::json!({}));
    // The basis survives the priced record's round trip (a journal line, a store row).
    let record = meter.get("long").expect("get").expect("recorded");
    let again = tokfare_pricing::meter::PricedEvent::from_json(&record.to_json()).expect("round trip");
    assert_eq!(again, record);
    assert!(record.charges.lines.iter().any(|c| c.basis.context_above == Some(1000)));
}

#[test]
fn period_tiers_are_invoiced_per_group_and_month() {
    let set = ScheduleSet::from_toml(
        r#"
name = "t"
[schedules.metered]
models = ["m"]
rates = { input = "0", output = "0" }
[[schedules.metered.period]]
metric = "tokens"
mode = "volume"
tiers = [{ up_to = 1000000, unit_price = "2" }, { unit_price = "1" }]
"#,
    )
    .expect("schedule");
    let mut meter = Meter::new(PriceBook::new().with_schedule_set(set));
    let mut e1 = event("1", "acme", "m", 600_000, 0);
    let mut e2 = event("2", "acme", "m", 600_000, 0);
    let mut e3 = event("3", "acme", "m", 600_000, 0);
    e1.timestamp = at("2026-10-31T23:00:00Z");
    e2.timestamp = at("2026-11-01T01:00:00Z");
    e3.timestamp = at("2026-11-20T01:00:00Z");
    for e in [e1, e2, e3] {
        meter.record(e).expect("record");
    }
    let options = InvoiceOptions { group_by: vec![GroupBy::Customer], ..InvoiceOptions::default() };
    let invoice = meter.invoice(&options).expect("invoice");
    // October: 0.6M at $2 = 1.20. November: 1.2M reaches the second tier, all at $1 = 1.20.
    let tier_lines: Vec<(u64, Decimal)> =
        invoice.lines.iter().filter(|l| l.item_code.starts_with("tier:")).map(|l| (l.quantity, l.amount)).collect();
    assert_eq!(tier_lines, [(600_000, d("1.20")), (1_200_000, d("1.20"))]);
    assert_eq!(invoice.totals[&Currency::USD], d("2.40"));
}

/// A schedule with a period tier and its own rounding: 1M tokens at $2/M (volume).
fn metered_book() -> PriceBook {
    let set = ScheduleSet::from_toml(
        r#"
name = "t"
rounding = { mode = "up", scale = 4 }
[schedules.metered]
models = ["m"]
rates = { input = "0", output = "0" }
[[schedules.metered.period]]
metric = "tokens"
mode = "volume"
tiers = [{ up_to = 1000000, unit_price = "2" }, { unit_price = "1" }]
"#,
    )
    .expect("schedule");
    PriceBook::new().with_schedule_set(set)
}

#[test]
fn merged_records_keep_the_schedule_that_priced_them() {
    // Priced by a book this meter does not have: its period tier and rounding still apply.
    let mut theirs = Meter::new(metered_book());
    theirs.record(event("1", "acme", "m", 123_457, 0)).expect("record");
    let mut ours = Meter::new(PriceBook::bundled());
    ours.merge(&theirs).expect("merge");
    let invoice = ours.invoice(&InvoiceOptions::default()).expect("invoice");
    // 123 457 × $2/M = 0.246914, rounded up at 4 decimals.
    assert_eq!(invoice.totals[&Currency::USD], d("0.2470"));
}

#[test]
fn an_invoice_never_guesses_a_schedule_it_does_not_have() {
    // A snapshot restored under a book without its schedule: the period tiers and the
    // rounding are unknown, so the invoice is an error naming them, not a smaller bill.
    let mut theirs = Meter::new(metered_book());
    theirs.record(event("1", "acme", "m", 600_000, 0)).expect("record");
    let mut restored = Meter::new(PriceBook::bundled());
    for r in theirs.records().expect("records") {
        restored.record_priced(r).expect("restore");
    }
    let err = restored.invoice(&InvoiceOptions::default()).expect_err("unknown schedule");
    assert_eq!(err.code(), "invalid_schedule");
    assert!(err.to_string().contains("\"metered\""), "{err}");
    // Under the book that priced it, the same records invoice.
    let mut again = Meter::new(metered_book());
    for r in theirs.records().expect("records") {
        again.record_priced(r).expect("restore");
    }
    assert_eq!(again.invoice(&InvoiceOptions::default()).expect("invoice").totals[&Currency::USD], d("1.2000"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]
    #[test]
    fn recording_a_sequence_twice_is_recording_it_once(events in prop::collection::vec(arb_event(), 0..20)) {
        let once = meter_of(&events);
        let mut twice = meter_of(&events);
        for e in &events {
            let _ = twice.record(e.clone());
        }
        prop_assert_eq!(state(&once), state(&twice));
    }
}

#[test]
fn a_summing_meter_invoices_a_log_as_the_full_meter_does() {
    // The bundled example log (redeliveries included) plus a conflict, through both
    // meters: the same outcome and, for every grouping, the same invoice.
    let mut log = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/usage.jsonl")).expect("example log");
    let first = log.lines().nth(1).expect("a line").to_string();
    log.push_str(&first.replace("\"promptTokenCount\":", "\"promptTokenCount\":1"));
    log.push('\n');
    let book = || PriceBook::bundled().with_schedule_set(ScheduleSet::bundled("gtc-2026").expect("bundled"));
    for (group_by, period) in
        [(None, None), (Some(vec!["schedule"]), None), (Some(vec!["customer", "day"]), Some("day")), (Some(vec!["hour"]), Some("hour"))]
    {
        let options = InvoiceOptions::from_names(group_by.as_deref(), period).expect("options");
        let mut full = Meter::new(book());
        let mut summing = Meter::summing(book(), &options);
        let a = full.record_log(log.as_bytes(), OnError::Continue).expect("full");
        let b = summing.record_log(log.as_bytes(), OnError::Continue).expect("summing");
        assert_eq!((a.recorded, a.duplicates, a.problems.len()), (b.recorded, b.duplicates, b.problems.len()), "{group_by:?}");
        assert_eq!(b.problems.len(), 1, "the conflict is reported");
        assert_eq!(full.len().expect("len"), summing.len().expect("len"));
        assert_eq!(full.invoice(&options).expect("invoice"), summing.invoice(&options).expect("invoice"), "{group_by:?}");
    }
    // What it does not keep is an error, not an empty answer.
    let options = InvoiceOptions::default();
    let mut summing = Meter::summing(book(), &options);
    summing.record_log(log.as_bytes(), OnError::Continue).expect("summing");
    assert_eq!(summing.get("evt-00001").expect_err("no events kept").code(), "store");
    let by_day = InvoiceOptions::from_names(Some(&["day"]), None).expect("options");
    assert_eq!(summing.invoice(&by_day).expect_err("month sums only").code(), "store");
    let part = InvoiceOptions::default().between(Some("2026-11-10"), None).expect("range");
    assert_eq!(summing.invoice(&part).expect_err("cuts a month").code(), "store");
    assert!(summing.set_budget("acme", Money::new(d("1"), Currency::USD)).is_err());
}

/// The example log, each line once more later on (redeliveries), and a conflicting
/// redelivery of its second line.
fn log_with_redeliveries() -> String {
    let log = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/usage.jsonl")).expect("example log");
    let lines: Vec<&str> = log.lines().collect();
    let mut out = log.clone();
    for line in lines.iter().step_by(3) {
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&lines[1].replace("\"promptTokenCount\":", "\"promptTokenCount\":1"));
    out.push('\n');
    out
}

/// The lines of `log` in `n` shares by event id (the id the meter reads, whatever the
/// line's format): every delivery of one id in the same share.
fn shares_by_id(log: &str, n: u64) -> Vec<String> {
    use std::hash::{Hash, Hasher};
    let mut shares = vec![String::new(); n as usize];
    for line in log.lines() {
        let report = read_usage_log(line.as_bytes(), OnError::Stop).expect("an event");
        let mut h = std::collections::hash_map::DefaultHasher::new();
        report.events[0].id.hash(&mut h);
        let share = &mut shares[(h.finish() % n) as usize];
        share.push_str(line);
        share.push('\n');
    }
    shares
}

#[test]
fn a_log_priced_in_shares_by_event_id_invoices_as_one_meter() {
    let log = log_with_redeliveries();
    let book = || PriceBook::bundled().with_schedule_set(ScheduleSet::bundled("gtc-2026").expect("bundled"));
    for (group_by, period) in
        [(None, None), (Some(vec!["schedule"]), None), (Some(vec!["customer", "day"]), Some("day")), (Some(vec!["hour"]), Some("hour"))]
    {
        let options = InvoiceOptions::from_names(group_by.as_deref(), period).expect("options");
        let mut whole = Meter::summing(book(), &options);
        let expected = whole.record_log(log.as_bytes(), OnError::Continue).expect("whole");
        for n in [1, 3, 7] {
            let mut total = Meter::summing(book(), &options);
            let (mut recorded, mut duplicates, mut problems) = (0, 0, 0);
            for share in shares_by_id(&log, n) {
                let mut meter = Meter::summing(book(), &options);
                let outcome = meter.record_log(share.as_bytes(), OnError::Continue).expect("share");
                (recorded, duplicates, problems) =
                    (recorded + outcome.recorded, duplicates + outcome.duplicates, problems + outcome.problems.len());
                total.add_partial_sums(&meter.partial_sums(&options).expect("partial sums")).expect("add");
            }
            assert_eq!((recorded, duplicates, problems), (expected.recorded, expected.duplicates, 1), "{group_by:?}, {n} shares");
            assert!(duplicates > 30, "{duplicates} redeliveries");
            assert_eq!(total.invoice(&options).expect("invoice"), whole.invoice(&options).expect("invoice"), "{group_by:?}, {n} shares");
        }
        // The rows are the whole meter's sums: what a full meter hands over is the same.
        let mut full = Meter::new(book());
        full.record_log(log.as_bytes(), OnError::Continue).expect("full");
        assert_eq!(full.partial_sums(&options).expect("rows"), whole.partial_sums(&options).expect("rows"));
    }
}

#[test]
fn period_tiers_apply_to_the_added_shares_not_to_each() {
    // 3 × 0.6M tokens in one month, one event per share: 1.8M passes the volume tier's
    // 1M, so all of it is at $1 (each share alone would be at $2: 3.60).
    let options = InvoiceOptions { group_by: vec![GroupBy::Customer], ..InvoiceOptions::default() };
    let mut total = Meter::summing(metered_book(), &options);
    for (i, day) in ["2026-11-02", "2026-11-12", "2026-11-22"].iter().enumerate() {
        let mut share = Meter::summing(metered_book(), &options);
        let mut e = event(&format!("e{i}"), "acme", "m", 600_000, 0);
        e.timestamp = at(&format!("{day}T10:00:00Z"));
        share.record(e).expect("record");
        total.add_partial_sums(&share.partial_sums(&options).expect("rows")).expect("add");
    }
    let invoice = total.invoice(&options).expect("invoice");
    assert_eq!((invoice.events, invoice.totals[&Currency::USD]), (3, d("1.8000")));
}

#[test]
fn partial_sums_go_to_the_period_holding_them_and_only_into_a_summing_meter() {
    let log = log_with_redeliveries();
    let book = || PriceBook::bundled().with_schedule_set(ScheduleSet::bundled("gtc-2026").expect("bundled"));
    let by_day = InvoiceOptions::from_names(Some(&["customer", "day"]), Some("day")).expect("options");
    let by_month = InvoiceOptions::default();
    let mut full = Meter::new(book());
    full.record_log(log.as_bytes(), OnError::Continue).expect("full");
    // Day rows into a month meter: added to their months.
    let mut months = Meter::summing(book(), &by_month);
    months.add_partial_sums(&full.partial_sums(&by_day).expect("day rows")).expect("finer rows");
    assert_eq!(months.invoice(&by_month).expect("invoice"), full.invoice(&by_month).expect("invoice"));
    // Month rows into a day meter cannot be split: an error, and nothing added.
    let mut days = Meter::summing(book(), &by_day);
    let err = days.add_partial_sums(&full.partial_sums(&by_month).expect("month rows")).expect_err("coarser rows");
    assert_eq!(err.code(), "store");
    assert_eq!(days.invoice(&by_day).expect("invoice").events, 0);
    // A meter that keeps events refuses sums it could not match with them.
    let err = Meter::new(book()).add_partial_sums(&full.partial_sums(&by_month).expect("rows")).expect_err("full meter");
    assert!(err.to_string().contains("only a summing meter"), "{err}");
}

#[test]
fn a_line_longer_than_the_limit_is_an_error_and_the_next_line_is_read() {
    let good = r#"{"id":"a","model":"gpt-4o","timestamp":"2026-11-01T00:00:00Z","usage":{"input_tokens":1}}"#;
    let mut log = vec![b' '; tokfare_pricing::meter::MAX_LINE_BYTES + 10];
    log.push(b'\n');
    log.extend_from_slice(good.as_bytes());
    log.push(b'\n');
    let report = read_usage_log(log.as_slice(), OnError::Continue).expect("continue");
    assert_eq!(report.events.len(), 1);
    assert_eq!(report.event_lines, [2]);
    match &report.errors[..] {
        [Error::InvalidUsage { line: Some(1), reason, .. }] => assert!(reason.contains("longer than 32 MiB"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_journal_catches_up_on_what_another_writer_left() {
    // Two meters on one journal (two processes behave the same: the lock is per open
    // file). One writes; a writer that dies mid-line leaves a torn tail; then a
    // complete line that is not a record.
    let dir = std::env::temp_dir().join(format!("tokfare-journal-catch-up-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("meter.jsonl");
    let _ = std::fs::remove_file(&path);
    let (mut a, _) = Meter::open(PriceBook::bundled(), &path, Fsync::Always).expect("open a");
    let (mut b, _) = Meter::open(PriceBook::bundled(), &path, Fsync::Always).expect("open b");
    a.record(event("a1", "acme", "gpt-4o", 10, 1)).expect("a1");
    assert_eq!(b.record(event("a1", "acme", "gpt-4o", 10, 1)).expect("b sees a1"), Recorded::Duplicate);
    // A torn write (no newline): cut off by the next writer, and reported.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, b"{\"event\":{\"id\""))
        .expect("torn");
    b.record(event("b1", "acme", "gpt-4o", 10, 1)).expect("b1");
    assert_eq!(b.recovery().expect("journal").torn_bytes, 14);
    assert_eq!(a.record(event("b1", "acme", "gpt-4o", 10, 1)).expect("a sees b1"), Recorded::Duplicate);
    assert_eq!(std::fs::read_to_string(&path).expect("journal").lines().count(), 2, "every line whole");
    // A complete line that is not a record: refused, nothing cut, the lock released.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, b"garbage\n"))
        .expect("corrupt");
    match a.record(event("a2", "acme", "gpt-4o", 10, 1)) {
        Err(e @ Error::Journal { .. }) => assert!(e.to_string().contains("line 3 is complete but not a record"), "{e}"),
        other => panic!("{other:?}"),
    }
    assert!(std::fs::read_to_string(&path).expect("journal").ends_with("garbage\n"), "nothing cut");
    assert!(matches!(b.record(event("b2", "acme", "gpt-4o", 10, 1)), Err(Error::Journal { .. })), "b is not blocked, refused too");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Priced records carry canonical decimals (`2.5` and `0.015`, not the `2.5000000` and
/// `0.0150000` a per-token catalog rate gave); a record stored before, with its rate's
/// scale, still reads back as written, prices the same, and importing it twice counts it once.
#[test]
fn priced_records_have_canonical_decimals_and_older_records_still_read() {
    let mut meter = Meter::new(PriceBook::bundled());
    let usage = Usage { cached_input: 4_000, ..Usage::tokens(6_000, 500) };
    meter.record(UsageEvent::new("a", "acme", "gpt-4o", usage, at("2026-11-02T10:00:00Z"))).expect("recorded");
    let line = meter.get("a").expect("get").expect("stored").to_json();
    for part in [
        r#"{"item":"tokens:input","quantity":6000,"unit_price":"2.5","per":1000000,"amount":"0.015"}"#,
        r#"{"item":"tokens:cached_input","quantity":4000,"unit_price":"1.25","per":1000000,"amount":"0.005"}"#,
        r#"{"item":"tokens:output","quantity":500,"unit_price":"10","per":1000000,"amount":"0.005"}"#,
    ] {
        assert!(line.contains(part), "{part} not in {line}");
    }
    // The same record as an earlier tokfare wrote it.
    let old = line
        .replace(r#""unit_price":"2.5","per":1000000,"amount":"0.015""#, r#""unit_price":"2.5000000","per":1000000,"amount":"0.0150000""#)
        .replace(r#""unit_price":"10","per":1000000,"amount":"0.005""#, r#""unit_price":"10.00000","per":1000000,"amount":"0.00500""#);
    assert_ne!(old, line);
    let mut older = Meter::new(PriceBook::bundled());
    let report = older.import(format!("{old}\n{old}\n").as_bytes()).expect("import");
    assert_eq!((report.added, report.duplicates, report.conflicts.len()), (1, 1, 0));
    assert_eq!(older.get("a").expect("get").expect("stored").to_json(), old, "kept as written");
    assert_eq!(older.spent("acme", Currency::USD).expect("spent").amount(), d("0.025"));
    assert_eq!(
        older.invoice(&InvoiceOptions::default()).expect("invoice").totals,
        meter.invoice(&InvoiceOptions::default()).expect("invoice").totals
    );
}
