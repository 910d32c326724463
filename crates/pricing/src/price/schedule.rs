//! The [`Schedule`] trait: how usage becomes charges. [`RateSchedule`](super::RateSchedule)
//! is the declarative implementation; users implement the trait for anything else.

use super::money::{Currency, Money, Rounding};
use super::usage::{TokenClass, Unit, Usage};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use std::fmt;
use std::str::FromStr;

/// The provider service level a request ran at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    /// Ordinary synchronous requests.
    #[default]
    Standard,
    /// Asynchronous batch jobs (typically 50% off).
    Batch,
    /// Best-effort, slower capacity (OpenAI `service_tier: "flex"`).
    Flex,
    /// Guaranteed capacity at a premium (`service_tier: "priority"`).
    Priority,
    /// The fastest capacity at a higher premium (LiteLLM `_ultrafast` prices).
    Ultrafast,
    /// A provider's balanced route (LiteLLM `_balanced` prices, `sail/*` models).
    Balanced,
    /// A decisions route (LiteLLM `_decisions` prices).
    Decisions,
}

impl Service {
    /// Every service level.
    pub const ALL: [Service; 7] =
        [Service::Standard, Service::Batch, Service::Flex, Service::Priority, Service::Ultrafast, Service::Balanced, Service::Decisions];

    /// The lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Service::Standard => "standard",
            Service::Batch => "batch",
            Service::Flex => "flex",
            Service::Priority => "priority",
            Service::Ultrafast => "ultrafast",
            Service::Balanced => "balanced",
            Service::Decisions => "decisions",
        }
    }

    /// The suffix of this service's prices in LiteLLM's price file (`_batches`,
    /// `_flex` ...); `None` for standard.
    pub fn litellm_suffix(self) -> Option<&'static str> {
        match self {
            Service::Standard => None,
            Service::Batch => Some("batches"),
            other => Some(other.name()),
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Service {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            // OpenAI reports `service_tier: "default"` (or "auto") for standard requests.
            "standard" | "default" | "auto" | "on_demand" => Ok(Service::Standard),
            "batch" | "batches" => Ok(Service::Batch),
            "flex" => Ok(Service::Flex),
            "priority" | "scale" => Ok(Service::Priority),
            "ultrafast" => Ok(Service::Ultrafast),
            "balanced" => Ok(Service::Balanced),
            "decisions" => Ok(Service::Decisions),
            _ => Err(Error::InvalidArgument {
                name: "service",
                reason: format!("unknown service level {s:?} (standard, batch, flex, priority, ultrafast, balanced, decisions)"),
            }),
        }
    }
}

/// A UTC instant from RFC 3339 text with any offset (`2026-11-02T10:00:00Z`,
/// `...+09:00`): the one parser for timestamps given as text, by the usage-log reader
/// and every front-end. `name` is the argument's name in the error.
pub fn parse_timestamp(name: &'static str, text: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| Error::InvalidArgument { name, reason: format!("{text:?} is not an RFC 3339 timestamp: {e}") })
}

/// One request to price.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Request {
    /// What it consumed.
    pub usage: Usage,
    /// The service level it ran at.
    pub service: Service,
    /// When it ran (UTC), for time-of-day windows; `None` means no window applies.
    pub at: Option<DateTime<Utc>>,
    /// Where and how it ran, for uplifts and web-search prices (all unstated by default).
    pub conditions: Conditions,
}

impl Request {
    /// A standard-service request with no timestamp and no conditions.
    pub fn new(usage: Usage) -> Request {
        Request { usage, ..Request::default() }
    }
}

/// Where and how a request ran, as the event states it: what uplift multipliers and
/// web-search prices depend on. Nothing is ever guessed: an unstated condition is the
/// provider's default (global processing, commercial cloud, global endpoint, standard
/// speed, medium search context).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Conditions {
    /// Where the data was processed (OpenAI `data_residency`, Anthropic
    /// `usage.inference_geo`).
    pub region: Region,
    /// Served from a FedRAMP / government deployment (OpenAI `gov.api.openai.com`).
    pub fedramp: bool,
    /// Served from a regional endpoint rather than the global one (Vertex AI locations).
    pub regional_endpoint: bool,
    /// Anthropic fast mode (`usage.speed == "fast"`).
    pub fast: bool,
    /// The web-search context size the request asked for (OpenAI
    /// `web_search_options.search_context_size`); unstated is medium.
    pub search_context_size: Option<SearchContextSize>,
    /// The resolution of generated video or images, for prices by resolution.
    pub resolution: Option<MediaResolution>,
}

