//! `estimate`: a prompt's cost before sending it — the one step that needs both halves.
//! Count the text with the model's tokenizer (or the one given), then price the count
//! as input plus the expected output ([`PriceBook::quote_estimate`]). Every front-end
//! (CLI, Python, Node) calls this; the browser package counts in its tokenizer module
//! and calls [`PriceBook::quote_estimate`] in its pricing module, the same two steps.

use crate::Result;
use tokfare_pricing::price::{EstimateOptions, PriceBook, Quote, Schedule};
use tokfare_tokenizer::{AnyTokenizer, Tokenize};

/// The cost of sending `text` to `model`, counted with `tokenizer` (see
/// [`AnyTokenizer::choose`] for the usual choice), priced by `book`. The quote names the
/// tokenizer that counted.
pub fn estimate(book: &PriceBook, model: &str, text: &str, tokenizer: &AnyTokenizer, options: &EstimateOptions<'_>) -> Result<Quote> {
    // The schedule is resolved first: an unpriced model fails before any counting.
    let schedule = book.resolve(model, options.tier)?;
    count_and_quote(book, schedule.as_ref(), model, text, tokenizer, options)
}

/// [`estimate`] with the tokenizer chosen by the usual rule ([`AnyTokenizer::choose`]:
/// `tokenizer`, else `encoding`, else the model's own), what the CLI and the bindings
/// call. The price is resolved first, so an unpriced model is `unknown_model_price`
/// (with suggestions) whether or not a tokenizer is known for it.
pub fn estimate_with(
    book: &PriceBook,
    model: &str,
    text: &str,
    encoding: Option<&str>,
    tokenizer: Option<&str>,
    options: &EstimateOptions<'_>,
) -> Result<Quote> {
    let schedule = book.resolve(model, options.tier)?;
    let (tokenizer, _) = AnyTokenizer::choose(model, encoding, tokenizer)?;
    count_and_quote(book, schedule.as_ref(), model, text, &tokenizer, options)
}

/// Counts `text` and prices the count under the resolved `schedule` (each estimate
/// resolves its schedule once).
fn count_and_quote(
    book: &PriceBook,
    schedule: &dyn Schedule,
    model: &str,
    text: &str,
    tokenizer: &AnyTokenizer,
    options: &EstimateOptions<'_>,
) -> Result<Quote> {
    let input = tokenizer.count(text)? as u64;
    Ok(book.quote_estimate_under(schedule, model, input, tokenizer.name(), options)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokfare_pricing::price::{CatalogChoice, Service};

    #[test]
    #[cfg(all(feature = "o200k", feature = "qwen3"))]
    fn estimates_count_with_the_models_tokenizer() {
        let book = PriceBook::from_sources([], CatalogChoice::Bundled);
        let options = EstimateOptions { output_tokens: 10, service: Service::Standard, tier: None };
        let (tok, _) = AnyTokenizer::choose("gpt-4o", None, None).expect("gpt-4o");
        let q = estimate(&book, "gpt-4o", "hello world", &tok, &options).expect("priced");
        assert_eq!((q.usage.input, q.usage.output, q.tokenizer.as_deref()), (2, 10, Some("o200k_base")));
        // An open-weight model counts with its bundled tokenizer.json.
        let gtc = tokfare_pricing::price::ScheduleSet::bundled("gtc-2026").expect("bundled");
        let book = PriceBook::from_sources([gtc], CatalogChoice::Bundled);
        let (qwen, _) = AnyTokenizer::choose("Qwen/Qwen3-8B", None, None).expect("qwen3");
        let q = estimate(&book, "Qwen/Qwen3-8B", "<|im_start|>user", &qwen, &options).expect("priced");
        assert_eq!((q.tokenizer.as_deref(), q.usage.input, q.schedule.as_str()), (Some("qwen3"), 2, "free"));
        let err = estimate(&book, "no-such-model", "x", &tok, &options).expect_err("unpriced");
        assert_eq!(err.code(), "unknown_model_price");
        // Neither a price nor a tokenizer: the price is what is reported, with suggestions.
        let err = estimate_with(&book, "gpt-4oo-mini-xyz", "x", None, None, &options).expect_err("unpriced");
        assert_eq!(err.code(), "unknown_model_price");
    }
}
