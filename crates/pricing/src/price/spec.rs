//! Declarative schedules from JSON or TOML files: a named set of [`RateSchedule`]s, each
//! with the model-name patterns it prices. Errors carry the path of the bad field
//! (`schedules.pro.context_tiers[1].above`). The format, with every field, is
//! documented in `docs/schedules.md`; `examples/schedules/*.toml` are working files.
//!
//! ```toml
//! name = "acme-2026"
//! [schedules.pro]
//! models = ["claude-sonnet-4*"]
//! rates = { input = "3", cached_input = "0.30", cache_write_5m = "3.75", output = "15" }
//! context_tiers = [{ above = 200000, rates = { input = "6", output = "22.50" } }]
//! services.batch = { multiplier = "0.5" }
//! ```

mod document;

use super::money::{Currency, Rounding, RoundingMode, Scale};
use super::rate_card::{ContextTier, GroundingPrice, RateSchedule, Rates, ServiceRule, TimeWindow, WebSearchPrices};
use super::schedule::{Service, Uplift};
use super::tiers::{Metric, PeriodTiers, Tier, TierMode};
use super::usage::{TokenClass, Unit};
use crate::{Error, Result};
use chrono::NaiveTime;
use document::Object;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A named set of schedules, each priced for the models its patterns match.
#[derive(Clone, Debug)]
pub struct ScheduleSet {
    /// The set's name (`gtc-2026`).
    pub name: String,
    /// What it is, for humans.
    pub description: Option<String>,
    /// The schedules, in file order (the first matching pattern wins).
    pub entries: Vec<ScheduleSetEntry>,
}

/// One schedule of a set.
#[derive(Clone, Debug)]
pub struct ScheduleSetEntry {
    /// The schedule; its name is the key it has in the file.
    pub schedule: Arc<RateSchedule>,
    /// Model-name patterns (`*` matches any run of characters; case-insensitive).
    pub models: Vec<String>,
}

/// The GTC 2026 keynote tiers, bundled.
const GTC_2026: &str = include_str!("../../data/gtc-2026.toml");

impl ScheduleSet {
    /// The names of the bundled sets.
    pub const BUNDLED: &'static [&'static str] = &["gtc-2026"];

    /// A bundled set by name: `gtc-2026`.
    pub fn bundled(name: &str) -> Result<ScheduleSet> {
        match name {
            "gtc-2026" => ScheduleSet::from_toml(GTC_2026),
            _ => Err(Error::InvalidArgument {
                name: "schedule",
                reason: format!(
                    "{name:?} is neither a bundled schedule set ({}) nor a .toml or .json file",
                    ScheduleSet::BUNDLED.join(", ")
                ),
            }),
        }
    }

    /// The first bundled set with a schedule for `model` (for a hint when no price is
    /// found: the set exists but is not in the caller's book).
    pub fn bundled_for(model: &str) -> Option<&'static str> {
        // Parsed once: an unknown model in every line of a log asks each time.
        static SETS: std::sync::OnceLock<Vec<(&'static str, ScheduleSet)>> = std::sync::OnceLock::new();
        let sets = SETS.get_or_init(|| {
            ScheduleSet::BUNDLED.iter().filter_map(|&name| ScheduleSet::bundled(name).ok().map(|set| (name, set))).collect()
        });
        sets.iter().find(|(_, set)| set.for_model(model).is_some()).map(|(name, _)| *name)
    }

    /// Parses a JSON document (with `simd-json`).
    pub fn from_json(text: &str) -> Result<ScheduleSet> {
        let mut bytes = text.as_bytes().to_vec();
        let value = tokfare_json::parse(&mut bytes, |reason| invalid("$", reason))?;
        match document::from_json(&value, "")? {
            toml::Value::Table(table) => FileSpec::read(&table)?.build(),
            _ => Err(invalid("$", "must be an object")),
        }
    }

    /// Parses a TOML document.
    pub fn from_toml(text: &str) -> Result<ScheduleSet> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| invalid("$", format!("not valid TOML: {}", e.message())))?;
        FileSpec::read(&table)?.build()
    }

    /// Reads a `.json` or `.toml` file (by extension), or a bundled set by name.
    pub fn load(name_or_path: &str) -> Result<ScheduleSet> {
        if !name_or_path.ends_with(".json") && !name_or_path.ends_with(".toml") {
            return ScheduleSet::bundled(name_or_path);
        }
        let text = std::fs::read_to_string(name_or_path)
            .map_err(|e| Error::InvalidSchedule { path: "$".into(), reason: format!("cannot read {name_or_path}: {e}") })?;
        if name_or_path.ends_with(".json") {
            ScheduleSet::from_json(&text)
        } else {
            ScheduleSet::from_toml(&text)
        }
    }

    /// The schedule with this name.
    pub fn get(&self, name: &str) -> Option<Arc<RateSchedule>> {
        self.entries.iter().find(|e| e.schedule.name == name).map(|e| e.schedule.clone())
    }

    /// The first schedule whose patterns match the model name.
    pub fn for_model(&self, model: &str) -> Option<Arc<RateSchedule>> {
        self.entries.iter().find(|e| e.models.iter().any(|p| glob_match(p, model))).map(|e| e.schedule.clone())
    }
}