impl Conditions {
    /// The conditions from the options every front-end takes (`region`, `fedramp`,
    /// `endpoint`, `speed`, `search_context_size`); `None` leaves one unstated. Each value
    /// is checked: an unknown one is an [`Error::InvalidArgument`] naming the option.
    pub fn from_options(options: &ConditionOptions<'_>) -> Result<Conditions> {
        Ok(Conditions {
            region: options.region.map(str::parse).transpose()?.unwrap_or_default(),
            fedramp: options.fedramp,
            regional_endpoint: options.endpoint.map(parse_endpoint).transpose()?.unwrap_or(false),
            fast: options.speed.map(parse_speed).transpose()?.unwrap_or(false),
            search_context_size: options.search_context_size.map(str::parse).transpose()?,
            resolution: options.resolution.map(str::parse).transpose()?,
        })
    }
}

/// The conditions as the front-ends take them, as text (see [`Conditions::from_options`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConditionOptions<'a> {
    /// `global`, `us`, `eu`.
    pub region: Option<&'a str>,
    /// A FedRAMP deployment.
    pub fedramp: bool,
    /// `global`, `regional` or a location.
    pub endpoint: Option<&'a str>,
    /// `standard`, `fast`.
    pub speed: Option<&'a str>,
    /// `low`, `medium`, `high`.
    pub search_context_size: Option<&'a str>,
    /// `480p`, `720p`, `1080p`, `1K`, `2K` ...
    pub resolution: Option<&'a str>,
}

/// The resolution of generated video (per-second prices) or images (per-image prices),
/// as LiteLLM's price keys name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs)]
pub enum MediaResolution {
    P480,
    P720,
    P768,
    P1080,
    /// `0.5K` images.
    HalfK,
    /// `1K` images.
    K1,
    /// `2K` images, `2k` video.
    K2,
    /// `4K` images, `4k` video.
    K4,
    /// 512-pixel images.
    Px512,
    /// 1024-pixel images.
    Px1024,
    /// 1536-pixel images.
    Px1536,
}

impl MediaResolution {
    /// Every resolution.
    pub const ALL: [MediaResolution; 11] = [
        MediaResolution::P480,
        MediaResolution::P720,
        MediaResolution::P768,
        MediaResolution::P1080,
        MediaResolution::HalfK,
        MediaResolution::K1,
        MediaResolution::K2,
        MediaResolution::K4,
        MediaResolution::Px512,
        MediaResolution::Px1024,
        MediaResolution::Px1536,
    ];

    /// The name (`720p`, `2K`, `1024`).
    pub fn name(self) -> &'static str {
        match self {
            MediaResolution::P480 => "480p",
            MediaResolution::P720 => "720p",
            MediaResolution::P768 => "768p",
            MediaResolution::P1080 => "1080p",
            MediaResolution::HalfK => "0.5K",
            MediaResolution::K1 => "1K",
            MediaResolution::K2 => "2K",
            MediaResolution::K4 => "4K",
            MediaResolution::Px512 => "512",
            MediaResolution::Px1024 => "1024",
            MediaResolution::Px1536 => "1536",
        }
    }
}

impl FromStr for MediaResolution {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        MediaResolution::ALL.into_iter().find(|r| r.name().eq_ignore_ascii_case(s)).ok_or_else(|| Error::InvalidArgument {
            name: "resolution",
            reason: format!("unknown resolution {s:?} (one of {})", MediaResolution::ALL.map(MediaResolution::name).join(", ")),
        })
    }
}

/// An endpoint as events state it: `global` → false; `regional` or a location
/// (`us-east5`, `europe-west1`) → true (a regional endpoint); empty is an error.
pub fn parse_endpoint(text: &str) -> Result<bool> {
    match text.to_ascii_lowercase().as_str() {
        "global" => Ok(false),
        "" => Err(Error::InvalidArgument { name: "endpoint", reason: "must not be empty (global, regional or a location)".into() }),
        _ => Ok(true),
    }
}

/// A speed as events state it: `fast` → true, `standard` → false, anything else an
/// error (never a guess).
pub fn parse_speed(text: &str) -> Result<bool> {
    match text.to_ascii_lowercase().as_str() {
        "fast" => Ok(true),
        "standard" => Ok(false),
        _ => Err(Error::InvalidArgument { name: "speed", reason: format!("unknown speed {text:?} (standard, fast)") }),
    }
}

