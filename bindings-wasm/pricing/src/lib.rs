//! The pricing module of the `tokfare` WebAssembly package, apart from the tokenizer
//! engine (`bindings-wasm/src`) so that counting tokens does not download it: usage
//! parsing, `price`, the bundled catalog, schedules and the GTC 2026 tiers. Structured
//! values cross the boundary as JSON text (one string each way, parsed by
//! `js/index.js`); every amount is a decimal string. `estimate` is `js/index.js`
//! counting with the engine and [`estimate`] here pricing the count (the core's
//! `PriceBook::quote_estimate`, as `tokfare::estimate` does after counting).

#[path = "../../src/errors.rs"]
mod errors;

use errors::{invalid_argument, OrThrow};
use serde_json::{json, Value};
use std::sync::Arc;
use tokfare::price::{
    gtc, Catalog, CatalogChoice, CatalogOptions, ConditionOptions, Conditions, EstimateOptions, PriceBook, Provider, Quote, Request,
    ScheduleSet, Service, Usage,
};
use wasm_bindgen::prelude::*;

/// A set of declarative schedules (TOML or JSON text, or the bundled `gtc-2026`).
#[wasm_bindgen]
pub struct WasmSchedule {
    inner: ScheduleSet,
}

#[wasm_bindgen]
impl WasmSchedule {
    #[wasm_bindgen(js_name = fromTOML)]
    pub fn from_toml(text: &str) -> Result<WasmSchedule, JsValue> {
        Ok(WasmSchedule { inner: ScheduleSet::from_toml(text).or_throw()? })
    }

    #[wasm_bindgen(js_name = fromJSON)]
    pub fn from_json(text: &str) -> Result<WasmSchedule, JsValue> {
        Ok(WasmSchedule { inner: ScheduleSet::from_json(text).or_throw()? })
    }

    pub fn bundled(name: &str) -> Result<WasmSchedule, JsValue> {
        Ok(WasmSchedule { inner: ScheduleSet::bundled(name).or_throw()? })
    }

    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.inner.name.clone()
    }
}

fn usage_json(u: &Usage) -> Value {
    Value::Object(u.entries().into_iter().map(|(k, v)| (k.to_string(), json!(v))).collect())
}

/// A provider's usage object (JSON) in tokfare's disjoint classes (JSON: `{"input": ..,
/// "cached_input": .., ...}`, zero classes omitted). `provider`: `openai_chat`,
/// `openai_responses`, `anthropic`, `gemini`, `tokfare`, or absent to detect it.
#[wasm_bindgen(js_name = parseUsage)]
pub fn parse_usage(json: &str, provider: Option<String>) -> Result<String, JsValue> {
    let provider = provider.map(|p| p.parse::<Provider>()).transpose().or_throw()?;
    Ok(usage_json(&tokfare::price::parse_usage(json, provider).or_throw()?).to_string())
}

/// Every usage count's name in tokfare's own JSON form, in order (for the test of the
/// shared JavaScript's field list).
#[wasm_bindgen(js_name = usageFields)]
pub fn usage_fields() -> Vec<String> {
    Usage::field_names().into_iter().map(String::from).collect()
}

/// The sum of two usages in tokfare's own JSON form (an overflow is an error).
#[wasm_bindgen(js_name = addUsage)]
pub fn add_usage(a: &str, b: &str) -> Result<String, JsValue> {
    Ok(usage_json(&parse_own(a)?.checked_add(&parse_own(b)?).or_throw()?).to_string())
}

fn cost_json(quote: &Quote) -> String {
    let lines: Vec<Value> = quote
        .lines
        .iter()
        .map(|l| {
            json!({
                "item": l.item.to_string(),
                "quantity": l.quantity,
                "unitPrice": l.unit_price.to_string(),
                "per": l.per,
                "amount": l.amount.to_string(),
            })
        })
        .collect();
    json!({
        "total": quote.total.to_string(),
        "rounded": quote.rounded.to_string(),
        "currency": quote.currency.to_string(),
        "schedule": quote.schedule,
        "lines": lines,
        "usage": usage_json(&quote.usage),
        "warnings": quote.warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
        "tokenizer": quote.tokenizer,
        "approximate": quote.approximate,
    })
    .to_string()
}

