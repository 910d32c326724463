//! A group's item sums as one compact binary value: what the SQLite store keeps per
//! group and period (its `sums.items` column) and adds up with its `sums_add()` SQL
//! function.
//!
//! Items are named by a small integer (the store's dictionary of item codes, so the
//! few distinct codes are stored once, not in every row). Per item with a non-zero
//! sum, in increasing id order:
//!
//! | field | encoding |
//! |---|---|
//! | item id | unsigned LEB128 (≤ `u32::MAX`) |
//! | count | signed (zig-zag) LEB128 `i64` |
//! | quantity, amount | one byte: scale (0–28) in bits 0–4, bit 7 the sign; then the 96-bit mantissa as unsigned LEB128 |
//!
//! Exact (every [`Decimal`] round-trips, scale included) and small: a typical item is
//! 6–12 bytes where the first form (schema version 1, still read by the migration) took
//! ~75.
//!
//! A batch's hour sums not yet added into `period_sums` (schema version 3's
//! `pending_sums.groups`, see [`encode_groups`]) are, per group: the hour (zig-zag
//! LEB128), customer, model, schedule and currency code (each its UTF-8 length as
//! LEB128, then the bytes), the length of its items (LEB128) and the items as above.
//! PostgreSQL's pending rows put the batch's own item dictionary in front
//! ([`encode_batch`]).

use super::{add_item_sums, Groups, Level, RollupItem, RollupKey, RollupSums};
use crate::price::Currency;
use crate::{Error, Result};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Items of one group: (item id, sums), in any order on input.
pub type CompactItems = Vec<(u32, RollupSums)>;

/// Encodes `items` (sorted here by id; all-zero sums left out). Ids must be distinct.
pub fn encode_compact(mut items: CompactItems) -> Vec<u8> {
    items.sort_unstable_by_key(|(id, _)| *id);
    debug_assert!(items.windows(2).all(|w| w[0].0 != w[1].0), "an item id twice in one group");
    let mut out = Vec::with_capacity(items.len() * 12);
    for (id, s) in items.into_iter().filter(|(_, s)| *s != RollupSums::default()) {
        put_varint(&mut out, u128::from(id));
        put_zigzag(&mut out, s.count);
        put_decimal(&mut out, s.quantity);
        put_decimal(&mut out, s.amount);
    }
    out
}

/// Reads [`encode_compact`]; `None` if the bytes are not such a value.
pub fn decode_compact(mut bytes: &[u8]) -> Option<CompactItems> {
    let mut items: CompactItems = Vec::with_capacity(16);
    while !bytes.is_empty() {
        let id = u32::try_from(take_varint(&mut bytes)?).ok()?;
        // Written in increasing id order, each once: anything else is not such a value.
        if items.last().is_some_and(|(last, _)| *last >= id) {
            return None;
        }
        let count = take_zigzag(&mut bytes)?;
        let quantity = take_decimal(&mut bytes)?;
        let amount = take_decimal(&mut bytes)?;
        items.push((id, RollupSums { count, quantity, amount }));
    }
    Some(items)
}

/// The sum of two [`encode_compact`] values, item by item (what `sums_add()` does).
pub fn add_compact(a: &[u8], b: &[u8]) -> Result<Vec<u8>> {
    let bad = || Error::InvalidArgument { name: "sums", reason: "not a sums value".into() };
    let mut sum = decode_compact(a).ok_or_else(bad)?;
    for (id, s) in decode_compact(b).ok_or_else(bad)? {
        add_item(&mut sum, id, &s)?;
    }
    Ok(encode_compact(sum))
}

/// Hour groups (keys at [`Level::Hour`]) with their items, as one value: what a batch
/// adds to the sums, kept in `pending_sums` until it is folded into `period_sums`.
pub fn encode_groups<'a>(groups: impl IntoIterator<Item = (&'a RollupKey, Vec<u8>)>) -> Vec<u8> {
    let mut out = Vec::new();
    for (key, items) in groups {
        debug_assert_eq!(key.level, Level::Hour);
        put_zigzag(&mut out, key.start);
        for text in [key.customer.as_str(), key.model.as_str(), key.schedule.as_str(), key.currency.code()] {
            put_varint(&mut out, text.len() as u128);
            out.extend_from_slice(text.as_bytes());
        }
        put_varint(&mut out, items.len() as u128);
        out.extend_from_slice(&items);
    }
    out
}