/// Where a request's data was processed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Region {
    /// Anywhere the provider chooses (no residency).
    #[default]
    Global,
    /// Processed in the United States only.
    Us,
    /// Processed in the European Union only.
    Eu,
}

impl Region {
    /// Every region.
    pub const ALL: [Region; 3] = [Region::Global, Region::Us, Region::Eu];

    /// The lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Region::Global => "global",
            Region::Us => "us",
            Region::Eu => "eu",
        }
    }
}

impl FromStr for Region {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            // Anthropic reports `inference_geo: "not_available"` where it does not apply.
            "global" | "not_available" => Ok(Region::Global),
            "us" => Ok(Region::Us),
            "eu" => Ok(Region::Eu),
            _ => Err(Error::InvalidArgument { name: "region", reason: format!("unknown region {s:?} (global, us, eu)") }),
        }
    }
}

/// How much web context a search request asked for (OpenAI's three sizes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SearchContextSize {
    /// `low`.
    Low,
    /// `medium` (the default).
    Medium,
    /// `high`.
    High,
}

impl SearchContextSize {
    /// The lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            SearchContextSize::Low => "low",
            SearchContextSize::Medium => "medium",
            SearchContextSize::High => "high",
        }
    }
}

impl FromStr for SearchContextSize {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "low" => Ok(SearchContextSize::Low),
            "medium" => Ok(SearchContextSize::Medium),
            "high" => Ok(SearchContextSize::High),
            _ => Err(Error::InvalidArgument {
                name: "search_context_size",
                reason: format!("unknown search context size {s:?} (low, medium, high)"),
            }),
        }
    }
}

/// A multiplier on a request's token charges for a condition it ran under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Uplift {
    /// Processing restricted to a region (LiteLLM `regional_processing_uplift_multiplier_{us,eu}`,
    /// Anthropic `provider_specific_entry.us`).
    Region(Region),
    /// A FedRAMP deployment (`fedramp_uplift_multiplier`).
    Fedramp,
    /// A regional endpoint (`regional_endpoint_uplift_multiplier`).
    RegionalEndpoint,
    /// Anthropic fast mode (`provider_specific_entry.fast`).
    Fast,
}

impl Uplift {
    /// Every uplift a schedule can state.
    pub const ALL: [Uplift; 5] =
        [Uplift::Region(Region::Us), Uplift::Region(Region::Eu), Uplift::Fedramp, Uplift::RegionalEndpoint, Uplift::Fast];

    /// The name on charge lines and in schedules (`region_eu`, `fedramp`,
    /// `regional_endpoint`, `fast`).
    pub fn name(self) -> &'static str {
        match self {
            Uplift::Region(Region::Global) => "region_global",
            Uplift::Region(Region::Us) => "region_us",
            Uplift::Region(Region::Eu) => "region_eu",
            Uplift::Fedramp => "fedramp",
            Uplift::RegionalEndpoint => "regional_endpoint",
            Uplift::Fast => "fast",
        }
    }

    /// The uplifts a request's conditions call for, in the order they apply.
    pub fn of(conditions: &Conditions) -> Vec<Uplift> {
        let mut out = Vec::new();
        if conditions.region != Region::Global {
            out.push(Uplift::Region(conditions.region));
        }
        if conditions.fedramp {
            out.push(Uplift::Fedramp);
        }
        if conditions.regional_endpoint {
            out.push(Uplift::RegionalEndpoint);
        }
        if conditions.fast {
            out.push(Uplift::Fast);
        }
        out
    }
}

/// What a charge line is for.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChargeItem {
    /// Tokens of one class at a per-million rate.
    Tokens(TokenClass),
    /// A per-unit quantity (requests, images, seconds).
    Units(Unit),
    /// The top-up that lifts a request to its minimum charge.
    Minimum,
    /// What a condition of the request (a region, FedRAMP, a regional endpoint, fast
    /// mode) added to its token charges.
    Uplift(Uplift),
    /// Units of a period metric in one price tier (graduated or volume).
    Tier {
        /// The metric's name (`tokens`, `output`, `requests` ...).
        metric: String,
        /// 0-based tier index.
        index: usize,
    },
    /// The flat fee of a price tier.
    TierFlatFee {
        /// The metric's name.
        metric: String,
        /// 0-based tier index.
        index: usize,
    },
}