/// Case-insensitive match with `*` as the only wildcard.
pub(crate) fn glob_match(pattern: &str, name: &str) -> bool {
    let (p, n) = (pattern.to_ascii_lowercase(), name.to_ascii_lowercase());
    let parts: Vec<&str> = p.split('*').collect();
    if parts.len() == 1 {
        return p == n;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !n.starts_with(first) || n.len() < first.len() + last.len() || !n.ends_with(last) {
        return false;
    }
    let mut rest = &n[first.len()..n.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(i) => rest = &rest[i + middle.len()..],
            None => return false,
        }
    }
    true
}

pub(super) fn invalid(path: impl Into<String>, reason: impl Into<String>) -> Error {
    Error::InvalidSchedule { path: path.into(), reason: reason.into() }
}

/// A non-negative decimal.
fn non_negative(value: Decimal, path: &str) -> Result<Decimal> {
    if value.is_sign_negative() && !value.is_zero() {
        return Err(invalid(path, format!("must not be negative, got {value}")));
    }
    Ok(value)
}

struct FileSpec {
    name: String,
    description: Option<String>,
    currency: Option<String>,
    rounding: Option<RoundingSpec>,
    schedules: BTreeMap<String, ScheduleSpec>,
    /// Order in which schedules are tried for model patterns (default: by name).
    order: Vec<String>,
}

struct RoundingSpec {
    mode: Option<String>,
    /// `"minor_unit"` or a number of decimals.
    scale: Option<ScaleSpec>,
}

enum ScaleSpec {
    Decimals(u32),
    Named(String),
}

struct ScheduleSpec {
    description: Option<String>,
    /// `None` when the field is absent (an error); `Some([])` for a schedule chosen only
    /// by an event's `tier` tag.
    models: Option<Vec<String>>,
    currency: Option<String>,
    /// Shorthand: one rate for input and output tokens alike.
    per_million_tokens: Option<Decimal>,
    rates: BTreeMap<String, Decimal>,
    context_window: Option<u64>,
    context_tiers: Vec<ContextTierSpec>,
    services: BTreeMap<String, ServiceSpec>,
    time_windows: Vec<TimeWindowSpec>,
    fees: Option<FeesSpec>,
    uplifts: Vec<(String, Decimal)>,
    period: Vec<PeriodSpec>,
    rounding: Option<RoundingSpec>,
}

struct ContextTierSpec {
    above: u64,
    rates: BTreeMap<String, Decimal>,
}

struct ServiceSpec {
    multiplier: Option<Decimal>,
    rates: BTreeMap<String, Decimal>,
}

struct TimeWindowSpec {
    start: String,
    end: String,
    multiplier: Decimal,
    services: Vec<String>,
}