/// A batch's hour groups for a store with no item dictionary (PostgreSQL's
/// `tokfare_pending_sums.groups`): its own dictionary first — the number of item codes
/// (LEB128), each code (UTF-8 length as LEB128, then the bytes) — then
/// [`encode_groups`] with the items named by their place in it.
pub fn encode_batch(hours: &Groups) -> Vec<u8> {
    let mut codes: Vec<&RollupItem> = Vec::new();
    let mut index: BTreeMap<&RollupItem, u32> = BTreeMap::new();
    let mut groups = Vec::with_capacity(hours.len());
    for (key, items) in hours {
        let mut compact = CompactItems::with_capacity(items.len());
        for (item, sums) in items {
            let id = *index.entry(item).or_insert_with(|| {
                codes.push(item);
                codes.len() as u32 - 1
            });
            compact.push((id, *sums));
        }
        groups.push((key, encode_compact(compact)));
    }
    let mut out = Vec::new();
    put_varint(&mut out, codes.len() as u128);
    for item in codes {
        let code = item.encode();
        put_varint(&mut out, code.len() as u128);
        out.extend_from_slice(code.as_bytes());
    }
    out.extend_from_slice(&encode_groups(groups));
    out
}

/// The hour groups of an [`encode_batch`] value added into `into` (`None`: not such a
/// value; an overflow of a sum is an error).
pub fn add_batch(mut bytes: &[u8], into: &mut Groups) -> Result<Option<()>> {
    let Some(n) = take_varint(&mut bytes).and_then(|n| usize::try_from(n).ok()) else {
        return Ok(None);
    };
    let mut codes = Vec::with_capacity(n.min(1024));
    for _ in 0..n {
        let Some(len) = take_varint(&mut bytes).and_then(|n| usize::try_from(n).ok()) else {
            return Ok(None);
        };
        let Some(item) = bytes.get(..len).and_then(|b| std::str::from_utf8(b).ok()).and_then(RollupItem::decode) else {
            return Ok(None);
        };
        bytes = &bytes[len..];
        codes.push(item);
    }
    for_each_group(bytes, |group, items| {
        let key = RollupKey {
            customer: group.customer.into(),
            model: group.model.into(),
            schedule: group.schedule.into(),
            level: Level::Hour,
            start: group.start,
            currency: group.currency,
        };
        let total = into.entry(key).or_default();
        for (id, sums) in items {
            let Some(item) = codes.get(id as usize) else {
                return Ok(None);
            };
            add_item_sums(total, item, &sums, 1)?;
        }
        Ok(Some(()))
    })
}

/// [`visit_groups`] with each group's items decoded ([`decode_compact`]) and a visitor
/// that can fail: `Ok(None)` if the bytes are not such a value or `each` said `None`,
/// `each`'s error as it is.
pub fn for_each_group<'a>(bytes: &'a [u8], mut each: impl FnMut(GroupRef<'a>, CompactItems) -> Result<Option<()>>) -> Result<Option<()>> {
    let mut failed = None;
    let read = visit_groups(bytes, |group| {
        let items = decode_compact(group.items)?;
        each(group, items).unwrap_or_else(|e| {
            failed = Some(e);
            None
        })
    });
    match failed {
        Some(e) => Err(e),
        None => Ok(read),
    }
}

/// One hour group of an [`encode_groups`] value, borrowed from it.
pub struct GroupRef<'a> {
    /// The hour.
    pub start: i64,
    /// The billed customer.
    pub customer: &'a str,
    /// The model.
    pub model: &'a str,
    /// The schedule that priced it.
    pub schedule: &'a str,
    /// The currency.
    pub currency: Currency,
    /// The items, as [`encode_compact`] wrote them.
    pub items: &'a [u8],
}

/// Visits each group of an [`encode_groups`] value without copying it; `None` if the
/// bytes are not such a value or `visit` said `None`.
pub fn visit_groups<'a>(mut bytes: &'a [u8], mut visit: impl FnMut(GroupRef<'a>) -> Option<()>) -> Option<()> {
    fn take<'a>(bytes: &mut &'a [u8]) -> Option<&'a [u8]> {
        let len = usize::try_from(take_varint(bytes)?).ok()?;
        let (head, tail) = (bytes.get(..len)?, bytes.get(len..)?);
        *bytes = tail;
        Some(head)
    }
    let text = |bytes: &mut &'a [u8]| -> Option<&'a str> { std::str::from_utf8(take(bytes)?).ok() };
    while !bytes.is_empty() {
        let start = take_zigzag(&mut bytes)?;
        let (customer, model, schedule) = (text(&mut bytes)?, text(&mut bytes)?, text(&mut bytes)?);
        let currency = Currency::stored(text(&mut bytes)?).ok()?;
        let items = take(&mut bytes)?;
        visit(GroupRef { start, customer, model, schedule, currency, items })?;
    }
    Some(())
}

