//! [`RateSchedule`]: the declarative schedule that covers what providers publish.
//!
//! Pricing one request:
//! 1. **rates**: the per-million rate of each token class is looked up through layers
//!    (the context tier's own rates for the service, the service override, the context
//!    tier reached, then the base rates); a class
//!    no layer states follows its parent class (`cached_input`, `cache_write_5m`,
//!    `audio_input`, `image_input` -> `input`; `cache_write_1h` -> `cache_write_5m`;
//!    `reasoning`, `audio_output`, `image_output` -> `output`), checking every layer
//!    again. So a long-context tier that states only `input` and `output` still keeps
//!    an explicitly priced `cached_input` of the base, while `reasoning` follows the
//!    tier's `output`.
//! 2. **context tier**: when the request's prompt tokens (every prompt class) are
//!    *greater than* a tier's `above`, the whole request uses that tier (the highest
//!    one exceeded), as Anthropic and Google price long context.
//! 3. **multipliers**: the service's multiplier and then the first matching time window's
//!    multiplier scale token and per-image/per-second rates. Per-request fees and the
//!    minimum are not scaled.
//! 4. **uplifts**: each condition the request states (a region, FedRAMP, a regional
//!    endpoint, fast mode) that the schedule has a multiplier for scales the token
//!    charges, shown as its own line (`region_eu uplift` = tokens × (m − 1)); several
//!    multiply together. Per-unit fees and web searches are not scaled (LiteLLM, U:1762).
//! 5. **per-unit fees**: requests, images, seconds, characters, pages, annotation pages,
//!    queries at the service's unit price, else the schedule's (scaled by the service
//!    and window multipliers, except the per-request fee); web searches at the per-query
//!    price for the request's search context size (or the provider's fixed size), Maps
//!    grounding at its price, each one per request instead where the provider bills per
//!    grounded prompt. A usage that reports units (other than requests, images, seconds)
//!    the schedule has no price for is an [`Error::UnsupportedPrice`], never $0.
//! 6. **minimum**: if the request's total is below `minimum_per_request`, a top-up line
//!    brings it up to the minimum.
//!
//! A request at a service level the schedule does not list is priced at standard rates.

use super::money::{Currency, Rounding};
use super::schedule::{Basis, Charge, ChargeItem, Charges, MediaResolution, Request, Schedule, SearchContextSize, Service, Uplift};
use super::tiers::PeriodTiers;
use super::usage::{TokenClass, Unit, Usage};
use crate::{Error, Result};
use chrono::{DateTime, Datelike, NaiveTime, Timelike, Utc, Weekday};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

const PER_MILLION: u64 = 1_000_000;

/// Per-million-token rates by class; a class left out follows its parent class.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rates(BTreeMap<TokenClass, Decimal>);

impl Rates {
    /// No rates stated.
    pub fn new() -> Rates {
        Rates::default()
    }

    /// Input and output rates per million tokens.
    pub fn input_output(input: Decimal, output: Decimal) -> Rates {
        Rates::new().with(TokenClass::Input, input).with(TokenClass::Output, output)
    }

    /// States the rate of one class.
    pub fn with(mut self, class: TokenClass, per_million: Decimal) -> Rates {
        self.0.insert(class, per_million);
        self
    }

    /// The rate stated for a class, if any.
    pub fn get(&self, class: TokenClass) -> Option<Decimal> {
        self.0.get(&class).copied()
    }

    /// True when no rate is stated.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The stated rates.
    pub fn iter(&self) -> impl Iterator<Item = (TokenClass, Decimal)> + '_ {
        self.0.iter().map(|(&c, &r)| (c, r))
    }

    fn validate(&self, path: &str) -> Result<()> {
        for (class, rate) in self.iter() {
            if rate.is_sign_negative() && !rate.is_zero() {
                return Err(Error::InvalidSchedule { path: format!("{path}.{class}"), reason: "a rate must not be negative".into() });
            }
        }
        Ok(())
    }
}

