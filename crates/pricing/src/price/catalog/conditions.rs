//! Prices of a LiteLLM entry that depend on how and where a request ran
//! ([`Conditions`](super::super::Conditions)): web-search queries
//! (`search_context_cost_per_query`, `web_search_billing_unit`) and the uplift
//! multipliers (`regional_processing_uplift_multiplier_{eu,us}`,
//! `fedramp_uplift_multiplier`, `regional_endpoint_uplift_multiplier`, and Anthropic's
//! `provider_specific_entry.{us,fast}`), read as LiteLLM's cost code applies them
//! (docs/litellm-rules.md §3.10, §4.3), and Google Maps grounding
//! (`google_maps_grounding_cost_per_query`).
//!
//! Web search by provider, as LiteLLM routes it: Anthropic (and Claude on Vertex AI and
//! Azure AI), Gemini and Groq bill the `medium` price whatever the request asked;
//! Perplexity bills `low`; xAI the first positive of medium, low, high; everyone else
//! the size the request asked for (medium by default). Gemini and Vertex AI Gemini bill
//! one charge per grounded prompt unless `web_search_billing_unit` is `per_query`.

use super::super::rate_card::{GroundingPrice, WebSearchPrices};
use super::super::schedule::{Region, SearchContextSize, Uplift};
use super::structured::Refusal;
use super::{bad, price};
use crate::Result;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use tokfare_json::{self as json, Value};

/// The condition-dependent prices of one entry.
#[derive(Default)]
pub(super) struct ConditionPrices {
    /// Web-search prices, when the entry has them.
    pub web_search: Option<WebSearchPrices>,
    /// The Google Maps grounding price, when the entry has one.
    pub maps_grounding: Option<GroundingPrice>,
    /// Multipliers by condition.
    pub uplifts: BTreeMap<Uplift, Decimal>,
    /// A rule of these fields tokfare cannot apply exactly.
    pub refusal: Option<Refusal>,
}

