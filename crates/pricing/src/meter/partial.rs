//! Partial sums: what one share of a usage log adds to an invoice, as plain rows, and
//! the contract under which adding shares is exact.
//!
//! A log too big for one process (a month of events on a Spark cluster, a Dask or
//! DataFusion job) is priced in shares, then invoiced once:
//!
//! 1. **Partition by event id**: every delivery of one id goes to the same share (hash
//!    partitioning on the id does it). A share then knows every copy of each of its ids,
//!    so its own deduplication — a redelivery counts once, the same id with another
//!    event is a conflict that changes nothing — is the whole log's.
//! 2. Each share records its events in a [`Meter::summing`] meter built with the same
//!    price book and [`InvoiceOptions`], and hands over [`Meter::partial_sums`]: rows of
//!    ([`RollupKey`] group and period, [`RollupItem`], [`RollupSums`] with exact
//!    decimals). They grow with the groups, not with the events.
//! 3. One summing meter adds every share's rows ([`Meter::add_partial_sums`]) and makes
//!    the invoice ([`Meter::invoice`]): the same invoice as one meter recording the whole
//!    log (period tiers and rounding apply to the sums, after adding), to the last digit.
//!
//! Rows from meters that saw the same id would count it twice: the contract is the
//! caller's (nothing here can see ids across shares). Rows are added with checked
//! decimal arithmetic: a sum past 28 significant digits is [`Error::Overflow`].

use super::store::{Level, RollupItem, RollupKey, RollupRow, RollupSums};
use super::{GroupBy, InvoiceOptions, Meter};
use crate::Result;
use std::collections::BTreeMap;

impl Meter {
    /// This meter's sums for an invoice with `options` (its groups, period and time
    /// range), one row per group, period and item, sorted: what a share hands over
    /// (see the [module docs](self)). Any store answers; a [`Meter::summing`] meter
    /// built with the same options keeps exactly these.
    pub fn partial_sums(&self, options: &InvoiceOptions) -> Result<Vec<RollupRow>> {
        let level = GroupBy::coarsest(&options.group_by, Level::of(options.period));
        let mut rows: BTreeMap<(RollupKey, RollupItem), RollupSums> = BTreeMap::new();
        self.rollups(&options.range, level, |row| {
            let key = RollupKey { start: level.start_of(row.key.start), level, ..row.key };
            rows.entry((key, row.item)).or_default().add(&row.sums, 1)
        })?;
        Ok(rows
            .into_iter()
            .filter(|(_, sums)| *sums != RollupSums::default())
            .map(|((key, item), sums)| RollupRow { key, item, sums })
            .collect())
    }

    /// Adds other shares' [`partial_sums`](Meter::partial_sums) to this meter, which must
    /// be a [`Meter::summing`] one (other stores refuse: their sums must agree with the
    /// events they hold). The shares must have seen other event ids than this meter and
    /// each other (see the [module docs](self)); rows finer than this meter's period are
    /// added to the period holding them, coarser ones are an error.
    pub fn add_partial_sums(&mut self, rows: &[RollupRow]) -> Result<()> {
        self.store.add_sums(rows)
    }
}