struct FeesSpec {
    /// `per_{unit}` for the units priced flat (request, image, second, character, page,
    /// annotation_page, query).
    per_unit: Vec<(Unit, Decimal)>,
    per_web_search: Option<Decimal>,
    per_maps_grounding: Option<Decimal>,
    minimum_per_request: Option<Decimal>,
}

/// The units a schedule prices with a flat `fees.per_{unit}`.
const FLAT_UNITS: [Unit; 8] =
    [Unit::Request, Unit::Image, Unit::Second, Unit::Character, Unit::Page, Unit::AnnotationPage, Unit::Query, Unit::CitationToken];

/// The fields of `fees`.
const FEES_FIELDS: &[&str] = &[
    "per_request",
    "per_image",
    "per_second",
    "per_character",
    "per_page",
    "per_annotation_page",
    "per_query",
    "per_citation_token",
    "per_web_search",
    "per_maps_grounding",
    "minimum_per_request",
];

struct PeriodSpec {
    metric: String,
    mode: String,
    per: Option<u64>,
    free_allowance: u64,
    tiers: Vec<TierSpec>,
}

struct TierSpec {
    up_to: Option<u64>,
    unit_price: Decimal,
    flat_fee: Option<Decimal>,
}

// Reading the document into the specs; every field of each table is listed, so an
// unknown (misspelled) field is an error rather than silently ignored.

const ROUNDING_FIELDS: &[&str] = &["mode", "scale"];
const RATES_FIELDS: &[&str] = &["multiplier", "rates"];

impl FileSpec {
    fn read(table: &toml::Table) -> Result<FileSpec> {
        let doc = Object::new(table, String::new(), &["name", "description", "currency", "rounding", "schedules", "order"])?;
        if doc.value("schedules").is_none() {
            return Err(invalid("$", "missing field `schedules`"));
        }
        let schedules = doc
            .object_entries("schedules", SCHEDULE_FIELDS)?
            .into_iter()
            .map(|(name, spec)| Ok((name.to_string(), ScheduleSpec::read(&spec)?)))
            .collect::<Result<BTreeMap<_, _>>>()?;
        Ok(FileSpec {
            name: doc.required_string("name")?,
            description: doc.string("description")?,
            currency: doc.string("currency")?,
            rounding: doc.object("rounding", ROUNDING_FIELDS)?.map(|r| RoundingSpec::read(&r)).transpose()?,
            schedules,
            order: doc.strings("order")?,
        })
    }
}

impl RoundingSpec {
    fn read(spec: &Object<'_>) -> Result<RoundingSpec> {
        let scale = match spec.value("scale") {
            None => None,
            Some((toml::Value::String(s), _)) => Some(ScaleSpec::Named(s.clone())),
            Some((v, path)) => {
                let decimals = document::unsigned(v, &path)?;
                Some(ScaleSpec::Decimals(u32::try_from(decimals).unwrap_or(u32::MAX)))
            }
        };
        Ok(RoundingSpec { mode: spec.string("mode")?, scale })
    }
}

const SCHEDULE_FIELDS: &[&str] = &[
    "description",
    "models",
    "currency",
    "per_million_tokens",
    "rates",
    "context_window",
    "context_tiers",
    "services",
    "time_windows",
    "fees",
    "uplifts",
    "period",
    "rounding",
];

