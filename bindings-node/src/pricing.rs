//! Pricing for JavaScript: usage parsing, `price`, `estimate`, catalogs, schedules and
//! the GTC 2026 tiers. Money crosses the boundary as exact decimal strings, never as a
//! JS number; token counts cross as numbers (checked to be safe integers).

use crate::errors::{invalid_argument, safe_number, whole_number, Code, OrThrow};
use crate::tasks::{Job, Json};
use chrono::{DateTime, Utc};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use std::collections::HashMap;
use std::sync::Arc;
use tokfare::price::{
    gtc, parse_decimal, Catalog, CatalogChoice, CatalogOptions, ConditionOptions, Conditions, Decimal, EstimateOptions, PriceBook,
    Provider, Quote, Request, ScheduleSet, Service, Usage,
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
    #[napi(js_name = "cacheWrite12hTokens")]
    pub cache_write_12h_tokens: Option<f64>,
    pub video_input_tokens: Option<f64>,
    pub video_output_tokens: Option<f64>,
    pub cached_audio_input_tokens: Option<f64>,
    pub cached_image_input_tokens: Option<f64>,
    pub explicit_cached_input_tokens: Option<f64>,
    pub requests: Option<f64>,
    pub images: Option<f64>,
    pub seconds: Option<f64>,
    pub web_search_requests: Option<f64>,
    pub maps_grounding_requests: Option<f64>,
    pub characters: Option<f64>,
    pub pages: Option<f64>,
    pub annotation_pages: Option<f64>,
    pub queries: Option<f64>,
    pub citation_tokens: Option<f64>,
}

/// Where and how a request ran (the core checks each value).
#[napi(object)]
#[derive(Clone, Default)]
pub struct ConditionArgs {
    pub region: Option<String>,
    pub fedramp: Option<bool>,
    pub endpoint: Option<String>,
    pub speed: Option<String>,
    pub search_context_size: Option<String>,
    pub resolution: Option<String>,
}

impl ConditionArgs {
    pub fn to_core(args: Option<ConditionArgs>) -> Result<Conditions, Code> {
        let c = args.unwrap_or_default();
        Conditions::from_options(&ConditionOptions {
            region: c.region.as_deref(),
            fedramp: c.fedramp.unwrap_or(false),
            endpoint: c.endpoint.as_deref(),
            speed: c.speed.as_deref(),
            search_context_size: c.search_context_size.as_deref(),
            resolution: c.resolution.as_deref(),
        })
        .or_throw()
    }
}

