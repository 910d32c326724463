//! The steps that need both halves: counting with the tokenizer, then pricing.

use tokfare::price::{parse_decimal, Decimal, PriceBook, Usage};

fn d(s: &str) -> Decimal {
    parse_decimal(s).expect("decimal")
}

#[test]
fn reconciliation_reports_drift_between_estimate_and_reported_usage() {
    let enc = tokfare::encoding_for_model("gpt-4o").expect("encoding");
    let prompt = "You are a helpful assistant. Summarise the following report in three bullet points.";
    let estimated = Usage::tokens(enc.count(prompt) as u64, 200);
    // The provider counts the chat template too, and a longer answer.
    let actual = Usage::tokens(estimated.input + 7, 260);
    let book = PriceBook::bundled();
    let report = tokfare::meter::reconcile(&book, [("gpt-4o", estimated, actual), ("gpt-4o", estimated, estimated)]).expect("reconcile");
    let drift = &report.models["gpt-4o"];
    assert_eq!(drift.calls, 2);
    assert_eq!(drift.prompt_token_difference(), 7);
    // 7 × 2.50/M + 60 × 10/M = 0.0000175 + 0.0006
    assert_eq!(drift.cost_difference(), d("0.0006175"));
    let expected_pct = (d("0.0006175") * Decimal::ONE_HUNDRED / drift.estimated_cost).round_dp(2);
    assert_eq!(drift.cost_drift_percent(), Some(expected_pct));
}
