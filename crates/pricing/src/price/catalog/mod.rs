//! The model price catalog (LiteLLM's `model_prices_and_context_window.json` format)
//! and the [`PriceBook`] that resolves a model name to the schedule that prices it.
//!
//! Every key of an entry is classified by [`fields`]; the applied ones become a
//! [`RateSchedule`] as LiteLLM's cost code applies them (docs/catalog.md):
//! `{class}[_above_1hr][_above_{N}k_tokens][_{service}]` -> the class's per-million rate
//! in the base, a service rule, a context tier above N × 1000 prompt tokens, or that
//! tier's rate for the service (a service without its own tier rate takes the
//! standard tier rate, as LiteLLM does); a model without batch rates bills batches at
//! half its standard rates with no tier (LiteLLM's batch calculator);
//! `input_cost_per_request` / `*_cost_per_image` / `*_cost_per_second` -> per-unit fees;
//! `max_input_tokens` -> context window; `alias_of` -> its target's prices. A price rule
//! tokfare does not apply makes pricing that model an [`Error::UnsupportedPrice`] (unless
//! the catalog ignores unknown price fields). Per-token costs are multiplied by 10^6
//! exactly (per-million rates, as published).

mod check;
mod conditions;
pub mod fields;
mod services;
pub mod store;
mod structured;

pub use check::{CatalogCheck, FieldReport};

use self::fields::FieldKind;
use super::money::decimal_from_f64;
use super::rate_card::{ContextTier, RateSchedule, Rates, ServiceRule, TimeWindow};
use super::schedule::{Schedule, Service};
use super::spec::ScheduleSet;
use super::usage::{TokenClass, Unit};
use crate::{Error, Result};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use simd_json::prelude::*;
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use tokfare_json::{self as json, Value};

/// The bundled snapshot (see `tools/import_catalog.py`).
const BUNDLED: &str = include_str!("../../../data/catalog.json");
/// Key of the snapshot's metadata object (not a model).
const META_KEY: &str = "tokfare_snapshot";

/// One priced model.
#[derive(Clone, Debug)]
pub struct CatalogEntry {
    /// The model name as the catalog spells it.
    pub model: String,
    /// `litellm_provider`.
    pub provider: Option<String>,
    /// `mode` (chat, embedding, completion, ...).
    pub mode: Option<String>,
    /// The prices.
    pub schedule: Arc<RateSchedule>,
    /// `max_input_tokens`.
    pub max_input_tokens: Option<u64>,
    /// `max_output_tokens`.
    pub max_output_tokens: Option<u64>,
    /// Since when these prices hold (the snapshot date unless the entry says otherwise).
    pub effective_date: Option<NaiveDate>,
    /// When the provider retires the model (`deprecation_date`): still priced.
    pub deprecation_date: Option<NaiveDate>,
    /// The entry this one is an alias of (`alias_of`): priced as it.
    pub alias_of: Option<String>,
    /// Where the prices come from.
    pub source: String,
    /// The entry's price fields tokfare does not apply, with what each is.
    pub notes: Vec<(String, FieldKind)>,
    /// Why pricing this model is refused (the field and the reason), if it is.
    pub refusal: Option<(String, String)>,
}

/// How a model name was found in the catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// The name itself (case-insensitive).
    Exact,
    /// After removing a provider prefix (`anthropic/`, `openrouter/openai/` ...).
    ProviderPrefix,
    /// A dated name not in the catalog priced as its undated alias, or an undated
    /// name priced as its latest dated version.
    DateAlias,
}

/// Model prices by name.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    entries: BTreeMap<String, CatalogEntry>,
    /// Where the prices come from, for people reading invoices.
    pub source: String,
    /// The snapshot's date.
    pub effective_date: Option<NaiveDate>,
    /// Price models whose entries have price fields tokfare does not apply, ignoring
    /// those fields (the caller's explicit choice; quotes then say so).
    pub ignore_unknown_price_fields: bool,
}

/// False for the top-level keys of a LiteLLM file that are not models (tokfare's snapshot
/// record, LiteLLM's schema example and its name-resolution rules).
fn is_model_key(key: &str) -> bool {
    !matches!(key, META_KEY | "sample_spec" | "fallback_generalizations")
}

fn bad(path: &str, reason: String) -> Error {
    Error::InvalidCatalog { path: path.to_string(), reason }
}

