//! Reading a schedule document with the path of every bad field in its errors
//! (`schedules.pro.context_tiers[1].above`). TOML parses into `toml`'s value tree and
//! JSON (simd-json) converts into the same tree, so one reader serves both formats.

use super::invalid;
use crate::price::money::{decimal_from_f64, parse_decimal};
use crate::Result;
use rust_decimal::Decimal;
use simd_json::prelude::*;
use tokfare_json::{self as json, Value as Json};
use toml::{Table, Value};

/// A JSON document as TOML's value tree. `null` in an object means the field is absent;
/// there is no other use for it in a schedule.
pub(super) fn from_json(value: &Json<'_>, path: &str) -> Result<Value> {
    Ok(match value {
        Json::Static(s) => match s.as_bool() {
            Some(b) => Value::Boolean(b),
            None if s.is_null() => return Err(invalid(or_root(path), "null is not a value here")),
            None => match (s.as_i64(), s.as_u64(), s.as_f64()) {
                (Some(i), _, _) => Value::Integer(i),
                // Beyond i64: TOML has no such integer; a float keeps the magnitude.
                (None, Some(u), _) => Value::Float(u as f64),
                (None, None, Some(f)) => Value::Float(f),
                _ => return Err(invalid(or_root(path), "not a number")),
            },
        },
        Json::String(s) => Value::String(s.to_string()),
        Json::Array(items) => {
            Value::Array(items.iter().enumerate().map(|(i, item)| from_json(item, &format!("{path}[{i}]"))).collect::<Result<_>>()?)
        }
        Json::Object(_) => {
            let mut table = Table::new();
            for (key, item) in json::entries(value) {
                if !item.is_null() {
                    table.insert(key.to_string(), from_json(item, &child(path, key))?);
                }
            }
            Value::Table(table)
        }
    })
}

fn or_root(path: &str) -> &str {
    if path.is_empty() {
        "$"
    } else {
        path
    }
}

fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// What a value is, for "invalid type" messages.
fn kind(value: &Value) -> String {
    match value {
        Value::String(s) => format!("string {s:?}"),
        Value::Integer(i) => format!("integer `{i}`"),
        Value::Float(f) => format!("floating point `{f}`"),
        Value::Boolean(b) => format!("boolean `{b}`"),
        Value::Datetime(d) => format!("datetime `{d}`"),
        Value::Array(_) => "sequence".into(),
        Value::Table(_) => "map".into(),
    }
}

fn wrong_type(value: &Value, path: &str, expected: &str) -> crate::Error {
    invalid(or_root(path), format!("invalid type: {}, expected {expected}", kind(value)))
}

/// A table of the document whose fields are all known to the reader.
pub(super) struct Object<'a> {
    table: &'a Table,
    path: String,
}

