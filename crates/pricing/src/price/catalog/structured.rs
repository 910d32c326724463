//! LiteLLM's structured price rules: `tiered_pricing` (rates by prompt length, the whole
//! request at one tier's rates) and `off_peak_pricing` (rates that replace all others
//! in time windows, on some weekdays). Both become parts of a [`RateSchedule`]: context
//! tiers and time windows. A shape tokfare cannot apply exactly is a refusal (the field
//! and why), never an approximation; a malformed one is an [`Error::InvalidCatalog`].
//!
//! [`RateSchedule`]: super::super::RateSchedule
//! [`Error::InvalidCatalog`]: crate::Error::InvalidCatalog

use super::super::rate_card::{ContextTier, Rates, TimeWindow};
use super::super::usage::TokenClass;
use super::{bad, per_million, price};
use crate::Result;
use chrono::{NaiveTime, Weekday};
use rust_decimal::Decimal;
use simd_json::prelude::*;
use tokfare_json::{self as json, Value};

/// Why a model is refused: the field and the reason.
pub(super) type Refusal = (String, String);

/// The per-token rates a tier or an off-peak block may state, by LiteLLM key.
const BLOCK_RATES: [(&str, TokenClass); 5] = [
    ("input_cost_per_token", TokenClass::Input),
    ("output_cost_per_token", TokenClass::Output),
    ("cache_read_input_token_cost", TokenClass::CachedInput),
    ("cache_creation_input_token_cost", TokenClass::CacheWrite5m),
    ("output_cost_per_reasoning_token", TokenClass::Reasoning),
];

/// A tier's or block's rates; a key it does not know is a refusal.
fn block_rates(model: &str, field: &str, v: &Value<'_>, structure: &[&str]) -> Result<std::result::Result<Rates, Refusal>> {
    let mut rates = Rates::new();
    for (key, value) in json::entries(v) {
        if structure.contains(&key) {
            continue;
        }
        let Some((_, class)) = BLOCK_RATES.iter().find(|(k, _)| *k == key) else {
            return Ok(Err((
                format!("{field}.{key}"),
                "a rate tokfare does not apply inside this rule: refused rather than priced wrong".into(),
            )));
        };
        let path = format!("{field}.{key}");
        if let Some(p) = price(model, &path, value)? {
            rates = rates.with(*class, per_million(model, &path, p)?);
        }
    }
    Ok(Ok(rates))
}

/// `tiered_pricing` by prompt tokens: the base rates (the first tier over the entry's
/// own) and one context tier per further range. LiteLLM matches `start < prompt <= end`
/// and bills the whole request at that tier (above the last range, the last tier); with
/// contiguous ranges from 0 that is exactly a context tier above each `start`. Each tier
/// is made complete as LiteLLM reads it: cache reads and writes at the tier's input rate,
/// reasoning at its output rate, unless the tier states them. `None` for the per-query
/// search tiers (`max_results_range`), which tokfare does not meter.
#[allow(clippy::type_complexity)]
pub(super) fn tiered(model: &str, v: &Value<'_>, top: &Rates) -> Result<Option<std::result::Result<(Rates, Vec<ContextTier>), Refusal>>> {
    let field = "tiered_pricing";
    let items = json::as_array(v).ok_or_else(|| bad(&format!("{model}.{field}"), "must be a list of tiers".into()))?;
    if items.iter().any(|t| json::get(t, "max_results_range").is_some()) {
        return Ok(None);
    }
    let mut tiers: Vec<(u64, u64, Rates)> = Vec::new();
    for (i, t) in items.iter().enumerate() {
        let path = format!("{model}.{field}[{i}]");
        let range = json::get(t, "range").and_then(json::as_array).filter(|r| r.len() == 2);
        let bound =
            |x: &Value<'_>| x.as_u64().or_else(|| x.as_f64().filter(|f| *f >= 0.0 && f.fract() == 0.0 && *f < 1e15).map(|f| f as u64));
        let (Some(start), Some(end)) = (range.and_then(|r| bound(&r[0])), range.and_then(|r| bound(&r[1]))) else {
            return Err(bad(&format!("{path}.range"), "must be [start, end] in whole prompt tokens".into()));
        };
        let rates = match block_rates(model, &format!("{field}[{i}]"), t, &["range"])? {
            Ok(r) => r,
            Err(refusal) => return Ok(Some(Err(refusal))),
        };
        let Some(input) = rates.get(TokenClass::Input) else {
            return Ok(Some(Err((format!("{field}[{i}]"), "a tier without input_cost_per_token (LiteLLM skips it): refused".into()))));
        };
        let Some(output) = rates.get(TokenClass::Output).or(top.get(TokenClass::Output)) else {
            return Ok(Some(Err((format!("{field}[{i}]"), "a tier without an output rate, and none at the top level".into()))));
        };
        let mut complete = rates.clone().with(TokenClass::Output, output);
        for (class, fallback) in [(TokenClass::CachedInput, input), (TokenClass::CacheWrite5m, input), (TokenClass::Reasoning, output)] {
            if rates.get(class).is_none() {
                complete = complete.with(class, fallback);
            }
        }
        tiers.push((start, end, complete));
    }
    tiers.sort_by_key(|(start, _, _)| *start);
    let contiguous =
        tiers.first().is_some_and(|(start, _, _)| *start == 0) && tiers.windows(2).all(|w| w[0].1 == w[1].0 && w[0].0 < w[0].1);
    if !contiguous {
        return Ok(Some(Err((field.into(), "ranges that are not contiguous from 0: tokfare applies tiers as context tiers only".into()))));
    }
    let mut base = top.clone();
    let mut tiers = tiers.into_iter();
    if let Some((_, _, first)) = tiers.next() {
        for (class, rate) in first.iter() {
            base = base.with(class, rate);
        }
    }
    let context = tiers.map(|(start, _, rates)| ContextTier { above: start, rates, ..ContextTier::default() }).collect();
    Ok(Some(Ok((base, context))))
}