impl Catalog {
    /// The catalog bundled with tokfare (parsed once, shared).
    pub fn bundled() -> Arc<Catalog> {
        static CATALOG: OnceLock<Arc<Catalog>> = OnceLock::new();
        CATALOG
            .get_or_init(|| Arc::new(Catalog::from_litellm_json(BUNDLED, "bundled").expect("the bundled catalog is checked by tests")))
            .clone()
    }

    /// Imports a LiteLLM-format JSON document. `source` is recorded on every entry
    /// unless the document's `tokfare_snapshot.source` says more.
    pub fn from_litellm_json(text: &str, source: &str) -> Result<Catalog> {
        let mut bytes = text.as_bytes().to_vec();
        let root = json::parse(&mut bytes, |reason| bad("$", reason))?;
        if !json::is_object(&root) {
            return Err(bad("$", "a catalog is a JSON object of model name -> prices".into()));
        }
        let mut catalog = Catalog { source: source.to_string(), ..Catalog::default() };
        if let Some(meta) = json::get(&root, META_KEY) {
            if let Some(s) = json::opt_str(meta, "source", META_KEY, bad)? {
                catalog.source = s.to_string();
            }
            catalog.effective_date = date(meta, "effective_date", META_KEY)?;
        }
        let mut aliases = Vec::new();
        for (model, fields) in json::entries(&root) {
            if !is_model_key(model) {
                continue;
            }
            if let Some(target) = json::opt_str(fields, "alias_of", model, bad)? {
                aliases.push((model.to_string(), target.to_string()));
            } else if let Some(entry) = catalog.entry_from_litellm(model, fields)? {
                catalog.entries.insert(model.to_ascii_lowercase(), entry);
            }
        }
        // `alias_of` rows are priced as their target (which must be a priced entry of the
        // same file; aliases do not chain).
        for (alias, target) in aliases {
            let entry = catalog.entries.get(&target.to_ascii_lowercase()).cloned().ok_or_else(|| {
                bad(&format!("{alias}.alias_of"), format!("{target:?} is not a priced entry of this catalog (aliases do not chain)"))
            })?;
            let entry = CatalogEntry { model: alias.clone(), alias_of: Some(entry.model.clone()), ..entry };
            catalog.entries.insert(alias.to_ascii_lowercase(), entry);
        }
        Ok(catalog)
    }

    /// Reads a LiteLLM-format file.
    pub fn load(path: &str) -> Result<Catalog> {
        Catalog::from_litellm_json(&Catalog::read_file(path)?, path)
    }

    /// The text of the catalog file at `path`, as [`load`](Self::load) reads it: for a
    /// caller that keeps the document it loaded (to pickle it, say) without reading the
    /// file twice.
    pub fn read_file(path: &str) -> Result<String> {
        // LiteLLM's file is ~1.5 MB: a file hundreds of times larger is refused before
        // it is read, not parsed into a tree that grows with it.
        const MAX_BYTES: u64 = 256 << 20;
        let size = std::fs::metadata(path).map_err(|e| bad("$", format!("cannot read {path}: {e}")))?.len();
        if size > MAX_BYTES {
            return Err(bad("$", format!("{path} is {size} bytes; a price catalog may be at most {} MiB", MAX_BYTES >> 20)));
        }
        std::fs::read_to_string(path).map_err(|e| bad("$", format!("cannot read {path}: {e}")))
    }

    /// Adds or replaces entries from another catalog (user overrides win).
    pub fn extend(&mut self, other: Catalog) {
        self.entries.extend(other.entries);
    }

    /// This catalog, pricing models whose entries have price fields tokfare does not
    /// apply by ignoring those fields (`--ignore-unknown-price-fields`).
    pub fn ignoring_unknown_price_fields(self, ignore: bool) -> Catalog {
        Catalog { ignore_unknown_price_fields: ignore, ..self }
    }

    /// Adds or replaces one entry.
    pub fn insert(&mut self, entry: CatalogEntry) {
        self.entries.insert(entry.model.to_ascii_lowercase(), entry);
    }

    /// Number of priced models.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True if no model is priced.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every entry, by lowercase name.
    pub fn entries(&self) -> impl Iterator<Item = &CatalogEntry> {
        self.entries.values()
    }