fn service(batch: Option<bool>, name: Option<String>) -> Result<Service, JsValue> {
    Service::from_options(batch.unwrap_or(false), name.as_deref()).or_throw()
}

/// A UTC instant from RFC 3339 text (the JavaScript side turns `Date`s into ISO strings).
fn timestamp(text: Option<String>) -> Result<Option<chrono::DateTime<chrono::Utc>>, JsValue> {
    text.map(|t| tokfare::price::parse_timestamp("at", &t).or_throw()).transpose()
}

fn parse_own(usage: &str) -> Result<Usage, JsValue> {
    tokfare::price::parse_usage(usage, Some(Provider::Tokfare)).or_throw()
}

fn count(name: &'static str, v: f64) -> Result<u64, JsValue> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= 9_007_199_254_740_991.0 {
        Ok(v as u64)
    } else {
        Err(invalid_argument(name, format!("must be a non-negative integer, got {v}")))
    }
}

/// A model price catalog: the bundled one, or LiteLLM-format JSON (over the bundled one
/// unless `extend_bundled` is false).
#[wasm_bindgen]
pub struct WasmCatalog {
    inner: Arc<Catalog>,
}

#[wasm_bindgen]
impl WasmCatalog {
    pub fn bundled(ignore_unknown_price_fields: bool) -> WasmCatalog {
        WasmCatalog { inner: Catalog::bundled_with(ignore_unknown_price_fields) }
    }

    #[wasm_bindgen(js_name = fromJSON)]
    pub fn from_json(json: &str, source: &str, extend_bundled: bool, ignore_unknown_price_fields: bool) -> Result<WasmCatalog, JsValue> {
        let options = CatalogOptions { extend_bundled, ignore_unknown_price_fields };
        Ok(WasmCatalog { inner: Arc::new(Catalog::from_json_with(json, source, options).or_throw()?) })
    }

    /// What the catalog knows of `model` (JSON), with the date its prices took effect.
    pub fn lookup(&self, model: &str) -> Result<String, JsValue> {
        let (entry, resolution) = self.inner.lookup(model).or_throw()?;
        let rates: serde_json::Map<String, Value> =
            entry.schedule.rates.iter().map(|(c, r)| (c.name().to_string(), json!(r.normalize().to_string()))).collect();
        Ok(json!({
            "model": entry.model,
            "resolution": format!("{resolution:?}"),
            "provider": entry.provider,
            "mode": entry.mode,
            "maxInputTokens": entry.max_input_tokens,
            "maxOutputTokens": entry.max_output_tokens,
            "effectiveDate": entry.effective_date.map(|d| d.to_string()),
            "deprecationDate": entry.deprecation_date.map(|d| d.to_string()),
            "source": entry.source,
            "ratesPerMillion": rates,
        })
        .to_string())
    }

    /// Every model name.
    pub fn models(&self) -> Vec<String> {
        self.inner.entries().map(|e| e.model.clone()).collect()
    }
}

/// Where a call's prices come from: its schedule set first, then its catalog (the
/// bundled one unless given). The JavaScript side builds one per `price`/`estimate` call
/// from the call's options.
#[wasm_bindgen]
pub struct WasmPrices {
    schedule: Option<ScheduleSet>,
    catalog: Option<Arc<Catalog>>,
}

impl WasmPrices {
    fn book(&self) -> PriceBook {
        let catalog = self.catalog.clone().map_or(CatalogChoice::Bundled, CatalogChoice::Given);
        PriceBook::from_sources(self.schedule.clone(), catalog)
    }
}

#[wasm_bindgen]
impl WasmPrices {
    #[wasm_bindgen(constructor)]
    pub fn new() -> WasmPrices {
        WasmPrices { schedule: None, catalog: None }
    }

