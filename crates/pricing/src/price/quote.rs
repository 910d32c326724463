//! A [`Quote`]: what one request costs, as every front-end shows it — the exact total,
//! the total rounded as the schedule says, the lines, and warnings — plus the steps the
//! front-ends share to get there: setting up a [`PriceBook`] from their arguments
//! ([`PriceBook::from_sources`]), choosing the service ([`Service::from_options`]) and
//! pricing a request ([`PriceBook::quote`]) or a counted prompt
//! ([`PriceBook::quote_estimate`]).

use super::catalog::{Catalog, PriceBook};
use super::money::Currency;
use super::schedule::{Charge, Conditions, Request, Schedule, Service};
use super::spec::ScheduleSet;
use super::usage::Usage;
use crate::{Error, Result};
use rust_decimal::Decimal;
use std::fmt;
use std::sync::Arc;

/// Something a quote's reader should know; the amounts stand as computed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum QuoteWarning {
    /// The prompt is longer than the model's context window: the provider would refuse
    /// (or truncate) the request.
    ContextWindowExceeded {
        /// Prompt tokens of the request.
        prompt_tokens: u64,
        /// The model's context window.
        context_window: u64,
    },
    /// The catalog gives the model a `deprecation_date`: still priced, but the provider
    /// retires (or has retired) it.
    Deprecated {
        /// The model as the catalog spells it.
        model: String,
        /// Its deprecation date.
        date: chrono::NaiveDate,
    },
    /// The catalog was loaded ignoring unknown price fields, and this model has one:
    /// the amount leaves that field out (the caller's explicit choice).
    IgnoredPriceField {
        /// The field left out.
        field: String,
        /// What it is.
        reason: String,
    },
    /// An estimate's prompt was counted with a tokenizer that is not the model's own
    /// (the model has no public tokenizer tokfare knows, or another one was asked for):
    /// the count, and so the amount, is an approximation.
    ApproximateCount {
        /// The model.
        model: String,
        /// The tokenizer that counted (`o200k_base`).
        tokenizer: String,
    },
}

impl QuoteWarning {
    /// A stable snake_case code (`context_window_exceeded`).
    pub fn code(&self) -> &'static str {
        match self {
            QuoteWarning::ContextWindowExceeded { .. } => "context_window_exceeded",
            QuoteWarning::Deprecated { .. } => "deprecated",
            QuoteWarning::IgnoredPriceField { .. } => "ignored_price_field",
            QuoteWarning::ApproximateCount { .. } => "approximate_count",
        }
    }
}

impl fmt::Display for QuoteWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuoteWarning::ContextWindowExceeded { prompt_tokens, context_window } => {
                write!(f, "the prompt ({prompt_tokens} tokens) is longer than the model's context window ({context_window} tokens)")
            }
            QuoteWarning::Deprecated { model, date } => write!(f, "{model} has a deprecation date of {date} in the catalog"),
            QuoteWarning::IgnoredPriceField { field, reason } => {
                write!(f, "priced without the catalog field {field} ({reason}), as asked (ignore unknown price fields)")
            }
            QuoteWarning::ApproximateCount { model, tokenizer } => {
                write!(f, "approximate count: the prompt was counted with {tokenizer}, which is not {model}'s own tokenizer")
            }
        }
    }
}

/// The cost of one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quote {
    /// The model asked for.
    pub model: String,
    /// The schedule that priced it.
    pub schedule: String,
    /// What was priced.
    pub usage: Usage,
    /// The currency of every amount.
    pub currency: Currency,
    /// The exact, unrounded total (normalized: no trailing zeros).
    pub total: Decimal,
    /// The total rounded as the schedule says.
    pub rounded: Decimal,
    /// The lines, unrounded (amounts and unit prices normalized).
    pub lines: Vec<Charge>,
    /// The model's context window, when the schedule knows it.
    pub context_window: Option<u64>,
    /// What the reader should know (see [`QuoteWarning`]).
    pub warnings: Vec<QuoteWarning>,
    /// The tokenizer that counted the prompt, for an estimate (set by `tokfare::estimate`).
    pub tokenizer: Option<String>,
    /// True when that tokenizer is not the model's own, so the count is an approximation
    /// (with a [`QuoteWarning::ApproximateCount`]); false for exact counts and for priced
    /// usage.
    pub approximate: bool,
}

impl Quote {
    /// Prices `request` under `schedule`.
    pub fn new(model: &str, schedule: &dyn Schedule, request: &Request) -> Result<Quote> {
        let charges = schedule.price_request(request)?;
        let total = charges.total();
        let lines = charges.canonical().lines;
        let context_window = schedule.context_window();
        let prompt_tokens = request.usage.prompt_tokens();
        let warnings = match context_window {
            Some(window) if prompt_tokens > window => {
                vec![QuoteWarning::ContextWindowExceeded { prompt_tokens, context_window: window }]
            }
            _ => Vec::new(),
        };
        Ok(Quote {
            model: model.to_string(),
            schedule: schedule.name().to_string(),
            usage: request.usage,
            currency: total.currency(),
            total: total.amount().normalize(),
            rounded: total.round(schedule.rounding()).amount(),
            lines,
            context_window,
            warnings,
            tokenizer: None,
            approximate: false,
        })
    }
}