impl fmt::Display for ChargeItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChargeItem::Tokens(class) => write!(f, "{class} tokens"),
            ChargeItem::Units(unit) => f.write_str(unit.field()),
            ChargeItem::Minimum => f.write_str("minimum charge"),
            ChargeItem::Uplift(uplift) => write!(f, "{} uplift", uplift.name()),
            ChargeItem::Tier { metric, index } => write!(f, "{metric} tier {}", index + 1),
            ChargeItem::TierFlatFee { metric, index } => write!(f, "{metric} tier {} flat fee", index + 1),
        }
    }
}

/// Why a charge's rate is not simply the schedule's rate for its item: what an invoice
/// line says after the item's name (`input tokens (prompt above 200000 tokens, batch)`)
/// and carries as a structured field, and part of what keeps two lines apart. Empty
/// for the schedule's own rate.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Basis {
    /// The prompt was longer than this many tokens: a long-context tier's rate.
    pub context_above: Option<u64>,
    /// A service level's rate or multiplier (batch, flex, priority ...).
    pub service: Option<Service>,
    /// A time-of-day window's rates or multiplier (`"16:30-00:30"`, UTC).
    pub window: Option<String>,
    /// The schedule has no rate of the token class's own: billed at this class's rate
    /// (1-hour cache writes at the 5-minute rate, reasoning at the output rate).
    pub rate_of: Option<TokenClass>,
}

impl Basis {
    /// True for the schedule's own rate.
    pub fn is_empty(&self) -> bool {
        *self == Basis::default()
    }

    /// The machine form, `|`-separated after an item code: `ctx>200000`,
    /// `service=batch`, `window=16:30-00:30`, `rate=cache_write_5m` (empty when empty).
    pub fn code(&self) -> String {
        let mut out = String::new();
        if let Some(n) = self.context_above {
            out.push_str(&format!("|ctx>{n}"));
        }
        if let Some(s) = self.service {
            out.push_str(&format!("|service={s}"));
        }
        if let Some(w) = &self.window {
            out.push_str(&format!("|window={w}"));
        }
        if let Some(c) = self.rate_of {
            out.push_str(&format!("|rate={c}"));
        }
        out
    }

    /// Reads the parts [`Basis::code`] writes (`None` for anything else).
    pub fn parse<'a>(parts: impl Iterator<Item = &'a str>) -> Option<Basis> {
        let mut basis = Basis::default();
        for part in parts {
            if let Some(n) = part.strip_prefix("ctx>") {
                basis.context_above = Some(n.parse().ok()?);
            } else if let Some(s) = part.strip_prefix("service=") {
                basis.service = Some(s.parse().ok()?);
            } else if let Some(w) = part.strip_prefix("window=") {
                basis.window = Some(w.to_string());
            } else if let Some(c) = part.strip_prefix("rate=") {
                basis.rate_of = Some(c.parse().ok()?);
            } else {
                return None;
            }
        }
        Some(basis)
    }
}

/// One field of a [`Basis`], as the invoice formats and the bindings carry it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BasisField {
    /// `context_above`.
    Number(u64),
    /// `service`, `window`, `rate_of`.
    Text(String),
}

impl fmt::Display for BasisField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BasisField::Number(n) => write!(f, "{n}"),
            BasisField::Text(t) => f.write_str(t),
        }
    }
}

impl Basis {
    /// The names of the fields, in order (the CSV's basis columns).
    pub const FIELDS: [&'static str; 4] = ["context_above", "service", "window", "rate_of"];

    /// The fields that are set, by name, in [`Basis::FIELDS`] order: the one place that
    /// says how a basis is written out (JSON, CSV, Python, Node).
    pub fn fields(&self) -> Vec<(&'static str, BasisField)> {
        let mut out = Vec::new();
        out.extend(self.context_above.map(|n| ("context_above", BasisField::Number(n))));
        out.extend(self.service.map(|s| ("service", BasisField::Text(s.to_string()))));
        out.extend(self.window.clone().map(|w| ("window", BasisField::Text(w))));
        out.extend(self.rate_of.map(|c| ("rate_of", BasisField::Text(c.to_string()))));
        out
    }
}

impl fmt::Display for Basis {
    /// `prompt above 200000 tokens, batch, 16:30-00:30 UTC, at the output rate`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        parts.extend(self.context_above.map(|n| format!("prompt above {n} tokens")));
        parts.extend(self.service.map(|s| s.to_string()));
        parts.extend(self.window.as_ref().map(|w| format!("{w} UTC")));
        parts.extend(self.rate_of.map(|c| format!("at the {c} rate")));
        f.write_str(&parts.join(", "))
    }
}

