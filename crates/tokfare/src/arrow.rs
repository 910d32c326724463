//! Arrow columns in, Arrow columns out (feature `arrow`): token counts, ids and
//! truncated text for a whole string column, read in place.
//!
//! What data engines hand over — a pyarrow, Polars, DuckDB or Spark column through the
//! Arrow C data interface, or an `arrow-rs` array in a Rust engine — is one of Arrow's
//! three string layouts: `utf8` (32-bit offsets), `large_utf8` (64-bit offsets) or
//! `utf8_view` (inline or buffer views), any of them a slice of a bigger array and any
//! of them with nulls. Each function here reads the strings where they are (no copy
//! into owned strings), works on the current rayon pool's threads (the caller picks the
//! pool), and gives **null for null** and the row order of the input:
//!
//! | function | result |
//! |---|---|
//! | [`count`] | `int64`: the number of tokens ([`Tokenize::count`]) |
//! | [`encode`] | `list<uint32>`: the ids ([`Tokenize::encode`]) |
//! | [`truncate`] | the input's layout: the longest prefix of at most `max_tokens` tokens ([`Encoding::truncate`]) |
//!
//! The semantics are the tokenizer's own, as for one string: an [`Encoding`] reads
//! special-token text as ordinary text (tiktoken's `encode_ordinary`), a tokenizer.json
//! model recognises its added tokens. A column of another type is
//! [`Error::InvalidArgument`](tokfare_tokenizer::Error::InvalidArgument) naming the
//! type; so is a result too big for its layout (more than 2³¹ − 1 ids in one `list`
//! array: split the column into smaller chunks).

use crate::{Encoding, Rank, Result, Tokenize};
use arrow_array::builder::{GenericStringBuilder, StringViewBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::UInt32Type;
use arrow_array::{Array, ArrayRef, Int64Array, ListArray, OffsetSizeTrait, PrimitiveArray};
use arrow_buffer::{NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field};
use std::sync::Arc;

/// The number of tokens of each string of `strings` (null for null).
pub fn count(tokenizer: &dyn Tokenize, strings: &dyn Array) -> Result<Int64Array> {
    let column = Strings::of(strings)?;
    let texts = column.texts();
    let counts = tokenizer.count_batch(&texts)?;
    let values: ScalarBuffer<i64> = counts.into_iter().map(|n| n as i64).collect();
    Ok(Int64Array::new(values, column.nulls()))
}

/// The ids of each string of `strings`, as a `list<uint32>` array (null for null).
pub fn encode(tokenizer: &dyn Tokenize, strings: &dyn Array) -> Result<ListArray> {
    let column = Strings::of(strings)?;
    let texts = column.texts();
    let ids = tokenizer.encode_batch(&texts)?;
    let total: usize = ids.iter().map(Vec::len).sum();
    if i32::try_from(total).is_err() {
        return Err(too_big(format!("{total} ids in one list<uint32> array (at most 2^31 - 1): encode the column in smaller chunks")));
    }
    let offsets = OffsetBuffer::<i32>::from_lengths(ids.iter().map(Vec::len));
    let mut flat: Vec<Rank> = Vec::with_capacity(total);
    for doc in ids {
        flat.extend_from_slice(&doc);
    }
    let values = PrimitiveArray::<UInt32Type>::new(ScalarBuffer::from(flat), None);
    let field = Arc::new(Field::new_list_field(DataType::UInt32, false));
    ListArray::try_new(field, offsets, Arc::new(values), column.nulls()).map_err(|e| too_big(e.to_string()))
}

/// Each string of `strings` cut to its longest prefix of at most `max_tokens` tokens,
/// on a token boundary that is a character boundary ([`Encoding::truncate`]), in the
/// input's layout (null for null).
pub fn truncate(encoding: &Encoding, strings: &dyn Array, max_tokens: usize) -> Result<ArrayRef> {
    let column = Strings::of(strings)?;
    let texts = column.texts();
    let cut = encoding.truncate_batch(&texts, max_tokens);
    let nulls = column.nulls();
    let valid = |i: usize| nulls.as_ref().is_none_or(|n| n.is_valid(i));
    Ok(match column {
        Strings::Utf8(_) => Arc::new(build_offsets::<i32>(&cut, valid)?),
        Strings::LargeUtf8(_) => Arc::new(build_offsets::<i64>(&cut, valid)?),
        Strings::Utf8View(_) => {
            let mut out = StringViewBuilder::with_capacity(texts.len());
            for (i, text) in cut.iter().enumerate() {
                if valid(i) {
                    out.append_value(text);
                } else {
                    out.append_null();
                }
            }
            Arc::new(out.finish())
        }
    })
}

/// A `utf8` or `large_utf8` array of `texts`, null where not `valid`.
fn build_offsets<O: OffsetSizeTrait>(texts: &[&str], valid: impl Fn(usize) -> bool) -> Result<arrow_array::GenericStringArray<O>> {
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    if O::from_usize(bytes).is_none() {
        return Err(too_big(format!("{bytes} bytes of text in one utf8 array (at most 2^31 - 1)")));
    }
    let mut out = GenericStringBuilder::<O>::with_capacity(texts.len(), bytes);
    for (i, text) in texts.iter().enumerate() {
        if valid(i) {
            out.append_value(text);
        } else {
            out.append_null();
        }
    }
    Ok(out.finish())
}

/// Whether [`count`], [`encode`] and [`truncate`] take a column of type `t`: `Ok` for
/// Arrow's three string layouts, else the error they give (for an engine that checks a
/// column's type before it has data, as Polars does for a plugin's output type).
pub fn check_strings(t: &DataType) -> Result<()> {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Ok(()),
        other => Err(tokfare_tokenizer::Error::InvalidArgument {
            name: "strings",
            reason: format!("a string column (utf8, large_utf8 or string_view) is needed, not {other}"),
        }
        .into()),
    }
}