    /// The entry for a model name as people pass it: exact, then without provider
    /// prefixes, then by dated alias. Unknown names are an error with suggestions.
    pub fn lookup(&self, model: &str) -> Result<(&CatalogEntry, Resolution)> {
        let name = model.trim().to_ascii_lowercase();
        if let Some(e) = self.entries.get(&name) {
            return Ok((e, Resolution::Exact));
        }
        let mut candidates = vec![name.as_str()];
        let mut rest = name.as_str();
        while let Some(i) = rest.find('/') {
            rest = &rest[i + 1..];
            if let Some(e) = self.entries.get(rest) {
                return Ok((e, Resolution::ProviderPrefix));
            }
            candidates.push(rest);
        }
        for candidate in candidates {
            if let Some(e) = self.date_alias(candidate) {
                return Ok((e, Resolution::DateAlias));
            }
        }
        Err(Error::UnknownModelPrice { model: model.to_string(), suggestions: self.suggest(&name), bundled_set: None })
    }

    /// The schedule pricing a model (see [`Catalog::lookup`]); an entry with a price
    /// rule tokfare does not apply is [`Error::UnsupportedPrice`], unless this catalog
    /// ignores unknown price fields.
    pub fn schedule(&self, model: &str) -> Result<Arc<RateSchedule>> {
        let (entry, _) = self.lookup(model)?;
        match &entry.refusal {
            Some((field, reason)) if !self.ignore_unknown_price_fields => {
                Err(Error::UnsupportedPrice { model: entry.model.clone(), field: field.clone(), reason: reason.clone() })
            }
            _ => Ok(entry.schedule.clone()),
        }
    }

    fn date_alias(&self, name: &str) -> Option<&CatalogEntry> {
        if let Some(undated) = strip_date(name) {
            if let Some(e) = self.entries.get(undated) {
                return Some(e);
            }
        }
        // An undated name priced as its latest dated version (`claude-sonnet-4`).
        let prefix = format!("{name}-");
        self.entries
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .filter(|(k, _)| strip_date(k) == Some(name))
            .last()
            .map(|(_, e)| e)
    }