/// Reads the condition fields (`fields`: key and value, as they appear in the entry).
pub(super) fn read(model: &str, provider: Option<&str>, fields: &[(&str, &Value<'_>)]) -> Result<ConditionPrices> {
    let mut out = ConditionPrices::default();
    let mut search: Option<&Value<'_>> = None;
    let mut maps: Option<Decimal> = None;
    let mut billing_unit: Option<&str> = None;
    for &(key, value) in fields {
        let uplift = match key {
            "regional_processing_uplift_multiplier_eu" => Some(Uplift::Region(Region::Eu)),
            "regional_processing_uplift_multiplier_us" => Some(Uplift::Region(Region::Us)),
            "fedramp_uplift_multiplier" => Some(Uplift::Fedramp),
            "regional_endpoint_uplift_multiplier" => Some(Uplift::RegionalEndpoint),
            _ => None,
        };
        if let Some(uplift) = uplift {
            if let Some(m) = price(model, key, value)? {
                out.uplifts.insert(uplift, m);
            }
            continue;
        }
        match key {
            "search_context_cost_per_query" => search = Some(value),
            "google_maps_grounding_cost_per_query" => maps = price(model, key, value)?,
            "web_search_billing_unit" => {
                billing_unit = Some(json::as_str(value).ok_or_else(|| bad(&format!("{model}.{key}"), "must be text".into()))?)
            }
            "provider_specific_entry" => provider_specific(model, value, &mut out)?,
            _ => return Err(bad(&format!("{model}.{key}"), "not a condition field (an internal error: please report it)".into())),
        }
    }
    if let Some(v) = search {
        out.web_search = web_search(model, provider, v, billing_unit, &mut out.refusal)?;
    }
    // LiteLLM bills Maps grounding per query when the billing unit is `per_query`, else
    // one per grounded prompt (`llms/gemini/cost_calculator.py:86-109`).
    out.maps_grounding = maps.map(|price| GroundingPrice { price, per_prompt: billing_unit != Some("per_query") });
    Ok(out)
}

/// `provider_specific_entry`: `us` / `eu` are inference-geo multipliers, `fast` the
/// fast-mode multiplier (Anthropic, `llms/anthropic/cost_calculation.py:47-65`); other
/// keys are routing metadata, except `minimax_free_input_images`, an allowance tokfare
/// does not apply (refused).
fn provider_specific(model: &str, v: &Value<'_>, out: &mut ConditionPrices) -> Result<()> {
    let path = format!("{model}.provider_specific_entry");
    if !json::is_object(v) {
        return Err(bad(&path, "must be an object".into()));
    }
    for (key, value) in json::entries(v) {
        let uplift = match key {
            "us" => Uplift::Region(Region::Us),
            "eu" => Uplift::Region(Region::Eu),
            "fast" => Uplift::Fast,
            "minimax_free_input_images" => {
                out.refusal = out.refusal.take().or(Some((
                    format!("provider_specific_entry.{key}"),
                    "free input images per request (an allowance tokfare does not apply): refused rather than priced wrong".into(),
                )));
                continue;
            }
            _ => continue,
        };
        if let Some(m) = price(model, &format!("provider_specific_entry.{key}"), value)? {
            out.uplifts.insert(uplift, m);
        }
    }
    Ok(())
}

fn web_search(
    model: &str,
    provider: Option<&str>,
    v: &Value<'_>,
    billing_unit: Option<&str>,
    refusal: &mut Option<Refusal>,
) -> Result<Option<WebSearchPrices>> {
    let path = format!("{model}.search_context_cost_per_query");
    if !json::is_object(v) {
        return Err(bad(&path, "must be an object of search_context_size_{low,medium,high}".into()));
    }
    let mut sizes: BTreeMap<SearchContextSize, Decimal> = BTreeMap::new();
    for (key, value) in json::entries(v) {
        let size = match key {
            "search_context_size_low" => SearchContextSize::Low,
            "search_context_size_medium" => SearchContextSize::Medium,
            "search_context_size_high" => SearchContextSize::High,
            other => {
                *refusal = refusal.take().or(Some((
                    format!("search_context_cost_per_query.{other}"),
                    "a web-search price tokfare does not know: refused rather than priced wrong".into(),
                )));
                continue;
            }
        };
        if let Some(p) = price(model, &format!("search_context_cost_per_query.{key}"), value)? {
            sizes.insert(size, p);
        }
    }
    let Some(&medium) = sizes.get(&SearchContextSize::Medium) else {
        *refusal = refusal.take().or(Some((
            "search_context_cost_per_query".into(),
            "no medium-size price (every provider bills medium by default): refused rather than priced wrong".into(),
        )));
        return Ok(None);
    };
    let low = sizes.get(&SearchContextSize::Low).copied().unwrap_or(medium);
    let high = sizes.get(&SearchContextSize::High).copied().unwrap_or(medium);
    let provider = provider.unwrap_or("");
    let claude = model.to_ascii_lowercase().contains("claude");
    let gemini = matches!(provider, "gemini" | "vertex_ai" | "vertex_ai-language-models");
    let fixed_size = match provider {
        "anthropic" | "groq" => Some(SearchContextSize::Medium),
        "vertex_ai-anthropic_models" | "azure_ai" | "vertex_ai" if claude => Some(SearchContextSize::Medium),
        _ if gemini => Some(SearchContextSize::Medium),
        "perplexity" => Some(SearchContextSize::Low),
        "xai" => [(SearchContextSize::Medium, medium), (SearchContextSize::Low, low), (SearchContextSize::High, high)]
            .into_iter()
            .find(|(_, p)| !p.is_zero())
            .map(|(s, _)| s)
            .or(Some(SearchContextSize::Medium)),
        _ => None,
    };
    let per_prompt = match billing_unit {
        None | Some("per_prompt") => gemini && !claude,
        Some("per_query") => false,
        Some(other) => {
            *refusal = refusal.take().or(Some((
                "web_search_billing_unit".into(),
                format!("unknown billing unit {other:?} (per_query, per_prompt): refused rather than priced wrong"),
            )));
            false
        }
    };
    Ok(Some(WebSearchPrices { low, medium, high, fixed_size, per_prompt }))
}