/// A string column in one of Arrow's three layouts.
enum Strings<'a> {
    Utf8(&'a arrow_array::StringArray),
    LargeUtf8(&'a arrow_array::LargeStringArray),
    Utf8View(&'a arrow_array::StringViewArray),
}

impl<'a> Strings<'a> {
    fn of(array: &'a dyn Array) -> Result<Strings<'a>> {
        check_strings(array.data_type())?;
        Ok(match array.data_type() {
            DataType::Utf8 => Strings::Utf8(array.as_string::<i32>()),
            DataType::LargeUtf8 => Strings::LargeUtf8(array.as_string::<i64>()),
            _ => Strings::Utf8View(array.as_string_view()),
        })
    }

    /// Every row's text, `""` for a null (its result is masked by [`Strings::nulls`]).
    fn texts(&self) -> Vec<&'a str> {
        fn rows<'a, I: Iterator<Item = Option<&'a str>>>(it: I) -> Vec<&'a str> {
            it.map(Option::unwrap_or_default).collect()
        }
        match self {
            Strings::Utf8(a) => rows(a.iter()),
            Strings::LargeUtf8(a) => rows(a.iter()),
            Strings::Utf8View(a) => rows(a.iter()),
        }
    }

    /// Every row's text, `None` for a null: for the row-by-row readers (logs, prices,
    /// decimals); the batch tokenizers take [`Strings::texts`] and [`Strings::nulls`].
    fn rows(&self) -> Vec<Option<&'a str>> {
        match self {
            Strings::Utf8(a) => a.iter().collect(),
            Strings::LargeUtf8(a) => a.iter().collect(),
            Strings::Utf8View(a) => a.iter().collect(),
        }
    }

    fn nulls(&self) -> Option<NullBuffer> {
        match self {
            Strings::Utf8(a) => a.nulls().cloned(),
            Strings::LargeUtf8(a) => a.nulls().cloned(),
            Strings::Utf8View(a) => a.nulls().cloned(),
        }
        .filter(|n| n.null_count() > 0)
    }
}

fn too_big(reason: String) -> crate::Error {
    tokfare_tokenizer::Error::InvalidArgument { name: "strings", reason }.into()
}

#[cfg(feature = "pricing")]
pub use pricing::{
    decimal128, event_ids, partial_sums_from_arrow, partial_sums_schema, partial_sums_to_arrow, price_usage, record_lines, OUTCOME_SCHEMA,
    PRICE_SCHEMA,
};