    fn suggest(&self, name: &str) -> Vec<String> {
        let base = name.rsplit('/').next().unwrap_or(name);
        let mut scored: Vec<(f64, &str)> = self
            .entries
            .values()
            .map(|e| (strsim::jaro_winkler(base, &e.model.to_ascii_lowercase()), e.model.as_str()))
            .filter(|(score, _)| *score > 0.85)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.len().cmp(&b.1.len())));
        scored.into_iter().take(3).map(|(_, m)| m.to_string()).collect()
    }

    /// One entry of a LiteLLM-format file: every key classified ([`fields::classify`]),
    /// the applied ones built into a [`RateSchedule`] as LiteLLM's cost code applies
    /// them (docs/catalog.md), the rest kept as notes. `None` for an entry with no price
    /// field at all.
    fn entry_from_litellm(&self, model: &str, v: &Value<'_>) -> Result<Option<CatalogEntry>> {
        if !json::is_object(v) {
            return Err(bad(model, "must be an object".into()));
        }
        let mut base = Rates::new();
        let mut services: BTreeMap<Service, Rates> = BTreeMap::new();
        let mut tiers: BTreeMap<u64, ContextTier> = BTreeMap::new();
        let mut units: BTreeMap<&'static str, Decimal> = BTreeMap::new();
        let mut resolution_prices = BTreeMap::new();
        let mut notes = Vec::new();
        let mut structured_rules = Vec::new();
        let mut condition_fields = Vec::new();
        for (key, value) in json::entries(v) {
            let kind = fields::classify(key);
            match kind {
                FieldKind::Applied if matches!(key, "tiered_pricing" | "off_peak_pricing") => structured_rules.push((key, value)),
                FieldKind::Applied if fields::STRUCTURED_FIELDS.contains(&key) => condition_fields.push((key, value)),
                FieldKind::Applied => {
                    let Some(price) = price(model, key, value)? else { continue };
                    if let Some(k) = fields::token_key(key) {
                        let per_million = per_million(model, key, price)?;
                        let rates = match (k.above, k.service) {
                            (None, Service::Standard) => &mut base,
                            (None, service) => services.entry(service).or_default(),
                            (Some(above), Service::Standard) => &mut tiers.entry(above).or_default().rates,
                            (Some(above), service) => tiers.entry(above).or_default().services.entry(service).or_default(),
                        };
                        *rates = std::mem::take(rates).with(k.class, per_million);
                    } else if let Some(unit) = fields::UNIT_FIELDS.iter().find(|u| **u == key) {
                        units.insert(unit, price);
                    } else if let Some(at) = fields::resolution_key(key) {
                        resolution_prices.insert(at, price);
                    }
                }
                FieldKind::Metadata | FieldKind::UnknownOther => {}
                other => notes.push((key.to_string(), other)),
            }
        }
        let mut windows = Vec::new();
        let mut rule_refusal: Option<structured::Refusal> = None;
        for (key, value) in structured_rules {
            match key {
                "tiered_pricing" => match structured::tiered(model, value, &base)? {
                    // Per-query prices by result count: the usage does not say how many
                    // results a query asked for, and the flat price would be charged.
                    None => {
                        rule_refusal = rule_refusal.or(Some((
                            key.to_string(),
                            "prices per search query by result count (max_results_range): refused rather than priced wrong".into(),
                        )))
                    }
                    Some(Err(refusal)) => rule_refusal = rule_refusal.or(Some(refusal)),
                    Some(Ok(_)) if !tiers.is_empty() || !services.is_empty() => {
                        rule_refusal = rule_refusal.or(Some((
                            key.to_string(),
                            "tiered_pricing together with _above_N_tokens or service prices (LiteLLM ignores them): refused".into(),
                        )))
                    }
                    Some(Ok((rates, context))) => {
                        base = rates;
                        for tier in context {
                            tiers.insert(tier.above, tier);
                        }
                    }
                },
                _ => match structured::off_peak(model, value)? {
                    Ok(w) => windows = w,
                    Err(refusal) => rule_refusal = rule_refusal.or(Some(refusal)),
                },
            }
        }
        let provider = json::opt_str(v, "litellm_provider", model, bad)?;
        let conditions = conditions::read(model, provider, &condition_fields)?;
        // An entry with no applied price at all is not a priced model. One whose applied
        // prices are all zero is free — unless it has fees tokfare does not meter (LiteLLM's
        // rerankers state `0.0` per token and charge per query): then it is refused below.
        let rate_sets = std::iter::once(&base)
            .chain(services.values())
            .chain(tiers.values().flat_map(|t| std::iter::once(&t.rates).chain(t.services.values())));
        let token_prices: Vec<Decimal> = rate_sets.flat_map(|r| r.iter().map(|(_, p)| p)).collect();
        let token_priced = token_prices.iter().any(|p| !p.is_zero());
        let search = conditions.web_search.iter().flat_map(|w| [w.low, w.medium, w.high]);
        let prices: Vec<Decimal> = token_prices.into_iter().chain(units.values().copied()).chain(search).collect();
        let applied = !prices.is_empty();
        let priced = prices.iter().any(|p| !p.is_zero());
        if !applied && notes.iter().all(|(_, k)| matches!(k, FieldKind::Inert(_))) {
            return Ok(None);
        }
        // LiteLLM prices a missing input or output rate at 0 (an image or audio model), and
        // an output rate of 0 at the image-output rate when there is one (U:763-768).
        for class in [TokenClass::Input, TokenClass::Output] {
            if base.get(class).is_none() {
                base = base.with(class, Decimal::ZERO);
            }
        }
        if let Some(image) = base.get(TokenClass::ImageOutput).filter(|_| base.get(TokenClass::Output).is_some_and(|o| o.is_zero())) {
            base = base.with(TokenClass::Output, image);
        }
        // LiteLLM's Fireworks default: a missing cache-read price is half the input price
        // (`FIREWORKS_AI_DEFAULT_CACHE_READ_RATE_RATIO`).
        if provider == Some("fireworks_ai") && base.get(TokenClass::CachedInput).is_none() {
            let half = base.get(TokenClass::Input).unwrap_or_default() / Decimal::TWO;
            base = base.with(TokenClass::CachedInput, half);
        }
        // xAI's thresholds are inclusive in LiteLLM (`prompt >= N`): a tier above N - 1.
        let inclusive = provider == Some("xai");
        let mut schedule = RateSchedule::new(model, base.clone()).map_err(|e| bad(model, e.to_string()))?;
        services::apply(&mut schedule, &base, services, tiers, inclusive);
        let mut unit_refusal = None;
        // OCR annotations without their own price are billed at the page price; in
        // batches at the batch annotation price, else the annotation price, else the batch
        // page price (LiteLLM CC:2804-2947).
        if !units.contains_key("annotation_cost_per_page_batches") && units.contains_key("ocr_cost_per_page_batches") {
            let fallback = units.get("annotation_cost_per_page").or(units.get("ocr_cost_per_page_batches")).copied();
            if let Some(p) = fallback {
                units.insert("annotation_cost_per_page_batches", p);
            }
        }
        if let (None, Some(&p)) = (units.get("annotation_cost_per_page"), units.get("ocr_cost_per_page")) {
            units.insert("annotation_cost_per_page", p);
        }
        let mut batch_units = BTreeMap::new();
        for (unit, key) in [(Unit::Page, "ocr_cost_per_page_batches"), (Unit::AnnotationPage, "annotation_cost_per_page_batches")] {
            if let Some(&price) = units.get(key) {
                batch_units.insert(unit, price);
            }
        }
        if !batch_units.is_empty() {
            schedule.services.entry(Service::Batch).or_insert_with(|| ServiceRule::rates(Rates::new())).unit_prices = batch_units;
        }
        for (unit, input, output) in [
            (Unit::Request, "input_cost_per_request", "input_cost_per_request"),
            (Unit::Image, "input_cost_per_image", "output_cost_per_image"),
            (Unit::Second, "input_cost_per_second", "output_cost_per_second"),
            (Unit::Character, "input_cost_per_character", "output_cost_per_character"),
            (Unit::Page, "ocr_cost_per_page", "ocr_cost_per_page"),
            (Unit::AnnotationPage, "annotation_cost_per_page", "annotation_cost_per_page"),
            (Unit::Query, "input_cost_per_query", "input_cost_per_query"),
            (Unit::CitationToken, "citation_cost_per_token", "citation_cost_per_token"),
        ] {
            match unit_price(&units, input, output) {
                Ok(Some(price)) => {
                    schedule.unit_prices.insert(unit, price);
                }
                Ok(None) => {}
                Err(refusal) => unit_refusal = unit_refusal.or(Some(refusal)),
            }
        }
        // Images by resolution are generated images: an input price per image as well
        // would make the count ambiguous (usage counts images once).
        if resolution_prices.keys().any(|(u, _)| *u == Unit::Image) && units.get("input_cost_per_image").is_some_and(|p| !p.is_zero()) {
            unit_refusal = unit_refusal.or(Some((
                "input_cost_per_image".into(),
                "an input price per image beside output prices per image by resolution: tokfare's usage counts images once".into(),
            )));
        }
        schedule.resolution_prices = resolution_prices;
        let unit_priced =
            units.iter().any(|(k, p)| *k != "input_cost_per_request" && !p.is_zero()) || !schedule.resolution_prices.is_empty();
        schedule.priced_per_unit_only = !token_priced && unit_priced;
        schedule.web_search = conditions.web_search;
        schedule.maps_grounding = conditions.maps_grounding;
        schedule.uplifts = conditions.uplifts;
        // LiteLLM's batch calculator never consults off-peak windows.
        let not_batch: Vec<Service> = Service::ALL.into_iter().filter(|s| *s != Service::Batch).collect();
        schedule.time_windows = windows.into_iter().map(|w| TimeWindow { services: not_batch.clone(), ..w }).collect();
        let max_input_tokens = json::opt_u64(v, "max_input_tokens", model, bad).unwrap_or(None);
        schedule.context_window = max_input_tokens;
        schedule.validate().map_err(|e| bad(model, e.to_string()))?;
        let refusal = match notes.iter().find(|(_, k)| k.refuses()) {
            Some((field, kind)) => Some((field.clone(), refusal_reason(*kind))),
            None if rule_refusal.is_some() => rule_refusal,
            None if conditions.refusal.is_some() => conditions.refusal,
            None if unit_refusal.is_some() => unit_refusal,
            None if !priced => notes.iter().find_map(|(field, kind)| match kind {
                FieldKind::Unmetered(what) => {
                    Some((field.clone(), format!("its only prices are for {what}, which tokfare does not meter")))
                }
                _ => None,
            }),
            None => None,
        };
        Ok(Some(CatalogEntry {
            model: model.to_string(),
            provider: provider.map(str::to_string),
            mode: json::opt_str(v, "mode", model, bad)?.map(str::to_string),
            schedule: Arc::new(schedule),
            max_input_tokens,
            max_output_tokens: json::opt_u64(v, "max_output_tokens", model, bad).unwrap_or(None),
            effective_date: date(v, "effective_date", model)?.or(self.effective_date),
            deprecation_date: date(v, "deprecation_date", model)?,
            alias_of: None,
            source: self.source.clone(),
            notes,
            refusal,
        }))
    }
}

