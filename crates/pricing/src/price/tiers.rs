//! Graduated and volume tiers over a billing period, with Stripe's semantics.
//!
//! Tiers are listed in order with an inclusive upper bound (`up_to`); the last one is
//! unbounded. For a period quantity `q` (after the free allowance):
//! - **graduated**: each unit is priced in the tier it falls in, and the flat fee of
//!   every tier reached is added. Stripe's example (1–5 at $7, 6–10 at $6.50, 11+ at
//!   $6): 6 units cost 5 × 7 + 1 × 6.50 = $41.50.
//! - **volume**: all units are priced at the tier `q` reaches, plus that tier's flat
//!   fee only. The same 6 units cost 6 × 6.50 = $39.00.
//!
//! A period with no units is not charged (no flat fee either).

use super::schedule::{Charge, ChargeItem};
use super::usage::{TokenClass, Unit, Usage};
use crate::{Error, Result};
use rust_decimal::Decimal;
use std::str::FromStr;

/// Graduated or volume.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TierMode {
    /// Each unit at the rate of the tier it falls in.
    Graduated,
    /// All units at the rate of the tier the total reaches.
    Volume,
}

impl FromStr for TierMode {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "graduated" => Ok(TierMode::Graduated),
            "volume" => Ok(TierMode::Volume),
            _ => Err(Error::InvalidArgument { name: "mode", reason: format!("{s:?} is neither graduated nor volume") }),
        }
    }
}

/// What a period tier counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Metric {
    /// Every token.
    Tokens,
    /// Prompt tokens of every kind.
    PromptTokens,
    /// Generated tokens of every kind.
    CompletionTokens,
    /// One token class.
    Class(TokenClass),
    /// A per-unit quantity.
    Units(Unit),
}

impl Metric {
    /// The metric's quantity in a usage.
    pub fn quantity(self, usage: &Usage) -> u64 {
        match self {
            Metric::Tokens => usage.total_tokens(),
            Metric::PromptTokens => usage.prompt_tokens(),
            Metric::CompletionTokens => usage.completion_tokens(),
            Metric::Class(c) => usage.get(c),
            Metric::Units(u) => usage.units(u),
        }
    }

    /// The name used in files and charge lines.
    pub fn name(self) -> String {
        match self {
            Metric::Tokens => "tokens".into(),
            Metric::PromptTokens => "prompt_tokens".into(),
            Metric::CompletionTokens => "completion_tokens".into(),
            Metric::Class(c) => c.name().into(),
            Metric::Units(u) => u.field().into(),
        }
    }
}

impl FromStr for Metric {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "tokens" => Metric::Tokens,
            "prompt_tokens" => Metric::PromptTokens,
            "completion_tokens" => Metric::CompletionTokens,
            other => match Unit::ALL.into_iter().find(|u| u.field() == other) {
                Some(unit) => Metric::Units(unit),
                None => Metric::Class(other.parse().map_err(|_| Error::InvalidArgument {
                    name: "metric",
                    reason: format!(
                        "unknown metric {other:?} (tokens, prompt_tokens, completion_tokens, a token class, or one of {})",
                        Unit::ALL.map(Unit::field).join(", ")
                    ),
                })?),
            },
        })
    }
}

/// One price tier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tier {
    /// Inclusive upper bound in units (after the free allowance); `None` for the last tier.
    pub up_to: Option<u64>,
    /// Price of `per` units in this tier.
    pub unit_price: Decimal,
    /// Fixed amount added when this tier is reached.
    pub flat_fee: Decimal,
}

/// Tiered pricing of one metric over a billing period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeriodTiers {
    /// What is counted.
    pub metric: Metric,
    /// Graduated or volume.
    pub mode: TierMode,
    /// Units each `unit_price` is for (1 000 000 for token metrics by default).
    pub per: u64,
    /// Units free each period before the first tier starts counting.
    pub free_allowance: u64,
    /// The tiers, ascending; validated by [`PeriodTiers::new`].
    tiers: Vec<Tier>,
}

impl PeriodTiers {
    /// Validates and builds. Errors name the tier (`tiers[i]`): bounds must increase,
    /// only the last tier is unbounded, prices are not negative, `per` is not zero.
    pub fn new(metric: Metric, mode: TierMode, per: u64, free_allowance: u64, tiers: Vec<Tier>) -> Result<PeriodTiers> {
        let bad = |path: String, reason: String| Error::InvalidSchedule { path, reason };
        if tiers.is_empty() {
            return Err(bad("tiers".into(), "at least one tier is needed".into()));
        }
        if per == 0 {
            return Err(bad("per".into(), "must be at least 1".into()));
        }
        let mut previous: Option<u64> = None;
        for (i, tier) in tiers.iter().enumerate() {
            let last = i + 1 == tiers.len();
            match (tier.up_to, last) {
                (None, false) => return Err(bad(format!("tiers[{i}].up_to"), "only the last tier may be unbounded".into())),
                (Some(_), true) => {
                    return Err(bad(format!("tiers[{i}].up_to"), "the last tier must be unbounded (leave up_to out)".into()))
                }
                (Some(up_to), false) => {
                    if up_to == 0 || previous.is_some_and(|p| up_to <= p) {
                        return Err(bad(
                            format!("tiers[{i}].up_to"),
                            format!("must be greater than the previous tier's bound ({})", previous.unwrap_or(0)),
                        ));
                    }
                    previous = Some(up_to);
                }
                (None, true) => {}
            }
            if tier.unit_price.is_sign_negative() {
                return Err(bad(format!("tiers[{i}].unit_price"), "must not be negative".into()));
            }
            if tier.flat_fee.is_sign_negative() {
                return Err(bad(format!("tiers[{i}].flat_fee"), "must not be negative".into()));
            }
        }
        Ok(PeriodTiers { metric, mode, per, free_allowance, tiers })
    }

    /// The tiers, ascending.
    pub fn tiers(&self) -> &[Tier] {
        &self.tiers
    }

    /// The charge lines for a period's usage.
    pub fn charges(&self, usage: &Usage) -> Result<Vec<Charge>> {
        let quantity = self.metric.quantity(usage).saturating_sub(self.free_allowance);
        let mut lines = Vec::new();
        if quantity == 0 {
            return Ok(lines);
        }
        let metric = self.metric.name();
        let item = |index| ChargeItem::Tier { metric: metric.clone(), index };
        let flat = |index| ChargeItem::TierFlatFee { metric: metric.clone(), index };
        match self.mode {
            TierMode::Graduated => {
                let mut lower = 0u64; // units already priced by earlier tiers
                for (index, tier) in self.tiers.iter().enumerate() {
                    let upper = tier.up_to.unwrap_or(u64::MAX);
                    let in_tier = quantity.min(upper) - lower;
                    lines.push(Charge::new(item(index), in_tier, tier.unit_price, self.per)?);
                    if !tier.flat_fee.is_zero() {
                        lines.push(Charge::fixed(flat(index), tier.flat_fee));
                    }
                    if quantity <= upper {
                        break;
                    }
                    lower = upper;
                }
            }
            TierMode::Volume => {
                let index = self.tiers.iter().position(|t| t.up_to.is_none_or(|u| quantity <= u)).unwrap_or(self.tiers.len() - 1);
                let tier = &self.tiers[index];
                lines.push(Charge::new(item(index), quantity, tier.unit_price, self.per)?);
                if !tier.flat_fee.is_zero() {
                    lines.push(Charge::fixed(flat(index), tier.flat_fee));
                }
            }
        }
        Ok(lines)
    }
}