/// Usage logs held in a column: each row one line of a usage log (a JSON event in any
/// format the log reader takes), recorded into a meter, and a meter's partial sums
/// ([`Meter::partial_sums`](crate::meter::Meter::partial_sums)) as a record batch.
#[cfg(feature = "pricing")]
mod pricing {
    use super::{too_big, Strings};
    use crate::meter::store::{Level, RollupItem, RollupKey, RollupRow, RollupSums};
    use crate::meter::{parse_usage_line, Meter, OnError, Recorded, UsageEvent, BATCH};
    use crate::price::Currency;
    use crate::Result;
    use arrow_array::builder::{Int64Builder, StringBuilder, TimestampSecondBuilder};
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Int64Type, TimestampSecondType};
    use arrow_array::{Array, ArrayRef, RecordBatch, StringArray};
    use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
    use std::sync::{Arc, LazyLock};

    /// The event id of each line (null for a null or blank row and for a line that is
    /// not an event): the id the meter deduplicates by, whatever the line's format (an
    /// explicit `id`, or the key derived from a provider's response). What an engine
    /// partitions a log by before pricing it in shares (see [`crate::meter::partial`]).
    pub fn event_ids(lines: &dyn Array) -> Result<StringArray> {
        Ok(Strings::of(lines)?
            .rows()
            .into_iter()
            // A blank line is no line, as a log reader skips it.
            .map(|line| line.filter(|l| !l.trim().is_empty()).and_then(|l| parse_usage_line(l).ok()).map(|e| e.id))
            .collect())
    }

    /// Records a column of usage-log lines in `meter`, in batches of [`BATCH`] (one write
    /// each), every row whatever the others do ([`OnError::Continue`]); one outcome row
    /// per input row, in order (columns in [`OUTCOME_SCHEMA`]): `status` `new` (with
    /// the unrounded `cost`, its `currency` and the `schedule`), `duplicate` (a
    /// redelivery, counted once), or `error` (with the error's `error_code` and
    /// `error`: a line that is not an event, a model without a price, a conflicting
    /// redelivery); all null for a null or blank row (a log reader skips blank lines).
    /// A store failure is the error of the call.
    pub fn record_lines(meter: &mut Meter, lines: &dyn Array) -> Result<RecordBatch> {
        let rows = Strings::of(lines)?.rows();
        let mut out = Outcomes::with_capacity(rows.len());
        let mut pending: Vec<(usize, UsageEvent)> = Vec::with_capacity(BATCH);
        let flush = |pending: &mut Vec<(usize, UsageEvent)>, meter: &mut Meter, out: &mut Outcomes| -> Result<()> {
            if pending.is_empty() {
                return Ok(());
            }
            let (rows, events): (Vec<usize>, Vec<UsageEvent>) = pending.drain(..).unzip();
            let ids: Vec<String> = events.iter().map(|e| e.id.clone()).collect();
            let results = meter.record_batch(events, OnError::Continue)?;
            for ((row, id), result) in rows.into_iter().zip(ids).zip(results) {
                out.set(row, Some(&id), result.unwrap_or_else(|| Err(not_recorded())));
            }
            Ok(())
        };
        for (i, line) in rows.into_iter().enumerate() {
            // Null and blank rows have no outcome (a log reader skips blank lines).
            let Some(line) = line.filter(|l| !l.trim().is_empty()) else {
                continue;
            };
            match parse_usage_line(line) {
                Ok(event) => {
                    pending.push((i, event));
                    if pending.len() >= BATCH {
                        flush(&mut pending, meter, &mut out)?;
                    }
                }
                Err(e) => out.set(i, None, Err(e)),
            }
        }
        flush(&mut pending, meter, &mut out)?;
        out.finish()
    }

    fn not_recorded() -> crate::pricing::Error {
        crate::pricing::Error::InvalidArgument { name: "lines", reason: "not recorded".into() }
    }

    /// Exact decimal text (a cost, an amount: `record_lines`' `cost`) as Arrow's
    /// `decimal128(precision, scale)` — what Spark (`decimal(38,18)`), DuckDB and Polars
    /// sum exactly — null for null. A value with more fractional digits than `scale`, or
    /// more integer digits than `precision - scale`, is an error naming its row: never
    /// rounded, never wrapped.
    ///
    /// Errors name the row as `first_row + i` for the `i`-th text: pass the place of
    /// `texts` in its column when it is one chunk of several (0 otherwise).
    pub fn decimal128(texts: &dyn Array, first_row: usize, precision: u8, scale: i8) -> Result<arrow_array::Decimal128Array> {
        let invalid = |reason: String| -> crate::Error { crate::pricing::Error::InvalidArgument { name: "decimal128", reason }.into() };
        if !(1..=38).contains(&precision) || scale < 0 || i16::from(scale) > i16::from(precision) {
            return Err(invalid(format!("decimal128({precision}, {scale}): precision 1 to 38, scale 0 to precision")));
        }
        let column = Strings::of(texts)?;
        let nulls = column.nulls();
        let limit = 10i128.pow(u32::from(precision));
        let mut values = Vec::with_capacity(texts.len());
        for (i, text) in column.rows().into_iter().enumerate() {
            let Some(text) = text else {
                values.push(0);
                continue;
            };
            let d = exact_decimal(text).map_err(|e| invalid(format!("row {}: {e}", first_row + i)))?.normalize();
            let (mantissa, digits) = (d.mantissa(), d.scale());
            if digits > scale as u32 {
                return Err(invalid(format!(
                    "row {}: {text} has {digits} decimal places, more than decimal128({precision}, {scale}) holds",
                    first_row + i
                )));
            }
            let scaled = 10i128.checked_pow(scale as u32 - digits).and_then(|f| mantissa.checked_mul(f)).filter(|v| v.abs() < limit);
            match scaled {
                Some(v) => values.push(v),
                None => {
                    return Err(invalid(format!(
                        "row {}: {text} needs more than the {} integer digits of decimal128({precision}, {scale})",
                        first_row + i,
                        i16::from(precision) - i16::from(scale)
                    )))
                }
            }
        }
        arrow_array::Decimal128Array::new(values.into(), nulls)
            .with_precision_and_scale(precision, scale)
            .map_err(|e| invalid(e.to_string()))
    }

    /// Prices a table of usage, one request per row, with `book`: the `model` column
    /// (text) names the model; a column named as a usage count in tokfare's JSON form
    /// ([`Usage::field_names`](crate::price::Usage::field_names): `input`,
    /// `cached_input`, `output`, `reasoning`, `requests` ...; any integer type, null
    /// for 0) gives that count; optional text columns `service` (`standard`, `batch`,
    /// `priority`, `flex`) and `tier` (a schedule name of the book's schedule set).
    /// Other text and temporal columns pass unread (a customer, an id); an integer
    /// column that is not a usage count (`input_tokens`, `prompt_tokens`) is an error
    /// naming it — read as nothing it would price the row too low.
    ///
    /// One result row per input row ([`PRICE_SCHEMA`]): the exact unrounded `cost` and
    /// the `rounded` total as text, `currency`, `schedule`; or `error_code` and `error`
    /// for a row that cannot be priced (an unknown model, a price rule tokfare does not
    /// apply, a negative count) — never a guessed price. A null `model` gives a null row.
    pub fn price_usage(book: &crate::price::PriceBook, table: &RecordBatch) -> Result<RecordBatch> {
        use crate::price::{Request, Service, Usage};
        let schema = table.schema();
        let fields = Usage::field_names();
        let model = table.column_by_name("model").ok_or_else(|| bad_column("model", "missing: the model of each row".into()))?;
        let models = Strings::of(model.as_ref())?.rows();
        let optional_text = |name: &str| -> Result<Option<Vec<Option<&str>>>> {
            match table.column_by_name(name) {
                None => Ok(None),
                Some(c) => {
                    let s = Strings::of(c.as_ref()).map_err(|_| bad_column(name, format!("text expected, not {}", c.data_type())))?;
                    Ok(Some(s.rows()))
                }
            }
        };
        let services = optional_text("service")?;
        let tiers = optional_text("tier")?;
        let mut counts: Vec<(&'static str, Vec<Option<i128>>)> = Vec::new();
        for (i, field) in schema.fields().iter().enumerate() {
            let name = field.name().as_str();
            let column = table.column(i);
            let integers = integers(column.as_ref());
            match (fields.iter().find(|f| **f == name), integers) {
                (Some(&known), Some(values)) => counts.push((known, values)),
                (Some(_), None) => return Err(bad_column(name, format!("an integer count expected, not {}", column.data_type()))),
                (None, Some(_)) => {
                    return Err(bad_column(
                        name,
                        format!("an integer column that is not a usage count; usage columns are named {}", fields.join(", ")),
                    ))
                }
                // Text, time, flags: not price inputs. Any other number read as
                // nothing would price the row too low: refused by name.
                (None, None) if passes_unread(column.data_type()) => {}
                (None, None) => {
                    return Err(bad_column(
                        name,
                        format!(
                            "a {} column that is not a usage count; usage columns are integers named {}",
                            column.data_type(),
                            fields.join(", ")
                        ),
                    ))
                }
            }
        }
        let mut out = Vec::with_capacity(table.num_rows());
        for (row, model) in models.into_iter().enumerate() {
            let Some(model) = model else {
                out.push(None);
                continue;
            };
            let priced = (|| -> std::result::Result<crate::price::Quote, crate::pricing::Error> {
                let mut usage = Usage::default();
                usage.set_by_name("requests", 0)?;
                for (name, values) in &counts {
                    if let Some(v) = values[row] {
                        let v = u64::try_from(v).map_err(|_| crate::pricing::Error::InvalidUsage {
                            line: None,
                            path: (*name).to_string(),
                            reason: format!("row {row}: {v} is not a count (0 or more)"),
                        })?;
                        usage.set_by_name(name, v)?;
                    }
                }
                if !counts.iter().any(|(n, _)| *n == "requests") {
                    usage.set_by_name("requests", 1)?;
                }
                let service = Service::from_options(false, services.as_ref().and_then(|rows| rows[row]))?;
                let request = Request { usage, service, at: None, conditions: Default::default() };
                book.quote(model, tiers.as_ref().and_then(|rows| rows[row]), &request)
            })();
            out.push(Some(priced));
        }
        let mut columns: Vec<arrow_array::builder::StringBuilder> =
            (0..6).map(|_| arrow_array::builder::StringBuilder::with_capacity(out.len(), 0)).collect();
        for row in &out {
            let values: [Option<String>; 6] = match row {
                None => Default::default(),
                Some(Ok(q)) => [
                    Some(q.total.normalize().to_string()),
                    Some(q.rounded.normalize().to_string()),
                    Some(q.currency.code().to_string()),
                    Some(q.schedule.clone()),
                    None,
                    None,
                ],
                Some(Err(e)) => [None, None, None, None, Some(e.code().to_string()), Some(e.to_string())],
            };
            for (b, v) in columns.iter_mut().zip(values) {
                b.append_option(v);
            }
        }
        let arrays: Vec<ArrayRef> = columns.into_iter().map(|mut b| Arc::new(b.finish()) as ArrayRef).collect();
        RecordBatch::try_new(PRICE_SCHEMA.clone(), arrays).map_err(|e| too_big(e.to_string()))
    }

    /// The columns of [`price_usage`]' result.
    pub static PRICE_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
        let text = |name: &str| Field::new(name, DataType::Utf8, true);
        Arc::new(Schema::new(vec![text("cost"), text("rounded"), text("currency"), text("schedule"), text("error_code"), text("error")]))
    });

    /// Columns [`price_usage`] leaves unread: text, binary, time, flags.
    fn passes_unread(t: &DataType) -> bool {
        matches!(
            t,
            DataType::Utf8
                | DataType::LargeUtf8
                | DataType::Utf8View
                | DataType::Binary
                | DataType::LargeBinary
                | DataType::BinaryView
                | DataType::Boolean
                | DataType::Null
                | DataType::Timestamp(..)
                | DataType::Date32
                | DataType::Date64
                | DataType::Time32(_)
                | DataType::Time64(_)
                | DataType::Duration(_)
                | DataType::Interval(_)
        ) || matches!(t, DataType::Dictionary(_, v) if passes_unread(v))
    }

    /// An integer column's values (null as None), or None for a column of another type.
    fn integers(column: &dyn Array) -> Option<Vec<Option<i128>>> {
        use arrow_array::types::*;
        fn all<T: arrow_array::ArrowPrimitiveType>(c: &dyn Array) -> Vec<Option<i128>>
        where
            T::Native: Into<i128>,
        {
            c.as_primitive::<T>().iter().map(|v| v.map(Into::into)).collect()
        }
        Some(match column.data_type() {
            DataType::Int8 => all::<Int8Type>(column),
            DataType::Int16 => all::<Int16Type>(column),
            DataType::Int32 => all::<Int32Type>(column),
            DataType::Int64 => all::<Int64Type>(column),
            DataType::UInt8 => all::<UInt8Type>(column),
            DataType::UInt16 => all::<UInt16Type>(column),
            DataType::UInt32 => all::<UInt32Type>(column),
            DataType::UInt64 => all::<UInt64Type>(column),
            _ => return None,
        })
    }

    fn bad_column(column: &str, reason: String) -> crate::Error {
        crate::pricing::Error::InvalidArgument { name: "usage", reason: format!("column {column}: {reason}") }.into()
    }

    /// The columns of [`record_lines`]' outcome.
    pub static OUTCOME_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
        let text = |name: &str| Field::new(name, DataType::Utf8, true);
        Arc::new(Schema::new(vec![
            text("id"),
            text("status"),
            text("cost"),
            text("currency"),
            text("schedule"),
            text("error_code"),
            text("error"),
        ]))
    });

    /// Outcome rows, filled in any order (rows not set stay null).
    struct Outcomes {
        rows: Vec<Option<[Option<String>; 7]>>,
    }

    impl Outcomes {
        fn with_capacity(n: usize) -> Outcomes {
            Outcomes { rows: vec![None; n] }
        }

        fn set(&mut self, row: usize, id: Option<&str>, result: std::result::Result<Recorded, crate::pricing::Error>) {
            let id = id.map(String::from);
            self.rows[row] = Some(match result {
                Ok(Recorded::New { cost, schedule }) => [
                    id,
                    Some("new".into()),
                    Some(cost.amount().normalize().to_string()),
                    Some(cost.currency().code().to_string()),
                    Some(schedule),
                    None,
                    None,
                ],
                Ok(Recorded::Duplicate) => [id, Some("duplicate".into()), None, None, None, None, None],
                Err(e) => [id, Some("error".into()), None, None, None, Some(e.code().to_string()), Some(e.to_string())],
            });
        }

        fn finish(self) -> Result<RecordBatch> {
            let mut columns: Vec<StringBuilder> = (0..7).map(|_| StringBuilder::with_capacity(self.rows.len(), 0)).collect();
            for row in &self.rows {
                for (c, column) in columns.iter_mut().enumerate() {
                    column.append_option(row.as_ref().and_then(|r| r[c].as_deref()));
                }
            }
            let arrays: Vec<ArrayRef> = columns.into_iter().map(|mut c| Arc::new(c.finish()) as ArrayRef).collect();
            RecordBatch::try_new(OUTCOME_SCHEMA.clone(), arrays).map_err(|e| too_big(e.to_string()))
        }
    }

    /// Decimal text read exactly: more digits than a 96-bit decimal holds is an error,
    /// not a rounded value (as `Decimal::from_str` would give).
    fn exact_decimal(text: &str) -> Result<crate::price::Decimal> {
        if text.contains(['e', 'E']) {
            // rust_decimal reads the digits before an exponent with rounding.
            return Err(
                crate::pricing::Error::InvalidMoney(format!("{text:?}: exponent notation is not read exactly; write the digits")).into()
            );
        }
        crate::price::Decimal::from_str_exact(text.trim()).map_err(|e| {
            crate::pricing::Error::InvalidMoney(format!("{text:?} is not a decimal of at most 28 significant digits: {e}")).into()
        })
    }

    /// A value of partial sums that is not what its column holds.
    fn bad(row: usize, column: &str, reason: String) -> crate::Error {
        crate::pricing::Error::InvalidArgument { name: "partial_sums", reason: format!("row {row}, column {column}: {reason}") }.into()
    }

    /// A text that must not be null.
    fn need<'a>(value: Option<&'a str>, row: usize, column: &str) -> Result<&'a str> {
        value.ok_or_else(|| bad(row, column, "null".into()))
    }

    /// The columns of partial sums rows: `level` (`hour`, `day`, `month`),
    /// `period_start` (UTC), `customer`, `model`, `schedule`, `currency`, `item`
    /// ([`RollupItem::encode`]: `events`, `quantity:<usage field>`,
    /// `charge:<unit price>:<per>:<item code>`), `count` (events, for `events`),
    /// `quantity` and `amount` (exact decimals as text: no engine type holds every
    /// value a 96-bit decimal does).
    pub fn partial_sums_schema() -> SchemaRef {
        static SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
            let text = |name: &str| Field::new(name, DataType::Utf8, false);
            Arc::new(Schema::new(vec![
                text("level"),
                Field::new("period_start", DataType::Timestamp(TimeUnit::Second, Some("UTC".into())), false),
                text("customer"),
                text("model"),
                text("schedule"),
                text("currency"),
                text("item"),
                Field::new("count", DataType::Int64, false),
                text("quantity"),
                text("amount"),
            ]))
        });
        SCHEMA.clone()
    }

    /// Partial sums rows as one record batch ([`partial_sums_schema`]).
    pub fn partial_sums_to_arrow(rows: &[RollupRow]) -> Result<RecordBatch> {
        let n = rows.len();
        let mut text: Vec<StringBuilder> = (0..8).map(|_| StringBuilder::with_capacity(n, 0)).collect();
        let mut start = TimestampSecondBuilder::with_capacity(n).with_timezone("UTC");
        let mut count = Int64Builder::with_capacity(n);
        for row in rows {
            let k = &row.key;
            start.append_value(k.start.saturating_mul(3600));
            count.append_value(row.sums.count);
            let values = [
                k.level.name().to_string(),
                k.customer.clone(),
                k.model.clone(),
                k.schedule.clone(),
                k.currency.code().to_string(),
                row.item.encode(),
                row.sums.quantity.normalize().to_string(),
                row.sums.amount.normalize().to_string(),
            ];
            for (b, v) in text.iter_mut().zip(values) {
                b.append_value(v);
            }
        }
        let mut t = text.into_iter().map(|mut b| Arc::new(b.finish()) as ArrayRef);
        let mut next = || t.next().expect("eight text columns");
        let columns: Vec<ArrayRef> =
            vec![next(), Arc::new(start.finish()), next(), next(), next(), next(), next(), Arc::new(count.finish()), next(), next()];
        RecordBatch::try_new(partial_sums_schema(), columns).map_err(|e| too_big(e.to_string()))
    }

    /// Reads partial sums rows back ([`partial_sums_schema`]; columns found by name, so
    /// an engine may add or reorder columns). A missing column, a null or a value that
    /// is not what its column holds is an error naming the row and column.
    pub fn partial_sums_from_arrow(batch: &RecordBatch) -> Result<Vec<RollupRow>> {
        let column = |name: &str| -> Result<&ArrayRef> { batch.column_by_name(name).ok_or_else(|| bad(0, name, "missing".into())) };
        let text = |name: &str| -> Result<Vec<Option<&str>>> {
            let c = column(name)?;
            match c.data_type() {
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Ok(Strings::of(c.as_ref())?.rows()),
                other => Err(bad(0, name, format!("text expected, not {other}"))),
            }
        };
        let (level, customer, model, schedule, currency, item, quantity, amount) = (
            text("level")?,
            text("customer")?,
            text("model")?,
            text("schedule")?,
            text("currency")?,
            text("item")?,
            text("quantity")?,
            text("amount")?,
        );
        let start = column("period_start")?;
        let start: Vec<Option<i64>> = match start.data_type() {
            DataType::Timestamp(TimeUnit::Second, _) => start.as_primitive::<TimestampSecondType>().iter().collect(),
            DataType::Timestamp(TimeUnit::Microsecond, _) => start
                .as_primitive::<arrow_array::types::TimestampMicrosecondType>()
                .iter()
                .map(|v| v.map(|us| us.div_euclid(1_000_000)))
                .collect(),
            other => return Err(bad(0, "period_start", format!("a timestamp expected, not {other}"))),
        };
        let count = column("count")?;
        let count: Vec<Option<i64>> = match count.data_type() {
            DataType::Int64 => count.as_primitive::<Int64Type>().iter().collect(),
            other => return Err(bad(0, "count", format!("int64 expected, not {other}"))),
        };
        let mut rows = Vec::with_capacity(batch.num_rows());
        for i in 0..batch.num_rows() {
            let level = match need(level[i], i, "level")? {
                "hour" => Level::Hour,
                "day" => Level::Day,
                "month" => Level::Month,
                other => return Err(bad(i, "level", format!("{other:?} is not hour, day or month"))),
            };
            let seconds = start[i].ok_or_else(|| bad(i, "period_start", "null".into()))?;
            let hour = seconds.div_euclid(3600);
            if seconds.rem_euclid(3600) != 0 || level.start_of(hour) != hour {
                return Err(bad(i, "period_start", format!("{seconds} s is not the start of a UTC {}", level.name())));
            }
            let currency = Currency::stored(need(currency[i], i, "currency")?).map_err(|e| bad(i, "currency", e.to_string()))?;
            let item_text = need(item[i], i, "item")?;
            let item = RollupItem::decode(item_text).ok_or_else(|| bad(i, "item", format!("{item_text:?} is not a sums item")))?;
            let decimal = |v: Option<&str>, name: &str| -> Result<crate::price::Decimal> {
                exact_decimal(need(v, i, name)?).map_err(|e| bad(i, name, e.to_string()))
            };
            rows.push(RollupRow {
                key: RollupKey {
                    customer: need(customer[i], i, "customer")?.to_string(),
                    model: need(model[i], i, "model")?.to_string(),
                    schedule: need(schedule[i], i, "schedule")?.to_string(),
                    level,
                    start: hour,
                    currency,
                },
                item,
                sums: RollupSums {
                    count: count[i].ok_or_else(|| bad(i, "count", "null".into()))?,
                    quantity: decimal(quantity[i], "quantity")?,
                    amount: decimal(amount[i], "amount")?,
                },
            });
        }
        Ok(rows)
    }
}