fn refusal_reason(kind: FieldKind) -> String {
    match kind {
        FieldKind::Unsupported(why) => format!("{why}: tokfare refuses to price it rather than price it wrong"),
        _ => "a price field tokfare does not know: tokfare refuses to price it rather than price it wrong".into(),
    }
}

/// A per-token price as a per-million rate (an error, not a panic, when out of range).
fn per_million(model: &str, key: &str, per_token: Decimal) -> Result<Decimal> {
    per_token
        .checked_mul(Decimal::from(1_000_000))
        .ok_or_else(|| bad(&format!("{model}.{key}"), format!("{per_token} per token is out of range")))
}

/// A price field's value in USD per unit: a JSON number (or exact decimal text); null is
/// absent; negative is an error.
fn price(model: &str, key: &str, x: &Value<'_>) -> Result<Option<Decimal>> {
    if x.is_null() {
        return Ok(None);
    }
    let path = format!("{model}.{key}");
    let value = if let Some(i) = x.as_i64() {
        Decimal::from(i)
    } else if let Some(u) = x.as_u64() {
        Decimal::from(u)
    } else if let Some(f) = x.as_f64() {
        decimal_from_f64(f).map_err(|e| bad(&path, e.to_string()))?
    } else if let Some(text) = json::as_str(x) {
        // Exact decimal text, for files that keep every digit.
        super::money::parse_decimal(text).map_err(|e| bad(&path, e.to_string()))?
    } else {
        return Err(bad(&path, "must be a number".into()));
    };
    if value.is_sign_negative() && !value.is_zero() {
        return Err(bad(&path, "a price must not be negative".into()));
    }
    Ok(Some(value))
}

