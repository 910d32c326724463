//! Pricing for JavaScript: usage parsing, `price`, `estimate`, catalogs, schedules and
//! the GTC 2026 tiers. Money crosses the boundary as exact decimal strings, never as a
//! JS number; token counts cross as numbers (checked to be safe integers).

use crate::errors::{invalid_argument, safe_number, whole_number, Code, OrThrow};
use chrono::{DateTime, Utc};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use std::collections::HashMap;
use std::sync::Arc;
use tokfare::price::{
    gtc, parse_decimal, Catalog, Charges, Decimal, PriceBook, Provider, Request, Schedule, ScheduleSet, Service, TokenClass, Usage,
};

/// Quantities a request consumed, in disjoint classes (docs/usage-normalisation.md).
/// Every field is a non-negative integer; absent means 0 (`requests`: 1).
#[napi(object)]
#[derive(Clone, Default)]
pub struct UsageCounts {
    pub input_tokens: Option<f64>,
    pub cached_input_tokens: Option<f64>,
    pub cache_write_tokens: Option<f64>,
    #[napi(js_name = "cacheWrite1hTokens")]
    pub cache_write_1h_tokens: Option<f64>,
    pub output_tokens: Option<f64>,
    pub reasoning_tokens: Option<f64>,
    pub audio_input_tokens: Option<f64>,
    pub audio_output_tokens: Option<f64>,
    pub image_input_tokens: Option<f64>,
    pub image_output_tokens: Option<f64>,
    pub requests: Option<f64>,
    pub images: Option<f64>,
    pub seconds: Option<f64>,
}

fn quantity(name: &'static str, value: Option<f64>, default: u64) -> Result<u64, Code> {
    match value {
        None => Ok(default),
        Some(v) if v < 0.0 => Err(crate::errors::to_js(tokfare::Error::InvalidUsage {
            line: None,
            path: name.to_string(),
            reason: format!("negative quantity {v}"),
        })),
        Some(v) => whole_number(name, v),
    }
}

impl UsageCounts {
    pub fn to_core(&self) -> Result<Usage, Code> {
        Ok(Usage {
            input: quantity("inputTokens", self.input_tokens, 0)?,
            cached_input: quantity("cachedInputTokens", self.cached_input_tokens, 0)?,
            cache_write_5m: quantity("cacheWriteTokens", self.cache_write_tokens, 0)?,
            cache_write_1h: quantity("cacheWrite1hTokens", self.cache_write_1h_tokens, 0)?,
            output: quantity("outputTokens", self.output_tokens, 0)?,
            reasoning: quantity("reasoningTokens", self.reasoning_tokens, 0)?,
            audio_input: quantity("audioInputTokens", self.audio_input_tokens, 0)?,
            audio_output: quantity("audioOutputTokens", self.audio_output_tokens, 0)?,
            image_input: quantity("imageInputTokens", self.image_input_tokens, 0)?,
            image_output: quantity("imageOutputTokens", self.image_output_tokens, 0)?,
            requests: quantity("requests", self.requests, 1)?,
            images: quantity("images", self.images, 0)?,
            seconds: quantity("seconds", self.seconds, 0)?,
        })
    }

    pub fn from_core(u: &Usage) -> Result<UsageCounts, Code> {
        let n = |name, v| safe_number(name, v).map(Some);
        Ok(UsageCounts {
            input_tokens: n("inputTokens", u.input)?,
            cached_input_tokens: n("cachedInputTokens", u.cached_input)?,
            cache_write_tokens: n("cacheWriteTokens", u.cache_write_5m)?,
            cache_write_1h_tokens: n("cacheWrite1hTokens", u.cache_write_1h)?,
            output_tokens: n("outputTokens", u.output)?,
            reasoning_tokens: n("reasoningTokens", u.reasoning)?,
            audio_input_tokens: n("audioInputTokens", u.audio_input)?,
            audio_output_tokens: n("audioOutputTokens", u.audio_output)?,
            image_input_tokens: n("imageInputTokens", u.image_input)?,
            image_output_tokens: n("imageOutputTokens", u.image_output)?,
            requests: n("requests", u.requests)?,
            images: n("images", u.images)?,
            seconds: n("seconds", u.seconds)?,
        })
    }
}

/// Normalises a provider's usage object (given as JSON text) into disjoint classes.
/// `provider`: `openai_chat`, `openai_responses`, `anthropic`, `gemini`, `tokfare`, or
/// absent to detect it from the fields present.
#[napi]
pub fn parse_usage(json: String, provider: Option<String>) -> Result<UsageCounts, Code> {
    let provider = provider.map(|p| p.parse::<Provider>()).transpose().or_throw()?;
    UsageCounts::from_core(&tokfare::price::parse_usage(&json, provider).or_throw()?)
}