/// One priced quantity: `amount = quantity × unit_price ÷ per` (exact).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Charge {
    /// What is charged.
    pub item: ChargeItem,
    /// Why the rate is what it is, when not the schedule's own rate for the item.
    pub basis: Basis,
    /// How many units.
    pub quantity: u64,
    /// Price of `per` units, after multipliers.
    pub unit_price: Decimal,
    /// Units the price is for: 1 000 000 for token rates, 1 for per-unit fees.
    pub per: u64,
    /// The unrounded amount.
    pub amount: Decimal,
}

impl Charge {
    /// Prices `quantity` at `unit_price` per `per` units (decimals at the scale the
    /// arithmetic gives; [`Charges::canonical`] is what quotes and records carry).
    pub fn new(item: ChargeItem, quantity: u64, unit_price: Decimal, per: u64) -> Result<Charge> {
        let amount = Decimal::from(quantity)
            .checked_mul(unit_price)
            .and_then(|a| a.checked_div(Decimal::from(per.max(1))))
            .ok_or_else(|| Error::Overflow(format!("{quantity} × {unit_price}")))?;
        Ok(Charge { item, basis: Basis::default(), quantity, unit_price, per, amount })
    }

    /// A fixed amount (minimum top-up, flat fee).
    pub fn fixed(item: ChargeItem, amount: Decimal) -> Charge {
        Charge { item, basis: Basis::default(), quantity: 1, unit_price: amount, per: 1, amount }
    }

    /// The same charge, with why its rate is what it is.
    pub fn with_basis(mut self, basis: Basis) -> Charge {
        self.basis = basis;
        self
    }
}

/// The charges of a request or a period, all in one currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Charges {
    /// Currency of every amount.
    pub currency: Currency,
    /// The lines, unrounded.
    pub lines: Vec<Charge>,
}

impl Charges {
    /// No charges.
    pub fn new(currency: Currency) -> Charges {
        Charges { currency, lines: Vec::new() }
    }

    /// The same charges with every unit price and amount in canonical form (no trailing
    /// zeros: `2.5` and `0.015`, not the `2.5000000` and `0.0150000` a per-token catalog
    /// rate gives), as quotes and priced records carry them, whatever the schedule.
    pub fn canonical(mut self) -> Charges {
        for line in &mut self.lines {
            line.unit_price = line.unit_price.normalize();
            line.amount = line.amount.normalize();
        }
        self
    }

    /// The unrounded sum of the lines. Every `Charges` tokfare makes (a schedule's
    /// prices, a priced record read back) has passed [`Charges::checked_total`], so this
    /// sum is in range; for lines built by hand, use that instead.
    pub fn total(&self) -> Money {
        Money::new(self.lines.iter().map(|l| l.amount).sum(), self.currency)
    }

    /// The unrounded sum of the lines, or an overflow error past Decimal's range (where
    /// `total`'s `Sum` would panic).
    pub fn checked_total(&self) -> Result<Money> {
        let sum = self
            .lines
            .iter()
            .try_fold(Decimal::ZERO, |sum, l| sum.checked_add(l.amount))
            .ok_or_else(|| Error::Overflow("the sum of a request's charges".into()))?;
        Ok(Money::new(sum, self.currency))
    }
}

/// How usage becomes money. Implement it for pricing rules tokfare does not know;
/// [`RateSchedule`](super::RateSchedule) covers per-class rates, context tiers,
/// service and time-of-day multipliers, per-request fees, minimums and period tiers.
pub trait Schedule: Send + Sync + fmt::Debug {
    /// A name for invoices and aggregation ("schedule tier").
    fn name(&self) -> &str;

    /// The currency of every amount this schedule produces.
    fn currency(&self) -> Currency {
        Currency::USD
    }

    /// How invoice lines and totals priced under this schedule are rounded.
    fn rounding(&self) -> Rounding {
        Rounding::default()
    }

    /// The charges of one request, unrounded.
    fn price_request(&self, request: &Request) -> Result<Charges>;

    /// Charges computed over a whole billing period's summed usage (graduated and
    /// volume tiers, allowances), in addition to the per-request charges. None by default.
    fn price_period(&self, _period_usage: &Usage) -> Result<Charges> {
        Ok(Charges::new(self.currency()))
    }

    /// The model's context window in tokens, when known.
    fn context_window(&self) -> Option<u64> {
        None
    }
}
