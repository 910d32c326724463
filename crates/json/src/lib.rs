//! Small accessors over `simd-json`'s borrowed values that report the path of a bad
//! field, shared by the pricing crate (usage parsers, usage-log reader, catalog
//! importer) and the tokenizer crate (chat-message reader). (The `tokenizer.json`
//! loader reads simd-json's tape instead: `tokfare_tokenizer::hf`.)
//!
//! Each function takes the caller's error constructor, so each crate keeps its own
//! error type.
#![deny(missing_docs)]

use simd_json::prelude::*;

pub use simd_json::BorrowedValue as Value;

/// Deepest nesting of arrays and objects accepted: the parsed tree is dropped
/// recursively, so hostile input (`[[[[...`) must not reach it.
pub const MAX_NESTING: usize = 128;

/// Parses JSON text in place (simd-json rewrites the buffer) into a borrowed tree.
///
/// Stricter than simd-json alone, so that no input is read two ways: an object with the
/// same key twice is an error (simd-json keeps both and a lookup sees only one), and
/// nesting deeper than [`MAX_NESTING`] is refused before anything is built. A leading
/// UTF-8 byte order mark is ignored (RFC 8259 §8.1 allows it; Windows tools write one).
/// An integer beyond 64 bits is read as a float (the `big-int-as-float` feature), so
/// the field reading it can say it is out of range instead of "not valid JSON".
pub fn parse<'a, E>(bytes: &'a mut [u8], err: impl FnOnce(String) -> E) -> Result<Value<'a>, E> {
    if let Err(reason) = check_nesting(bytes) {
        return Err(err(reason));
    }
    if bytes.starts_with(BOM) {
        bytes[..BOM.len()].fill(b' ');
    }
    let tape = match simd_json::to_tape(bytes) {
        Ok(tape) => tape,
        Err(e) => return Err(err(describe(&e))),
    };
    if let Err(message) = check_keys(&tape.0, 0, &Crumb::Root) {
        return Err(err(message));
    }
    Ok(simd_json::value::lazy::Value::from_tape(tape.as_value()).into_value())
}

/// The UTF-8 byte order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A simd-json error in words.
fn describe(e: &simd_json::Error) -> String {
    use simd_json::ErrorType as T;
    let at = e.index();
    let what = match e.error() {
        T::InvalidNumber => "a number that is not valid JSON or is out of range (beyond a 64-bit float)".to_string(),
        T::Eof | T::UnterminatedString => "the text ends before the value does".to_string(),
        T::TrailingData => "more text after the value".to_string(),
        T::InvalidUtf8 => "invalid UTF-8".to_string(),
        T::InvalidExponent => "a number with an invalid exponent".to_string(),
        T::InvalidEscape | T::InvalidUnicodeEscape | T::InvalidUnicodeCodepoint => "an invalid escape in a string".to_string(),
        other => match e.character() {
            // NaN and Infinity are JavaScript, not JSON (Python's json.dumps writes them).
            Some('N' | 'I') => "NaN or Infinity, which JSON does not allow".to_string(),
            Some(c) => format!("an unexpected {c:?} ({other:?})"),
            None => format!("{other:?}"),
        },
    };
    format!("not valid JSON: {what} at byte {at}")
}