/// Sum of two usages (overflow is an error).
#[napi]
pub fn add_usage(a: UsageCounts, b: UsageCounts) -> Result<UsageCounts, Code> {
    UsageCounts::from_core(&a.to_core()?.checked_add(&b.to_core()?).or_throw()?)
}

/// One line of a cost; amounts are exact decimal strings.
#[napi(object)]
pub struct CostLine {
    /// What is charged (`input tokens`, `requests`, `minimum charge` ...).
    pub item: String,
    pub quantity: f64,
    /// Price of `per` units.
    pub unit_price: String,
    pub per: f64,
    pub amount: String,
}

/// The exact cost of a request.
#[napi(object)]
pub struct Cost {
    /// Exact, unrounded total (decimal string).
    pub total: String,
    /// The total rounded as the schedule says (decimal string).
    pub rounded: String,
    pub currency: String,
    /// The schedule that priced it.
    pub schedule: String,
    pub lines: Vec<CostLine>,
    pub usage: UsageCounts,
}

pub fn cost(schedule: &dyn Schedule, charges: &Charges, usage: &Usage) -> Result<Cost, Code> {
    let lines = charges
        .lines
        .iter()
        .map(|line| {
            Ok(CostLine {
                item: line.item.to_string(),
                quantity: safe_number("quantity", line.quantity)?,
                unit_price: line.unit_price.normalize().to_string(),
                per: safe_number("per", line.per)?,
                amount: line.amount.normalize().to_string(),
            })
        })
        .collect::<Result<Vec<_>, Code>>()?;
    let total = charges.total();
    Ok(Cost {
        total: total.amount().normalize().to_string(),
        rounded: total.round(schedule.rounding()).amount().to_string(),
        currency: total.currency().to_string(),
        schedule: schedule.name().to_string(),
        lines,
        usage: UsageCounts::from_core(usage)?,
    })
}

/// Model prices: the bundled LiteLLM snapshot, a file, or both.
#[napi]
pub struct NativeCatalog {
    pub(crate) inner: Arc<Catalog>,
}

fn with_bundled(loaded: Catalog, extend_bundled: bool) -> Catalog {
    if !extend_bundled {
        return loaded;
    }
    let mut base = (*Catalog::bundled()).clone();
    base.extend(loaded);
    base
}

/// What the catalog knows of a model.
#[napi(object)]
pub struct CatalogEntry {
    pub model: String,
    /// How the name was matched (`Exact`, `Alias`, ...).
    pub resolution: String,
    pub provider: Option<String>,
    pub mode: Option<String>,
    pub max_input_tokens: Option<f64>,
    pub max_output_tokens: Option<f64>,
    pub effective_date: Option<String>,
    pub source: String,
    /// Token class -> USD per million tokens (decimal strings).
    pub rates_per_million: HashMap<String, String>,
}

#[napi]
impl NativeCatalog {
    #[napi(factory)]
    pub fn bundled() -> NativeCatalog {
        NativeCatalog { inner: Catalog::bundled() }
    }

    #[napi(factory)]
    pub fn from_file(path: String, extend_bundled: bool) -> Result<NativeCatalog, Code> {
        let loaded = Catalog::load(&path).or_throw()?;
        Ok(NativeCatalog { inner: Arc::new(with_bundled(loaded, extend_bundled)) })
    }

    #[napi(factory, js_name = "fromJSON")]
    pub fn from_json(json: String, extend_bundled: bool, source: String) -> Result<NativeCatalog, Code> {
        let loaded = Catalog::from_litellm_json(&json, &source).or_throw()?;
        Ok(NativeCatalog { inner: Arc::new(with_bundled(loaded, extend_bundled)) })
    }

    #[napi(getter)]
    pub fn size(&self) -> u32 {
        self.inner.len() as u32
    }

    #[napi]
    pub fn has(&self, model: String) -> bool {
        self.inner.lookup(&model).is_ok()
    }