/// The class whose rate a class uses when none is stated for it.
pub fn parent_class(class: TokenClass) -> Option<TokenClass> {
    match class {
        TokenClass::Input | TokenClass::Output => None,
        TokenClass::CachedInput | TokenClass::CacheWrite5m | TokenClass::AudioInput | TokenClass::ImageInput | TokenClass::VideoInput => {
            Some(TokenClass::Input)
        }
        // LiteLLM: 1-hour and 12-hour writes without a price of their own are billed at
        // the cache-write price; cached audio and image at the cache-read price.
        TokenClass::CacheWrite1h | TokenClass::CacheWrite12h => Some(TokenClass::CacheWrite5m),
        TokenClass::CachedAudioInput | TokenClass::CachedImageInput | TokenClass::ExplicitCachedInput => Some(TokenClass::CachedInput),
        TokenClass::Reasoning | TokenClass::AudioOutput | TokenClass::ImageOutput | TokenClass::VideoOutput => Some(TokenClass::Output),
    }
}

/// Rates used when a request's prompt is longer than `above` tokens.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContextTier {
    /// Prompt-token threshold; the tier applies to prompts strictly longer.
    pub above: u64,
    /// Rates that replace the base ones for the whole request.
    pub rates: Rates,
    /// Rates of this tier for one service (LiteLLM's `*_above_200k_tokens_priority`):
    /// they come before everything else for a request at that service.
    pub services: BTreeMap<Service, Rates>,
}

/// How a service level changes prices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceRule {
    /// Scales every token and per-unit rate (0.5 = half price). Applied after `rates`.
    pub multiplier: Decimal,
    /// Rates that replace the others for this service.
    pub rates: Rates,
    /// Per-unit prices that replace the schedule's for this service (LiteLLM's
    /// `ocr_cost_per_page_batches`).
    pub unit_prices: BTreeMap<Unit, Decimal>,
}

impl ServiceRule {
    /// A rule that scales every price by `multiplier`.
    pub fn multiplier(multiplier: Decimal) -> ServiceRule {
        ServiceRule { multiplier, rates: Rates::new(), unit_prices: BTreeMap::new() }
    }

    /// A rule whose token rates replace the schedule's.
    pub fn rates(rates: Rates) -> ServiceRule {
        ServiceRule { multiplier: Decimal::ONE, rates, unit_prices: BTreeMap::new() }
    }
}

/// A per-query price for Google Maps grounding (LiteLLM's
/// `google_maps_grounding_cost_per_query`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroundingPrice {
    /// Price of one query (or one grounded prompt).
    pub price: Decimal,
    /// One charge per request that grounded, however many queries it ran.
    pub per_prompt: bool,
}

/// A daily window (UTC hours) with a price multiplier or its own rates, such as an
/// off-peak discount, optionally on some weekdays only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeWindow {
    /// Start of the window (UTC), inclusive.
    pub start: NaiveTime,
    /// End of the window (UTC), exclusive; a window whose end is not after its start wraps
    /// past midnight (16:30–00:30).
    pub end: NaiveTime,
    /// Scales token and per-unit rates.
    pub multiplier: Decimal,
    /// Services the window applies to; empty means all.
    pub services: Vec<Service>,
    /// Days the window applies on; empty means every day. Read on the calendar of
    /// `weekday_utc_offset` (LiteLLM's `weekday_timezone`), hours stay UTC.
    pub weekdays: Vec<Weekday>,
    /// Seconds east of UTC of the calendar `weekdays` are read on.
    pub weekday_utc_offset: i32,
    /// Rates that replace every other layer while the window is open (LiteLLM's
    /// `off_peak_pricing`); empty for a multiplier-only window.
    pub rates: Rates,
}

