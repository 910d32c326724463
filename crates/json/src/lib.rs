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
pub fn parse<'a, E>(bytes: &'a mut [u8], err: impl FnOnce(String) -> E) -> Result<Value<'a>, E> {
    if nesting_exceeds(bytes, MAX_NESTING) {
        return Err(err(format!("arrays and objects nested more than {MAX_NESTING} deep")));
    }
    simd_json::to_borrowed_value(bytes).map_err(|e| err(format!("not valid JSON: {e}")))
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
