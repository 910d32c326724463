//! Budgets: "may this request run?" from an estimate before the call, settled with
//! the actual usage after it.
//!
//! `authorize` prices the estimate and allows the request if
//! `spent + reserved + estimate <= limit`; an allowed request holds a reservation of
//! its estimate until `settle` (which records the actual event and drops the
//! reservation) or `release` (the call never happened). Customers without a budget
//! are always allowed, and still get a reservation so callers have one code path.

use super::{Meter, Recorded, UsageEvent};
use crate::price::{Money, Request, Service, Usage};
use crate::{Error, Result};

/// A held estimate, returned by [`Meter::authorize`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReservationId(pub u64);

/// The answer to "may this request run?".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorization {
    /// Whether it fits the budget.
    pub allowed: bool,
    /// The priced estimate.
    pub estimate: Money,
    /// Recorded spend of the customer so far.
    pub spent: Money,
    /// Estimates of other requests allowed and not yet settled.
    pub reserved: Money,
    /// The budget, if the customer has one.
    pub limit: Option<Money>,
    /// `limit - spent - reserved` before this request, if there is a limit.
    pub remaining: Option<Money>,
    /// Present when allowed: pass it to `settle` or `release`.
    pub reservation: Option<ReservationId>,
}

impl Meter {
    /// Sets (or replaces) a customer's budget.
    pub fn set_budget(&mut self, customer: &str, limit: Money) -> Result<()> {
        if limit.amount().is_sign_negative() {
            return Err(Error::InvalidMoney(format!("budget of {customer} is negative ({limit})")));
        }
        self.budgets.insert(customer.to_string(), limit);
        Ok(())
    }

    /// A customer's budget.
    pub fn budget(&self, customer: &str) -> Option<Money> {
        self.budgets.get(customer).copied()
    }

    /// Decides whether a request estimated at `estimate` may run for `customer`.
    pub fn authorize(&mut self, customer: &str, model: &str, estimate: Usage, service: Service) -> Result<Authorization> {
        let schedule = self.book.resolve(model, None)?;
        let cost = schedule.price_request(&Request { usage: estimate, service, ..Request::default() })?.total();
        let currency = cost.currency();
        let spent = self.spent(customer, currency);
        let reserved = self
            .reservations
            .values()
            .filter(|(c, m)| c == customer && m.currency() == currency)
            .try_fold(Money::zero(currency), |sum, (_, m)| sum.checked_add(*m))?;
        let limit = self.budget(customer);
        let (allowed, remaining) = match limit {
            None => (true, None),
            Some(limit) => {
                if limit.currency() != currency {
                    return Err(Error::InvalidMoney(format!(
                        "budget of {customer} is in {}, {model} is priced in {currency}",
                        limit.currency()
                    )));
                }
                let remaining = limit.amount() - spent.amount() - reserved.amount();
                (cost.amount() <= remaining, Some(Money::new(remaining, currency)))
            }
        };
        let reservation = allowed.then(|| {
            self.next_reservation += 1;
            let id = ReservationId(self.next_reservation);
            self.reservations.insert(id, (customer.to_string(), cost));
            id
        });
        Ok(Authorization { allowed, estimate: cost, spent, reserved, limit, remaining, reservation })
    }

    /// Records the actual usage of an authorized request and drops its reservation.
    /// The reservation stays if recording fails, so the caller can retry.
    pub fn settle(&mut self, reservation: ReservationId, actual: UsageEvent) -> Result<Recorded> {
        if !self.reservations.contains_key(&reservation) {
            return Err(Error::InvalidArgument { name: "reservation", reason: format!("{reservation:?} is not held") });
        }
        let outcome = self.record(actual)?;
        self.reservations.remove(&reservation);
        Ok(outcome)
    }

    /// Drops a reservation without recording anything (the call did not happen).
    pub fn release(&mut self, reservation: ReservationId) -> bool {
        self.reservations.remove(&reservation).is_some()
    }
}