impl ScheduleSpec {
    fn read(spec: &Object<'_>) -> Result<ScheduleSpec> {
        Ok(ScheduleSpec {
            description: spec.string("description")?,
            models: spec.value("models").is_some().then(|| spec.strings("models")).transpose()?,
            currency: spec.string("currency")?,
            per_million_tokens: spec.decimal("per_million_tokens")?,
            rates: spec.decimals("rates")?.into_iter().collect(),
            context_window: spec.u64("context_window")?,
            context_tiers: spec
                .objects("context_tiers", &["above", "rates"])?
                .iter()
                .map(|t| Ok(ContextTierSpec { above: t.required_u64("above")?, rates: t.decimals("rates")?.into_iter().collect() }))
                .collect::<Result<_>>()?,
            services: spec
                .object_entries("services", RATES_FIELDS)?
                .iter()
                .map(|(name, rule)| {
                    let rule =
                        ServiceSpec { multiplier: rule.decimal("multiplier")?, rates: rule.decimals("rates")?.into_iter().collect() };
                    Ok((name.to_string(), rule))
                })
                .collect::<Result<_>>()?,
            time_windows: spec
                .objects("time_windows", &["start", "end", "multiplier", "services"])?
                .iter()
                .map(|w| {
                    Ok(TimeWindowSpec {
                        start: w.required_string("start")?,
                        end: w.required_string("end")?,
                        multiplier: w.required_decimal("multiplier")?,
                        services: w.strings("services")?,
                    })
                })
                .collect::<Result<_>>()?,
            fees: spec
                .object("fees", FEES_FIELDS)?
                .map(|f| {
                    let mut per_unit = Vec::new();
                    for unit in FLAT_UNITS {
                        if let Some(price) = f.decimal(&format!("per_{}", unit.name()))? {
                            per_unit.push((unit, price));
                        }
                    }
                    Ok::<_, Error>(FeesSpec {
                        per_unit,
                        per_web_search: f.decimal("per_web_search")?,
                        per_maps_grounding: f.decimal("per_maps_grounding")?,
                        minimum_per_request: f.decimal("minimum_per_request")?,
                    })
                })
                .transpose()?,
            uplifts: spec.decimals("uplifts")?,
            period: spec
                .objects("period", &["metric", "mode", "per", "free_allowance", "tiers"])?
                .iter()
                .map(|p| {
                    Ok(PeriodSpec {
                        metric: p.required_string("metric")?,
                        mode: p.required_string("mode")?,
                        per: p.u64("per")?,
                        free_allowance: p.u64("free_allowance")?.unwrap_or(0),
                        tiers: p
                            .objects("tiers", &["up_to", "unit_price", "flat_fee"])?
                            .iter()
                            .map(|t| {
                                Ok(TierSpec {
                                    up_to: t.u64("up_to")?,
                                    unit_price: t.required_decimal("unit_price")?,
                                    flat_fee: t.decimal("flat_fee")?,
                                })
                            })
                            .collect::<Result<_>>()?,
                    })
                })
                .collect::<Result<_>>()?,
            rounding: spec.object("rounding", ROUNDING_FIELDS)?.map(|r| RoundingSpec::read(&r)).transpose()?,
        })
    }
}

fn rates(spec: &BTreeMap<String, Decimal>, path: &str) -> Result<Rates> {
    let mut rates = Rates::new();
    for (name, value) in spec {
        let class_path = format!("{path}.{name}");
        let class: TokenClass = name.parse().map_err(|_| {
            invalid(&class_path, format!("unknown token class (one of {})", TokenClass::ALL.map(TokenClass::name).join(", ")))
        })?;
        rates = rates.with(class, non_negative(*value, &class_path)?);
    }
    Ok(rates)
}

fn rounding(spec: &RoundingSpec, path: &str, inherited: Rounding) -> Result<Rounding> {
    let mode = match &spec.mode {
        Some(m) => m.parse::<RoundingMode>().map_err(|e| invalid(format!("{path}.mode"), e.to_string()))?,
        None => inherited.mode,
    };
    let scale = match &spec.scale {
        None => inherited.scale,
        Some(ScaleSpec::Decimals(d)) if *d <= 28 => Scale::Decimals(*d),
        Some(ScaleSpec::Decimals(d)) => return Err(invalid(format!("{path}.scale"), format!("{d} decimals is more than 28"))),
        Some(ScaleSpec::Named(s)) if s == "minor_unit" => Scale::MinorUnit,
        Some(ScaleSpec::Named(s)) => {
            return Err(invalid(format!("{path}.scale"), format!("{s:?} is neither \"minor_unit\" nor a number of decimals")))
        }
    };
    Ok(Rounding { mode, scale })
}

