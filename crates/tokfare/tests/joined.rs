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

/// Every chat model of the bundled catalog gets a count: exact where its tokenizer is
/// known (tiktoken's table, after a provider prefix; a bundled tokenizer.json), else
/// o200k_base and said to be approximate. Prints the split (docs/catalog.md quotes it).
#[test]
fn every_catalog_chat_model_is_counted_exactly_or_says_it_approximates() {
    use tokfare::{count_is_exact, ModelTokenizer, APPROXIMATION_ENCODING};
    let catalog = tokfare::price::Catalog::bundled();
    let (mut exact, mut approximate, mut file_needed) = (0, 0, 0);
    let mut openai_approximate = Vec::new();
    for entry in catalog.entries().filter(|e| matches!(e.mode.as_deref(), Some("chat" | "responses"))) {
        match ModelTokenizer::for_estimate(&entry.model) {
            // An open-weight model whose tokenizer.json the caller must supply.
            Ok(t) if t.kind() == "tokenizer.json" && !tokfare::hf::BUNDLED_TOKENIZERS.contains(&t.name()) => file_needed += 1,
            Ok(t) if count_is_exact(&entry.model, t.name()) => exact += 1,
            Ok(t) => {
                assert_eq!(t.name(), APPROXIMATION_ENCODING, "{}", entry.model);
                approximate += 1;
                if matches!(entry.provider.as_deref(), Some("openai" | "azure")) {
                    openai_approximate.push(entry.model.clone());
                }
            }
            Err(e) => panic!("{}: {e}", entry.model),
        }
    }
    println!("exact {exact}, approximate {approximate}, tokenizer file needed {file_needed}");
    println!("OpenAI/Azure approximations: {openai_approximate:?}");
    // tiktoken's prefixes cover every GPT-4o, GPT-4.1, GPT-5.x and o-series name, also
    // behind a provider's prefix.
    for model in ["gpt-5.5", "azure/gpt-5.5", "openai/gpt-4o", "o3", "gpt-4.1-mini", "gpt-5.6-sol"] {
        let t = ModelTokenizer::for_estimate(model).expect(model);
        assert!(count_is_exact(model, t.name()), "{model}");
    }
    assert!(openai_approximate.iter().any(|m| m.starts_with("gpt-6")), "gpt-6 is newer than tiktoken 0.14's table");
    assert!(!openai_approximate.iter().any(|m| m.starts_with("gpt-5") || m.starts_with("gpt-4o")));
}