impl TimeWindow {
    /// A window from `start` to `end` (UTC) scaling prices by `multiplier`, every day,
    /// for every service.
    pub fn new(start: NaiveTime, end: NaiveTime, multiplier: Decimal) -> TimeWindow {
        TimeWindow { start, end, multiplier, services: Vec::new(), weekdays: Vec::new(), weekday_utc_offset: 0, rates: Rates::new() }
    }

    fn contains(&self, at: DateTime<Utc>) -> bool {
        let t = at.time();
        let t = NaiveTime::from_hms_opt(t.hour(), t.minute(), t.second()).unwrap_or(t);
        let in_hours = if self.start < self.end { self.start <= t && t < self.end } else { t >= self.start || t < self.end };
        let day = (at + chrono::TimeDelta::seconds(i64::from(self.weekday_utc_offset))).weekday();
        in_hours && (self.weekdays.is_empty() || self.weekdays.contains(&day))
    }
}

/// Per-query web-search prices (LiteLLM's `search_context_cost_per_query`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebSearchPrices {
    /// Price of one query at `low` search context.
    pub low: Decimal,
    /// At `medium` (the default size).
    pub medium: Decimal,
    /// At `high`.
    pub high: Decimal,
    /// The size this provider always bills, whatever the request asked (Anthropic and
    /// Gemini bill medium, Perplexity low); `None`: the request's size.
    pub fixed_size: Option<SearchContextSize>,
    /// One charge per request that searched, however many queries it ran (Gemini's
    /// per-prompt grounding); otherwise one per query.
    pub per_prompt: bool,
}

impl WebSearchPrices {
    /// The same price at every size, per query.
    pub fn flat(price: Decimal) -> WebSearchPrices {
        WebSearchPrices { low: price, medium: price, high: price, fixed_size: None, per_prompt: false }
    }

    /// The price of one query (or prompt) for a request that asked for `size`.
    pub fn price(&self, size: Option<SearchContextSize>) -> Decimal {
        match self.fixed_size.or(size).unwrap_or(SearchContextSize::Medium) {
            SearchContextSize::Low => self.low,
            SearchContextSize::Medium => self.medium,
            SearchContextSize::High => self.high,
        }
    }
}

/// A declarative schedule: see the module docs for the pricing steps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateSchedule {
    /// The schedule's name.
    pub name: String,
    /// What it is, for humans.
    pub description: Option<String>,
    /// Currency of the rates.
    pub currency: Currency,
    /// Base per-million rates.
    pub rates: Rates,
    /// Long-context rates, ascending by threshold.
    pub context_tiers: Vec<ContextTier>,
    /// Batch, flex, priority rules.
    pub services: BTreeMap<Service, ServiceRule>,
    /// Time-of-day multipliers; the first matching window applies.
    pub time_windows: Vec<TimeWindow>,
    /// Per-unit fees (per request, per image, per second ...).
    pub unit_prices: BTreeMap<Unit, Decimal>,
    /// Per-image and per-second prices by resolution (video seconds at 720p, images at
    /// 2K): the request's stated resolution picks one.
    pub resolution_prices: BTreeMap<(Unit, MediaResolution), Decimal>,
    /// Web-search prices, if the model can search.
    pub web_search: Option<WebSearchPrices>,
    /// The Google Maps grounding price, if the model can ground on Maps.
    pub maps_grounding: Option<GroundingPrice>,
    /// Multipliers of the token charges by the request's conditions (regional
    /// processing, FedRAMP, regional endpoint, fast mode); a condition without one here
    /// costs nothing extra.
    pub uplifts: BTreeMap<Uplift, Decimal>,
    /// The model is priced per unit only (every token rate is 0 or missing: an OCR,
    /// speech, rerank or image model): a usage that carries tokens but none of the units
    /// the schedule prices is refused rather than priced at $0.
    pub priced_per_unit_only: bool,
    /// Minimum charge per request, if any.
    pub minimum_per_request: Option<Decimal>,
    /// Tiered charges over a billing period, added to the per-request charges.
    pub period: Vec<PeriodTiers>,
    /// How invoices round amounts under this schedule.
    pub rounding: Rounding,
    /// Context window of the model, for callers that check fit.
    pub context_window: Option<u64>,
}

