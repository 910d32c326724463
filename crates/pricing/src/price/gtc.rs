//! The GTC 2026 keynote tiers (bundled as the schedule set `gtc-2026`) and the
//! keynote's capacity planner: split a power budget across tiers and see the tokens
//! each produces and the revenue they earn.
//!
//! For each tier: `tokens = share × megawatts × tokens_per_second_per_mw × hours × 3600`
//! and `revenue = tokens × price_per_million ÷ 10^6`, all in exact decimals.

use super::money::{Currency, Money};
use super::spec::ScheduleSet;
use super::usage::TokenClass;
use crate::{Error, Result};
use rust_decimal::Decimal;

/// The bundled `gtc-2026` schedule set.
pub fn tiers() -> Result<ScheduleSet> {
    ScheduleSet::bundled("gtc-2026")
}

/// One row of the tier table: what `tokfare tiers`, `gtc_tiers()` and `gtcTiers()` show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TierRow {
    /// The tier (`free`, `medium` ...).
    pub name: String,
    /// Its price per million output tokens (normalized).
    pub price_per_million: Decimal,
    /// What the tier is.
    pub description: Option<String>,
    /// The model name patterns priced in it.
    pub models: Vec<String>,
}

/// The tier table of the bundled set.
pub fn tier_rows() -> Result<Vec<TierRow>> {
    Ok(tiers()?
        .entries
        .iter()
        .map(|e| TierRow {
            name: e.schedule.name.clone(),
            price_per_million: e.schedule.rates.get(TokenClass::Output).unwrap_or_default().normalize(),
            description: e.schedule.description.clone(),
            models: e.models.clone(),
        })
        .collect())
}

/// The keynote's split of the power: 25% each to these tiers.
pub const DEFAULT_SHARES: [&str; 4] = ["free", "medium", "high", "premium"];

/// One tier's share of the capacity and its throughput.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allocation {
    /// A schedule name of the set (`free`, `medium` ...).
    pub tier: String,
    /// Fraction of the power budget (0–1); the shares must not add up to more than 1.
    pub share: Decimal,
    /// Tokens per second each megawatt produces running this tier's model.
    pub tokens_per_second_per_mw: Decimal,
}

/// What to plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanInput {
    /// Power budget in megawatts.
    pub megawatts: Decimal,
    /// Hours of operation.
    pub hours: Decimal,
    /// Per-tier allocations.
    pub allocations: Vec<Allocation>,
}

impl PlanInput {
    /// The keynote's allocation: 25% each to Free, Medium, High and Premium, over
    /// `megawatts` for `hours`, with the given throughputs (tokens/s per MW) in that order.
    pub fn quarter_split(megawatts: Decimal, hours: Decimal, throughput: [Decimal; 4]) -> PlanInput {
        let quarter = Decimal::new(25, 2);
        let allocations = DEFAULT_SHARES
            .iter()
            .zip(throughput)
            .map(|(tier, tps)| Allocation { tier: tier.to_string(), share: quarter, tokens_per_second_per_mw: tps })
            .collect();
        PlanInput { megawatts, hours, allocations }
    }

    /// The input the bindings take: `shares` (tier, fraction) in order, by default 25%
    /// each of [`DEFAULT_SHARES`]; `throughput` gives each tier's tokens per second per
    /// megawatt (a tier without one is an [`Error::InvalidArgument`] naming it and the
    /// argument `throughput_name`, as the caller's language spells it).
    pub fn from_shares(
        megawatts: Decimal,
        hours: Decimal,
        shares: Option<Vec<(String, Decimal)>>,
        throughput_name: &'static str,
        throughput: impl Fn(&str) -> Option<Decimal>,
    ) -> Result<PlanInput> {
        let shares = shares.unwrap_or_else(|| DEFAULT_SHARES.iter().map(|t| (t.to_string(), Decimal::new(25, 2))).collect());
        let allocations = shares
            .into_iter()
            .map(|(tier, share)| match throughput(&tier) {
                Some(tps) => Ok(Allocation { tier, share, tokens_per_second_per_mw: tps }),
                None => Err(Error::InvalidArgument { name: throughput_name, reason: format!("no throughput for tier {tier:?}") }),
            })
            .collect::<Result<_>>()?;
        Ok(PlanInput { megawatts, hours, allocations })
    }
}

/// One tier of a plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TierPlan {
    /// The tier.
    pub tier: String,
    /// Its share of the power.
    pub share: Decimal,
    /// Its price per million tokens.
    pub price_per_million: Decimal,
    /// Tokens produced.
    pub tokens: Decimal,
    /// Revenue earned.
    pub revenue: Money,
}

/// The result of [`plan`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Per tier, in input order.
    pub tiers: Vec<TierPlan>,
    /// All tokens.
    pub total_tokens: Decimal,
    /// All revenue.
    pub total_revenue: Money,
}

/// Plans capacity against the tiers of `set` (normally [`tiers()`]).
pub fn plan(set: &ScheduleSet, input: &PlanInput) -> Result<Plan> {
    let bad = |path: String, reason: String| Error::InvalidSchedule { path, reason };
    if input.megawatts.is_sign_negative() || input.hours.is_sign_negative() {
        return Err(bad("megawatts/hours".into(), "must not be negative".into()));
    }
    let shares: Decimal = input.allocations.iter().map(|a| a.share).sum();
    if shares > Decimal::ONE {
        return Err(bad("allocations".into(), format!("shares add up to {shares}, more than 1")));
    }
    let currency = set.entries.first().map(|e| e.schedule.currency).unwrap_or(Currency::USD);
    let seconds = input.hours * Decimal::from(3600);
    let mut plan = Plan { tiers: Vec::new(), total_tokens: Decimal::ZERO, total_revenue: Money::zero(currency) };
    for (i, a) in input.allocations.iter().enumerate() {
        if a.share.is_sign_negative() || a.tokens_per_second_per_mw.is_sign_negative() {
            return Err(bad(format!("allocations[{i}]"), "share and throughput must not be negative".into()));
        }
        let schedule =
            set.get(&a.tier).ok_or_else(|| bad(format!("allocations[{i}].tier"), format!("no tier {:?} in {}", a.tier, set.name)))?;
        let price = schedule.rates.get(TokenClass::Output).unwrap_or_default();
        let overflow = || Error::Overflow(format!("capacity plan for tier {}", a.tier));
        let tokens = a
            .share
            .checked_mul(input.megawatts)
            .and_then(|x| x.checked_mul(a.tokens_per_second_per_mw))
            .and_then(|x| x.checked_mul(seconds))
            .ok_or_else(overflow)?;
        let revenue = Money::new(tokens.checked_mul(price).ok_or_else(overflow)? / Decimal::from(1_000_000), schedule.currency);
        plan.total_tokens += tokens;
        plan.total_revenue = plan.total_revenue.checked_add(revenue)?;
        plan.tiers.push(TierPlan { tier: a.tier.clone(), share: a.share, price_per_million: price, tokens, revenue });
    }
    Ok(plan)
}
