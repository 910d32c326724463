//! The pricing module of the `tokfare` WebAssembly package, apart from the tokenizer
//! engine (`bindings-wasm/src`) so that counting tokens does not download it: usage
//! parsing, `price`, the bundled catalog, schedules and the GTC 2026 tiers. Structured
//! values cross the boundary as JSON text (one string each way, parsed by
//! `js/index.js`); every amount is a decimal string. `estimate` is `js/index.js`
//! counting with the engine and pricing here.

#[path = "../../src/errors.rs"]
mod errors;

use errors::{invalid_argument, OrThrow};
use serde_json::{json, Value};
use tokfare::price::{gtc, Catalog, Charges, PriceBook, Provider, Request, Schedule, ScheduleSet, Service, TokenClass, Usage};
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

fn cost_json(schedule: &dyn Schedule, charges: &Charges, usage: &Usage) -> String {
    let total = charges.total();
    let lines: Vec<Value> = charges
        .lines
        .iter()
        .map(|l| {
            json!({
                "item": l.item.to_string(),
                "quantity": l.quantity,
                "unitPrice": l.unit_price.normalize().to_string(),
                "per": l.per,
                "amount": l.amount.normalize().to_string(),
            })
        })
        .collect();
    json!({
        "total": total.amount().normalize().to_string(),
        "rounded": total.round(schedule.rounding()).amount().to_string(),
        "currency": total.currency().to_string(),
        "schedule": schedule.name(),
        "lines": lines,
        "usage": usage_json(usage),
    })
    .to_string()
}

fn book(schedule: Option<&ScheduleSet>) -> PriceBook {
    let mut book = PriceBook::new();
    if let Some(set) = schedule {
        book = book.with_schedule_set(set.clone());
    }
    book.with_catalog(Catalog::bundled())
}

fn service(name: Option<String>) -> Result<Service, JsValue> {
    name.map_or(Ok(Service::Standard), |s| s.parse::<Service>().or_throw())
}

/// A UTC instant from RFC 3339 text (the JavaScript side turns `Date`s into ISO strings).
fn timestamp(text: Option<String>) -> Result<Option<chrono::DateTime<chrono::Utc>>, JsValue> {
    text.map(|t| {
        t.parse::<chrono::DateTime<chrono::FixedOffset>>()
            .map(|d| d.with_timezone(&chrono::Utc))
            .map_err(|e| invalid_argument("at", format!("{t:?} is not an RFC 3339 timestamp: {e}")))
    })
    .transpose()
}

fn price_with(
    book: &PriceBook,
    model: &str,
    usage: Usage,
    service: Option<String>,
    tier: Option<String>,
    at: Option<String>,
) -> Result<String, JsValue> {
    let sched = book.resolve(model, tier.as_deref()).or_throw()?;
    let request = Request { usage, service: self::service(service)?, at: timestamp(at)? };
    let charges = sched.price_request(&request).or_throw()?;
    Ok(cost_json(sched.as_ref(), &charges, &usage))
}

fn parse_own(usage: &str) -> Result<Usage, JsValue> {
    tokfare::price::parse_usage(usage, Some(Provider::Tokfare)).or_throw()
}

/// The exact cost (JSON) of one request to `model` at the bundled catalog's prices, from
/// usage in tokfare's own JSON form.
#[wasm_bindgen]
pub fn price(model: &str, usage: &str, service: Option<String>, tier: Option<String>, at: Option<String>) -> Result<String, JsValue> {
    price_with(&book(None), model, parse_own(usage)?, service, tier, at)
}

#[wasm_bindgen]
impl WasmSchedule {
    /// `price` with this schedule set first, then the bundled catalog.
    pub fn price(
        &self,
        model: &str,
        usage: &str,
        service: Option<String>,
        tier: Option<String>,
        at: Option<String>,
    ) -> Result<String, JsValue> {
        price_with(&book(Some(&self.inner)), model, parse_own(usage)?, service, tier, at)
    }
}

/// What the bundled catalog knows of `model` (JSON), with the date its prices took effect.
#[wasm_bindgen(js_name = catalogLookup)]
pub fn catalog_lookup(model: &str) -> Result<String, JsValue> {
    let catalog = Catalog::bundled();
    let (entry, resolution) = catalog.lookup(model).or_throw()?;
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
        "source": entry.source,
        "ratesPerMillion": rates,
    })
    .to_string())
}

/// Every model of the bundled catalog.
#[wasm_bindgen(js_name = catalogModels)]
pub fn catalog_models() -> Vec<String> {
    Catalog::bundled().entries().map(|e| e.model.clone()).collect()
}

/// The GTC 2026 tiers (JSON): `[{name, pricePerMillion, description, models}]`.
#[wasm_bindgen(js_name = gtcTiers)]
pub fn gtc_tiers() -> Result<String, JsValue> {
    let set = gtc::tiers().or_throw()?;
    let tiers: Vec<Value> = set
        .entries
        .iter()
        .map(|e| {
            json!({
                "name": e.schedule.name,
                "pricePerMillion": e.schedule.rates.get(TokenClass::Output).unwrap_or_default().normalize().to_string(),
                "description": e.schedule.description,
                "models": e.models,
            })
        })
        .collect();
    Ok(Value::Array(tiers).to_string())
}