/// IANA zones without daylight saving that LiteLLM's `weekday_timezone` may name, and
/// their offsets east of UTC (seconds). Another zone is refused: weekdays read on a
/// guessed calendar would misprice the hours around midnight.
const FIXED_ZONES: [(&str, i32); 11] = [
    ("UTC", 0),
    ("Etc/UTC", 0),
    ("GMT", 0),
    ("Asia/Shanghai", 8 * 3600),
    ("Asia/Hong_Kong", 8 * 3600),
    ("Asia/Singapore", 8 * 3600),
    ("Asia/Taipei", 8 * 3600),
    ("Asia/Tokyo", 9 * 3600),
    ("Asia/Seoul", 9 * 3600),
    ("Asia/Kolkata", 5 * 3600 + 1800),
    ("Asia/Dubai", 4 * 3600),
];

/// `off_peak_pricing`: time windows whose rates replace all others while open. Hours
/// are UTC, `HH:MM-HH:MM`, start inclusive, end exclusive, wrapping past midnight when
/// the end is not after the start, the whole day when they are equal; `weekdays` are
/// ISO numbers (Monday 1) or English names, read on the calendar of `weekday_timezone`.
pub(super) fn off_peak(model: &str, v: &Value<'_>) -> Result<std::result::Result<Vec<TimeWindow>, Refusal>> {
    let field = "off_peak_pricing";
    if !json::is_object(v) {
        return Err(bad(&format!("{model}.{field}"), "must be an object".into()));
    }
    let rates = match block_rates(model, field, v, &["hours_utc", "windows", "weekday_timezone"])? {
        Ok(r) if r.is_empty() => return Ok(Err((field.into(), "an off-peak block without rates".into()))),
        Ok(r) => r,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let offset = match json::opt_str(v, "weekday_timezone", model, bad)? {
        None => 0,
        Some(zone) => match FIXED_ZONES.iter().find(|(z, _)| *z == zone) {
            Some((_, offset)) => *offset,
            None => {
                return Ok(Err((
                    format!("{field}.weekday_timezone"),
                    format!("time zone {zone:?} is not one tokfare knows to have a fixed offset: refused rather than guessed"),
                )))
            }
        },
    };
    let mut windows = Vec::new();
    let mut add = |hours: &Value<'_>, weekdays: Vec<Weekday>, path: &str| -> Result<()> {
        let list: Vec<&Value<'_>> = match json::as_array(hours) {
            Some(items) => items.iter().collect(),
            None => vec![hours],
        };
        for (i, h) in list.into_iter().enumerate() {
            let text = json::as_str(h).ok_or_else(|| bad(&format!("{path}[{i}]"), "must be \"HH:MM-HH:MM\"".into()))?;
            let (start, end) = hours_range(text).ok_or_else(|| bad(&format!("{path}[{i}]"), format!("{text:?} is not \"HH:MM-HH:MM\"")))?;
            windows.push(TimeWindow {
                weekdays: weekdays.clone(),
                weekday_utc_offset: offset,
                rates: rates.clone(),
                ..TimeWindow::new(start, end, Decimal::ONE)
            });
        }
        Ok(())
    };
    if let Some(hours) = json::get(v, "hours_utc") {
        add(hours, Vec::new(), &format!("{model}.{field}.hours_utc"))?;
    }
    if let Some(rules) = json::get(v, "windows") {
        let rules = json::as_array(rules).ok_or_else(|| bad(&format!("{model}.{field}.windows"), "must be a list".into()))?;
        for (i, rule) in rules.iter().enumerate() {
            let path = format!("{model}.{field}.windows[{i}]");
            let weekdays = match json::get(rule, "weekdays") {
                None => Vec::new(),
                Some(days) => match json::as_array(days) {
                    // An empty list never matches in LiteLLM: refused rather than read as every day.
                    Some([]) => {
                        return Ok(Err((
                            format!("{field}.windows[{i}].weekdays"),
                            "an empty weekdays list (LiteLLM never applies it)".into(),
                        )))
                    }
                    Some(days) => days
                        .iter()
                        .map(weekday)
                        .collect::<Option<Vec<_>>>()
                        .ok_or_else(|| bad(&format!("{path}.weekdays"), "must be ISO weekday numbers (Monday 1) or names".into()))?,
                    // LiteLLM never matches a bare string: refused rather than never applied.
                    None => {
                        return Ok(Err((
                            format!("{field}.windows[{i}].weekdays"),
                            "weekdays that are not a list (LiteLLM never applies them)".into(),
                        )))
                    }
                },
            };
            let hours = json::get(rule, "hours_utc").ok_or_else(|| bad(&path, "missing hours_utc".into()))?;
            add(hours, weekdays, &format!("{path}.hours_utc"))?;
        }
    }
    if windows.is_empty() {
        return Err(bad(&format!("{model}.{field}"), "no hours_utc or windows".into()));
    }
    Ok(Ok(windows))
}

