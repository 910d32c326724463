//! Runs `conformance/pricing/*.jsonl`, the pricing vectors every binding shares. Their
//! expected values are hand computations from published prices and Stripe's documented
//! tier examples (each line says how in `how`).

use serde_json::Value;
use tokfare_pricing::meter::{Meter, UsageEvent};
use tokfare_pricing::price::{
    parse_decimal, parse_usage, ConditionOptions, Conditions, Metric, PeriodTiers, PriceBook, ScheduleSet, Tier, TierMode, Unit, Usage,
};

fn root(rel: &str) -> String {
    format!("{}/../../{rel}", env!("CARGO_MANIFEST_DIR"))
}

fn vectors(file: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(root(&format!("conformance/pricing/{file}"))).expect("vector file");
    text.lines().map(|l| serde_json::from_str(l).expect("JSON line")).collect()
}

fn book(prices: &str) -> PriceBook {
    match prices {
        "catalog" => PriceBook::bundled(),
        "gtc-2026" => PriceBook::new().with_schedule_set(ScheduleSet::bundled("gtc-2026").expect("bundled")),
        path => PriceBook::new().with_schedule_set(ScheduleSet::load(&root(path)).expect("schedule file")),
    }
}

#[test]
fn requests() {
    for case in vectors("requests.jsonl") {
        let name = case["name"].as_str().expect("name");
        let book = book(case["prices"].as_str().expect("prices"));
        // Priced through the meter, as a billing backend would.
        let mut event = serde_json::json!({
            "id": "x", "customer": "c", "model": case["model"], "usage": case["usage"],
            "timestamp": case.get("at").cloned().unwrap_or_else(|| "2026-11-02T12:00:00Z".into()),
        });
        if let Some(service) = case.get("service") {
            event["service"] = service.clone();
        }
        let mut event = UsageEvent::from_json(&event.to_string()).expect(name);
        // The conditions as the bindings take them (their options), one parser for all.
        let text = |key: &str| case.get(key).map(|v| v.as_str().expect("text"));
        let fedramp = case.get("fedramp").is_some_and(|v| v.as_bool().expect("bool"));
        let options = ConditionOptions {
            region: text("region"),
            fedramp,
            endpoint: text("endpoint"),
            speed: text("speed"),
            search_context_size: text("search_context_size"),
            resolution: text("resolution"),
        };
        let priced = Conditions::from_options(&options).and_then(|conditions| {
            event.conditions = conditions;
            Meter::new(book).price(&event)
        });
        match (case.get("total"), case.get("error")) {
            (Some(total), _) => {
                let expected = parse_decimal(total.as_str().expect("decimal string")).expect("decimal");
                let got = priced.unwrap_or_else(|e| panic!("{name}: {e}")).cost().amount();
                assert_eq!(got.normalize(), expected.normalize(), "{name}");
            }
            (None, Some(code)) => {
                let err = priced.expect_err(name);
                assert_eq!(err.code(), code.as_str().expect("code"), "{name}");
            }
            _ => panic!("{name}: neither total nor error"),
        }
    }
}

#[test]
fn usage_normalisation() {
    for case in vectors("usage.jsonl") {
        let name = case["name"].as_str().expect("name");
        let parsed = parse_usage(&case["usage"].to_string(), None);
        if let Some(normalized) = case.get("normalized") {
            let mut expected = Usage::default();
            for (k, v) in normalized.as_object().expect("object") {
                expected.set_by_name(k, v.as_u64().expect("count")).expect("known field");
            }
            assert_eq!(parsed.expect(name), expected, "{name}");
        } else {
            match parsed {
                Err(tokfare_pricing::Error::InvalidUsage { path, .. }) => assert_eq!(path, case["path"].as_str().expect("path"), "{name}"),
                other => panic!("{name}: {other:?}"),
            }
        }
    }
}

#[test]
fn period_tiers() {
    for case in vectors("tiers.jsonl") {
        let name = case["name"].as_str().expect("name");
        let tiers: Vec<Tier> = case["tiers"]
            .as_array()
            .expect("tiers")
            .iter()
            .map(|t| Tier {
                up_to: t.get("up_to").and_then(Value::as_u64),
                unit_price: parse_decimal(t["unit_price"].as_str().expect("price")).expect("decimal"),
                flat_fee: t.get("flat_fee").map_or(Default::default(), |f| parse_decimal(f.as_str().expect("fee")).expect("decimal")),
            })
            .collect();
        let mode: TierMode = case["mode"].as_str().expect("mode").parse().expect("mode");
        let allowance = case.get("free_allowance").and_then(Value::as_u64).unwrap_or(0);
        let tiers = PeriodTiers::new(Metric::Units(Unit::Request), mode, 1, allowance, tiers).expect(name);
        let usage = Usage { requests: case["quantity"].as_u64().expect("quantity"), ..Usage::default() };
        let total: tokfare_pricing::price::Decimal = tiers.charges(&usage).expect(name).iter().map(|c| c.amount).sum();
        let expected = parse_decimal(case["total"].as_str().expect("total")).expect("decimal");
        assert_eq!(total.normalize(), expected.normalize(), "{name}");
    }
}

/// `conformance/usage_log.jsonl`: recording a usage log (duplicates, conflicts, bad lines),
/// the step every front-end with a meter (CLI, Python, Node) runs through `record_log`.
#[test]
fn usage_logs() {
    use tokfare_pricing::meter::{InvoiceOptions, OnError};
    for case in vectors("../usage_log.jsonl") {
        let name = case["name"].as_str().expect("name");
        let file = std::fs::File::open(root(&format!("conformance/{}", case["log"].as_str().expect("log")))).expect("log file");
        let on_error = if case["continue_on_error"].as_bool().expect("continue_on_error") { OnError::Continue } else { OnError::Stop };
        let mut meter = Meter::new(PriceBook::bundled());
        let outcome = meter.record_log(std::io::BufReader::new(file), on_error);
        if let Some(error) = case.get("error") {
            let problem = outcome.expect_err(name);
            assert_eq!(problem.line as u64, error["line"].as_u64().expect("line"), "{name}");
            assert_eq!(problem.error.code(), error["code"].as_str().expect("code"), "{name}");
            assert_eq!(meter.len().expect("len"), case["recorded_before"].as_u64().expect("recorded_before"), "{name}");
            continue;
        }
        let outcome = outcome.unwrap_or_else(|p| panic!("{name}: {p}"));
        assert_eq!(outcome.recorded as u64, case["recorded"].as_u64().expect("recorded"), "{name}");
        assert_eq!(outcome.duplicates as u64, case["duplicates"].as_u64().expect("duplicates"), "{name}");
        let problems: Vec<serde_json::Value> =
            outcome.problems.iter().map(|p| serde_json::json!({"line": p.line, "code": p.error.code()})).collect();
        assert_eq!(&serde_json::Value::Array(problems), &case["problems"], "{name}");
        let invoice = meter.invoice(&InvoiceOptions::default()).expect("invoice");
        let total = parse_decimal(case["total"].as_str().expect("total")).expect("decimal");
        assert_eq!(invoice.totals[&tokfare_pricing::price::Currency::USD], total, "{name}");
    }
}
