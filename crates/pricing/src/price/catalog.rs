//! The model price catalog (LiteLLM's `model_prices_and_context_window.json` format)
//! and the [`PriceBook`] that resolves a model name to the schedule that prices it.
//!
//! LiteLLM field -> schedule: `input_cost_per_token` -> `rates.input`,
//! `output_cost_per_token` -> `output`, `cache_read_input_token_cost` -> `cached_input`,
//! `cache_creation_input_token_cost` -> `cache_write_5m`,
//! `cache_creation_input_token_cost_above_1hr` -> `cache_write_1h`,
//! `output_cost_per_reasoning_token` -> `reasoning`, `*_cost_per_audio_token` -> audio,
//! `*_above_{N}k_tokens` -> a context tier above N × 1000 prompt tokens, `*_batches` /
//! `*_flex` / `*_priority` -> service rules (a uniform ratio becomes a multiplier),
//! `input_cost_per_request` / `output_cost_per_image` / `input_cost_per_second` ->
//! per-unit fees, `max_input_tokens` -> context window. Per-token costs are multiplied
//! by 10^6 exactly (per-million rates, as published).

use super::money::decimal_from_f64;
use super::rate_card::{ContextTier, RateSchedule, Rates, ServiceRule};
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
const BUNDLED: &str = include_str!("../../data/catalog.json");
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
    /// Where the prices come from.
    pub source: String,
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
            catalog.effective_date = date(meta, META_KEY)?;
        }
        for (model, fields) in json::entries(&root) {
            if model == META_KEY || model == "sample_spec" {
                continue;
            }
            if let Some(entry) = catalog.entry_from_litellm(model, fields)? {
                catalog.entries.insert(model.to_ascii_lowercase(), entry);
            }
        }
        Ok(catalog)
    }

    /// Reads a LiteLLM-format file.
    pub fn load(path: &str) -> Result<Catalog> {
        let text = std::fs::read_to_string(path).map_err(|e| bad("$", format!("cannot read {path}: {e}")))?;
        Catalog::from_litellm_json(&text, path)
    }

    /// Adds or replaces entries from another catalog (user overrides win).
    pub fn extend(&mut self, other: Catalog) {
        self.entries.extend(other.entries);
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
        Err(Error::UnknownModelPrice { model: model.to_string(), suggestions: self.suggest(&name) })
    }

    /// The schedule pricing a model (see [`Catalog::lookup`]).
    pub fn schedule(&self, model: &str) -> Result<Arc<RateSchedule>> {
        self.lookup(model).map(|(e, _)| e.schedule.clone())
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

    fn entry_from_litellm(&self, model: &str, v: &Value<'_>) -> Result<Option<CatalogEntry>> {
        if !json::is_object(v) {
            return Err(bad(model, "must be an object".into()));
        }
        let rate = |key: &str| -> Result<Option<Decimal>> {
            match json::get(v, key) {
                None => Ok(None),
                Some(x) if x.is_null() => Ok(None),
                Some(x) => {
                    let path = format!("{model}.{key}");
                    let per_token = if let Some(i) = x.as_i64() {
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
                    if per_token.is_sign_negative() && !per_token.is_zero() {
                        return Err(bad(&path, "a price must not be negative".into()));
                    }
                    Ok(Some(per_token))
                }
            }
        };
        let per_million = |key: &str| -> Result<Option<Decimal>> { Ok(rate(key)?.map(|r| r * Decimal::from(1_000_000))) };
        let (Some(input), Some(output)) = (per_million("input_cost_per_token")?, per_million("output_cost_per_token")?) else {
            // Image, search, rerank ... models priced per something else: not token-priced.
            if json::get(v, "input_cost_per_token").is_some() || json::get(v, "output_cost_per_token").is_some() {
                let only_input = per_million("input_cost_per_token")?;
                let only_output = per_million("output_cost_per_token")?;
                return self
                    .finish(
                        model,
                        v,
                        Rates::input_output(only_input.unwrap_or_default(), only_output.unwrap_or_default()),
                        &per_million,
                        &rate,
                    )
                    .map(Some);
            }
            return Ok(None);
        };
        self.finish(model, v, Rates::input_output(input, output), &per_million, &rate).map(Some)
    }

    fn finish(
        &self,
        model: &str,
        v: &Value<'_>,
        mut rates: Rates,
        per_million: &dyn Fn(&str) -> Result<Option<Decimal>>,
        per_unit: &dyn Fn(&str) -> Result<Option<Decimal>>,
    ) -> Result<CatalogEntry> {
        const CLASS_FIELDS: [(&str, TokenClass); 6] = [
            ("cache_read_input_token_cost", TokenClass::CachedInput),
            ("cache_creation_input_token_cost", TokenClass::CacheWrite5m),
            ("cache_creation_input_token_cost_above_1hr", TokenClass::CacheWrite1h),
            ("output_cost_per_reasoning_token", TokenClass::Reasoning),
            ("input_cost_per_audio_token", TokenClass::AudioInput),
            ("output_cost_per_audio_token", TokenClass::AudioOutput),
        ];
        for (key, class) in CLASS_FIELDS {
            if let Some(r) = per_million(key)? {
                rates = rates.with(class, r);
            }
        }
        let mut schedule = RateSchedule::new(model, rates.clone()).map_err(|e| bad(model, e.to_string()))?;
        // Context tiers: `<field>_above_<N>k_tokens`.
        let mut tiers: BTreeMap<u64, Rates> = BTreeMap::new();
        for (key, _) in json::entries(v) {
            let Some((field, threshold)) = split_above(key) else { continue };
            let class = match field {
                "input_cost_per_token" => TokenClass::Input,
                "output_cost_per_token" => TokenClass::Output,
                "cache_read_input_token_cost" => TokenClass::CachedInput,
                "cache_creation_input_token_cost" => TokenClass::CacheWrite5m,
                "output_cost_per_reasoning_token" => TokenClass::Reasoning,
                "input_cost_per_audio_token" => TokenClass::AudioInput,
                _ => continue,
            };
            if let Some(r) = per_million(key)? {
                let tier = tiers.entry(threshold).or_default();
                *tier = std::mem::take(tier).with(class, r);
            }
        }
        schedule.context_tiers = tiers.into_iter().map(|(above, rates)| ContextTier { above, rates }).collect();
        // Service levels: a uniform ratio over the base is a multiplier (it then also
        // discounts cached and reasoning tokens); anything else is stated rates.
        for (suffix, service) in [("batches", Service::Batch), ("flex", Service::Flex), ("priority", Service::Priority)] {
            let mut stated = Rates::new();
            for (field, class) in [
                ("input_cost_per_token", TokenClass::Input),
                ("output_cost_per_token", TokenClass::Output),
                ("cache_read_input_token_cost", TokenClass::CachedInput),
            ] {
                if let Some(r) = per_million(&format!("{field}_{suffix}"))? {
                    stated = stated.with(class, r);
                }
            }
            if stated.iter().next().is_none() {
                continue;
            }
            let ratios: Vec<Option<Decimal>> = stated.iter().map(|(c, r)| rates.get(c).filter(|b| !b.is_zero()).map(|b| r / b)).collect();
            let uniform = ratios.first().copied().flatten().filter(|first| ratios.iter().all(|r| *r == Some(*first)));
            let rule = match uniform {
                Some(multiplier) => ServiceRule { multiplier: multiplier.normalize(), rates: Rates::new() },
                None => ServiceRule { multiplier: Decimal::ONE, rates: stated },
            };
            schedule.services.insert(service, rule);
        }
        for (key, unit) in [
            ("input_cost_per_request", Unit::Request),
            ("output_cost_per_image", Unit::Image),
            ("input_cost_per_image", Unit::Image),
            ("input_cost_per_second", Unit::Second),
            ("output_cost_per_second", Unit::Second),
        ] {
            if let Some(price) = per_unit(key)? {
                schedule.unit_prices.entry(unit).or_insert(price);
            }
        }
        let max_input_tokens = json::opt_u64(v, "max_input_tokens", model, bad).unwrap_or(None);
        schedule.context_window = max_input_tokens;
        schedule.validate().map_err(|e| bad(model, e.to_string()))?;
        Ok(CatalogEntry {
            model: model.to_string(),
            provider: json::opt_str(v, "litellm_provider", model, bad)?.map(str::to_string),
            mode: json::opt_str(v, "mode", model, bad)?.map(str::to_string),
            schedule: Arc::new(schedule),
            max_input_tokens,
            max_output_tokens: json::opt_u64(v, "max_output_tokens", model, bad).unwrap_or(None),
            effective_date: date(v, model)?.or(self.effective_date),
            source: self.source.clone(),
        })
    }
}

fn date(v: &Value<'_>, path: &str) -> Result<Option<NaiveDate>> {
    match json::opt_str(v, "effective_date", path, bad)? {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| bad(&format!("{path}.effective_date"), format!("{s:?} is not a date (YYYY-MM-DD)"))),
    }
}

