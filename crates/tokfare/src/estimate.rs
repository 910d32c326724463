//! `estimate`: a prompt's cost before sending it — the one step that needs both halves.
//! Count the text with the model's tokenizer (or the one given), then price the count
//! as input plus the expected output ([`PriceBook::quote_estimate`]). Every front-end
//! (CLI, Python, Node) calls this; the browser package counts in its tokenizer module
//! and calls [`PriceBook::quote_estimate`] in its pricing module, the same two steps.
//!
//! **Exact or approximate.** A count is exact when the tokenizer that counted is the
//! model's own ([`count_is_exact`]): its OpenAI encoding, or its tokenizer.json. A model
//! without a public tokenizer tokfare knows (Claude, Gemini, OpenAI models newer than
//! tiktoken's table ...) is counted with
//! [`APPROXIMATION_ENCODING`](tokfare_tokenizer::APPROXIMATION_ENCODING); such a quote, and one
//! counted with another tokenizer than the model's own, says `approximate` with a
//! warning naming the tokenizer.

use crate::Result;
use tokfare_pricing::price::{EstimateOptions, PriceBook, Quote, QuoteWarning, Schedule};
use tokfare_tokenizer::{count_is_exact, AnyTokenizer, Tokenize};

/// The tokenizer an estimate counts `model` with: the given tokenizer or encoding
/// ([`AnyTokenizer::choose`]), else the model's own, else [`APPROXIMATION_ENCODING`]
/// ([`AnyTokenizer::for_estimate`]). The quote says whether the count is exact
/// ([`count_is_exact`]).
pub fn tokenizer_for_estimate(model: &str, encoding: Option<&str>, tokenizer: Option<&str>) -> Result<AnyTokenizer> {
    match (encoding, tokenizer) {
        (None, None) => Ok(AnyTokenizer::for_estimate(model)?),
        _ => Ok(AnyTokenizer::choose(model, encoding, tokenizer)?.0),
    }
}

/// Marks `quote` (an estimate of `model` counted by `quote.tokenizer`) approximate, with
/// its warning, when the count is not exact ([`count_is_exact`]).
pub fn mark_count(quote: &mut Quote, model: &str) {
    let exact = quote.tokenizer.as_deref().is_some_and(|t| count_is_exact(model, t));
    if !exact {
        mark_approximate(quote, model);
    }
}

/// Marks `quote` approximate with its warning: for the browser's pricing module, which
/// gets the verdict of [`count_is_exact`] from its tokenizer engine.
pub fn mark_approximate(quote: &mut Quote, model: &str) {
    quote.approximate = true;
    let tokenizer = quote.tokenizer.clone().unwrap_or_default();
    quote.warnings.push(QuoteWarning::ApproximateCount { model: model.to_string(), tokenizer });
}

/// The cost of sending `text` to `model`, counted with `tokenizer` (see
/// [`AnyTokenizer::choose`] for the usual choice), priced by `book`. The quote names the
/// tokenizer that counted.
pub fn estimate(book: &PriceBook, model: &str, text: &str, tokenizer: &AnyTokenizer, options: &EstimateOptions<'_>) -> Result<Quote> {
    // The schedule is resolved first: an unpriced model fails before any counting.
    let schedule = book.resolve(model, options.tier)?;
    count_and_quote(book, schedule.as_ref(), model, text, tokenizer, options)
}

/// [`estimate`] with the tokenizer chosen by the usual rule ([`tokenizer_for_estimate`]:
/// `tokenizer`, else `encoding`, else the model's own, else the approximation), what the
/// CLI and the bindings call. The price is resolved first, so an unpriced model is `unknown_model_price`
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
    let tokenizer = tokenizer_for_estimate(model, encoding, tokenizer)?;
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
    let mut quote = book.quote_estimate_under(schedule, model, input, tokenizer.name(), options)?;
    mark_count(&mut quote, model);
    Ok(quote)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokfare_pricing::price::{CatalogChoice, Service};

    #[test]
    #[cfg(all(feature = "o200k", feature = "qwen3"))]
    fn estimates_count_with_the_models_tokenizer() {
        let book = PriceBook::from_sources([], CatalogChoice::Bundled);
        let options = EstimateOptions { output_tokens: 10, service: Service::Standard, ..EstimateOptions::default() };
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
