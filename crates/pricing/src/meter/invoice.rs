//! Invoices: line items per group (customer, model ...) with quantities, rates and
//! amounts, rounded as each schedule says.
//!
//! Rules: charges with the same group, schedule, item, basis and effective rate are
//! summed into one line (a request priced at a long-context rate gets its own line,
//! named so: `input tokens (prompt above 200000 tokens)`; see [`Basis`]). Each
//! line's amount is rounded once, from the exact sum of its charges; subtotals and
//! totals are sums of rounded lines, so the document adds up. Period tiers
//! (graduated/volume) are priced per invoice group and calendar period
//! (`InvoiceOptions::period`) on that group's summed usage.
//!
//! An invoice reads the store's sums (month, day and hour sums covering its time range,
//! and the events of a partial hour at its edges), never every event: memory grows
//! with the groups and lines of the invoice, not with the events. Period tiers are
//! priced on the usage inside the range.

use super::event::push_json_string;
use super::priced::{charge_code, parse_charge_code};
use super::store::{exact_add, RollupItem, TimeRange};
use super::{whole, GroupBy, Meter, Period};
use crate::price::{Basis, BasisField, ChargeItem, Currency, QuoteWarning, Schedule, Usage};
use crate::{Error, Result};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// What an invoice groups by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvoiceOptions {
    /// Dimensions of each line's group (default customer, model).
    pub group_by: Vec<GroupBy>,
    /// Billing period for period tiers (default month).
    pub period: Period,
    /// Events invoiced, by timestamp (default all).
    pub range: TimeRange,
}

impl Default for InvoiceOptions {
    fn default() -> Self {
        InvoiceOptions { group_by: GroupBy::DEFAULT.to_vec(), period: Period::Month, range: TimeRange::ALL }
    }
}

impl InvoiceOptions {
    /// The same options limited to the events from `start` (included) to `end`
    /// (excluded): RFC 3339, `YYYY-MM-DD` or `YYYY-MM`, UTC ([`TimeRange::parse`]).
    pub fn between(mut self, start: Option<&str>, end: Option<&str>) -> Result<InvoiceOptions> {
        self.range = TimeRange::parse(start, end)?;
        Ok(self)
    }

    /// Options from names as the front-ends take them: `group_by` as for
    /// [`GroupBy::parse_list`], `period` `hour`, `day` or `month`; `None` is the default.
    pub fn from_names<S: AsRef<str>>(group_by: Option<&[S]>, period: Option<&str>) -> Result<InvoiceOptions> {
        let default = InvoiceOptions::default();
        Ok(InvoiceOptions {
            group_by: GroupBy::parse_list(group_by)?,
            period: period.map(str::parse).transpose()?.unwrap_or(default.period),
            range: default.range,
        })
    }
}

/// `(dimension, value)` pairs naming a group, in the order of `group_by`.
pub type Group = Vec<(&'static str, String)>;

/// The sum of a group's rounded lines in one currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subtotal {
    /// The group.
    pub group: Group,
    /// The currency.
    pub currency: Currency,
    /// Sum of the group's rounded lines.
    pub amount: Decimal,
}

/// One line item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvoiceLine {
    /// Its group.
    pub group: Group,
    /// The schedule that priced it.
    pub schedule: String,
    /// What is charged, and why at this rate when not the schedule's own (`input
    /// tokens`, `input tokens (prompt above 200000 tokens, batch)`, `requests`, `tokens
    /// tier 2` ...).
    pub item: String,
    /// Machine-readable item and basis (`tokens:input`, `tokens:input|ctx>200000`,
    /// `tier:tokens:1` ...).
    pub item_code: String,
    /// Why the rate is what it is (empty for the schedule's own rate).
    pub basis: Basis,
    /// Units charged.
    pub quantity: u64,
    /// Price of `per` units.
    pub unit_price: Decimal,
    /// Units the price is for.
    pub per: u64,
    /// The rounded amount.
    pub amount: Decimal,
    /// The exact amount before rounding.
    pub exact_amount: Decimal,
    /// Currency of the amount.
    pub currency: Currency,
}