impl Quote {
    /// The quote of an estimate under an already resolved `schedule`: `input_tokens`
    /// counted by the tokenizer named `tokenizer`, plus `options.output_tokens`.
    pub fn estimate(
        model: &str,
        schedule: &dyn Schedule,
        input_tokens: u64,
        tokenizer: &str,
        options: &EstimateOptions<'_>,
    ) -> Result<Quote> {
        let request = Request {
            usage: Usage::tokens(input_tokens, options.output_tokens),
            service: options.service,
            conditions: options.conditions,
            ..Request::default()
        };
        let mut quote = Quote::new(model, schedule, &request)?;
        quote.tokenizer = Some(tokenizer.to_string());
        Ok(quote)
    }
}

/// Which catalog a price book falls back to after its schedule sets.
#[derive(Clone, Debug, Default)]
pub enum CatalogChoice {
    /// The bundled LiteLLM snapshot.
    #[default]
    Bundled,
    /// This catalog (already combined with the bundled one if wanted:
    /// [`Catalog::over_bundled`]).
    Given(Arc<Catalog>),
    /// No catalog: only the schedule sets price.
    None,
}

impl PriceBook {
    /// The book every front-end builds from its arguments: the schedule sets first, in
    /// order, then the chosen catalog.
    pub fn from_sources(schedules: impl IntoIterator<Item = ScheduleSet>, catalog: CatalogChoice) -> PriceBook {
        let mut book = schedules.into_iter().fold(PriceBook::new(), PriceBook::with_schedule_set);
        match catalog {
            CatalogChoice::Bundled => book = book.with_catalog(Catalog::bundled()),
            CatalogChoice::Given(c) => book = book.with_catalog(c),
            CatalogChoice::None => {}
        }
        book
    }

    /// The cost of one request to `model` (`tier` names a schedule of a set explicitly).
    pub fn quote(&self, model: &str, tier: Option<&str>, request: &Request) -> Result<Quote> {
        let mut quote = Quote::new(model, self.resolve(model, tier)?.as_ref(), request)?;
        quote.warnings.extend(self.catalog_warnings(model, &quote.schedule));
        Ok(quote)
    }

    /// What the catalog says about `model` when it priced it (its schedule is `schedule`):
    /// a deprecation date, a price field left out at the caller's request.
    pub fn catalog_warnings(&self, model: &str, schedule: &str) -> Vec<QuoteWarning> {
        let Some(catalog) = self.catalog() else { return Vec::new() };
        let Ok((entry, _)) = catalog.lookup(model) else { return Vec::new() };
        if entry.schedule.name != schedule {
            return Vec::new();
        }
        let mut warnings: Vec<QuoteWarning> =
            entry.deprecation_date.map(|date| QuoteWarning::Deprecated { model: entry.model.clone(), date }).into_iter().collect();
        if let Some((field, reason)) = entry.refusal.as_ref().filter(|_| catalog.ignore_unknown_price_fields) {
            warnings.push(QuoteWarning::IgnoredPriceField { field: field.clone(), reason: reason.clone() });
        }
        warnings
    }

    /// The cost of a prompt of `input_tokens` (already counted by the tokenizer named
    /// `tokenizer`) to `model`, plus `options.output_tokens` of expected output: what
    /// `estimate` prices in every front-end once the prompt is counted.
    pub fn quote_estimate(&self, model: &str, input_tokens: u64, tokenizer: &str, options: &EstimateOptions<'_>) -> Result<Quote> {
        self.quote_estimate_under(self.resolve(model, options.tier)?.as_ref(), model, input_tokens, tokenizer, options)
    }

    /// [`PriceBook::quote_estimate`] under a schedule already resolved by this book
    /// (`tokfare::estimate` resolves it before counting): the quote, with the catalog's
    /// warnings for the model.
    pub fn quote_estimate_under(
        &self,
        schedule: &dyn Schedule,
        model: &str,
        input_tokens: u64,
        tokenizer: &str,
        options: &EstimateOptions<'_>,
    ) -> Result<Quote> {
        let mut quote = Quote::estimate(model, schedule, input_tokens, tokenizer, options)?;
        quote.warnings.extend(self.catalog_warnings(model, &quote.schedule));
        Ok(quote)
    }
}

/// How to price an estimate, besides the prompt.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EstimateOptions<'a> {
    /// Expected output tokens.
    pub output_tokens: u64,
    /// The service level.
    pub service: Service,
    /// A schedule of a set named explicitly.
    pub tier: Option<&'a str>,
    /// Where and how the request will run (uplifts).
    pub conditions: Conditions,
}