/// `input_cost_per_token_above_200k_tokens` -> (`input_cost_per_token`, 200_000).
fn split_above(key: &str) -> Option<(&str, u64)> {
    let (field, rest) = key.split_once("_above_")?;
    let n = rest.strip_suffix("k_tokens")?;
    Some((field, n.parse::<u64>().ok()? * 1000))
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

    /// The schedule for a request to `model`; `tier` names a schedule of a set
    /// explicitly (an event's `tier` tag) and must exist.
    pub fn resolve(&self, model: &str, tier: Option<&str>) -> Result<Arc<dyn Schedule>> {
        if let Some(tier) = tier {
            return self.sets.iter().find_map(|s| s.get(tier)).map(|s| s as Arc<dyn Schedule>).ok_or_else(|| Error::UnknownModelPrice {
                model: format!("{model} (tier {tier})"),
                suggestions: self.sets.iter().flat_map(|s| s.entries.iter().map(|e| e.schedule.name.clone())).collect(),
            });
        }
        if let Some(s) = self.sets.iter().find_map(|s| s.for_model(model)) {
            return Ok(s);
        }
        let catalog_error = match &self.catalog {
            Some(catalog) => match catalog.schedule(model) {
                Ok(s) => return Ok(s),
                Err(e) => Some(e),
            },
            None => None,
        };
        if let Some(d) = &self.default {
            return Ok(d.clone());
        }
        Err(catalog_error.unwrap_or_else(|| Error::UnknownModelPrice { model: model.to_string(), suggestions: Vec::new() }))
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
        assert_eq!(split_above("input_cost_per_token_above_200k_tokens"), Some(("input_cost_per_token", 200_000)));
        assert_eq!(split_above("input_cost_per_token"), None);
    }
}
