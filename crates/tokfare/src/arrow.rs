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

/// A string column in one of Arrow's three layouts.
enum Strings<'a> {
    Utf8(&'a arrow_array::StringArray),
    LargeUtf8(&'a arrow_array::LargeStringArray),
    Utf8View(&'a arrow_array::StringViewArray),
}

impl<'a> Strings<'a> {
    fn of(array: &'a dyn Array) -> Result<Strings<'a>> {
        match array.data_type() {
            DataType::Utf8 => Ok(Strings::Utf8(array.as_string::<i32>())),
            DataType::LargeUtf8 => Ok(Strings::LargeUtf8(array.as_string::<i64>())),
            DataType::Utf8View => Ok(Strings::Utf8View(array.as_string_view())),
            other => Err(tokfare_tokenizer::Error::InvalidArgument {
                name: "strings",
                reason: format!("a string column (utf8, large_utf8 or string_view) is needed, not {other}"),
            }
            .into()),
        }
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