/// Where a node sits, from the root: rendered as a path (`$.usage.input_tokens`) only
/// when there is an error to report.
#[derive(Clone, Copy)]
enum Crumb<'p, 'a> {
    Root,
    Key(&'p Crumb<'p, 'a>, &'a str),
    Index(&'p Crumb<'p, 'a>, usize),
}

impl Crumb<'_, '_> {
    fn path(&self) -> String {
        match self {
            Crumb::Root => "$".to_string(),
            Crumb::Key(parent, key) => format!("{}.{key}", parent.path()),
            Crumb::Index(parent, i) => format!("{}[{i}]", parent.path()),
        }
    }
}

/// Checks that no object in the tape from `at` holds a key twice: `Ok(next node)`, or
/// `Err(message)` naming the object's path and the key. Linear in the nodes, plus
/// O(k log k) for an object of k keys (a sort beyond 16 keys).
fn check_keys<'a>(nodes: &[simd_json::Node<'a>], at: usize, crumb: &Crumb<'_, 'a>) -> Result<usize, String> {
    use simd_json::Node;
    match nodes.get(at) {
        Some(Node::Object { len, .. }) => {
            let mut next = at + 1;
            let mut keys: Vec<&'a str> = Vec::with_capacity(*len);
            for _ in 0..*len {
                let Some(Node::String(key)) = nodes.get(next) else {
                    return Err(format!("{}: malformed object", crumb.path()));
                };
                keys.push(*key);
                next = check_keys(nodes, next + 1, &Crumb::Key(crumb, key))?;
            }
            let twice = if keys.len() <= 16 {
                keys.iter().enumerate().find(|(i, k)| keys[..*i].contains(k)).map(|(_, k)| *k)
            } else {
                keys.sort_unstable();
                keys.windows(2).find(|w| w[0] == w[1]).map(|w| w[0])
            };
            match twice {
                Some(key) => Err(format!(
                    "the key {key:?} appears twice in {} (duplicate keys are refused: readers disagree on which one counts)",
                    crumb.path()
                )),
                None => Ok(next),
            }
        }
        Some(Node::Array { len, .. }) => {
            let mut next = at + 1;
            for i in 0..*len {
                next = check_keys(nodes, next, &Crumb::Index(crumb, i))?;
            }
            Ok(next)
        }
        Some(_) => Ok(at + 1),
        None => Err(format!("{}: malformed value", crumb.path())),
    }
}

/// Refuses JSON text whose arrays and objects nest deeper than [`MAX_NESTING`], before
/// a parser builds anything from it (for callers that parse with simd-json's tape, as
/// the `tokenizer.json` loader does: a hostile `[[[[…` must not cost a node per byte).
pub fn check_nesting(bytes: &[u8]) -> Result<(), String> {
    if nesting_exceeds(bytes, MAX_NESTING) {
        return Err(format!("arrays and objects nested more than {MAX_NESTING} deep"));
    }
    Ok(())
}

/// Whether brackets outside strings nest deeper than `limit` (one linear pass).
fn nesting_exceeds(bytes: &[u8], limit: usize) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &b in bytes {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// `value[key]` if `value` is an object holding `key`.
pub fn get<'v, 'a>(value: &'v Value<'a>, key: &str) -> Option<&'v Value<'a>> {
    value.as_object().and_then(|o| o.get(key))
}

/// True for a JSON object.
pub fn is_object(value: &Value<'_>) -> bool {
    value.as_object().is_some()
}

/// The items of a JSON array.
pub fn as_array<'v, 'a>(value: &'v Value<'a>) -> Option<&'v [Value<'a>]> {
    ValueAsArray::as_array(value).map(|v| v.as_slice())
}

/// The text of a JSON string.
pub fn as_str<'v>(value: &'v Value<'_>) -> Option<&'v str> {
    ValueAsScalar::as_str(value)
}

/// The `(key, value)` pairs of an object (empty for anything else).
pub fn entries<'v, 'a>(value: &'v Value<'a>) -> Vec<(&'v str, &'v Value<'a>)> {
    value.as_object().map(|o| o.iter().map(|(k, v)| (k.as_ref(), v)).collect()).unwrap_or_default()
}

/// `value[key]` as an object; `null` counts as absent.
pub fn get_object<'v, 'a, E>(value: &'v Value<'a>, key: &str, path: &str, bad: fn(&str, String) -> E) -> Result<Option<&'v Value<'a>>, E> {
    match get(value, key) {
        None => Ok(None),
        Some(v) if v.is_null() => Ok(None),
        Some(v) if v.as_object().is_some() => Ok(Some(v)),
        Some(_) => Err(bad(&format!("{path}.{key}"), "must be an object".into())),
    }
}

/// `value[key]` as a non-negative integer; `null` counts as absent. Negative numbers,
/// fractions and strings are errors: a quantity is never guessed.
pub fn opt_u64<E>(value: &Value<'_>, key: &str, path: &str, bad: fn(&str, String) -> E) -> Result<Option<u64>, E> {
    let Some(v) = get(value, key) else { return Ok(None) };
    if v.is_null() {
        return Ok(None);
    }
    if let Some(n) = v.as_u64() {
        return Ok(Some(n));
    }
    let field = format!("{path}.{key}");
    if let Some(n) = v.as_i64() {
        return Err(bad(&field, format!("negative quantity {n}")));
    }
    if let Some(f) = v.as_f64() {
        // 12.0 is an integer written as a float by some clients; 12.5 tokens is not.
        if f >= 0.0 && f.fract() == 0.0 && f <= 9.007_199_254_740_992e15 {
            return Ok(Some(f as u64));
        }
        if f.fract() == 0.0 && f >= u64::MAX as f64 {
            // An integer beyond 64 bits (read as a float by the parser).
            return Err(bad(&field, format!("out of range: {f:e} is more than the largest count, {}", u64::MAX)));
        }
        if f < 0.0 {
            return Err(bad(&field, format!("negative quantity {f:e}")));
        }
        return Err(bad(&field, format!("must be a non-negative integer, got {f}")));
    }
    Err(bad(&field, "must be a non-negative integer".into()))
}