/// One per-unit price from an input and an output field. Usage counts images and
/// seconds once: LiteLLM bills the one that is not zero; two different non-zero prices
/// cannot both be applied, so that model is refused (the field and why).
fn unit_price(
    units: &BTreeMap<&'static str, Decimal>,
    input: &str,
    output: &str,
) -> std::result::Result<Option<Decimal>, (String, String)> {
    match (units.get(input).copied(), units.get(output).copied()) {
        (Some(a), Some(b)) if a.is_zero() => Ok(Some(b)),
        (Some(a), Some(b)) if b.is_zero() || a == b => Ok(Some(a)),
        (Some(a), Some(b)) => Err((
            output.to_string(),
            format!("a price per unit that differs from {input} ({b} vs {a}): tokfare's usage counts these units once, so it cannot tell which applies"),
        )),
        (a, b) => Ok(a.or(b)),
    }
}

fn date(v: &Value<'_>, key: &str, path: &str) -> Result<Option<NaiveDate>> {
    match json::opt_str(v, key, path, bad)? {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| bad(&format!("{path}.{key}"), format!("{s:?} is not a date (YYYY-MM-DD)"))),
    }
}

/// `gpt-4o-2024-08-06` -> `gpt-4o`; `claude-3-5-sonnet-20241022` -> `claude-3-5-sonnet`;
/// `claude-3-5-sonnet@20240620` -> `claude-3-5-sonnet`.
fn strip_date(name: &str) -> Option<&str> {
    let is_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let bytes = name.as_bytes();
    if name.len() > 11 && bytes[name.len() - 11] == b'-' {
        let tail = &name[name.len() - 10..];
        let parts: Vec<&str> = tail.split('-').collect();
        if parts.len() == 3 && parts[0].len() == 4 && parts[1].len() == 2 && parts[2].len() == 2 && parts.iter().all(|p| is_digits(p)) {
            return Some(&name[..name.len() - 11]);
        }
    }
    if name.len() > 9 && matches!(bytes[name.len() - 9], b'-' | b'@') && is_digits(&name[name.len() - 8..]) {
        return Some(&name[..name.len() - 9]);
    }
    None
}