/// An invoice (see the module docs for the rounding rules).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invoice {
    /// Line items, sorted by group, schedule and item.
    pub lines: Vec<InvoiceLine>,
    /// Sum of rounded lines per group and currency.
    pub subtotals: Vec<Subtotal>,
    /// Sum of rounded lines per currency.
    pub totals: BTreeMap<Currency, Decimal>,
    /// Events invoiced.
    pub events: usize,
    /// What the reader should know about the models invoiced (a deprecation date in the
    /// catalog, a price field left out at the caller's request), each once.
    pub warnings: Vec<QuoteWarning>,
}

type LineKey = (Vec<String>, String, ChargeItem, Basis, Decimal, u64, Currency);

impl Meter {
    /// The invoice of the events in `options.range` (everything by default).
    pub fn invoice(&self, options: &InvoiceOptions) -> Result<Invoice> {
        let names: Vec<&'static str> = options.group_by.iter().map(|g| g.name()).collect();
        let mut lines: BTreeMap<LineKey, (u64, Decimal)> = BTreeMap::new();
        let mut schedules: BTreeMap<String, std::sync::Arc<dyn Schedule>> = BTreeMap::new();
        let mut period_usage: BTreeMap<(Vec<String>, String, String), Usage> = BTreeMap::new();
        let mut priced_by: std::collections::BTreeSet<(String, String)> = std::collections::BTreeSet::new();
        let mut events: usize = 0;
        let coarsest = GroupBy::coarsest(&options.group_by, super::store::Level::of(options.period));
        self.rollups(&options.range, coarsest, |row| {
            let key = &row.key;
            let group: Vec<String> = options.group_by.iter().map(|g| g.value(key)).collect();
            // An overflow names the group and period it happened in.
            let period = options.period.label(super::store::hour_start(key.start));
            let at = |e: Error| overflow_in(e, &names, &group, &period);
            if !schedules.contains_key(&key.schedule) {
                schedules.insert(key.schedule.clone(), self.schedule_of(&key.model, &key.schedule)?);
            }
            match row.item {
                RollupItem::Events => {
                    events = usize::try_from(row.sums.count)
                        .ok()
                        .and_then(|n| events.checked_add(n))
                        .ok_or_else(|| Error::Overflow("events invoiced".into()))?;
                    if !priced_by.contains(&(key.model.clone(), key.schedule.clone())) {
                        priced_by.insert((key.model.clone(), key.schedule.clone()));
                    }
                }
                RollupItem::Quantity(name) => {
                    let quantity = whole(row.sums.quantity, &name).map_err(at)?;
                    let usage = period_usage.entry((group.clone(), key.schedule.clone(), period.clone())).or_default();
                    usage.add_by_name(&name, quantity).map_err(at)?;
                }
                RollupItem::Charge(code, unit_price, per) => {
                    let (item, basis) = parse_charge_code(&code).ok_or_else(|| Error::Store {
                        store: self.location(),
                        reason: format!("unknown charge item {code:?} in the stored sums"),
                    })?;
                    let quantity = whole(row.sums.quantity, &code).map_err(at)?;
                    let slot = lines.entry((group.clone(), key.schedule.clone(), item, basis, unit_price, per, key.currency)).or_default();
                    slot.0 = slot.0.checked_add(quantity).ok_or_else(|| at(Error::Overflow(format!("summed {code} quantity"))))?;
                    // Exact: a sum that would round past 28 digits is an overflow, as in the stores.
                    slot.1 = exact_add(slot.1, row.sums.amount, &format!("summed {code} amount")).map_err(at)?;
                }
            }
            Ok(())
        })?;
        // Period tiers, per group, schedule and calendar period.
        for ((group, schedule_name, period), usage) in &period_usage {
            let schedule = &schedules[schedule_name];
            let at = |e: Error| overflow_in(e, &names, group, period);
            let charges = schedule.price_period(usage).map_err(at)?;
            for charge in charges.lines {
                let code = charge_code(&charge.item, &charge.basis);
                let key =
                    (group.clone(), schedule_name.clone(), charge.item, charge.basis, charge.unit_price, charge.per, charges.currency);
                let slot = lines.entry(key).or_default();
                slot.0 = slot.0.checked_add(charge.quantity).ok_or_else(|| at(Error::Overflow(format!("summed {code} quantity"))))?;
                slot.1 = exact_add(slot.1, charge.amount, &format!("summed {code} amount")).map_err(at)?;
            }
        }
        let mut warnings: Vec<QuoteWarning> = Vec::new();
        for (model, schedule) in &priced_by {
            for w in self.book().catalog_warnings(model, schedule) {
                if !warnings.contains(&w) {
                    warnings.push(w);
                }
            }
        }
        let mut invoice = Invoice { lines: Vec::new(), subtotals: Vec::new(), totals: BTreeMap::new(), events, warnings };
        let mut subtotals: BTreeMap<(Vec<String>, Currency), Decimal> = BTreeMap::new();
        for ((group, schedule, item, basis, unit_price, per, currency), (quantity, exact)) in lines {
            let r = schedules[&schedule].rounding();
            let amount = r.apply(exact, currency);
            // Checked, not `+=` (which panics past Decimal's range).
            let sub = subtotals.entry((group.clone(), currency)).or_default();
            *sub = exact_add(*sub, amount, "a subtotal")?;
            let total = invoice.totals.entry(currency).or_default();
            *total = exact_add(*total, amount, "the total")?;
            invoice.lines.push(InvoiceLine {
                group: names.iter().copied().zip(group).collect(),
                schedule,
                item: if basis.is_empty() { item.to_string() } else { format!("{item} ({basis})") },
                item_code: charge_code(&item, &basis),
                basis,
                quantity,
                unit_price: unit_price.normalize(),
                per,
                amount,
                exact_amount: exact.normalize(),
                currency,
            });
        }
        invoice.subtotals = subtotals
            .into_iter()
            .map(|((group, currency), amount)| Subtotal { group: names.iter().copied().zip(group).collect(), currency, amount })
            .collect();
        Ok(invoice)
    }
}