impl<'a> Object<'a> {
    /// `table` at `path`, refusing any field not in `fields`.
    pub(super) fn new(table: &'a Table, path: String, fields: &[&str]) -> Result<Object<'a>> {
        if let Some(unknown) = table.keys().find(|k| !fields.contains(&k.as_str())) {
            let expected = fields.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ");
            return Err(invalid(child(&path, unknown), format!("unknown field `{unknown}`, expected one of {expected}")));
        }
        Ok(Object { table, path })
    }

    fn of(value: &'a Value, path: String, fields: &[&str]) -> Result<Object<'a>> {
        match value {
            Value::Table(table) => Object::new(table, path, fields),
            other => Err(wrong_type(other, &path, "a map")),
        }
    }

    fn field(&self, key: &str) -> Option<(&'a Value, String)> {
        self.table.get(key).map(|v| (v, child(&self.path, key)))
    }

    fn required(&self, key: &str) -> Result<(&'a Value, String)> {
        self.field(key).ok_or_else(|| invalid(or_root(&self.path), format!("missing field `{key}`")))
    }

    pub(super) fn string(&self, key: &str) -> Result<Option<String>> {
        self.field(key).map(|(v, path)| string(v, &path)).transpose()
    }

    pub(super) fn required_string(&self, key: &str) -> Result<String> {
        let (v, path) = self.required(key)?;
        string(v, &path)
    }

    pub(super) fn strings(&self, key: &str) -> Result<Vec<String>> {
        self.list(key)?.into_iter().map(|(v, path)| string(v, &path)).collect()
    }

    pub(super) fn u64(&self, key: &str) -> Result<Option<u64>> {
        self.field(key).map(|(v, path)| unsigned(v, &path)).transpose()
    }

    pub(super) fn required_u64(&self, key: &str) -> Result<u64> {
        let (v, path) = self.required(key)?;
        unsigned(v, &path)
    }

    pub(super) fn decimal(&self, key: &str) -> Result<Option<Decimal>> {
        self.field(key).map(|(v, path)| decimal(v, &path)).transpose()
    }

    pub(super) fn required_decimal(&self, key: &str) -> Result<Decimal> {
        let (v, path) = self.required(key)?;
        decimal(v, &path)
    }

    /// A sub-table, its fields checked against `fields`.
    pub(super) fn object(&self, key: &str, fields: &[&str]) -> Result<Option<Object<'a>>> {
        self.field(key).map(|(v, path)| Object::of(v, path, fields)).transpose()
    }

    /// The items of an array field (absent: none), each with its path.
    pub(super) fn list(&self, key: &str) -> Result<Vec<(&'a Value, String)>> {
        match self.field(key) {
            None => Ok(Vec::new()),
            Some((Value::Array(items), path)) => Ok(items.iter().enumerate().map(|(i, v)| (v, format!("{path}[{i}]"))).collect()),
            Some((other, path)) => Err(wrong_type(other, &path, "a sequence")),
        }
    }

    /// The tables of an array field, each checked against `fields`.
    pub(super) fn objects(&self, key: &str, fields: &[&str]) -> Result<Vec<Object<'a>>> {
        self.list(key)?.into_iter().map(|(v, path)| Object::of(v, path, fields)).collect()
    }

    /// The entries of a map field (absent: none), in key order, each with its path.
    pub(super) fn entries(&self, key: &str) -> Result<Vec<(&'a str, &'a Value, String)>> {
        match self.field(key) {
            None => Ok(Vec::new()),
            Some((Value::Table(table), path)) => Ok(table.iter().map(|(k, v)| (k.as_str(), v, child(&path, k))).collect()),
            Some((other, path)) => Err(wrong_type(other, &path, "a map")),
        }
    }

    /// The entries of a map of tables, each checked against `fields`.
    pub(super) fn object_entries(&self, key: &str, fields: &[&str]) -> Result<Vec<(&'a str, Object<'a>)>> {
        self.entries(key)?.into_iter().map(|(k, v, path)| Ok((k, Object::of(v, path, fields)?))).collect()
    }

    /// The entries of a map of decimals.
    pub(super) fn decimals(&self, key: &str) -> Result<Vec<(String, Decimal)>> {
        self.entries(key)?.into_iter().map(|(k, v, path)| Ok((k.to_string(), decimal(v, &path)?))).collect()
    }

    /// The raw value of a field (for fields of more than one type).
    pub(super) fn value(&self, key: &str) -> Option<(&'a Value, String)> {
        self.field(key)
    }
}

fn string(value: &Value, path: &str) -> Result<String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        other => Err(wrong_type(other, path, "a string")),
    }
}

pub(super) fn unsigned(value: &Value, path: &str) -> Result<u64> {
    match value {
        Value::Integer(i) => {
            u64::try_from(*i).map_err(|_| invalid(path, format!("invalid value: integer `{i}`, expected a non-negative integer")))
        }
        other => Err(wrong_type(other, path, "a non-negative integer")),
    }
}

/// A decimal written as a string (`"2.50"`, exact) or a number (its shortest form).
fn decimal(value: &Value, path: &str) -> Result<Decimal> {
    let parsed = match value {
        Value::String(s) => parse_decimal(s),
        Value::Integer(i) => Ok(Decimal::from(*i)),
        Value::Float(f) => decimal_from_f64(*f),
        other => return Err(wrong_type(other, path, "a decimal number or a string holding one")),
    };
    parsed.map_err(|e| invalid(path, e.to_string()))
}
