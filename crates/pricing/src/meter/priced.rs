//! A recorded event with the charges it was priced at: the unit the meter stores,
//! journals, merges and invoices. Its JSON line is canonical (same record, same bytes),
//! which is what makes duplicates detectable and merge conflicts resolvable.

use super::event::{push_json_string, UsageEvent};
use crate::price::{parse_decimal, Basis, Charge, ChargeItem, Charges, Currency, Money, TokenClass, Unit, Uplift};
use crate::{Error, Result};
use simd_json::prelude::*;
use std::fmt::Write as _;
use tokfare_json as json;

/// An event and its charges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PricedEvent {
    /// The event.
    pub event: UsageEvent,
    /// Name of the schedule that priced it (the "schedule tier" of aggregates).
    pub schedule: String,
    /// Its per-request charges, unrounded.
    pub charges: Charges,
}

impl PricedEvent {
    /// The unrounded cost.
    pub fn cost(&self) -> Money {
        self.charges.total()
    }

    /// One line of JSON (no newline), deterministic.
    pub fn to_json(&self) -> String {
        self.to_json_with_event(&self.event.to_json())
    }

    /// [`PricedEvent::to_json`] given the event's own JSON (computed once by callers
    /// that need both).
    pub(crate) fn to_json_with_event(&self, event_json: &str) -> String {
        let mut out = String::with_capacity(event_json.len() + 64 + 160 * self.charges.lines.len());
        out.push_str("{\"event\":");
        out.push_str(event_json);
        out.push_str(",\"schedule\":");
        push_json_string(&mut out, &self.schedule);
        out.push_str(",\"currency\":");
        push_json_string(&mut out, self.charges.currency.code());
        out.push_str(",\"charges\":[");
        for (i, c) in self.charges.lines.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"item\":");
            push_json_string(&mut out, &charge_code(&c.item, &c.basis));
            // Decimals as they are: pricing makes them canonical (`Charges::canonical`);
            // a record read back keeps the text it was stored with (records priced before
            // that carry their rate's scale, `0.0150000`; stores hash this text, and
            // compare by value when the hashes differ: `NewRecord::same_record`).
            // Writing to a String cannot fail.
            let _ = write!(
                out,
                ",\"quantity\":{},\"unit_price\":\"{}\",\"per\":{},\"amount\":\"{}\"}}",
                c.quantity, c.unit_price, c.per, c.amount
            );
        }
        out.push_str("]}");
        out
    }

    /// Reads a line written by [`PricedEvent::to_json`].
    pub fn from_json(text: &str) -> Result<PricedEvent> {
        let bad = |path: &str, reason: String| Error::InvalidUsage { line: None, path: path.to_string(), reason };
        let mut bytes = text.as_bytes().to_vec();
        let v = json::parse(&mut bytes, |r| bad("$", r))?;
        let event = json::get(&v, "event").ok_or_else(|| bad("$.event", "missing".into()))?;
        let event = UsageEvent::from_value(event)?;
        let schedule = json::opt_str(&v, "schedule", "$", bad)?.ok_or_else(|| bad("$.schedule", "missing".into()))?.to_string();
        let currency = json::opt_str(&v, "currency", "$", bad)?.ok_or_else(|| bad("$.currency", "missing".into()))?;
        let currency = Currency::stored(currency)?;
        let lines = json::get(&v, "charges").and_then(json::as_array).ok_or_else(|| bad("$.charges", "missing".into()))?;
        let mut charges = Charges::new(currency);
        for (i, line) in lines.iter().enumerate() {
            let path = format!("$.charges[{i}]");
            let text = |key: &str| -> Result<&str> {
                json::opt_str(line, key, &path, bad)?.ok_or_else(|| bad(&format!("{path}.{key}"), "missing".into()))
            };
            let number = |key: &str| -> Result<u64> {
                json::opt_u64(line, key, &path, bad)?.ok_or_else(|| bad(&format!("{path}.{key}"), "missing".into()))
            };
            let (item, basis) =
                parse_charge_code(text("item")?).ok_or_else(|| bad(&format!("{path}.item"), "unknown charge item".into()))?;
            charges.lines.push(Charge {
                item,
                basis,
                quantity: number("quantity")?,
                unit_price: parse_decimal(text("unit_price")?)?,
                per: number("per")?,
                amount: parse_decimal(text("amount")?)?,
            });
        }
        // A record whose charges do not add up within range is refused here, so its
        // `cost()` never overflows.
        charges.checked_total()?;
        Ok(PricedEvent { event, schedule, charges })
    }
}

/// `tokens:input`, `units:request`, `minimum`, `tier:tokens:0`, `tier_flat_fee:tokens:0`.
pub(crate) fn item_code(item: &ChargeItem) -> String {
    match item {
        ChargeItem::Tokens(c) => format!("tokens:{c}"),
        ChargeItem::Units(u) => format!("units:{}", u.name()),
        ChargeItem::Minimum => "minimum".into(),
        ChargeItem::Uplift(u) => format!("uplift:{}", u.name()),
        ChargeItem::Tier { metric, index } => format!("tier:{metric}:{index}"),
        ChargeItem::TierFlatFee { metric, index } => format!("tier_flat_fee:{metric}:{index}"),
    }
}

/// A charge's item and basis as one code: [`item_code`], then the basis's
/// `|`-separated parts ([`Basis::code`]): `tokens:input|ctx>200000|service=batch`.
pub(crate) fn charge_code(item: &ChargeItem, basis: &Basis) -> String {
    let mut code = item_code(item);
    code.push_str(&basis.code());
    code
}

/// Reads a code written by [`charge_code`] (a code without a basis, as records
/// priced before bases existed, has an empty one).
pub(crate) fn parse_charge_code(code: &str) -> Option<(ChargeItem, Basis)> {
    let mut parts = code.split('|');
    let item = parse_item(parts.next()?)?;
    Some((item, Basis::parse(parts)?))
}

pub(crate) fn parse_item(code: &str) -> Option<ChargeItem> {
    let mut parts = code.splitn(3, ':');
    match (parts.next()?, parts.next(), parts.next()) {
        ("tokens", Some(c), None) => c.parse::<TokenClass>().ok().map(ChargeItem::Tokens),
        ("units", Some(u), None) => Unit::ALL.into_iter().find(|x| x.name() == u).map(ChargeItem::Units),
        ("minimum", None, None) => Some(ChargeItem::Minimum),
        ("uplift", Some(u), None) => Uplift::ALL.into_iter().find(|x| x.name() == u).map(ChargeItem::Uplift),
        ("tier", Some(m), Some(i)) => Some(ChargeItem::Tier { metric: m.to_string(), index: i.parse().ok()? }),
        ("tier_flat_fee", Some(m), Some(i)) => Some(ChargeItem::TierFlatFee { metric: m.to_string(), index: i.parse().ok()? }),
        _ => None,
    }
}