    #[napi]
    pub fn lookup(&self, model: String) -> Result<CatalogEntry, Code> {
        let (entry, resolution) = self.inner.lookup(&model).or_throw()?;
        let to_num = |v: Option<u64>, name| v.map(|v| safe_number(name, v)).transpose();
        Ok(CatalogEntry {
            model: entry.model.clone(),
            resolution: format!("{resolution:?}"),
            provider: entry.provider.clone(),
            mode: entry.mode.clone(),
            max_input_tokens: to_num(entry.max_input_tokens, "maxInputTokens")?,
            max_output_tokens: to_num(entry.max_output_tokens, "maxOutputTokens")?,
            effective_date: entry.effective_date.map(|d| d.to_string()),
            source: entry.source.clone(),
            rates_per_million: entry.schedule.rates.iter().map(|(c, r)| (c.name().to_string(), r.normalize().to_string())).collect(),
        })
    }

    #[napi]
    pub fn models(&self) -> Vec<String> {
        self.inner.entries().map(|e| e.model.clone()).collect()
    }
}

/// A set of declarative schedules (TOML or JSON; docs/schedules.md).
#[napi]
pub struct NativeSchedule {
    pub(crate) inner: ScheduleSet,
}

#[napi]
impl NativeSchedule {
    /// A `.toml` or `.json` file, or a bundled set by name (`gtc-2026`).
    #[napi(factory)]
    pub fn from_file(path: String) -> Result<NativeSchedule, Code> {
        Ok(NativeSchedule { inner: ScheduleSet::load(&path).or_throw()? })
    }

    #[napi(factory, js_name = "fromJSON")]
    pub fn from_json(json: String) -> Result<NativeSchedule, Code> {
        Ok(NativeSchedule { inner: ScheduleSet::from_json(&json).or_throw()? })
    }

    #[napi(factory, js_name = "fromTOML")]
    pub fn from_toml(text: String) -> Result<NativeSchedule, Code> {
        Ok(NativeSchedule { inner: ScheduleSet::from_toml(&text).or_throw()? })
    }

    #[napi(factory)]
    pub fn bundled(name: String) -> Result<NativeSchedule, Code> {
        Ok(NativeSchedule { inner: ScheduleSet::bundled(&name).or_throw()? })
    }

    #[napi(getter)]
    pub fn name(&self) -> String {
        self.inner.name.clone()
    }

    /// The schedules' names, in matching order.
    #[napi(getter)]
    pub fn schedules(&self) -> Vec<String> {
        self.inner.entries.iter().map(|e| e.schedule.name.clone()).collect()
    }
}

/// The price book for optional catalog / schedule arguments (default: the bundled catalog).
pub fn book(catalog: Option<&NativeCatalog>, schedule: Option<&NativeSchedule>) -> PriceBook {
    let mut book = PriceBook::new();
    if let Some(s) = schedule {
        book = book.with_schedule_set(s.inner.clone());
    }
    book.with_catalog(catalog.map_or_else(Catalog::bundled, |c| c.inner.clone()))
}

/// A UTC instant from RFC 3339 text (the JS layer turns `Date`s into ISO strings).
pub fn timestamp(name: &'static str, text: &str) -> Result<DateTime<Utc>, Code> {
    text.parse::<DateTime<chrono::FixedOffset>>()
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| invalid_argument(name, format!("{text:?} is not an RFC 3339 timestamp: {e}")))
}

pub fn service(name: Option<String>) -> Result<Service, Code> {
    name.map_or(Ok(Service::Standard), |s| s.parse::<Service>().or_throw())
}

/// The exact cost of one request to `model`.
#[napi]
pub fn price(
    model: String,
    usage: UsageCounts,
    service: Option<String>,
    at: Option<String>,
    tier: Option<String>,
    catalog: Option<&NativeCatalog>,
    schedule: Option<&NativeSchedule>,
) -> Result<Cost, Code> {
    let book = book(catalog, schedule);
    let schedule = book.resolve(&model, tier.as_deref()).or_throw()?;
    let at = at.map(|t| timestamp("at", &t)).transpose()?;
    let usage = usage.to_core()?;
    let request = Request { usage, service: self::service(service)?, at };
    let charges = schedule.price_request(&request).or_throw()?;
    cost(schedule.as_ref(), &charges, &usage)
}

/// Tokenizes `text` for `model` (or with `encoding`) and prices it as input, plus
/// `output_tokens` expected output.
#[napi]
pub fn estimate(
    text: String,
    model: String,
    output_tokens: f64,
    encoding: Option<String>,
    service: Option<String>,
    catalog: Option<&NativeCatalog>,
    schedule: Option<&NativeSchedule>,
) -> Result<Cost, Code> {
    let book = book(catalog, schedule);
    let sched = book.resolve(&model, None).or_throw()?;
    let enc = match encoding {
        Some(name) => tokfare::get_encoding(&name),
        None => tokfare::encoding_for_model(&model),
    }
    .or_throw()?;
    let usage = Usage::tokens(enc.count(&text) as u64, whole_number("outputTokens", output_tokens)?);
    let request = Request { usage, service: self::service(service)?, at: None };
    let charges = sched.price_request(&request).or_throw()?;
    cost(sched.as_ref(), &charges, &usage)
}