impl Invoice {
    /// The columns naming a line before its item: the group's dimensions, then
    /// `schedule` unless the lines are grouped by it (lines of two schedules with the
    /// same item must not look alike). The CSV and the CLI's table both start so.
    pub fn label_columns(&self) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = self.lines.first().map(|l| l.group.iter().map(|g| g.0).collect()).unwrap_or_default();
        if !names.contains(&"schedule") {
            names.push("schedule");
        }
        names
    }

    /// A line's values for [`Invoice::label_columns`].
    pub fn labels<'a>(&self, line: &'a InvoiceLine) -> Vec<&'a str> {
        let mut values: Vec<&'a str> = line.group.iter().map(|g| g.1.as_str()).collect();
        if !line.group.iter().any(|g| g.0 == "schedule") {
            values.push(&line.schedule);
        }
        values
    }

    /// CSV with a header: the group columns, then schedule (unless grouped by it),
    /// item, quantity, unit_price, per, amount, currency, then item_code and the line's
    /// basis — context_above, service, window, rate_of (empty when not) — after the
    /// columns earlier versions wrote (RFC 4180 quoting).
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        let header: Vec<&str> = self
            .label_columns()
            .into_iter()
            .chain(["item", "quantity", "unit_price", "per", "amount", "currency", "item_code"])
            .chain(Basis::FIELDS)
            .collect();
        out.push_str(&header.join(","));
        out.push('\n');
        for line in &self.lines {
            let mut cells: Vec<String> = self.labels(line).into_iter().map(csv_cell).collect();
            cells.push(csv_cell(&line.item));
            cells.push(line.quantity.to_string());
            cells.push(line.unit_price.to_string());
            cells.push(line.per.to_string());
            cells.push(line.amount.to_string());
            cells.push(line.currency.to_string());
            cells.push(csv_cell(&line.item_code));
            let fields = line.basis.fields();
            for name in Basis::FIELDS {
                cells.push(fields.iter().find(|(n, _)| *n == name).map(|(_, v)| csv_cell(&v.to_string())).unwrap_or_default());
            }
            out.push_str(&cells.join(","));
            out.push('\n');
        }
        out
    }

    /// JSON: `{"lines": [...], "subtotals": [...], "totals": {"USD": "12.34"}, "events": N,
    /// "warnings": [...]}`; amounts and rates are decimal strings.
    pub fn to_json(&self) -> String {
        let group = |out: &mut String, g: &[(&str, String)]| {
            out.push('{');
            for (i, (k, v)) in g.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_json_string(out, k);
                out.push(':');
                push_json_string(out, v);
            }
            out.push('}');
        };
        let mut out = String::from("{\"lines\":[");
        for (i, l) in self.lines.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("\n  {\"group\":");
            group(&mut out, &l.group);
            out.push_str(",\"schedule\":");
            push_json_string(&mut out, &l.schedule);
            out.push_str(",\"item\":");
            push_json_string(&mut out, &l.item);
            out.push_str(",\"item_code\":");
            push_json_string(&mut out, &l.item_code);
            out.push_str(",\"basis\":{");
            for (i, (name, value)) in l.basis.fields().into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_json_string(&mut out, name);
                out.push(':');
                match value {
                    BasisField::Number(n) => out.push_str(&n.to_string()),
                    BasisField::Text(t) => push_json_string(&mut out, &t),
                }
            }
            out.push('}');
            out.push_str(&format!(
                ",\"quantity\":{},\"unit_price\":\"{}\",\"per\":{},\"amount\":\"{}\",\"exact_amount\":\"{}\",\"currency\":\"{}\"}}",
                l.quantity, l.unit_price, l.per, l.amount, l.exact_amount, l.currency
            ));
        }
        out.push_str("\n],\"subtotals\":[");
        for (i, sub) in self.subtotals.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("\n  {\"group\":");
            group(&mut out, &sub.group);
            out.push_str(&format!(",\"amount\":\"{}\",\"currency\":\"{}\"}}", sub.amount, sub.currency));
        }
        out.push_str("\n],\"totals\":{");
        for (i, (currency, amount)) in self.totals.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&format!("\"{currency}\":\"{amount}\""));
        }
        out.push_str(&format!("}},\"events\":{},\"warnings\":[", self.events));
        for (i, w) in self.warnings.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_json_string(&mut out, &w.to_string());
        }
        out.push_str("]}\n");
        out
    }
}

/// An overflow error with the invoice group and period it happened in (other errors
/// unchanged).
fn overflow_in(e: Error, names: &[&str], group: &[String], period: &str) -> Error {
    match e {
        Error::Overflow(what) => {
            let group: Vec<String> = names.iter().zip(group).map(|(n, v)| format!("{n}={v}")).collect();
            let of = if group.is_empty() { "the invoice".to_string() } else { group.join(" ") };
            Error::Overflow(format!("{what} of {of} in {period} is out of range"))
        }
        other => other,
    }
}

/// A text cell of the CSV (RFC 4180 quoting). A cell a spreadsheet would run as a
/// formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed
/// with `'` and quoted, as OWASP advises against CSV injection: customer names and
/// tags come from the usage logs.
fn csv_cell(text: &str) -> String {
    let formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if formula {
        format!("\"'{}\"", text.replace('"', "\"\""))
    } else if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}