/// Adds `sums` to item `item` of a group's items (appended if the group has none yet).
pub fn add_item(items: &mut CompactItems, item: u32, sums: &RollupSums) -> Result<()> {
    match items.iter_mut().find(|(i, _)| *i == item) {
        Some((_, total)) => total.add(sums, 1),
        None => {
            items.push((item, *sums));
            Ok(())
        }
    }
}

/// A signed integer as zig-zag LEB128.
fn put_zigzag(out: &mut Vec<u8>, v: i64) {
    put_varint(out, u128::from(((v << 1) ^ (v >> 63)) as u64));
}

fn take_zigzag(bytes: &mut &[u8]) -> Option<i64> {
    let zigzag = u64::try_from(take_varint(bytes)?).ok()?;
    Some(((zigzag >> 1) as i64) ^ -((zigzag & 1) as i64))
}

fn put_varint(out: &mut Vec<u8>, mut v: u128) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn take_varint(bytes: &mut &[u8]) -> Option<u128> {
    let mut v: u128 = 0;
    for (i, &b) in bytes.iter().enumerate().take(19) {
        // The 19th byte holds bits 126 and 127 only: more would not fit.
        if i == 18 && b > 0x03 {
            return None;
        }
        v |= u128::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            *bytes = &bytes[i + 1..];
            return Some(v);
        }
    }
    None
}

fn put_decimal(out: &mut Vec<u8>, d: Decimal) {
    // scale() is at most 28: five bits.
    out.push(d.scale() as u8 | if d.is_sign_negative() { 0x80 } else { 0 });
    put_varint(out, d.mantissa().unsigned_abs());
}

fn take_decimal(bytes: &mut &[u8]) -> Option<Decimal> {
    let (&head, rest) = bytes.split_first()?;
    *bytes = rest;
    if head & 0x60 != 0 {
        return None;
    }
    let mantissa = i128::try_from(take_varint(bytes)?).ok()?;
    let mantissa = if head & 0x80 != 0 { -mantissa } else { mantissa };
    let mut d = Decimal::try_from_i128_with_scale(mantissa, u32::from(head & 0x1f)).ok()?;
    // A negative zero keeps its sign, as Decimal does.
    d.set_sign_negative(head & 0x80 != 0);
    Some(d)
}

/// The first form (schema version 1): per item its code's length (u32 LE) and UTF-8
/// bytes, the count (i64 LE), the quantity and the amount as [`Decimal::serialize`].
/// Only the SQLite migration to version 2 reads it.
pub(crate) mod v1 {
    use super::super::{ItemSums, RollupItem, RollupSums};
    use rust_decimal::Decimal;