impl RateSchedule {
    /// A schedule with base `rates` (must state `input` and `output`) and nothing else.
    pub fn new(name: impl Into<String>, rates: Rates) -> Result<RateSchedule> {
        let schedule = RateSchedule::bare(name.into(), rates);
        schedule.validate()?;
        Ok(schedule)
    }

    /// Base rates and nothing else, not yet validated (builders fill the rest in).
    pub(crate) fn bare(name: String, rates: Rates) -> RateSchedule {
        RateSchedule {
            name,
            description: None,
            currency: Currency::USD,
            rates,
            context_tiers: Vec::new(),
            services: BTreeMap::new(),
            time_windows: Vec::new(),
            unit_prices: BTreeMap::new(),
            resolution_prices: BTreeMap::new(),
            web_search: None,
            maps_grounding: None,
            uplifts: BTreeMap::new(),
            priced_per_unit_only: false,
            minimum_per_request: None,
            period: Vec::new(),
            rounding: Rounding::default(),
            context_window: None,
        }
    }

    /// Checks the invariants the pricing relies on; errors name the field.
    pub fn validate(&self) -> Result<()> {
        let bad = |path: String, reason: &str| Err(Error::InvalidSchedule { path, reason: reason.into() });
        for class in [TokenClass::Input, TokenClass::Output] {
            if self.rates.get(class).is_none() {
                return bad(format!("rates.{class}"), "missing (state it, 0 if free)");
            }
        }
        self.rates.validate("rates")?;
        for (i, tier) in self.context_tiers.iter().enumerate() {
            tier.rates.validate(&format!("context_tiers[{i}].rates"))?;
            for (service, rates) in &tier.services {
                rates.validate(&format!("context_tiers[{i}].services.{service}"))?;
            }
            if i > 0 && tier.above <= self.context_tiers[i - 1].above {
                return bad(format!("context_tiers[{i}].above"), "thresholds must increase");
            }
        }
        for (service, rule) in &self.services {
            rule.rates.validate(&format!("services.{service}.rates"))?;
            if rule.multiplier.is_sign_negative() {
                return bad(format!("services.{service}.multiplier"), "must not be negative");
            }
        }
        for (i, window) in self.time_windows.iter().enumerate() {
            window.rates.validate(&format!("time_windows[{i}].rates"))?;
            if window.multiplier.is_sign_negative() {
                return bad(format!("time_windows[{i}].multiplier"), "must not be negative");
            }
            if window.start == window.end {
                return bad(format!("time_windows[{i}].end"), "a window must not be empty (start == end)");
            }
        }
        for (unit, price) in &self.unit_prices {
            if price.is_sign_negative() {
                return bad(format!("fees.per_{}", unit.name()), "must not be negative");
            }
        }
        if let Some(w) = &self.web_search {
            for (size, price) in [("low", w.low), ("medium", w.medium), ("high", w.high)] {
                if price.is_sign_negative() {
                    return bad(format!("web_search.{size}"), "must not be negative");
                }
            }
        }
        for (uplift, m) in &self.uplifts {
            if m.is_sign_negative() {
                return bad(format!("uplifts.{}", uplift.name()), "must not be negative");
            }
        }
        if self.minimum_per_request.is_some_and(|m| m.is_sign_negative()) {
            return bad("fees.minimum_per_request".into(), "must not be negative");
        }
        Ok(())
    }

