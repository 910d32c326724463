//! # tokfare-pricing
//!
//! The pricing half of [tokfare](https://docs.rs/tokfare): token counts become exact
//! money, and usage events become invoices. It knows nothing of tokenizers (the
//! `tokfare` crate joins the two: `tokfare::estimate`).
//!
//! Data flows one way: a provider's `usage` object -> [usage](price::Usage) ->
//! [schedule](price::Schedule) -> [charges](price::Charges) -> [quote](price::Quote) or
//! [meter](meter) -> [invoice](meter::Invoice). Amounts are exact decimals, never floats.
#![deny(missing_docs)]

mod error;
pub mod meter;
pub mod price;

pub use error::{Error, Result, ERROR_CODES};