/// `value[key]` as a string; `null` counts as absent.
pub fn opt_str<'v, E>(value: &'v Value<'_>, key: &str, path: &str, bad: fn(&str, String) -> E) -> Result<Option<&'v str>, E> {
    match get(value, key) {
        None => Ok(None),
        Some(v) if v.is_null() => Ok(None),
        Some(v) => as_str(v).map(Some).ok_or_else(|| bad(&format!("{path}.{key}"), "must be a string".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Result<String, String> {
        let mut bytes = text.as_bytes().to_vec();
        parse(&mut bytes, |e| e).map(|v| simd_json::prelude::Writable::encode(&v))
    }

    #[test]
    fn a_key_twice_is_refused_with_its_path() {
        let e = parsed(r#"{"id":"a","id":"b"}"#).expect_err("refused");
        assert!(e.starts_with("the key \"id\" appears twice in $ "), "{e}");
        let e = parsed(r#"{"a":[1,{"b":{"c":1,"d":2,"c":3}}]}"#).expect_err("refused");
        assert!(e.starts_with("the key \"c\" appears twice in $.a[1].b "), "{e}");
        // Beyond 16 keys the check sorts; the same key far apart is still found.
        let many: Vec<String> = (0..40).map(|i| format!("\"k{i}\":{i}")).collect();
        let e = parsed(&format!("{{{},\"k7\":0}}", many.join(","))).expect_err("refused");
        assert!(e.starts_with("the key \"k7\" appears twice in $ "), "{e}");
        assert!(parsed(&format!("{{{}}}", many.join(","))).is_ok());
        // The same key in sibling objects is fine.
        assert!(parsed(r#"[{"a":1},{"a":2}]"#).is_ok());
    }

    #[test]
    fn a_byte_order_mark_is_ignored_and_crlf_is_whitespace() {
        assert_eq!(parsed("\u{feff}{\"a\":1}\r\n").expect("accepted"), r#"{"a":1}"#);
    }

    #[test]
    fn huge_integers_parse_as_floats_and_nan_is_named() {
        // 2^70: valid JSON, out of u64's range; the reader of the field says so.
        assert_eq!(parsed(r#"{"n":1180591620717411303424}"#).expect("accepted"), r#"{"n":1.1805916207174113e21}"#);
        let e = parsed(r#"{"n":NaN}"#).expect_err("refused");
        assert!(e.contains("NaN or Infinity"), "{e}");
        let e = parsed(r#"{"n":1e999}"#).expect_err("refused");
        assert!(e.contains("out of range"), "{e}");
    }

    #[test]
    fn counts_beyond_64_bits_are_out_of_range() {
        let mut bytes = br#"{"n":1180591620717411303424,"m":-1180591620717411303424,"k":18446744073709551615}"#.to_vec();
        let v = parse(&mut bytes, |e| e).expect("accepted");
        let bad = |path: &str, reason: String| format!("{path}: {reason}");
        let e = opt_u64(&v, "n", "$", bad).expect_err("refused");
        assert_eq!(e, "$.n: out of range: 1.1805916207174113e21 is more than the largest count, 18446744073709551615");
        assert!(opt_u64(&v, "m", "$", bad).expect_err("refused").contains("negative quantity"));
        assert_eq!(opt_u64(&v, "k", "$", bad).expect("accepted"), Some(u64::MAX));
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let e = parsed(r#"{"a":1"#).expect_err("refused");
        assert!(e.starts_with("not valid JSON"), "{e}");
        let e = parsed(r#"{"a":1} x"#).expect_err("refused");
        assert!(e.starts_with("not valid JSON"), "{e}");
    }
}
