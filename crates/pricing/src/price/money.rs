//! Exact money: a decimal amount with its currency, and explicit rounding.
//!
//! Amounts are [`Decimal`] (96-bit integer mantissa, scale up to 28): additions and
//! multiplications by rates are exact; nothing here ever goes through a float. Rounding
//! happens only where a document is produced (an invoice line or total), with the
//! [`Rounding`] the schedule states.

use crate::{Error, Result};
use rust_decimal::{Decimal, RoundingStrategy};
use std::fmt;
use std::str::FromStr;

/// An ISO 4217 currency code (three ASCII capitals) with its minor unit.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    /// US dollar, the default everywhere (providers publish prices in USD).
    pub const USD: Currency = Currency(*b"USD");

    /// Parses a code such as `"EUR"` (case-insensitive). Only active ISO 4217 codes
    /// with a minor unit are money here: `"XYZ"` is refused, and so are the codes of
    /// metals, testing and "no currency" (XAU, XTS, XXX ...), which have no minor unit
    /// to round to.
    pub fn new(code: &str) -> Result<Currency> {
        let bytes = code.as_bytes();
        if bytes.len() != 3 || !bytes.iter().all(u8::is_ascii_alphabetic) {
            return Err(Error::InvalidMoney(format!("{code:?} is not an ISO 4217 currency code (three letters)")));
        }
        let currency = Currency::stored(code)?;
        match iso_currency::Currency::from_code(currency.code()).map(|c| c.exponent()) {
            Some(Some(_)) => Ok(currency),
            Some(None) => Err(Error::InvalidMoney(format!("{code:?} has no minor unit in ISO 4217 (a metal, a test code or no currency)"))),
            None => Err(Error::InvalidMoney(format!("{code:?} is not an ISO 4217 currency code"))),
        }
    }

    /// A code read back from stored records (a journal line, a database row): three
    /// letters, as [`Currency::new`] admitted them when the record was written. Not
    /// checked against the ISO 4217 list again, so a code withdrawn since (ANG, VEF)
    /// keeps old records readable.
    pub fn stored(code: &str) -> Result<Currency> {
        let bytes = code.as_bytes();
        if bytes.len() != 3 || !bytes.iter().all(u8::is_ascii_alphabetic) {
            return Err(Error::InvalidMoney(format!("{code:?} is not a currency code (three letters)")));
        }
        Ok(Currency([bytes[0].to_ascii_uppercase(), bytes[1].to_ascii_uppercase(), bytes[2].to_ascii_uppercase()]))
    }

    /// The three-letter code.
    pub fn code(&self) -> &str {
        std::str::from_utf8(&self.0).expect("built from ASCII letters only")
    }

    /// Digits after the decimal point of the currency's minor unit (ISO 4217): 2 for
    /// most, 0 for e.g. JPY and KRW, 3 for e.g. KWD and BHD, 4 for CLF and UYW.
    pub fn minor_unit(&self) -> u32 {
        // `new` admits only codes with an exponent; a stored code no longer listed
        // (`stored`) rounds to cents, as most currencies do.
        iso_currency::Currency::from_code(self.code()).and_then(|c| c.exponent()).map_or(2, u32::from)
    }
}

impl Default for Currency {
    fn default() -> Self {
        Currency::USD
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.code())
    }
}

/// How to round to the chosen scale. `Up` and `Down` are away from and toward zero.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum RoundingMode {
    /// Banker's rounding: ties go to the even digit (no bias over many lines). Default.
    #[default]
    HalfEven,
    /// Ties away from zero (the schoolbook rule).
    HalfUp,
    /// Always away from zero: any fraction of a cent is charged as a cent.
    Up,
    /// Always toward zero (truncate).
    Down,
}

impl RoundingMode {
    fn strategy(self) -> RoundingStrategy {
        match self {
            RoundingMode::HalfEven => RoundingStrategy::MidpointNearestEven,
            RoundingMode::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            RoundingMode::Up => RoundingStrategy::AwayFromZero,
            RoundingMode::Down => RoundingStrategy::ToZero,
        }
    }
}

impl FromStr for RoundingMode {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().replace('-', "_").as_str() {
            "half_even" => Ok(RoundingMode::HalfEven),
            "half_up" => Ok(RoundingMode::HalfUp),
            "up" => Ok(RoundingMode::Up),
            "down" => Ok(RoundingMode::Down),
            _ => Err(Error::InvalidMoney(format!("unknown rounding mode {s:?} (half_even, half_up, up, down)"))),
        }
    }
}

