//! Budgets: "may this request run?" from an estimate before the call, settled with
//! the actual usage after it.
//!
//! `authorize` prices the estimate and allows the request if
//! `spent + reserved + estimate <= limit` ([`decide`], the one place the rule lives);
//! an allowed request holds a reservation of its estimate until `settle` (which
//! records the actual event and drops the reservation), `release` (the call never
//! happened) or its expiry ([`Meter::set_reservation_ttl`], 15 minutes by default: a
//! caller that died does not hold budget forever). The store reads, decides and holds
//! in one atomic step, so processes racing on one customer never overspend. Customers
//! without a budget are always allowed, and still get a reservation so callers have
//! one code path.

use super::{Meter, Recorded, UsageEvent};
use crate::price::{Money, Request, Service, Usage};
use crate::{Error, Result};
use chrono::{DateTime, Utc};

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
    /// Estimates of other requests allowed and not yet settled, released or expired.
    pub reserved: Money,
    /// The budget, if the customer has one.
    pub limit: Option<Money>,
    /// `limit - spent - reserved` before this request, if there is a limit.
    pub remaining: Option<Money>,
    /// Present when allowed: pass it to `settle` or `release`.
    pub reservation: Option<ReservationId>,
}

/// Whether `estimate` fits: `spent + reserved + estimate <= limit`, always without a
/// limit; a limit in another currency is an error.
pub fn decide(customer: &str, estimate: Money, spent: Money, reserved: Money, limit: Option<Money>) -> Result<bool> {
    let Some(limit) = limit else { return Ok(true) };
    if limit.currency() != estimate.currency() {
        return Err(Error::InvalidMoney(format!(
            "budget of {customer} is in {}, the request is priced in {}",
            limit.currency(),
            estimate.currency()
        )));
    }
    let remaining = limit.amount().checked_sub(spent.amount()).and_then(|r| r.checked_sub(reserved.amount()));
    Ok(remaining.is_some_and(|r| estimate.amount() <= r))
}

impl Meter {
    /// Sets (or replaces) a customer's budget.
    pub fn set_budget(&mut self, customer: &str, limit: Money) -> Result<()> {
        if limit.amount().is_sign_negative() {
            return Err(Error::InvalidMoney(format!("budget of {customer} is negative ({limit})")));
        }
        self.store.set_budget(customer, limit)
    }

    /// A customer's budget.
    pub fn budget(&self, customer: &str) -> Result<Option<Money>> {
        self.store.budget(customer)
    }

    /// How long a reservation is held before it expires (default 15 minutes).
    pub fn set_reservation_ttl(&mut self, ttl: std::time::Duration) -> Result<()> {
        self.reservation_ttl = chrono::Duration::from_std(ttl)
            .ok()
            .filter(|d| *d > chrono::Duration::zero())
            .ok_or_else(|| Error::InvalidArgument { name: "ttl", reason: format!("{ttl:?} is not a positive duration") })?;
        Ok(())
    }

    /// Decides whether a request estimated at `estimate` may run for `customer`, now.
    pub fn authorize(&mut self, customer: &str, model: &str, estimate: Usage, service: Service) -> Result<Authorization> {
        self.authorize_at(customer, model, estimate, service, DateTime::<Utc>::from(std::time::SystemTime::now()))
    }

    /// [`Meter::authorize`] at a given time (reservations expire relative to it).
    pub fn authorize_at(
        &mut self,
        customer: &str,
        model: &str,
        estimate: Usage,
        service: Service,
        now: DateTime<Utc>,
    ) -> Result<Authorization> {
        let schedule = self.book.resolve(model, None)?;
        let cost = schedule.price_request(&Request { usage: estimate, service, ..Request::default() })?.total();
        let expires = now.checked_add_signed(self.reservation_ttl).unwrap_or(DateTime::<Utc>::MAX_UTC);
        let held = self.store.reserve(customer, cost, now, expires)?;
        let remaining = held
            .limit
            .map(|l| {
                let r = l.amount().checked_sub(held.spent.amount()).and_then(|r| r.checked_sub(held.reserved.amount()));
                r.map(|r| Money::new(r, l.currency())).ok_or_else(|| Error::Overflow(format!("remaining budget of {customer}")))
            })
            .transpose()?;
        Ok(Authorization {
            allowed: held.allowed,
            estimate: cost,
            spent: held.spent,
            reserved: held.reserved,
            limit: held.limit,
            remaining,
            reservation: held.reservation,
        })
    }

    /// Records the actual usage of an authorized request, then drops its reservation.
    /// The usage is recorded even when the reservation has expired or was released
    /// (the call happened); if recording fails the reservation stays, so the caller
    /// can retry (a retry of a recorded event is a duplicate). Between the two steps
    /// (two transactions in a database) the actual and the estimate both count against
    /// the budget for a moment: a racing request may be refused, never overspent.
    pub fn settle(&mut self, reservation: ReservationId, actual: UsageEvent) -> Result<Recorded> {
        let outcome = self.record(actual)?;
        self.store.release(reservation)?;
        Ok(outcome)
    }

    /// Drops a reservation without recording anything (the call did not happen);
    /// false if it was not held.
    pub fn release(&mut self, reservation: ReservationId) -> Result<bool> {
        self.store.release(reservation)
    }
}