/// Tokens of OpenAI-style chat `messages` (JSON text) for `model`, with the per-message
/// overheads of the model's family and the tool definitions (JSON text), if any.
#[napi]
pub fn count_chat(messages: String, model: String, tools: Option<String>) -> Result<u32, Code> {
    Ok(tokfare::chat::count_chat_json(&messages, tools.as_deref(), &model).or_throw()? as u32)
}

/// One GTC 2026 tier.
#[napi(object)]
pub struct GtcTier {
    pub name: String,
    /// USD per million tokens (decimal string).
    pub price_per_million: String,
    pub description: Option<String>,
    /// Model name patterns in this tier.
    pub models: Vec<String>,
}

/// The GTC 2026 tiers (Free, Medium, High, Premium, Ultra).
#[napi]
pub fn gtc_tiers() -> Result<Vec<GtcTier>, Code> {
    let set = gtc::tiers().or_throw()?;
    Ok(set
        .entries
        .iter()
        .map(|e| GtcTier {
            name: e.schedule.name.clone(),
            price_per_million: e.schedule.rates.get(TokenClass::Output).unwrap_or_default().normalize().to_string(),
            description: e.schedule.description.clone(),
            models: e.models.clone(),
        })
        .collect())
}

/// One tier of a capacity plan (decimal strings).
#[napi(object)]
pub struct PlanTier {
    pub tier: String,
    pub share: String,
    pub price_per_million: String,
    pub tokens: String,
    pub revenue: String,
}

/// The keynote's capacity plan (decimal strings).
#[napi(object)]
pub struct CapacityPlan {
    pub tiers: Vec<PlanTier>,
    pub total_tokens: String,
    pub total_revenue: String,
    pub currency: String,
}

fn decimal(name: &'static str, text: &str) -> Result<Decimal, Code> {
    parse_decimal(text).map_err(|e| invalid_argument(name, e.to_string()))
}

/// The GTC 2026 capacity planner: `shares` and `tokens_per_second_per_mw` map tier ->
/// decimal string; shares default to 25% each of free, medium, high and premium.
#[napi]
pub fn capacity_plan(
    megawatts: String,
    hours: String,
    tokens_per_second_per_mw: HashMap<String, String>,
    shares: Option<Vec<Vec<String>>>,
) -> Result<CapacityPlan, Code> {
    let set = gtc::tiers().or_throw()?;
    let shares: Vec<(String, Decimal)> = match shares {
        Some(pairs) => pairs
            .into_iter()
            .map(|pair| match <[String; 2]>::try_from(pair) {
                Ok([tier, share]) => Ok((tier, decimal("shares", &share)?)),
                Err(_) => Err(invalid_argument("shares", "each entry is [tier, share]")),
            })
            .collect::<Result<_, Code>>()?,
        None => ["free", "medium", "high", "premium"].iter().map(|t| (t.to_string(), Decimal::new(25, 2))).collect(),
    };
    let mut allocations = Vec::new();
    for (tier, share) in shares {
        let tps = tokens_per_second_per_mw
            .get(&tier)
            .ok_or_else(|| invalid_argument("tokensPerSecondPerMW", format!("no throughput for tier {tier:?}")))?;
        allocations.push(gtc::Allocation { tier, share, tokens_per_second_per_mw: decimal("tokensPerSecondPerMW", tps)? });
    }
    let input = gtc::PlanInput { megawatts: decimal("megawatts", &megawatts)?, hours: decimal("hours", &hours)?, allocations };
    let plan = gtc::plan(&set, &input).or_throw()?;
    Ok(CapacityPlan {
        tiers: plan
            .tiers
            .iter()
            .map(|t| PlanTier {
                tier: t.tier.clone(),
                share: t.share.normalize().to_string(),
                price_per_million: t.price_per_million.normalize().to_string(),
                tokens: t.tokens.normalize().to_string(),
                revenue: t.revenue.amount().normalize().to_string(),
            })
            .collect(),
        total_tokens: plan.total_tokens.normalize().to_string(),
        total_revenue: plan.total_revenue.amount().normalize().to_string(),
        currency: plan.total_revenue.currency().to_string(),
    })
}