    /// Reads a version-1 value; `None` if the bytes are not one.
    pub(crate) fn decode(mut bytes: &[u8]) -> Option<ItemSums> {
        fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
            let (head, tail) = (bytes.get(..n)?, bytes.get(n..)?);
            *bytes = tail;
            Some(head)
        }
        let mut items = ItemSums::new();
        while !bytes.is_empty() {
            let len = u32::from_le_bytes(take(&mut bytes, 4)?.try_into().ok()?) as usize;
            let item = RollupItem::decode(std::str::from_utf8(take(&mut bytes, len)?).ok()?)?;
            let count = i64::from_le_bytes(take(&mut bytes, 8)?.try_into().ok()?);
            let quantity = Decimal::deserialize(take(&mut bytes, 16)?.try_into().ok()?);
            let amount = Decimal::deserialize(take(&mut bytes, 16)?.try_into().ok()?);
            items.insert(item, RollupSums { count, quantity, amount });
        }
        Some(items)
    }

    /// Writes a version-1 value (tests build version-1 files with it).
    #[cfg(test)]
    pub(crate) fn encode(items: &ItemSums) -> Vec<u8> {
        let mut out = Vec::new();
        for (item, s) in items.iter().filter(|(_, s)| **s != RollupSums::default()) {
            let code = item.encode();
            out.extend_from_slice(&(code.len() as u32).to_le_bytes());
            out.extend_from_slice(code.as_bytes());
            out.extend_from_slice(&s.count.to_le_bytes());
            out.extend_from_slice(&s.quantity.serialize());
            out.extend_from_slice(&s.amount.serialize());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meter::store::{ItemSums, RollupItem};

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).expect("decimal")
    }

    #[test]
    fn compact_sums_round_trip_and_add_exactly() {
        let sums = |count, q: &str, a: &str| RollupSums { count, quantity: d(q), amount: d(a) };
        let a = vec![(7, sums(0, "7", "0.1000")), (0, sums(2, "0", "0.0035")), (u32::MAX, sums(-3, "-12.5", "-0.25"))];
        let bytes = encode_compact(a.clone());
        let mut sorted = a.clone();
        sorted.sort_by_key(|(id, _)| *id);
        let back = decode_compact(&bytes).expect("decode");
        assert_eq!(back, sorted);
        // Scales survive (0.1000 is not re-scaled).
        assert_eq!(back[1].1.amount.scale(), 4);
        let twice = decode_compact(&add_compact(&bytes, &bytes).expect("add")).expect("decode");
        assert_eq!(twice[0].1, sums(4, "0", "0.0070"));
        assert_eq!(twice[2].1, sums(-6, "-25.0", "-0.50"));
        // Taking everything away leaves nothing (the store deletes the row).
        let minus: CompactItems =
            a.iter().map(|(id, s)| (*id, RollupSums { count: -s.count, quantity: -s.quantity, amount: -s.amount })).collect();
        assert!(add_compact(&bytes, &encode_compact(minus)).expect("add").is_empty());
        // Every decimal, extremes included.
        for x in [Decimal::MAX, Decimal::MIN, Decimal::ZERO, d("0.0000000000000000000000000001"), d("-79228162514264337593543950.335")] {
            let one = encode_compact(vec![(1, RollupSums { count: i64::MIN, quantity: x, amount: x })]);
            assert_eq!(decode_compact(&one).expect("decode")[0].1, RollupSums { count: i64::MIN, quantity: x, amount: x });
        }
        let huge = encode_compact(vec![(1, RollupSums { count: 0, quantity: Decimal::ZERO, amount: Decimal::MAX })]);
        assert!(matches!(add_compact(&huge, &huge), Err(Error::Overflow(_))));
        // A value cut inside an item is refused (a cut between items reads as the
        // items before it: the store writes whole values in one transaction).
        let boundaries: Vec<usize> = (0..=3).map(|n| encode_compact(sorted[..n].to_vec()).len()).collect();
        for cut in 1..bytes.len() {
            assert_eq!(decode_compact(&bytes[..cut]).is_some(), boundaries.contains(&cut), "cut at {cut}");
        }
        // Ids out of order or twice are refused.
        let twice = [encode_compact(vec![(5, sums(1, "0", "0"))]), encode_compact(vec![(5, sums(1, "0", "0"))])].concat();
        assert!(decode_compact(&twice).is_none());
        let descending = [encode_compact(vec![(6, sums(1, "0", "0"))]), encode_compact(vec![(5, sums(1, "0", "0"))])].concat();
        assert!(decode_compact(&descending).is_none());
        assert!(decode_compact(&[0x01, 0x00, 0x7f, 0x00, 0x00]).is_none(), "scale 127");
        assert!(decode_compact(&[0xff; 30]).is_none());
    }

    #[test]
    fn pending_groups_round_trip() {
        let key = |customer: &str, start| RollupKey {
            customer: customer.into(),
            model: "gpt-4o".into(),
            schedule: "litellm:gpt-4o".into(),
            level: Level::Hour,
            start,
            currency: Currency::USD,
        };
        let items = vec![(0, RollupSums { count: 2, quantity: Decimal::ZERO, amount: d("0.0035") }), (3, RollupSums::default())];
        let groups = [(key("acme", 493_000), encode_compact(items.clone())), (key("ünï\tcode", -5), encode_compact(vec![]))];
        let decode = |bytes: &[u8]| -> Option<Vec<(RollupKey, CompactItems)>> {
            let mut out = Vec::new();
            visit_groups(bytes, |g| {
                let key = RollupKey {
                    customer: g.customer.into(),
                    model: g.model.into(),
                    schedule: g.schedule.into(),
                    level: Level::Hour,
                    start: g.start,
                    currency: g.currency,
                };
                out.push((key, decode_compact(g.items)?));
                Some(())
            })?;
            Some(out)
        };
        let bytes = encode_groups(groups.iter().map(|(k, v)| (k, v.clone())));
        let back = decode(&bytes).expect("decode");
        assert_eq!(back, vec![(key("acme", 493_000), items[..1].to_vec()), (key("ünï\tcode", -5), vec![])]);
        assert_eq!(decode(&[]), Some(vec![]));
        // A cut value reads only where one group ends.
        let first = encode_groups(groups[..1].iter().map(|(k, v)| (k, v.clone()))).len();
        for cut in 1..bytes.len() {
            assert_eq!(decode(&bytes[..cut]).is_some(), cut == first, "cut at {cut}");
        }
        assert!(decode(&[0x02, 0x01, 0xff]).is_none(), "not UTF-8");
    }

    #[test]
    fn batches_carry_their_own_item_dictionary() {
        let key = |customer: &str, start| RollupKey {
            customer: customer.into(),
            model: "claude-sonnet-4-5".into(),
            schedule: "litellm:claude-sonnet-4-5".into(),
            level: Level::Hour,
            start,
            currency: Currency::USD,
        };
        let charge = RollupItem::Charge("input".into(), d("0.000003"), 1);
        let mut hours = Groups::new();
        hours
            .entry(key("acme", 493_000))
            .or_default()
            .insert(RollupItem::Events, RollupSums { count: 3, quantity: d("0"), amount: d("0.0105") });
        hours
            .entry(key("acme", 493_000))
            .or_default()
            .insert(charge.clone(), RollupSums { count: 0, quantity: d("3500"), amount: d("0.0105") });
        hours
            .entry(key("zeta", -7))
            .or_default()
            .insert(charge.clone(), RollupSums { count: 0, quantity: d("-12.5"), amount: d("-0.000001") });
        let bytes = encode_batch(&hours);
        let mut back = Groups::new();
        assert_eq!(add_batch(&bytes, &mut back).expect("sums"), Some(()));
        assert_eq!(back, hours);
        // Added twice: every sum doubled, nothing new.
        add_batch(&bytes, &mut back).expect("sums").expect("readable");
        let doubled: Vec<i64> = back.values().flat_map(|items| items.values().map(|s| s.count)).collect();
        assert_eq!(doubled, vec![6, 0, 0]);
        assert_eq!(back[&key("zeta", -7)][&charge].quantity, d("-25"));
        // An item id outside the dictionary, a cut dictionary, an unknown code: not readable.
        assert_eq!(add_batch(&bytes[..3], &mut Groups::new()).expect("no sums"), None);
        let mut unknown = bytes.clone();
        let at = bytes.windows(6).position(|w| w == b"events").expect("the code");
        unknown[at] = b'x';
        assert_eq!(add_batch(&unknown, &mut Groups::new()).expect("no sums"), None);
        let mut one_code = Vec::new();
        put_varint(&mut one_code, 1);
        put_varint(&mut one_code, 6);
        one_code.extend_from_slice(b"events");
        let mut out_of_range = one_code.clone();
        out_of_range.extend_from_slice(&encode_groups([(
            &key("zeta", -7),
            encode_compact(vec![(1, RollupSums { count: 1, ..Default::default() })]),
        )]));
        assert_eq!(add_batch(&out_of_range, &mut Groups::new()).expect("no sums"), None);
        // An overflow is an error, not an unreadable value.
        let mut max = Groups::new();
        max.entry(key("acme", 1)).or_default().insert(charge, RollupSums { count: 0, quantity: Decimal::MAX, amount: d("0") });
        let bytes = encode_batch(&max);
        let mut into = Groups::new();
        add_batch(&bytes, &mut into).expect("once").expect("readable");
        assert!(matches!(add_batch(&bytes, &mut into), Err(Error::Overflow(_))));
    }

    #[test]
    fn version_1_values_still_read() {
        let mut a = ItemSums::new();
        a.insert(RollupItem::Events, RollupSums { count: 2, quantity: Decimal::ZERO, amount: d("0.0035") });
        a.insert(
            RollupItem::Charge("tier:odd\tname:1".into(), d("2.5"), 1_000_000),
            RollupSums { count: 0, quantity: d("7"), amount: d("0.1") },
        );
        let bytes = v1::encode(&a);
        assert_eq!(v1::decode(&bytes).as_ref(), Some(&a));
        assert!(v1::decode(&bytes[..bytes.len() - 1]).is_none());
        assert!(v1::decode(b"\x03\x00\x00\x00bad").is_none());
    }
}