/// How a front-end sets up a catalog (`Catalog.from_file(path, extend_bundled=...,
/// ignore_unknown_price_fields=...)` and its twins).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CatalogOptions {
    /// The file's entries extend and override the bundled catalog (default) instead of
    /// standing alone.
    pub extend_bundled: bool,
    /// Price models whose entries have price fields tokfare does not apply, ignoring
    /// them (default: refuse them with [`Error::UnsupportedPrice`](crate::Error)).
    pub ignore_unknown_price_fields: bool,
}

impl Default for CatalogOptions {
    fn default() -> Self {
        CatalogOptions { extend_bundled: true, ignore_unknown_price_fields: false }
    }
}

impl Catalog {
    /// A LiteLLM-format file set up as `options` say.
    pub fn load_with(path: &str, options: CatalogOptions) -> Result<Catalog> {
        Ok(Catalog::load(path)?.ignoring_unknown_price_fields(options.ignore_unknown_price_fields).over_bundled(options.extend_bundled))
    }

    /// A LiteLLM-format document set up as `options` say.
    pub fn from_json_with(text: &str, source: &str, options: CatalogOptions) -> Result<Catalog> {
        Ok(Catalog::from_litellm_json(text, source)?
            .ignoring_unknown_price_fields(options.ignore_unknown_price_fields)
            .over_bundled(options.extend_bundled))
    }

    /// The bundled catalog, shared unless unknown price fields are to be ignored.
    pub fn bundled_with(ignore_unknown_price_fields: bool) -> Arc<Catalog> {
        match ignore_unknown_price_fields {
            false => Catalog::bundled(),
            true => Arc::new((*Catalog::bundled()).clone().ignoring_unknown_price_fields(true)),
        }
    }

    /// This catalog's entries over the bundled ones (the bundled catalog extended and
    /// overridden by these entries) when `extend_bundled`, else this catalog alone.
    pub fn over_bundled(self, extend_bundled: bool) -> Catalog {
        if !extend_bundled {
            return self;
        }
        let ignore = self.ignore_unknown_price_fields;
        let mut combined = (*Catalog::bundled()).clone();
        combined.extend(self);
        combined.ignoring_unknown_price_fields(ignore)
    }
}

impl Service {
    /// The service from the options the bindings take: `batch=True` is the batch
    /// service and conflicts with any other `service`; no option is standard.
    pub fn from_options(batch: bool, service: Option<&str>) -> Result<Service> {
        match (batch, service) {
            (false, None) => Ok(Service::Standard),
            (false, Some(name)) => name.parse(),
            (true, None) => Ok(Service::Batch),
            (true, Some(name)) => match name.parse()? {
                Service::Batch => Ok(Service::Batch),
                _ => Err(Error::InvalidArgument { name: "service", reason: format!("batch conflicts with service {name:?}") }),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_options() {
        assert_eq!(Service::from_options(false, None), Ok(Service::Standard));
        assert_eq!(Service::from_options(true, None), Ok(Service::Batch));
        assert_eq!(Service::from_options(true, Some("batch")), Ok(Service::Batch));
        assert_eq!(Service::from_options(false, Some("flex")), Ok(Service::Flex));
        assert_eq!(Service::from_options(true, Some("flex")).map_err(|e| e.code()), Err("invalid_argument"));
        assert_eq!(Service::from_options(false, Some("turbo")).map_err(|e| e.code()), Err("invalid_argument"));
    }

    #[test]
    fn a_quote_rounds_and_warns() {
        let book = PriceBook::from_sources([], CatalogChoice::Bundled);
        // 100 000 × $5/M + 33 333 × $30/M = 0.5 + 0.99999
        let q = book.quote("gpt-5.5", None, &Request::new(Usage::tokens(100_000, 33_333))).expect("priced");
        assert_eq!((q.total.to_string().as_str(), q.rounded.to_string().as_str(), q.currency), ("1.49999", "1.50", Currency::USD));
        assert_eq!(q.lines.len(), 2);
        assert!(q.warnings.is_empty());
        let window = q.context_window.expect("gpt-5.5 has a context window");
        let q = book.quote_estimate("gpt-5.5", window + 1, "o200k_base", &EstimateOptions::default()).expect("priced");
        assert_eq!(q.tokenizer.as_deref(), Some("o200k_base"));
        assert_eq!(q.warnings, vec![QuoteWarning::ContextWindowExceeded { prompt_tokens: window + 1, context_window: window }]);
        // A model with a deprecation date in the catalog is priced, and says so.
        let q = book.quote("gpt-4o-2024-08-06", None, &Request::new(Usage::tokens(1, 1))).expect("priced");
        let date = chrono::NaiveDate::from_ymd_opt(2027, 1, 14).expect("date");
        assert_eq!(q.warnings, vec![QuoteWarning::Deprecated { model: "gpt-4o-2024-08-06".into(), date }]);
        let none = PriceBook::from_sources([], CatalogChoice::None);
        assert_eq!(none.quote("gpt-4o", None, &Request::default()).map_err(|e| e.code()).err(), Some("unknown_model_price"));
    }
}