/// Resolves the schedule for a model: schedule sets first (an explicit tier name, then
/// model patterns), then the catalog, then a default schedule if one is set. Never
/// silently free: with nothing matching, an [`Error::UnknownModelPrice`].
#[derive(Clone, Debug, Default)]
pub struct PriceBook {
    sets: Vec<ScheduleSet>,
    catalog: Option<Arc<Catalog>>,
    default: Option<Arc<dyn Schedule>>,
}

impl PriceBook {
    /// An empty book (prices nothing).
    pub fn new() -> PriceBook {
        PriceBook::default()
    }

    /// The bundled catalog only.
    pub fn bundled() -> PriceBook {
        PriceBook::new().with_catalog(Catalog::bundled())
    }

    /// Uses a catalog after the schedule sets.
    pub fn with_catalog(mut self, catalog: Arc<Catalog>) -> PriceBook {
        self.catalog = Some(catalog);
        self
    }

    /// Adds a schedule set, tried before the catalog (earlier sets first).
    pub fn with_schedule_set(mut self, set: ScheduleSet) -> PriceBook {
        self.sets.push(set);
        self
    }

    /// Prices every model nothing else matches with this schedule.
    pub fn with_default(mut self, schedule: Arc<dyn Schedule>) -> PriceBook {
        self.default = Some(schedule);
        self
    }

    /// The catalog, if any.
    pub fn catalog(&self) -> Option<&Arc<Catalog>> {
        self.catalog.as_ref()
    }

    /// The schedule set entry with this name (what an event's `tier` tag names).
    pub fn schedule_named(&self, name: &str) -> Option<Arc<dyn Schedule>> {
        self.sets.iter().find_map(|s| s.get(name)).map(|s| s as Arc<dyn Schedule>)
    }

    /// The schedule for a request to `model`; `tier` names a schedule of a set
    /// explicitly (an event's `tier` tag) and must exist.
    pub fn resolve(&self, model: &str, tier: Option<&str>) -> Result<Arc<dyn Schedule>> {
        if let Some(tier) = tier {
            return self.sets.iter().find_map(|s| s.get(tier)).map(|s| s as Arc<dyn Schedule>).ok_or_else(|| Error::UnknownModelPrice {
                model: format!("{model} (tier {tier})"),
                suggestions: self.sets.iter().flat_map(|s| s.entries.iter().map(|e| e.schedule.name.clone())).collect(),
                bundled_set: None,
            });
        }
        if let Some(s) = self.sets.iter().find_map(|s| s.for_model(model)) {
            return Ok(s);
        }
        let catalog_error = match &self.catalog {
            Some(catalog) => match catalog.schedule(model) {
                Ok(s) => return Ok(s),
                // A model the catalog refuses is not an unknown one: the default schedule
                // must not price it silently.
                Err(e @ Error::UnsupportedPrice { .. }) => return Err(e),
                Err(e) => Some(e),
            },
            None => None,
        };
        if let Some(d) = &self.default {
            return Ok(d.clone());
        }
        let error = catalog_error.unwrap_or_else(|| Error::UnknownModelPrice {
            model: model.to_string(),
            suggestions: Vec::new(),
            bundled_set: None,
        });
        Err(match error {
            // Say so when a bundled set the caller did not add would price the model.
            Error::UnknownModelPrice { model: name, suggestions, bundled_set: None } => {
                let in_book = |set: &str| self.sets.iter().any(|s| s.name == set);
                let bundled_set = ScheduleSet::bundled_for(model).filter(|set| !in_book(set));
                Error::UnknownModelPrice { model: name, suggestions, bundled_set }
            }
            other => other,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_stripped_only_when_they_are_dates() {
        assert_eq!(strip_date("gpt-4o-2024-08-06"), Some("gpt-4o"));
        assert_eq!(strip_date("claude-3-5-sonnet-20241022"), Some("claude-3-5-sonnet"));
        assert_eq!(strip_date("claude-3-5-sonnet@20240620"), Some("claude-3-5-sonnet"));
        assert_eq!(strip_date("gpt-4o"), None);
        assert_eq!(strip_date("text-embedding-3-small"), None);
    }
}