/// Digits kept after rounding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Scale {
    /// The currency's minor unit (cents for USD). Default.
    #[default]
    MinorUnit,
    /// A fixed number of decimals (e.g. 6 for sub-cent usage statements).
    Decimals(u32),
}

/// Where and how amounts are rounded when a document is produced.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Rounding {
    /// The rule for the dropped digits.
    pub mode: RoundingMode,
    /// How many digits are kept.
    pub scale: Scale,
}

impl Rounding {
    /// Digits kept for amounts in `currency`.
    pub fn decimals(&self, currency: Currency) -> u32 {
        match self.scale {
            Scale::MinorUnit => currency.minor_unit(),
            Scale::Decimals(d) => d,
        }
    }

    /// Rounds an amount in `currency`.
    /// The result always has exactly that many decimals (`0.00`, not `0`).
    pub fn apply(&self, amount: Decimal, currency: Currency) -> Decimal {
        let decimals = self.decimals(currency);
        let mut rounded = amount.round_dp_with_strategy(decimals, self.mode.strategy());
        rounded.rescale(decimals);
        rounded
    }
}

/// An exact amount of money.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// `amount` of `currency`, at full precision.
    pub fn new(amount: Decimal, currency: Currency) -> Money {
        Money { amount, currency }
    }

    /// Zero in `currency`.
    pub fn zero(currency: Currency) -> Money {
        Money { amount: Decimal::ZERO, currency }
    }

    /// Parses a decimal string such as `"12.345"` in `currency` (no floats, no exponent
    /// surprises: the digits given are the digits kept).
    pub fn parse(amount: &str, currency: Currency) -> Result<Money> {
        Ok(Money { amount: parse_decimal(amount)?, currency })
    }

    /// The amount, unrounded.
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The sum; amounts in different currencies are never added.
    pub fn checked_add(self, other: Money) -> Result<Money> {
        if self.currency != other.currency {
            return Err(Error::InvalidMoney(format!("cannot add {} to {}", other.currency, self.currency)));
        }
        let amount = self.amount.checked_add(other.amount).ok_or_else(|| Error::Overflow(format!("{self} + {other}")))?;
        Ok(Money { amount, currency: self.currency })
    }

    /// This amount rounded as `rounding` says.
    pub fn round(self, rounding: Rounding) -> Money {
        Money { amount: rounding.apply(self.amount, self.currency), currency: self.currency }
    }
}

impl fmt::Display for Money {
    /// `12.345 USD` (full precision; round first for a document).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount.normalize(), self.currency)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Money({self})")
    }
}

/// Parses a decimal written in plain or scientific notation (`"2.5"`, `"2.5e-6"`),
/// exactly: a number that a 96-bit decimal cannot hold without rounding (more than 28
/// significant digits, or a scale past 28) is an error, never a rounded value
/// (`Decimal::from_str` and `from_scientific` round such text silently).
pub fn parse_decimal(text: &str) -> Result<Decimal> {
    let t = text.trim();
    let bad = |why: String| Error::InvalidMoney(format!("{text:?} is not a decimal number tokfare reads exactly: {why}"));
    let (digits, exponent) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], t[i + 1..].parse::<i32>().map_err(|e| bad(format!("exponent: {e}")))?),
        None => (t, 0),
    };
    let d = Decimal::from_str_exact(digits).map_err(|e| bad(format!("{e} (at most 28 significant digits)")))?;
    if exponent == 0 {
        return Ok(d);
    }
    let d = d.normalize();
    if exponent < 0 {
        let scale =
            d.scale().checked_add(exponent.unsigned_abs()).filter(|s| *s <= 28).ok_or_else(|| bad("more than 28 decimal places".into()))?;
        let mut out = d;
        out.set_scale(scale).map_err(|e| bad(e.to_string()))?;
        return Ok(out);
    }
    let mut out = d;
    for _ in 0..exponent.min(29) {
        out = out.checked_mul(Decimal::TEN).ok_or_else(|| bad("too large".into()))?;
    }
    if exponent > 28 && !out.is_zero() {
        return Err(bad("too large".into()));
    }
    Ok(out.normalize())
}