    /// The per-million rate of `class` for a request (before multipliers), and why it is
    /// that rate: which layer stated it, for which class (see module docs).
    fn rate(&self, class: TokenClass, layers: &Layers<'_>) -> (Decimal, Basis) {
        let mut c = Some(class);
        while let Some(current) = c {
            if let Some((layer, rate)) = layers.rates.iter().find_map(|(layer, rates)| rates.get(current).map(|r| (*layer, r))) {
                let mut basis = layers.basis(layer);
                basis.rate_of = (current != class).then_some(current);
                return (rate, basis);
            }
            c = parent_class(current);
        }
        // Not reached: `validate` makes the base state input and output, where every
        // chain ends.
        (Decimal::ZERO, Basis::default())
    }

    /// The effective per-million rate of every class for a request, after tiers and
    /// multipliers: what an invoice line shows.
    pub fn effective_rates(&self, request: &Request) -> BTreeMap<TokenClass, Decimal> {
        let layers = self.layers(request);
        TokenClass::ALL.iter().map(|&c| (c, self.rate(c, &layers).0 * layers.multiplier)).collect()
    }

    fn layers(&self, request: &Request) -> Layers<'_> {
        let prompt = request.usage.prompt_tokens();
        let mut layers = Layers { rates: Vec::with_capacity(5), multiplier: Decimal::ONE, ..Layers::default() };
        let tier = self.context_tiers.iter().rev().find(|t| prompt > t.above);
        layers.context_above = tier.map(|t| t.above);
        if request.service != Service::Standard {
            layers.service = Some(request.service);
        }
        if let Some(rates) = tier.and_then(|t| t.services.get(&request.service)) {
            layers.rates.push((Layer::TierService, rates));
        }
        if let Some(rule) = self.services.get(&request.service) {
            layers.rates.push((Layer::Service, &rule.rates));
            layers.multiplier *= rule.multiplier;
            layers.service_multiplied = rule.multiplier != Decimal::ONE;
        }
        if let Some(tier) = tier {
            layers.rates.push((Layer::Tier, &tier.rates));
        }
        layers.rates.push((Layer::Base, &self.rates));
        if let Some(at) = request.at {
            if let Some(w) =
                self.time_windows.iter().find(|w| w.contains(at) && (w.services.is_empty() || w.services.contains(&request.service)))
            {
                layers.multiplier *= w.multiplier;
                layers.window = Some(format!("{}-{}", w.start.format("%H:%M"), w.end.format("%H:%M")));
                layers.window_multiplied = w.multiplier != Decimal::ONE;
                if !w.rates.is_empty() {
                    layers.rates.insert(0, (Layer::Window, &w.rates));
                }
            }
        }
        layers
    }
}

/// Where a rate came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layer {
    Window,
    TierService,
    Service,
    Tier,
    Base,
}

/// The rate layers of one request, most specific first, and its multiplier.
#[derive(Default)]
struct Layers<'a> {
    rates: Vec<(Layer, &'a Rates)>,
    multiplier: Decimal,
    /// The request's context tier, service (if not standard) and time window.
    context_above: Option<u64>,
    service: Option<Service>,
    window: Option<String>,
    /// Whether the service's or the window's multiplier is not 1.
    service_multiplied: bool,
    window_multiplied: bool,
}

impl Layers<'_> {
    /// Why a rate from `layer` (times the multiplier) differs from the base rate.
    fn basis(&self, layer: Layer) -> Basis {
        Basis {
            context_above: self.context_above.filter(|_| matches!(layer, Layer::Tier | Layer::TierService)),
            service: self.service.filter(|_| self.service_multiplied || matches!(layer, Layer::Service | Layer::TierService)),
            window: self.window.clone().filter(|_| self.window_multiplied || layer == Layer::Window),
            rate_of: None,
        }
    }
}