    /// Tries this schedule set before the catalog.
    #[wasm_bindgen(js_name = withSchedule)]
    pub fn with_schedule(&mut self, schedule: &WasmSchedule) {
        self.schedule = Some(schedule.inner.clone());
    }

    /// Uses this catalog instead of the bundled one.
    #[wasm_bindgen(js_name = withCatalog)]
    pub fn with_catalog(&mut self, catalog: &WasmCatalog) {
        self.catalog = Some(catalog.inner.clone());
    }

    /// The exact cost (JSON) of one request to `model`, from usage in tokfare's own JSON
    /// form, under the request's conditions (`region`, `fedramp`, `endpoint`, `speed`,
    /// `search_context_size`, `resolution`; the core checks each value).
    #[allow(clippy::too_many_arguments)]
    pub fn price(
        &self,
        model: &str,
        usage: &str,
        batch: Option<bool>,
        service: Option<String>,
        tier: Option<String>,
        at: Option<String>,
        region: Option<String>,
        fedramp: Option<bool>,
        endpoint: Option<String>,
        speed: Option<String>,
        search_context_size: Option<String>,
        resolution: Option<String>,
    ) -> Result<String, JsValue> {
        let conditions = Conditions::from_options(&ConditionOptions {
            region: region.as_deref(),
            fedramp: fedramp.unwrap_or(false),
            endpoint: endpoint.as_deref(),
            speed: speed.as_deref(),
            search_context_size: search_context_size.as_deref(),
            resolution: resolution.as_deref(),
        })
        .or_throw()?;
        let request = Request { usage: parse_own(usage)?, service: self::service(batch, service)?, at: timestamp(at)?, conditions };
        Ok(cost_json(&self.book().quote(model, tier.as_deref(), &request).or_throw()?))
    }

    /// The cost (JSON) of a prompt of `input_tokens`, counted in the engine by the tokenizer
    /// called `tokenizer`, plus `output_tokens` of expected output; `exact` is the
    /// engine's verdict on the count (`countIsExact`): when false the quote is marked
    /// approximate, with its warning.
    #[allow(clippy::too_many_arguments)]
    pub fn estimate(
        &self,
        model: &str,
        input_tokens: f64,
        tokenizer: &str,
        output_tokens: f64,
        batch: Option<bool>,
        service: Option<String>,
        exact: bool,
        region: Option<String>,
        fedramp: Option<bool>,
        endpoint: Option<String>,
        speed: Option<String>,
    ) -> Result<String, JsValue> {
        let conditions = Conditions::from_options(&ConditionOptions {
            region: region.as_deref(),
            fedramp: fedramp.unwrap_or(false),
            endpoint: endpoint.as_deref(),
            speed: speed.as_deref(),
            ..ConditionOptions::default()
        })
        .or_throw()?;
        let options = EstimateOptions {
            output_tokens: count("outputTokens", output_tokens)?,
            service: self::service(batch, service)?,
            tier: None,
            conditions,
        };
        let mut quote = self.book().quote_estimate(model, count("inputTokens", input_tokens)?, tokenizer, &options).or_throw()?;
        if !exact {
            tokfare::mark_approximate(&mut quote, model);
        }
        Ok(cost_json(&quote))
    }
}

impl Default for WasmPrices {
    fn default() -> Self {
        WasmPrices::new()
    }
}

/// The GTC 2026 tiers (JSON): `[{name, pricePerMillion, description, models}]`.
#[wasm_bindgen(js_name = gtcTiers)]
pub fn gtc_tiers() -> Result<String, JsValue> {
    let tiers: Vec<Value> = gtc::tier_rows()
        .or_throw()?
        .into_iter()
        .map(|r| json!({"name": r.name, "pricePerMillion": r.price_per_million.to_string(), "description": r.description, "models": r.models}))
        .collect();
    Ok(Value::Array(tiers).to_string())
}