fn currency(code: &Option<String>, path: &str, inherited: Currency) -> Result<Currency> {
    match code {
        Some(c) => Currency::new(c).map_err(|e| invalid(path, e.to_string())),
        None => Ok(inherited),
    }
}

fn time(text: &str, path: &str) -> Result<NaiveTime> {
    NaiveTime::parse_from_str(text, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M:%S"))
        .map_err(|_| invalid(path, format!("{text:?} is not a time of day (HH:MM, UTC)")))
}

impl FileSpec {
    fn build(self) -> Result<ScheduleSet> {
        let set_currency = currency(&self.currency, "currency", Currency::USD)?;
        let set_rounding = match &self.rounding {
            Some(r) => rounding(r, "rounding", Rounding::default())?,
            None => Rounding::default(),
        };
        if self.schedules.is_empty() {
            return Err(invalid("schedules", "at least one schedule is needed"));
        }
        let mut order: Vec<String> = self.order.clone();
        for (i, name) in order.iter().enumerate() {
            if !self.schedules.contains_key(name) {
                return Err(invalid(format!("order[{i}]"), format!("no schedule named {name:?}")));
            }
        }
        order.extend(self.schedules.keys().filter(|k| !self.order.contains(k)).cloned());
        let mut entries = Vec::new();
        for name in order {
            let spec = &self.schedules[&name];
            let schedule = spec.build(&name, &format!("schedules.{name}"), set_currency, set_rounding)?;
            if spec.models.is_none() {
                // Without patterns a schedule matches no model, and the models meant
                // would fall through to the catalog without a word: say which it is.
                return Err(invalid(
                    format!("schedules.{name}.models"),
                    "missing: list the model names this schedule prices (patterns, `*` matches any run), or \
                     `models = []` for a schedule chosen only by an event's `tier` tag",
                ));
            }
            entries.push(ScheduleSetEntry { schedule: Arc::new(schedule), models: spec.models.clone().unwrap_or_default() });
        }
        Ok(ScheduleSet { name: self.name, description: self.description, entries })
    }
}

impl ScheduleSpec {
    fn build(&self, name: &str, path: &str, set_currency: Currency, set_rounding: Rounding) -> Result<RateSchedule> {
        let mut base = rates(&self.rates, &format!("{path}.rates"))?;
        if let Some(all) = self.per_million_tokens {
            let rate = non_negative(all, &format!("{path}.per_million_tokens"))?;
            for class in [TokenClass::Input, TokenClass::Output] {
                if base.get(class).is_some() {
                    return Err(invalid(format!("{path}.rates.{class}"), "also set by per_million_tokens; state one or the other"));
                }
                base = base.with(class, rate);
            }
        }
        let mut schedule = RateSchedule {
            description: self.description.clone(),
            currency: currency(&self.currency, &format!("{path}.currency"), set_currency)?,
            rounding: match &self.rounding {
                Some(r) => rounding(r, &format!("{path}.rounding"), set_rounding)?,
                None => set_rounding,
            },
            context_window: self.context_window,
            ..RateSchedule::bare(name.to_string(), base)
        };
        for (i, tier) in self.context_tiers.iter().enumerate() {
            let tier_path = format!("{path}.context_tiers[{i}]");
            schedule.context_tiers.push(ContextTier {
                above: tier.above,
                rates: rates(&tier.rates, &format!("{tier_path}.rates"))?,
                services: BTreeMap::new(),
            });
        }
        for (service_name, rule) in &self.services {
            let service_path = format!("{path}.services.{service_name}");
            let service: Service = service_name.parse().map_err(|e: Error| invalid(&service_path, e.to_string()))?;
            let multiplier = match rule.multiplier {
                Some(m) => non_negative(m, &format!("{service_path}.multiplier"))?,
                None => Decimal::ONE,
            };
            let rule = ServiceRule { rates: rates(&rule.rates, &format!("{service_path}.rates"))?, ..ServiceRule::multiplier(multiplier) };
            schedule.services.insert(service, rule);
        }
        for (i, window) in self.time_windows.iter().enumerate() {
            let window_path = format!("{path}.time_windows[{i}]");
            let services = window
                .services
                .iter()
                .enumerate()
                .map(|(j, s)| s.parse().map_err(|e: Error| invalid(format!("{window_path}.services[{j}]"), e.to_string())))
                .collect::<Result<Vec<Service>>>()?;
            schedule.time_windows.push(TimeWindow {
                services,
                ..TimeWindow::new(
                    time(&window.start, &format!("{window_path}.start"))?,
                    time(&window.end, &format!("{window_path}.end"))?,
                    non_negative(window.multiplier, &format!("{window_path}.multiplier"))?,
                )
            });
        }
        if let Some(fees) = &self.fees {
            let fees_path = format!("{path}.fees");
            for &(unit, v) in &fees.per_unit {
                schedule.unit_prices.insert(unit, non_negative(v, &format!("{fees_path}.per_{}", unit.name()))?);
            }
            if let Some(p) = fees.per_web_search {
                schedule.web_search = Some(WebSearchPrices::flat(non_negative(p, &format!("{fees_path}.per_web_search"))?));
            }
            if let Some(p) = fees.per_maps_grounding {
                let price = non_negative(p, &format!("{fees_path}.per_maps_grounding"))?;
                schedule.maps_grounding = Some(GroundingPrice { price, per_prompt: false });
            }
            if let Some(m) = fees.minimum_per_request {
                schedule.minimum_per_request = Some(non_negative(m, &format!("{fees_path}.minimum_per_request"))?);
            }
        }
        for (name, m) in &self.uplifts {
            let uplift_path = format!("{path}.uplifts.{name}");
            let uplift = Uplift::ALL
                .into_iter()
                .find(|u| u.name() == name)
                .ok_or_else(|| invalid(&uplift_path, format!("unknown uplift (one of {})", Uplift::ALL.map(Uplift::name).join(", "))))?;
            schedule.uplifts.insert(uplift, non_negative(*m, &uplift_path)?);
        }
        for (i, period) in self.period.iter().enumerate() {
            let period_path = format!("{path}.period[{i}]");
            let metric: Metric = period.metric.parse().map_err(|e: Error| invalid(format!("{period_path}.metric"), e.to_string()))?;
            let mode: TierMode = period.mode.parse().map_err(|e: Error| invalid(format!("{period_path}.mode"), e.to_string()))?;
            let default_per = if matches!(metric, Metric::Units(_)) { 1 } else { 1_000_000 };
            let mut tiers = Vec::new();
            for (j, tier) in period.tiers.iter().enumerate() {
                let tier_path = format!("{period_path}.tiers[{j}]");
                tiers.push(Tier {
                    up_to: tier.up_to,
                    unit_price: non_negative(tier.unit_price, &format!("{tier_path}.unit_price"))?,
                    flat_fee: match tier.flat_fee {
                        Some(f) => non_negative(f, &format!("{tier_path}.flat_fee"))?,
                        None => Decimal::ZERO,
                    },
                });
            }
            let built =
                PeriodTiers::new(metric, mode, period.per.unwrap_or(default_per), period.free_allowance, tiers).map_err(|e| match e {
                    Error::InvalidSchedule { path, reason } => invalid(format!("{period_path}.{path}"), reason),
                    other => other,
                })?;
            schedule.period.push(built);
        }
        schedule.validate().map_err(|e| match e {
            Error::InvalidSchedule { path: field, reason } => invalid(format!("{path}.{field}"), reason),
            other => other,
        })?;
        Ok(schedule)
    }
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs() {
        assert!(glob_match("qwen3*", "Qwen3-8B"));
        assert!(glob_match("*/qwen3*", "Qwen/Qwen3-8B"));
        assert!(glob_match("gpt-moe", "GPT-MoE"));
        assert!(!glob_match("gpt-moe", "gpt-moe-2"));
        assert!(glob_match("a*b*c", "a-x-b-y-c"));
        assert!(!glob_match("a*b*c", "a-x-c-y-b"));
        assert!(!glob_match("ab*ba", "aba"));
    }
}