fn quantity(name: &'static str, value: Option<f64>, default: u64) -> Result<u64, Code> {
    match value {
        None => Ok(default),
        Some(v) if v < 0.0 && v.fract() == 0.0 => tokfare::price::quantity(name, v as i128).or_throw(),
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
            cache_write_12h: quantity("cacheWrite12hTokens", self.cache_write_12h_tokens, 0)?,
            video_input: quantity("videoInputTokens", self.video_input_tokens, 0)?,
            video_output: quantity("videoOutputTokens", self.video_output_tokens, 0)?,
            cached_audio_input: quantity("cachedAudioInputTokens", self.cached_audio_input_tokens, 0)?,
            cached_image_input: quantity("cachedImageInputTokens", self.cached_image_input_tokens, 0)?,
            explicit_cached_input: quantity("explicitCachedInputTokens", self.explicit_cached_input_tokens, 0)?,
            requests: quantity("requests", self.requests, 1)?,
            images: quantity("images", self.images, 0)?,
            seconds: quantity("seconds", self.seconds, 0)?,
            web_search_requests: quantity("webSearchRequests", self.web_search_requests, 0)?,
            maps_grounding_requests: quantity("mapsGroundingRequests", self.maps_grounding_requests, 0)?,
            characters: quantity("characters", self.characters, 0)?,
            pages: quantity("pages", self.pages, 0)?,
            annotation_pages: quantity("annotationPages", self.annotation_pages, 0)?,
            queries: quantity("queries", self.queries, 0)?,
            citation_tokens: quantity("citationTokens", self.citation_tokens, 0)?,
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
            cache_write_12h_tokens: n("cacheWrite12hTokens", u.cache_write_12h)?,
            video_input_tokens: n("videoInputTokens", u.video_input)?,
            video_output_tokens: n("videoOutputTokens", u.video_output)?,
            cached_audio_input_tokens: n("cachedAudioInputTokens", u.cached_audio_input)?,
            cached_image_input_tokens: n("cachedImageInputTokens", u.cached_image_input)?,
            explicit_cached_input_tokens: n("explicitCachedInputTokens", u.explicit_cached_input)?,
            requests: n("requests", u.requests)?,
            images: n("images", u.images)?,
            seconds: n("seconds", u.seconds)?,
            web_search_requests: n("webSearchRequests", u.web_search_requests)?,
            maps_grounding_requests: n("mapsGroundingRequests", u.maps_grounding_requests)?,
            characters: n("characters", u.characters)?,
            pages: n("pages", u.pages)?,
            annotation_pages: n("annotationPages", u.annotation_pages)?,
            queries: n("queries", u.queries)?,
            citation_tokens: n("citationTokens", u.citation_tokens)?,
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

/// Every usage count's name in tokfare's own JSON form, in order (for the test of the
/// shared JavaScript's field list).
#[napi]
pub fn usage_fields() -> Vec<String> {
    Usage::field_names().into_iter().map(String::from).collect()
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
    /// What the reader should know (the prompt exceeds the context window ...).
    pub warnings: Vec<String>,
    /// The tokenizer that counted the prompt (`estimate` only).
    pub tokenizer: Option<String>,
    /// True when that tokenizer is not the model's own: the count is an approximation.
    pub approximate: bool,
}

pub fn cost(quote: Quote) -> Result<Cost, Code> {
    let lines = quote
        .lines
        .iter()
        .map(|line| {
            Ok(CostLine {
                item: line.item.to_string(),
                quantity: safe_number("quantity", line.quantity)?,
                unit_price: line.unit_price.to_string(),
                per: safe_number("per", line.per)?,
                amount: line.amount.to_string(),
            })
        })
        .collect::<Result<Vec<_>, Code>>()?;
    Ok(Cost {
        total: quote.total.to_string(),
        rounded: quote.rounded.to_string(),
        currency: quote.currency.to_string(),
        schedule: quote.schedule,
        lines,
        usage: UsageCounts::from_core(&quote.usage)?,
        warnings: quote.warnings.iter().map(|w| w.to_string()).collect(),
        tokenizer: quote.tokenizer,
        approximate: quote.approximate,
    })
}

/// Model prices: the bundled LiteLLM snapshot, a file, or both.
#[napi]
pub struct NativeCatalog {
    pub(crate) inner: Arc<Catalog>,
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
    pub fn bundled(ignore_unknown_price_fields: bool) -> NativeCatalog {
        NativeCatalog { inner: Catalog::bundled_with(ignore_unknown_price_fields) }
    }

    #[napi(factory)]
    pub fn from_file(path: String, extend_bundled: bool, ignore_unknown_price_fields: bool) -> Result<NativeCatalog, Code> {
        let options = CatalogOptions { extend_bundled, ignore_unknown_price_fields };
        Ok(NativeCatalog { inner: Arc::new(Catalog::load_with(&path, options).or_throw()?) })
    }

    /// The catalog in force on `date` (`YYYY-MM-DD`) in the snapshot store.
    #[napi(factory)]
    pub fn at(date: String, catalog_dir: Option<String>, ignore_unknown_price_fields: bool) -> Result<NativeCatalog, Code> {
        let catalog = tokfare::catalog_update::open_store(catalog_dir.as_deref()).and_then(|store| store.catalog_on(&date)).or_throw()?;
        Ok(NativeCatalog { inner: Arc::new(catalog.ignoring_unknown_price_fields(ignore_unknown_price_fields)) })
    }

    #[napi(factory, js_name = "fromJSON")]
    pub fn from_json(json: String, extend_bundled: bool, source: String, ignore_unknown_price_fields: bool) -> Result<NativeCatalog, Code> {
        let options = CatalogOptions { extend_bundled, ignore_unknown_price_fields };
        Ok(NativeCatalog { inner: Arc::new(Catalog::from_json_with(&json, &source, options).or_throw()?) })
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
    let catalog = catalog.map_or(CatalogChoice::Bundled, |c| CatalogChoice::Given(c.inner.clone()));
    PriceBook::from_sources(schedule.map(|s| s.inner.clone()), catalog)
}

/// A UTC instant from RFC 3339 text (the JS layer turns `Date`s into ISO strings).
pub fn timestamp(name: &'static str, text: &str) -> Result<DateTime<Utc>, Code> {
    tokfare::price::parse_timestamp(name, text).or_throw()
}

pub fn service(name: Option<String>) -> Result<Service, Code> {
    Service::from_options(false, name.as_deref()).or_throw()
}

/// The service from a call's `batch` and `service` options.
fn service_options(batch: Option<bool>, service: Option<String>) -> Result<Service, Code> {
    Service::from_options(batch.unwrap_or(false), service.as_deref()).or_throw()
}

/// The exact cost of one request to `model`.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn price(
    model: String,
    usage: UsageCounts,
    batch: Option<bool>,
    service: Option<String>,
    at: Option<String>,
    tier: Option<String>,
    catalog: Option<&NativeCatalog>,
    schedule: Option<&NativeSchedule>,
    conditions: Option<ConditionArgs>,
) -> Result<Cost, Code> {
    let at = at.map(|t| timestamp("at", &t)).transpose()?;
    let conditions = ConditionArgs::to_core(conditions)?;
    let request = Request { usage: usage.to_core()?, service: service_options(batch, service)?, at, conditions };
    cost(book(catalog, schedule).quote(&model, tier.as_deref(), &request).or_throw()?)
}

/// Tokenizes `text` for `model` (with its tokenizer, an `encoding` or a `tokenizer`
/// file) and prices it as input, plus `output_tokens` expected output.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn estimate(
    text: String,
    model: String,
    output_tokens: f64,
    encoding: Option<String>,
    tokenizer: Option<String>,
    batch: Option<bool>,
    service: Option<String>,
    catalog: Option<&NativeCatalog>,
    schedule: Option<&NativeSchedule>,
    conditions: Option<ConditionArgs>,
) -> Result<Cost, Code> {
    let options = EstimateOptions {
        output_tokens: whole_number("outputTokens", output_tokens)?,
        service: service_options(batch, service)?,
        tier: None,
        conditions: ConditionArgs::to_core(conditions)?,
    };
    cost(tokfare::estimate_with(&book(catalog, schedule), &model, &text, encoding.as_deref(), tokenizer.as_deref(), &options).or_throw()?)
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
    Ok(gtc::tier_rows()
        .or_throw()?
        .into_iter()
        .map(|r| GtcTier { name: r.name, price_per_million: r.price_per_million.to_string(), description: r.description, models: r.models })
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
    let shares: Option<Vec<(String, Decimal)>> = shares
        .map(|pairs| {
            pairs
                .into_iter()
                .map(|pair| match <[String; 2]>::try_from(pair) {
                    Ok([tier, share]) => Ok((tier, decimal("shares", &share)?)),
                    Err(_) => Err(invalid_argument("shares", "each entry is [tier, share]")),
                })
                .collect::<Result<_, Code>>()
        })
        .transpose()?;
    let throughput = tokens_per_second_per_mw
        .into_iter()
        .map(|(tier, tps)| Ok((tier, decimal("tokensPerSecondPerMW", &tps)?)))
        .collect::<Result<HashMap<String, Decimal>, Code>>()?;
    let (megawatts, hours) = (decimal("megawatts", &megawatts)?, decimal("hours", &hours)?);
    let input =
        gtc::PlanInput::from_shares(megawatts, hours, shares, "tokensPerSecondPerMW", |tier| throughput.get(tier).copied()).or_throw()?;
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

/// `Catalog.update`: fetch, validate, diff and store a price file on the libuv thread
/// pool; the promise settles with the report as JSON (`UpdateReport::to_json`), or
/// rejects with the core's error.
#[napi(ts_return_type = "Promise<string>")]
pub fn catalog_update(source: String, catalog_dir: Option<String>, timeout_seconds: u32) -> AsyncTask<Job<Json>> {
    Job::spawn(None, move || -> tokfare::Result<Json> {
        let options = tokfare::catalog_update::UpdateOptions {
            timeout: std::time::Duration::from_secs(u64::from(timeout_seconds)),
            ..tokfare::catalog_update::UpdateOptions::default()
        };
        let store = tokfare::catalog_update::open_store(catalog_dir.as_deref())?;
        Ok(Json(tokfare::catalog_update::update(&store, &source, &options)?.to_json()))
    })
}

/// `Catalog.history`: the stored snapshots, oldest first, each as JSON.
#[napi]
pub fn catalog_history(catalog_dir: Option<String>) -> Result<Vec<String>, Code> {
    let store = tokfare::catalog_update::open_store(catalog_dir.as_deref()).or_throw()?;
    Ok(store.history().or_throw()?.iter().map(|s| s.to_json()).collect())
}

/// LiteLLM's published price file, the default source of `Catalog.update`.
#[napi]
pub fn catalog_default_url() -> String {
    tokfare::catalog_update::DEFAULT_URL.to_string()
}
