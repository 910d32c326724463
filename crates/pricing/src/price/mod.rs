//! Pricing: token counts become exact money.
//!
//! Data flows one way: a provider's `usage` object -> [`Usage`] (disjoint token
//! classes, [`providers`]) -> a [`Schedule`] (rates, tiers, multipliers) -> [`Charges`]
//! -> rounded invoice lines ([`crate::meter`]). Amounts are [`Decimal`]; no float is
//! ever involved.
//!
//! ```
//! use tokfare_pricing::price::{Catalog, Request, Schedule, Usage};
//! let catalog = Catalog::bundled();
//! let gpt4o = catalog.schedule("gpt-4o-2024-08-06")?;
//! let charges = gpt4o.price_request(&Request::new(Usage::tokens(1_000_000, 100_000)))?;
//! assert_eq!(charges.total().amount().normalize().to_string(), "3.5"); // $2.50 in + $1.00 out
//! # Ok::<(), tokfare_pricing::Error>(())
//! ```

mod catalog;
pub mod gtc;
mod money;
pub mod providers;
mod quote;
mod rate_card;
mod schedule;
mod spec;
mod tiers;
mod usage;

pub use catalog::{fields, store, Catalog, CatalogCheck, CatalogEntry, FieldReport, PriceBook, Resolution};
pub use money::{decimal_from_f64, parse_decimal, Currency, Money, Rounding, RoundingMode, Scale};
pub use providers::{parse_usage, usage_conditions, Provider};
pub use quote::{CatalogChoice, CatalogOptions, EstimateOptions, Quote, QuoteWarning};
pub use rate_card::{parent_class, ContextTier, GroundingPrice, RateSchedule, Rates, ServiceRule, TimeWindow, WebSearchPrices};
pub use rust_decimal::Decimal;
pub use schedule::{
    parse_endpoint, parse_speed, parse_timestamp, Basis, BasisField, Charge, ChargeItem, Charges, ConditionOptions, Conditions,
    MediaResolution, Region, Request, Schedule, SearchContextSize, Service, Uplift,
};
pub use spec::{ScheduleSet, ScheduleSetEntry};
pub use tiers::{Metric, PeriodTiers, Tier, TierMode};
pub use usage::{quantity, TokenClass, Unit, Usage};

pub(crate) use providers::usage_from_value;