/// The decimal a JSON or TOML number stands for. Parsers hand such numbers over as
/// `f64`; its shortest round-trip form is exactly the digits written in the file for
/// any number with up to 15 significant digits (every published price), so `2.5e-06`
/// becomes exactly 0.0000025. Write prices as strings to keep more digits.
pub fn decimal_from_f64(value: f64) -> Result<Decimal> {
    if !value.is_finite() {
        return Err(Error::InvalidMoney(format!("{value} is not a finite number")));
    }
    // `{}` on f64 prints the shortest digits that round-trip, never an exponent.
    Decimal::from_str(&format!("{value}"))
        .or_else(|_| Decimal::from_scientific(&format!("{value:e}")))
        .map_err(|e| Error::InvalidMoney(format!("{value} cannot be represented exactly as a decimal: {e}")))
}

#[cfg(test)]
mod tests {

    #[test]
    fn decimals_are_read_exactly_or_refused() {
        for (text, want) in
            [("2.5", "2.5"), ("2.5e-6", "0.0000025"), ("1.5E3", "1500"), (" 0.10 ", "0.10"), ("-3e-2", "-0.03"), ("0e40", "0")]
        {
            assert_eq!(parse_decimal(text).expect(text).to_string(), want, "{text}");
        }
        // 29 significant digits, or a scale past 28: would be rounded, so refused.
        for text in [
            "0.12345678901234567890123456789",
            "99999999999999999999.999999999999999999",
            "1e-29",
            "1.23456789012345678901234567891e0",
            "1e29",
            "x",
            "1e",
        ] {
            assert!(parse_decimal(text).is_err(), "{text}");
        }
    }
    use super::*;

    fn d(s: &str) -> Decimal {
        parse_decimal(s).expect("test decimal")
    }

    #[test]
    fn rounding_modes_at_a_tie_and_off_a_tie() {
        let usd = Currency::USD;
        let r = |mode| Rounding { mode, scale: Scale::MinorUnit };
        assert_eq!(r(RoundingMode::HalfEven).apply(d("0.125"), usd), d("0.12"));
        assert_eq!(r(RoundingMode::HalfEven).apply(d("0.135"), usd), d("0.14"));
        assert_eq!(r(RoundingMode::HalfUp).apply(d("0.125"), usd), d("0.13"));
        assert_eq!(r(RoundingMode::Up).apply(d("0.1201"), usd), d("0.13"));
        assert_eq!(r(RoundingMode::Down).apply(d("0.1299"), usd), d("0.12"));
        let jpy = Currency::new("jpy").expect("JPY");
        assert_eq!(r(RoundingMode::HalfEven).apply(d("102.5"), jpy), d("102"));
        let six = Rounding { mode: RoundingMode::HalfUp, scale: Scale::Decimals(6) };
        assert_eq!(six.apply(d("0.0000025"), usd), d("0.000003"));
    }

    #[test]
    fn floats_from_files_become_the_written_digits() {
        assert_eq!(decimal_from_f64(2.5e-06).expect("finite"), d("0.0000025"));
        assert_eq!(decimal_from_f64(1.5e-07).expect("finite"), d("0.00000015"));
        assert_eq!(decimal_from_f64(3.75e-06).expect("finite") * Decimal::from(1_000_000), d("3.75"));
        assert!(decimal_from_f64(f64::NAN).is_err());
    }

    #[test]
    fn currencies_do_not_mix() {
        let eur = Currency::new("EUR").expect("EUR");
        assert!(Money::zero(Currency::USD).checked_add(Money::zero(eur)).is_err());
        assert!(Currency::new("US").is_err());
        assert!(Currency::new("U$D").is_err());
        assert_eq!(Currency::new("kwd").expect("KWD").minor_unit(), 3);
    }

    #[test]
    fn only_iso_4217_currencies_with_a_minor_unit_are_money() {
        let e = Currency::new("XYZ").expect_err("not a currency").to_string();
        assert!(e.contains("\"XYZ\" is not an ISO 4217 currency code"), "{e}");
        for code in ["XAU", "XXX", "XTS", "XDR"] {
            let e = Currency::new(code).expect_err(code).to_string();
            assert!(e.contains("has no minor unit"), "{e}");
        }
        let unit = |code: &str| Currency::new(code).expect(code).minor_unit();
        assert_eq!([unit("USD"), unit("JPY"), unit("KRW"), unit("BHD"), unit("CLF"), unit("UYW"), unit("EUR")], [2, 0, 0, 3, 4, 4, 2]);
        // Stored records keep reading whatever three letters they were written with.
        assert_eq!(Currency::stored("xyz").expect("stored").code(), "XYZ");
        assert!(Currency::stored("US").is_err());
    }
}
