//! Service prices and context tiers of a LiteLLM entry, completed as LiteLLM's cost code
//! reads them (docs/litellm-rules.md §3.3, §3.4, §3.6, §4.1), so that the schedule's
//! layer lookup ([`RateSchedule`]) gives LiteLLM's rate for every class:
//!
//! - **tiers** are filled from the tier below (a class without a key at a higher
//!   threshold keeps the lower threshold's rate);
//! - **flex, priority, ultrafast ...** above a threshold: the class's
//!   `_above_N_tokens_{svc}` rate, else the standard `_above_N_tokens` rate; reasoning is
//!   billed at the service's output rate when the service has one;
//! - **batches** are complete rate sets: the `_batches` rates (threshold-aware only where
//!   `_above_N_tokens_batches` keys exist); cache writes at the batch write rate, else
//!   the batch input rate (1-, 12-hour writes at their batch rates first); audio, image
//!   and video input at their batch rates, else the batch input rate; output at the batch output rate, else half the standard output rate;
//!   reasoning, audio and video output at the batch output rate; image output at its batch rate,
//!   else half its standard rate. Cache reads without a batch rate keep the standard,
//!   threshold-aware rate. A model without a batch input rate bills batches at half of
//!   every standard rate, with no tier and no modality rate.
//!
//! [`RateSchedule`]: super::super::RateSchedule

use super::super::rate_card::{ContextTier, RateSchedule, Rates, ServiceRule};
use super::super::schedule::Service;
use super::super::usage::TokenClass;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

use TokenClass::{
    AudioInput, AudioOutput, CacheWrite12h, CacheWrite1h, CacheWrite5m, CachedAudioInput, CachedImageInput, CachedInput,
    ExplicitCachedInput, ImageInput, ImageOutput, Input, Output, Reasoning, VideoInput, VideoOutput,
};

/// Builds the schedule's services and context tiers from the entry's keys: `base` the
/// standard rates, `services` the `_{svc}` rates, `tiers` the `_above_N_tokens[_{svc}]`
/// rates by threshold; `inclusive` makes every threshold `>=` (xAI).
pub(super) fn apply(
    schedule: &mut RateSchedule,
    base: &Rates,
    mut services: BTreeMap<Service, Rates>,
    tiers: BTreeMap<u64, ContextTier>,
    inclusive: bool,
) {
    let batch_keys = services.remove(&Service::Batch);
    let mut below: Option<ContextTier> = None;
    for (above, mut tier) in tiers {
        tier.above = if inclusive { above.saturating_sub(1) } else { above };
        if let Some(lower) = &below {
            tier.rates = fill(&tier.rates, &lower.rates);
            for (service, rates) in &lower.services {
                let own = tier.services.entry(*service).or_default();
                *own = fill(own, rates);
            }
        }
        below = Some(tier.clone());
        for (service, flat) in &services {
            let own = tier.services.entry(*service).or_default();
            // The standard tier rate for classes the service has no tier rate for (not the
            // 1- and 12-hour writes, which keep their own key or the earlier rate).
            for (class, rate) in tier.rates.iter().filter(|(c, _)| !matches!(c, CacheWrite1h | CacheWrite12h)) {
                if own.get(class).is_none() {
                    *own = std::mem::take(own).with(class, rate);
                }
            }
            if flat.get(Output).is_some() {
                *own = with_reasoning_at_output(own);
            }
        }
        schedule.context_tiers.push(tier);
    }
    for (service, rates) in services {
        let rates = if rates.get(Output).is_some() { with_reasoning_at_output(&rates) } else { rates };
        schedule.services.insert(service, ServiceRule::rates(rates));
    }
    let flat_keys = batch_keys.unwrap_or_default();
    if flat_keys.is_empty() && base.get(Input).is_none_or(|r| r.is_zero()) {
        return;
    }
    let flat = batch(base, &flat_keys, &Rates::new());
    for tier in &mut schedule.context_tiers {
        let keys = tier.services.remove(&Service::Batch).unwrap_or_default();
        tier.services.insert(Service::Batch, batch(base, &flat_keys, &keys));
    }
    schedule.services.insert(Service::Batch, ServiceRule::rates(flat));
}

