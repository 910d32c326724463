//! JSON helpers of the request readers: the error with its path, typed accessors, and
//! compact JSON text in JavaScript's `JSON.stringify` form (tool inputs and structured
//! outputs are counted as that text, as the calibration counted them).

use crate::Result;
use simd_json::prelude::*;
use tokfare_json::{self as json, Value};
use tokfare_tokenizer::Error as TokError;

/// An `invalid_argument` error on the request at `path`.
pub(super) fn bad(path: &str, reason: String) -> TokError {
    TokError::InvalidArgument { name: "request", reason: format!("{path}: {reason}") }
}

/// Parses a request body (strict: no duplicate keys, bounded nesting).
pub(super) fn parse(bytes: &mut [u8]) -> Result<Value<'_>> {
    Ok(json::parse(bytes, |r| bad("$", r))?)
}

/// `value[key]` as a string, `null` or absent as `None`.
pub(super) fn opt_str(value: &Value<'_>, key: &str, path: &str) -> Result<Option<String>> {
    Ok(json::opt_str(value, key, path, bad)?.map(str::to_string))
}

/// `value[key]` as a string, required.
pub(super) fn req_str(value: &Value<'_>, key: &str, path: &str) -> Result<String> {
    opt_str(value, key, path)?.ok_or_else(|| bad(&format!("{path}.{key}"), "missing".into()).into())
}

/// `value[key]` as an array (`null` or absent: empty).
pub(super) fn opt_array<'v, 'a>(value: &'v Value<'a>, key: &str, path: &str) -> Result<&'v [Value<'a>]> {
    match json::get(value, key) {
        None => Ok(&[]),
        Some(v) if v.is_null() => Ok(&[]),
        Some(v) => json::as_array(v).ok_or_else(|| bad(&format!("{path}.{key}"), "must be a list".into()).into()),
    }
}

/// Requires `value` to be an object.
pub(super) fn object(value: &Value<'_>, path: &str) -> Result<()> {
    if json::is_object(value) {
        Ok(())
    } else {
        Err(bad(path, "must be an object".into()).into())
    }
}

/// The first of `keys` present (Gemini accepts camelCase and snake_case).
pub(super) fn get_any<'v, 'a>(value: &'v Value<'a>, keys: &[&'static str]) -> Option<(&'static str, &'v Value<'a>)> {
    keys.iter().find_map(|k| json::get(value, k).filter(|v| !v.is_null()).map(|v| (*k, v)))
}

/// `value` as compact JSON text, as JavaScript's `JSON.stringify` writes it: no spaces,
/// integers without a fraction, other numbers in JavaScript's shortest form, only `"`,
/// `\` and control characters escaped, and object keys in JavaScript's order (integer
/// keys ascending first, then the others in their order in the body). One difference:
/// simd-json keeps the order of objects of at most 32 keys only; larger objects' other
/// keys are written sorted, so the text (and a count from it) is the same on every run.
pub(super) fn stringify(value: &Value<'_>) -> String {
    let mut out = String::new();
    write(value, &mut out);
    out
}

fn write(value: &Value<'_>, out: &mut String) {
    if let Some(s) = json::as_str(value) {
        write_str(s, out);
    } else if let Some(items) = json::as_array(value) {
        out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write(item, out);
        }
        out.push(']');
    } else if json::is_object(value) {
        out.push('{');
        let mut entries = json::entries(value);
        let in_order = entries.len() <= 32;
        // Stable: integer keys ascending first, then the rest in order (or sorted).
        entries.sort_by(|(a, _), (b, _)| match (array_index(a), array_index(b)) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) if in_order => std::cmp::Ordering::Equal,
            (None, None) => a.cmp(b),
        });
        for (i, (key, item)) in entries.into_iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_str(key, out);
            out.push(':');
            write(item, out);
        }
        out.push('}');
    } else if value.is_null() {
        out.push_str("null");
    } else if let Some(b) = value.as_bool() {
        out.push_str(if b { "true" } else { "false" });
    } else if let Some(u) = value.as_u64() {
        out.push_str(&u.to_string());
    } else if let Some(i) = value.as_i64() {
        out.push_str(&i.to_string());
    } else if let Some(f) = value.as_f64() {
        out.push_str(&js_number(f));
    }
}

/// The key as an array index (`"0"`, `"17"`; not `"01"` or `"-1"`), which JavaScript
/// objects order first.
fn array_index(key: &str) -> Option<u32> {
    if key.is_empty() || (key.len() > 1 && key.starts_with('0')) || !key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    key.parse::<u32>().ok().filter(|n| *n != u32::MAX)
}

/// A float as JavaScript's `Number.prototype.toString` writes it (shortest round trip;
/// exponent form below 1e-6 and from 1e21).
pub(super) fn js_number(f: f64) -> String {
    if !f.is_finite() {
        return "null".into();
    }
    if f == 0.0 {
        return "0".into();
    }
    let a = f.abs();
    if (1e-6..1e21).contains(&a) {
        if f.fract() == 0.0 {
            return format!("{f:.0}");
        }
        return format!("{f}");
    }
    // Rust writes `1e21`, `1.5e-7`; JavaScript `1e+21`, `1.5e-7`.
    let s = format!("{f:e}");
    match s.split_once('e') {
        Some((m, e)) if !e.starts_with('-') => format!("{m}e+{e}"),
        _ => s,
    }
}

fn write_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compact(text: &str) -> String {
        let mut bytes = text.as_bytes().to_vec();
        let value = parse(&mut bytes).expect("valid");
        stringify(&value)
    }

    #[test]
    fn stringify_writes_what_json_stringify_writes() {
        // Expected strings are node 20's JSON.stringify(JSON.parse(text)).
        assert_eq!(
            compact(r#"{ "b": 1, "a": [true, null, 2.50, -3, 1e2, 1.5e-7, 1e21, "x\"\\\n\u0001é"] }"#),
            r#"{"b":1,"a":[true,null,2.5,-3,100,1.5e-7,1e+21,"x\"\\\n\u0001é"]}"#
        );
        assert_eq!(compact("0.1"), "0.1");
        // Integer keys first, ascending, as JavaScript orders them.
        assert_eq!(compact(r#"{"b":1,"10":2,"a":3,"2":4,"01":5}"#), r#"{"2":4,"10":2,"b":1,"a":3,"01":5}"#);
        assert_eq!(compact("123456789012"), "123456789012");
        assert_eq!(compact("-0.000001"), "-0.000001");
    }
}