impl RateSchedule {
    /// The price by resolution of `quantity` units for `request`, when the schedule prices
    /// `unit` by resolution: the stated resolution's price, else the base price (LiteLLM's
    /// fallback), else an error; an unstated resolution is the base price only when every
    /// resolution costs the same, else an error (the caller must say which).
    fn resolution_price(&self, unit: Unit, quantity: u64, request: &Request) -> Result<Option<Decimal>> {
        if quantity == 0 || self.resolution_prices.is_empty() {
            return Ok(None);
        }
        let priced: Vec<(MediaResolution, Decimal)> =
            self.resolution_prices.iter().filter(|((u, _), _)| *u == unit).map(|(&(_, r), &p)| (r, p)).collect();
        if priced.is_empty() {
            return Ok(None);
        }
        let base = self.unit_prices.get(&unit).copied();
        match request.conditions.resolution {
            Some(r) => match priced.iter().find(|(res, _)| *res == r) {
                Some(&(_, price)) => Ok(Some(price)),
                // LiteLLM's fallback: the base price stands for the resolutions the file
                // does not list (`llms/openai/cost_calculation.py:103-180`).
                None if base.is_some() => Ok(base),
                None => Err(Error::UnsupportedPrice {
                    model: self.name.clone(),
                    field: format!("{}:{}", unit.field(), r.name()),
                    reason: format!(
                        "no price for {} at {} (priced: {})",
                        unit.field(),
                        r.name(),
                        priced.iter().map(|(r, _)| r.name()).collect::<Vec<_>>().join(", ")
                    ),
                }),
            },
            None if priced.iter().all(|&(_, p)| Some(p) == base) => Ok(base),
            None => Err(Error::UnsupportedPrice {
                model: self.name.clone(),
                field: unit.field().into(),
                reason: format!(
                    "{} are priced by resolution ({}): the request must state its resolution",
                    unit.field(),
                    priced.iter().map(|(r, _)| r.name()).collect::<Vec<_>>().join(", ")
                ),
            }),
        }
    }

    /// The error for a usage that reports `quantity` units this schedule has no price for:
    /// never $0.
    fn unpriced(&self, unit: Unit, quantity: u64) -> Error {
        Error::UnsupportedPrice {
            model: self.name.clone(),
            field: unit.field().into(),
            reason: format!("the usage reports {quantity} {} and the schedule has no price for them", unit.field()),
        }
    }
}

impl Schedule for RateSchedule {
    fn name(&self) -> &str {
        &self.name
    }

    fn currency(&self) -> Currency {
        self.currency
    }

    fn rounding(&self) -> Rounding {
        self.rounding
    }

    fn context_window(&self) -> Option<u64> {
        self.context_window
    }

