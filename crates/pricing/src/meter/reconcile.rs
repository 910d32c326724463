//! Reconciliation: the cost estimated before a call (from the prompt text) against
//! the provider-reported usage after it, per model, so billing teams see drift.

use crate::price::{Currency, PriceBook, Request, Usage};
use crate::{Error, Result};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Estimated vs actual for one model.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Drift {
    /// Calls compared.
    pub calls: u64,
    /// Prompt tokens estimated / reported.
    pub estimated_prompt_tokens: u64,
    /// Prompt tokens the provider reported.
    pub actual_prompt_tokens: u64,
    /// Cost of the estimates (unrounded).
    pub estimated_cost: Decimal,
    /// Cost of the reported usage (unrounded).
    pub actual_cost: Decimal,
    /// Currency of both costs.
    pub currency: Currency,
}

impl Drift {
    /// `actual - estimated`.
    pub fn cost_difference(&self) -> Decimal {
        self.actual_cost - self.estimated_cost
    }

    /// `(actual - estimated) / estimated` in percent, rounded to 2 decimals (`None`
    /// when the estimate is zero).
    pub fn cost_drift_percent(&self) -> Option<Decimal> {
        if self.estimated_cost.is_zero() {
            return None;
        }
        Some((self.cost_difference() * Decimal::ONE_HUNDRED / self.estimated_cost).round_dp(2))
    }

    /// `actual - estimated` prompt tokens (a tokenizer or prompt-template mismatch shows here).
    pub fn prompt_token_difference(&self) -> i128 {
        self.actual_prompt_tokens as i128 - self.estimated_prompt_tokens as i128
    }
}

/// Drift per model.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reconciliation {
    /// By model name.
    pub models: BTreeMap<String, Drift>,
}

/// Compares `(model, estimated usage, actual usage)` triples priced with `book`.
pub fn reconcile<'a>(book: &PriceBook, calls: impl IntoIterator<Item = (&'a str, Usage, Usage)>) -> Result<Reconciliation> {
    let mut out = Reconciliation::default();
    for (model, estimated, actual) in calls {
        let schedule = book.resolve(model, None)?;
        let estimated_cost = schedule.price_request(&Request::new(estimated))?.total();
        let actual_cost = schedule.price_request(&Request::new(actual))?.total();
        let row = out.models.entry(model.to_string()).or_insert_with(|| Drift { currency: schedule.currency(), ..Drift::default() });
        // Checked: `+=` wraps integers in release builds and panics past Decimal's range.
        let overflow = |what: &str| Error::Overflow(format!("{what} of {model}"));
        row.calls = row.calls.checked_add(1).ok_or_else(|| overflow("calls"))?;
        row.estimated_prompt_tokens =
            row.estimated_prompt_tokens.checked_add(estimated.prompt_tokens()).ok_or_else(|| overflow("estimated prompt tokens"))?;
        row.actual_prompt_tokens =
            row.actual_prompt_tokens.checked_add(actual.prompt_tokens()).ok_or_else(|| overflow("actual prompt tokens"))?;
        row.estimated_cost = row.estimated_cost.checked_add(estimated_cost.amount()).ok_or_else(|| overflow("estimated cost"))?;
        row.actual_cost = row.actual_cost.checked_add(actual_cost.amount()).ok_or_else(|| overflow("actual cost"))?;
    }
    Ok(out)
}