/// `rates` with the classes only `lower` states.
fn fill(rates: &Rates, lower: &Rates) -> Rates {
    lower.iter().fold(rates.clone(), |acc, (class, rate)| if acc.get(class).is_some() { acc } else { acc.with(class, rate) })
}

/// Reasoning at the service's output rate (LiteLLM, U:1536-1538).
fn with_reasoning_at_output(rates: &Rates) -> Rates {
    match rates.get(Output) {
        Some(output) if rates.get(Reasoning).is_none() => rates.clone().with(Reasoning, output),
        _ => rates.clone(),
    }
}

/// The complete batch rates for one threshold: `tier` the `_above_N_tokens_batches` keys
/// (empty below every threshold), `flat` the `_batches` keys, `base` the standard rates.
fn batch(base: &Rates, flat: &Rates, tier: &Rates) -> Rates {
    let get = |class| tier.get(class).or(flat.get(class));
    let half = |r: Decimal| r / Decimal::TWO;
    let standard_output = base.get(Output).unwrap_or_default();
    let image_output = get(ImageOutput).or(base.get(ImageOutput).map(half));
    let Some(input) = get(Input) else {
        // No batch input rate: half of every standard rate, no modality rate (CC:3309-3330).
        let input = base.get(Input).unwrap_or_default();
        let output = get(Output).unwrap_or(half(standard_output));
        let write = half(base.get(CacheWrite5m).unwrap_or(input));
        let cached = half(base.get(CachedInput).unwrap_or(input));
        let mut rates = Rates::new()
            .with(Input, half(input))
            .with(CachedInput, cached)
            .with(ExplicitCachedInput, base.get(ExplicitCachedInput).map(half).unwrap_or(cached))
            .with(CachedAudioInput, cached)
            .with(CachedImageInput, cached)
            .with(CacheWrite5m, write)
            .with(CacheWrite1h, write)
            .with(CacheWrite12h, write)
            .with(AudioInput, half(input))
            .with(ImageInput, half(input))
            .with(VideoInput, half(input))
            .with(Output, output)
            .with(Reasoning, output)
            .with(AudioOutput, output)
            .with(VideoOutput, output);
        rates = rates.with(ImageOutput, image_output.unwrap_or(output));
        return rates;
    };
    let output = get(Output).unwrap_or(half(standard_output));
    let write = get(CacheWrite5m).unwrap_or(input);
    let mut rates = Rates::new()
        .with(Input, input)
        .with(CacheWrite5m, write)
        .with(CacheWrite1h, get(CacheWrite1h).unwrap_or(write))
        .with(CacheWrite12h, get(CacheWrite12h).unwrap_or(write))
        .with(AudioInput, get(AudioInput).unwrap_or(input))
        .with(ImageInput, get(ImageInput).unwrap_or(input))
        .with(VideoInput, get(VideoInput).unwrap_or(input))
        .with(Output, output)
        .with(Reasoning, output)
        .with(AudioOutput, output)
        .with(VideoOutput, output)
        .with(ImageOutput, image_output.unwrap_or(output));
    // A batch cache-read rate if there is one (cached image tokens are cache reads to
    // LiteLLM's batch calculator; cached audio has its own batch rate, else the batch
    // cache-read rate); else the standard, threshold-aware ones.
    if let Some(cached) = get(CachedInput) {
        rates = rates.with(CachedInput, cached).with(CachedImageInput, cached).with(CachedAudioInput, cached);
        if base.get(ExplicitCachedInput).is_none() {
            rates = rates.with(ExplicitCachedInput, cached);
        }
    }
    if let Some(cached_audio) = get(CachedAudioInput) {
        rates = rates.with(CachedAudioInput, cached_audio);
    }
    rates
}