    fn price_request(&self, request: &Request) -> Result<Charges> {
        let layers = self.layers(request);
        let multiplier = layers.multiplier;
        let usage = &request.usage;
        let mut charges = Charges::new(self.currency);
        // Characters priced per character replace the text input tokens (LiteLLM U:1278-1281:
        // Vertex AI's character-priced models, text-to-speech).
        let by_characters = usage.characters > 0 && self.unit_prices.contains_key(&Unit::Character);
        for class in TokenClass::ALL {
            let quantity = usage.get(class);
            if quantity > 0 && !(by_characters && class == TokenClass::Input) {
                let (rate, basis) = self.rate(class, &layers);
                charges.lines.push(Charge::new(ChargeItem::Tokens(class), quantity, rate * multiplier, PER_MILLION)?.with_basis(basis));
            }
        }
        // Uplifts scale the token charges (all of them, as LiteLLM multiplies the prompt
        // and completion cost), one line each, compounding.
        let mut tokens_total: Decimal = charges.checked_total()?.amount();
        for uplift in Uplift::of(&request.conditions) {
            if let Some(&m) = self.uplifts.get(&uplift) {
                let extra = tokens_total
                    .checked_mul(m - Decimal::ONE)
                    .ok_or_else(|| Error::Overflow(format!("{} uplift of {tokens_total}", uplift.name())))?;
                if !extra.is_zero() {
                    charges.lines.push(Charge::fixed(ChargeItem::Uplift(uplift), extra));
                }
                tokens_total += extra;
            }
        }
        let service_units = self.services.get(&request.service).map(|rule| &rule.unit_prices);
        for unit in Unit::ALL.into_iter().filter(|u| !matches!(u, Unit::WebSearch | Unit::MapsGrounding)) {
            let quantity = usage.units(unit);
            let service_price = service_units.and_then(|p| p.get(&unit)).copied();
            let (price, from_service) = match self.resolution_price(unit, quantity, request)? {
                Some(price) => (Some(price), false),
                None => (service_price.or(self.unit_prices.get(&unit).copied()), service_price.is_some()),
            };
            match price {
                Some(price) if quantity > 0 && !price.is_zero() => {
                    // Per-request fees are fixed; the other per-unit prices scale.
                    let (price, basis) = if unit == Unit::Request {
                        (price, Basis { service: layers.service.filter(|_| from_service), ..Basis::default() })
                    } else {
                        let mut basis = layers.basis(if from_service { Layer::Service } else { Layer::Base });
                        basis.context_above = None;
                        (price * multiplier, basis)
                    };
                    charges.lines.push(Charge::new(ChargeItem::Units(unit), quantity, price, 1)?.with_basis(basis));
                }
                // Requests are counted whether or not they cost anything; images and
                // seconds are what image and audio models bill by tokens too; citation
                // tokens are billed only where priced (Perplexity deep research).
                None if quantity > 0 && !matches!(unit, Unit::Request | Unit::Image | Unit::Second | Unit::CitationToken) => {
                    return Err(self.unpriced(unit, quantity));
                }
                _ => {}
            }
        }
        if usage.web_search_requests > 0 {
            let Some(prices) = &self.web_search else { return Err(self.unpriced(Unit::WebSearch, usage.web_search_requests)) };
            let quantity = if prices.per_prompt { usage.web_search_requests.min(usage.requests.max(1)) } else { usage.web_search_requests };
            let price = prices.price(request.conditions.search_context_size);
            charges.lines.push(Charge::new(ChargeItem::Units(Unit::WebSearch), quantity, price, 1)?);
        }
        if usage.maps_grounding_requests > 0 {
            let n = usage.maps_grounding_requests;
            let Some(g) = self.maps_grounding else { return Err(self.unpriced(Unit::MapsGrounding, n)) };
            let quantity = if g.per_prompt { n.min(usage.requests.max(1)) } else { n };
            charges.lines.push(Charge::new(ChargeItem::Units(Unit::MapsGrounding), quantity, g.price, 1)?);
        }
        if self.priced_per_unit_only
            && usage.total_tokens() > 0
            && !charges.lines.iter().any(|l| matches!(l.item, ChargeItem::Units(u) if u != Unit::Request))
        {
            return Err(Error::UnsupportedPrice {
                model: self.name.clone(),
                field: "input_cost_per_token".into(),
                reason: format!(
                    "the model is priced per {} and not per token; the usage reports {} tokens and none of those units",
                    self.unit_prices
                        .keys()
                        .chain(self.resolution_prices.keys().map(|(u, _)| u))
                        .map(|u| u.name())
                        .collect::<Vec<_>>()
                        .join(", "),
                    usage.total_tokens()
                ),
            });
        }
        if let Some(minimum) = self.minimum_per_request {
            let floor = minimum
                .checked_mul(Decimal::from(usage.requests.max(1)))
                .ok_or_else(|| Error::Overflow(format!("minimum charge of {} requests", usage.requests)))?;
            let total = charges.checked_total()?.amount();
            if total < floor {
                charges.lines.push(Charge::fixed(ChargeItem::Minimum, floor - total));
            }
        }
        // Checked here, so that `total()` of these charges cannot overflow later.
        charges.checked_total()?;
        Ok(charges)
    }

    fn price_period(&self, period_usage: &Usage) -> Result<Charges> {
        let mut charges = Charges::new(self.currency);
        for tiers in &self.period {
            charges.lines.extend(tiers.charges(period_usage)?);
        }
        charges.checked_total()?;
        Ok(charges)
    }
}
