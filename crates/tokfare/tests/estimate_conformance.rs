//! Runs `conformance/estimate.jsonl`, the estimate vectors every front-end shares (their
//! expected values come from the reference tokenizers and the price files' own rates:
//! `conformance/generate_estimate.py`).
#![cfg(all(feature = "pricing", feature = "qwen3", feature = "o200k", feature = "cl100k"))]

use serde_json::{json, Value};
use tokfare::price::{CatalogChoice, EstimateOptions, PriceBook, ScheduleSet, Service};

fn cases() -> Vec<Value> {
    let path = format!("{}/../../conformance/estimate.jsonl", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).expect("conformance/estimate.jsonl");
    text.lines().map(|l| serde_json::from_str(l).expect("JSON line")).collect()
}

fn run(case: &Value) -> tokfare::Result<Value> {
    let str_of = |key: &str| case.get(key).and_then(Value::as_str);
    let schedules = str_of("schedule").map(|name| ScheduleSet::bundled(name).expect("bundled schedule set"));
    let book = PriceBook::from_sources(schedules, CatalogChoice::Bundled);
    let model = str_of("model").expect("model");
    let text = str_of("text").expect("text").repeat(case.get("repeat").and_then(Value::as_u64).unwrap_or(1) as usize);
    let service = Service::from_options(false, str_of("service"))?;
    let options =
        EstimateOptions { output_tokens: case["output_tokens"].as_u64().expect("output_tokens"), service, ..EstimateOptions::default() };
    let q = tokfare::estimate_with(&book, model, &text, str_of("encoding"), str_of("tokenizer"), &options)?;
    let lines: Vec<Value> =
        q.lines.iter().map(|l| json!({"item": l.item.to_string(), "quantity": l.quantity, "amount": l.amount.to_string()})).collect();
    Ok(json!({
        "tokenizer": q.tokenizer, "approximate": q.approximate, "input_tokens": q.usage.input, "schedule": q.schedule, "currency": q.currency.to_string(),
        "total": q.total.to_string(), "rounded": q.rounded.to_string(), "lines": lines, "warnings": q.warnings.len(),
    }))
}

#[test]
fn estimates_equal_the_vectors() {
    let cases = cases();
    assert!(cases.len() >= 10);
    for case in &cases {
        let name = case["name"].as_str().expect("name");
        match (case.get("expected"), case.get("error")) {
            (Some(expected), _) => assert_eq!(&run(case).unwrap_or_else(|e| panic!("{name}: {e}")), expected, "{name}"),
            (None, Some(code)) => assert_eq!(run(case).map_err(|e| e.code()).err(), code.as_str(), "{name}"),
            _ => panic!("{name}: neither expected nor error"),
        }
    }
}