#[cfg(all(test, feature = "o200k"))]
mod tests {
    use super::*;
    use arrow_array::{LargeStringArray, StringArray, StringViewArray, UInt32Array};

    const ROWS: [Option<&str>; 6] = [
        Some("hello world"),
        None,
        Some(""),
        Some("naïve café — 東京の天気は? <|endoftext|> 🦀🦀"),
        None,
        Some("fn main() {\n    println!(\"{}\", 1 + 2);\n}\n"),
    ];

    fn o200k() -> Arc<Encoding> {
        crate::get_encoding("o200k_base").expect("o200k_base")
    }

    /// The rows in each layout, whole and as a slice that starts and ends inside.
    fn layouts() -> Vec<(ArrayRef, &'static [Option<&'static str>])> {
        let whole: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(ROWS.to_vec())),
            Arc::new(LargeStringArray::from(ROWS.to_vec())),
            Arc::new(StringViewArray::from(ROWS.to_vec())),
        ];
        let mut out = Vec::new();
        for a in whole {
            out.push((a.slice(1, 4), &ROWS[1..5]));
            out.push((a, &ROWS[..]));
        }
        out
    }

    #[test]
    fn counts_are_the_encodings_with_null_for_null_in_every_layout() {
        let enc = o200k();
        for (array, rows) in layouts() {
            let counts = count(enc.as_ref(), array.as_ref()).expect("count");
            let want: Vec<Option<i64>> = rows.iter().map(|r| r.map(|t| enc.count(t) as i64)).collect();
            assert_eq!(counts.iter().collect::<Vec<_>>(), want, "{}", array.data_type());
        }
        // A tokenizer.json model counts by its own rules (added tokens recognised).
        #[cfg(feature = "qwen3")]
        {
            let (qwen, _) = crate::AnyTokenizer::for_model("Qwen/Qwen3-8B").expect("qwen3");
            let array = StringArray::from(vec![Some("<|im_start|>hi"), None]);
            let counts = count(&qwen, &array).expect("count");
            assert_eq!(counts.iter().collect::<Vec<_>>(), vec![Some(qwen.count("<|im_start|>hi").expect("count") as i64), None]);
        }
    }

    #[test]
    fn ids_are_the_encodings_as_a_list_column() {
        let enc = o200k();
        for (array, rows) in layouts() {
            let lists = encode(enc.as_ref(), array.as_ref()).expect("encode");
            assert_eq!(lists.len(), rows.len());
            for (i, row) in rows.iter().enumerate() {
                match row {
                    None => assert!(lists.is_null(i)),
                    Some(text) => {
                        let ids = lists.value(i);
                        let ids = ids.as_any().downcast_ref::<UInt32Array>().expect("uint32");
                        assert_eq!(ids.values().to_vec(), enc.encode_ordinary(text), "{text:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn truncation_keeps_the_layout_and_cuts_as_the_encoding_does() {
        let enc = o200k();
        for max in [0, 1, 3, 1000] {
            for (array, rows) in layouts() {
                let cut = truncate(&enc, array.as_ref(), max).expect("truncate");
                assert_eq!(cut.data_type(), array.data_type());
                let got: Vec<Option<String>> = match cut.data_type() {
                    DataType::Utf8 => cut.as_string::<i32>().iter().map(|s| s.map(String::from)).collect(),
                    DataType::LargeUtf8 => cut.as_string::<i64>().iter().map(|s| s.map(String::from)).collect(),
                    _ => cut.as_string_view().iter().map(|s| s.map(String::from)).collect(),
                };
                let want: Vec<Option<String>> = rows.iter().map(|r| r.map(|t| enc.truncate(t, max).to_string())).collect();
                assert_eq!(got, want, "max {max}, {}", array.data_type());
            }
        }
    }

    #[test]
    fn a_column_that_is_not_text_is_refused_by_type() {
        let enc = o200k();
        let ints = arrow_array::Int32Array::from(vec![1, 2]);
        for err in [
            count(enc.as_ref(), &ints).expect_err("int32"),
            encode(enc.as_ref(), &ints).map(|_| ()).expect_err("int32"),
            truncate(&enc, &ints, 3).map(|_| ()).expect_err("int32"),
        ] {
            assert_eq!(err.code(), "invalid_argument");
            assert!(err.to_string().contains("not Int32"), "{err}");
        }
        let binary = arrow_array::BinaryArray::from(vec![b"ab".as_ref()]);
        assert!(count(enc.as_ref(), &binary).is_err());
    }
}

#[cfg(all(test, feature = "pricing"))]
mod pricing_tests {
    use super::*;
    use crate::meter::{InvoiceOptions, Meter, OnError};
    use crate::price::{PriceBook, ScheduleSet};
    use arrow_array::{RecordBatch, StringArray};

    fn book() -> PriceBook {
        PriceBook::bundled().with_schedule_set(ScheduleSet::bundled("gtc-2026").expect("bundled"))
    }

    /// The example log with a null row, a line that is not an event, a redelivery and
    /// a conflicting redelivery.
    fn lines() -> Vec<Option<String>> {
        let log = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/usage.jsonl")).expect("example log");
        let mut rows: Vec<Option<String>> = log.lines().map(|l| Some(l.to_string())).collect();
        rows.insert(3, None);
        rows.insert(4, Some("   ".into()));
        rows.push(Some("{\"not\": \"an event\"}".into()));
        rows.push(rows[0].clone());
        rows.push(rows[1].as_ref().map(|l| l.replace("\"promptTokenCount\":", "\"promptTokenCount\":1")));
        rows
    }

    #[test]
    fn a_column_of_log_lines_records_as_the_log_does() {
        let rows = lines();
        let array = StringArray::from(rows.clone());
        let mut meter = Meter::new(book());
        let outcome = record_lines(&mut meter, &array).expect("recorded");
        assert_eq!(outcome.num_rows(), rows.len());
        let status = outcome.column_by_name("status").expect("status").as_string::<i32>();
        let code = outcome.column_by_name("error_code").expect("error_code").as_string::<i32>();
        let count = |s: &str| status.iter().filter(|v| *v == Some(s)).count();
        // The same log through record_log: the same counts.
        let text: String = rows.iter().flatten().map(|l| format!("{l}\n")).collect();
        let mut other = Meter::new(book());
        let log = other.record_log(text.as_bytes(), OnError::Continue).expect("log");
        assert_eq!((count("new"), count("duplicate"), count("error")), (log.recorded, log.duplicates, log.problems.len()));
        assert!(status.is_null(3) && status.is_null(4), "a null or blank row has a null outcome");
        let n = rows.len();
        assert_eq!((status.value(n - 3), code.value(n - 3)), ("error", "invalid_usage"));
        assert_eq!(status.value(n - 2), "duplicate");
        assert_eq!((status.value(n - 1), code.value(n - 1)), ("error", "conflicting_event"));
        assert_eq!(
            meter.invoice(&InvoiceOptions::default()).expect("invoice"),
            other.invoice(&InvoiceOptions::default()).expect("invoice")
        );
        // The cost of a new row is the meter's record's, unrounded.
        let ids = outcome.column_by_name("id").expect("id").as_string::<i32>();
        let costs = outcome.column_by_name("cost").expect("cost").as_string::<i32>();
        let record = meter.get(ids.value(0)).expect("get").expect("recorded");
        assert_eq!(costs.value(0), record.cost().amount().normalize().to_string());
        // Ids: the meter's (derived for a provider response without one), null for null
        // and for a line that is not an event.
        let event_ids = event_ids(&array).expect("ids");
        for i in 0..n {
            assert_eq!(event_ids.is_null(i), i == 3 || i == 4 || i == n - 3, "row {i}");
        }
        assert_eq!(event_ids.value(0), ids.value(0));
        // The first line has no id of its own: the meter's is the provider response's.
        let first: serde_json::Value = serde_json::from_str(rows[0].as_deref().expect("line")).expect("json");
        assert!(first.get("id").is_none());
        assert_eq!(Some(event_ids.value(0)), first["response"]["id"].as_str());
    }

    #[test]
    fn a_table_of_usage_prices_each_row_as_price_does() {
        use crate::price::{Request, Service, Usage};
        use arrow_array::{Int64Array, UInt32Array};
        let book = book();
        let table = RecordBatch::try_from_iter(vec![
            ("customer", Arc::new(StringArray::from(vec!["a", "b", "c", "d"])) as ArrayRef),
            (
                "model",
                Arc::new(StringArray::from(vec![Some("gpt-4o"), Some("claude-sonnet-4-6"), Some("no-such-model"), None])) as ArrayRef,
            ),
            ("input", Arc::new(Int64Array::from(vec![Some(10_000), Some(250_000), Some(5), Some(1)])) as ArrayRef),
            ("cached_input", Arc::new(UInt32Array::from(vec![Some(4_000), None, None, None])) as ArrayRef),
            ("output", Arc::new(Int64Array::from(vec![500, 1_000, 1, 1])) as ArrayRef),
            ("service", Arc::new(StringArray::from(vec![Some("batch"), None, None, None])) as ArrayRef),
        ])
        .expect("table");
        let out = price_usage(&book, &table).expect("priced");
        let cost = out.column_by_name("cost").expect("cost").as_string::<i32>();
        let code = out.column_by_name("error_code").expect("code").as_string::<i32>();
        let mut usage = Usage::default();
        for (name, v) in [("input", 10_000), ("cached_input", 4_000), ("output", 500), ("requests", 1)] {
            usage.set_by_name(name, v).expect("field");
        }
        let request =
            Request { usage, service: Service::from_options(true, None).expect("batch"), at: None, conditions: Default::default() };
        assert_eq!(cost.value(0), book.quote("gpt-4o", None, &request).expect("quote").total.normalize().to_string());
        assert!(!cost.is_null(1));
        assert_eq!((cost.is_null(2), code.value(2)), (true, "unknown_model_price"));
        assert!(cost.is_null(3) && code.is_null(3), "a null model is a null row");
        // A count under another name would price the row as if it were 0: refused.
        let wrong = RecordBatch::try_from_iter(vec![
            ("model", Arc::new(StringArray::from(vec!["gpt-4o"])) as ArrayRef),
            ("input_tokens", Arc::new(Int64Array::from(vec![10])) as ArrayRef),
        ])
        .expect("table");
        let err = price_usage(&book, &wrong).expect_err("unknown count column");
        assert!(err.to_string().contains("column input_tokens: an integer column that is not a usage count"), "{err}");
        let floats = RecordBatch::try_from_iter(vec![
            ("model", Arc::new(StringArray::from(vec!["gpt-4o"])) as ArrayRef),
            ("prompt_tokens", Arc::new(arrow_array::Float64Array::from(vec![10.0])) as ArrayRef),
        ])
        .expect("table");
        let err = price_usage(&book, &floats).expect_err("a float column");
        assert!(err.to_string().contains("column prompt_tokens: a Float64 column that is not a usage count"), "{err}");
        let negative = RecordBatch::try_from_iter(vec![
            ("model", Arc::new(StringArray::from(vec!["gpt-4o"])) as ArrayRef),
            ("input", Arc::new(Int64Array::from(vec![-1])) as ArrayRef),
        ])
        .expect("table");
        let out = price_usage(&book, &negative).expect("priced");
        assert_eq!(out.column_by_name("error_code").expect("code").as_string::<i32>().value(0), "invalid_usage");
    }

    #[test]
    fn decimals_convert_exactly_or_not_at_all() {
        let texts = StringArray::from(vec![Some("0.000000000000000001"), None, Some("-12.5"), Some("9999999999.999999999999999999")]);
        let d = decimal128(&texts, 0, 38, 18).expect("fits");
        assert_eq!(d.value_as_string(0), "0.000000000000000001");
        assert!(d.is_null(1));
        assert_eq!(d.value_as_string(2), "-12.500000000000000000");
        assert_eq!(d.value_as_string(3), "9999999999.999999999999999999");
        // More digits than any money here holds: an error, not a rounded value.
        assert!(decimal128(&StringArray::from(vec!["99999999999999999999.999999999999999999"]), 0, 38, 18).is_err());
        let err = decimal128(&StringArray::from(vec!["1", "0.0000000000000000001"]), 0, 38, 18).expect_err("scale");
        assert!(err.to_string().contains("row 1: 0.0000000000000000001 has 19 decimal places"), "{err}");
        // A chunk's rows are numbered from its place in the column.
        let err = decimal128(&StringArray::from(vec!["1", "0.0000000000000000001"]), 1000, 38, 18).expect_err("scale");
        assert!(err.to_string().contains("row 1001: "), "{err}");
        let err = decimal128(&StringArray::from(vec!["100000000000000000000"]), 0, 38, 18).expect_err("too big");
        assert!(err.to_string().contains("more than the 20 integer digits"), "{err}");
        assert!(decimal128(&StringArray::from(vec!["1.5"]), 0, 38, 0).is_err(), "never rounded");
        assert!(decimal128(&StringArray::from(vec!["x"]), 0, 38, 18).is_err());
        // Exponent notation would be read with rounding: refused.
        assert!(decimal128(&StringArray::from(vec!["1.23456789012345678901234567891e0"]), 0, 38, 18).is_err());
    }

    #[test]
    fn partial_sums_cross_as_a_record_batch_and_back() {
        let text: String = lines().iter().flatten().map(|l| format!("{l}\n")).collect();
        for options in [InvoiceOptions::default(), InvoiceOptions::from_names(Some(&["customer", "hour"]), Some("hour")).expect("options")]
        {
            let mut meter = Meter::summing(book(), &options);
            meter.record_log(text.as_bytes(), OnError::Continue).expect("log");
            let rows = meter.partial_sums(&options).expect("rows");
            assert!(rows.len() > 10);
            let batch = partial_sums_to_arrow(&rows).expect("batch");
            assert_eq!(batch.schema(), partial_sums_schema());
            assert_eq!(partial_sums_from_arrow(&batch).expect("read back"), rows);
            let mut again = Meter::summing(book(), &options);
            again.add_partial_sums(&partial_sums_from_arrow(&batch).expect("rows")).expect("add");
            assert_eq!(again.invoice(&options).expect("invoice"), meter.invoice(&options).expect("invoice"));
        }
    }

    #[test]
    fn partial_sums_that_are_not_sums_are_errors_naming_row_and_column() {
        let text: String = lines().iter().flatten().map(|l| format!("{l}\n")).collect();
        let options = InvoiceOptions::default();
        let mut meter = Meter::summing(book(), &options);
        meter.record_log(text.as_bytes(), OnError::Continue).expect("log");
        let batch = partial_sums_to_arrow(&meter.partial_sums(&options).expect("rows")).expect("batch");
        let replace = |name: &str, value: ArrayRef| {
            let i = batch.schema().index_of(name).expect("column");
            let mut columns = batch.columns().to_vec();
            columns[i] = value;
            let fields: Vec<_> = batch.schema().fields().iter().map(|f| f.as_ref().clone().with_nullable(true)).collect();
            RecordBatch::try_new(Arc::new(arrow_schema::Schema::new(fields)), columns).expect("batch")
        };
        let n = batch.num_rows();
        let mut amounts: Vec<Option<&str>> = vec![Some("1"); n];
        amounts[2] = Some("1.2.3");
        let err = partial_sums_from_arrow(&replace("amount", Arc::new(StringArray::from(amounts)))).expect_err("not a decimal");
        assert!(err.to_string().contains("row 2, column amount"), "{err}");
        let mut items: Vec<Option<&str>> = vec![Some("events"); n];
        items[1] = None;
        let err = partial_sums_from_arrow(&replace("item", Arc::new(StringArray::from(items)))).expect_err("null");
        assert!(err.to_string().contains("row 1, column item: null"), "{err}");
        let starts = arrow_array::TimestampSecondArray::from(vec![3600; n]).with_timezone("UTC");
        let err = partial_sums_from_arrow(&replace("period_start", Arc::new(starts))).expect_err("not a month start");
        assert!(err.to_string().contains("row 0, column period_start"), "{err}");
        let dropped = RecordBatch::try_new(
            Arc::new(batch.schema().project(&[0, 1, 2, 3, 4, 5, 6, 7, 8]).expect("project")),
            batch.columns()[..9].to_vec(),
        )
        .expect("batch");
        assert!(partial_sums_from_arrow(&dropped).expect_err("no amount").to_string().contains("amount: missing"));
    }
}