/// `"10:00-00:00"` -> (10:00, 00:00); equal ends are the whole day.
fn hours_range(text: &str) -> Option<(NaiveTime, NaiveTime)> {
    let (a, b) = text.split_once('-')?;
    let parse = |s: &str| NaiveTime::parse_from_str(s.trim(), "%H:%M").ok();
    let (start, end) = (parse(a)?, parse(b)?);
    if start == end {
        return Some((NaiveTime::MIN, NaiveTime::from_hms_nano_opt(23, 59, 59, 999_999_999)?));
    }
    Some((start, end))
}

fn weekday(v: &Value<'_>) -> Option<Weekday> {
    if let Some(n) = v.as_u64() {
        return match n {
            1..=7 => Weekday::try_from(n as u8 - 1).ok(),
            _ => None,
        };
    }
    let name = json::as_str(v)?.to_ascii_lowercase();
    const NAMES: [(&str, Weekday); 7] = [
        ("mon", Weekday::Mon),
        ("tue", Weekday::Tue),
        ("wed", Weekday::Wed),
        ("thu", Weekday::Thu),
        ("fri", Weekday::Fri),
        ("sat", Weekday::Sat),
        ("sun", Weekday::Sun),
    ];
    NAMES.iter().find(|(prefix, _)| name.starts_with(prefix)).map(|(_, d)| *d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_and_weekdays() {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("time");
        assert_eq!(hours_range("10:00-00:00"), Some((t(10, 0), t(0, 0))));
        assert_eq!(hours_range("00:00-00:00").map(|(s, _)| s), Some(t(0, 0)));
        assert_eq!(hours_range("25:00-01:00"), None);
        let mut bytes = br#"[1, 7, "Saturday", "fri", 8, "x"]"#.to_vec();
        let v = json::parse(&mut bytes, |e| e).expect("json");
        let days: Vec<_> = json::as_array(&v).expect("list").iter().map(weekday).collect();
        assert_eq!(days, vec![Some(Weekday::Mon), Some(Weekday::Sun), Some(Weekday::Sat), Some(Weekday::Fri), None, None]);
    }
}
