//! A usage event: who used which model how much, when, with a caller-given id that
//! makes recording it idempotent.
//!
//! One JSON object per event, in either of two shapes (both are accepted on every
//! line of a usage log):
//! - an envelope: `{"id", "customer", "model", "timestamp", "usage", "service"?,
//!   "provider"?, "request_id"?, "tags"?, "usage_format"?}` where `usage` is a provider's
//!   usage object (detected from its fields, or named by `usage_format`);
//! - an envelope around a raw provider response: `{"customer", "timestamp",
//!   "response": {...}}`, taking `id`, `model`, `usage` and `service_tier` from the
//!   response (OpenAI and Anthropic `id`/`model`/`usage`; Gemini
//!   `responseId`/`modelVersion`/`usageMetadata`).

use crate::price::{usage_from_value, Provider, Service, Usage};
use crate::{Error, Result};
use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use std::collections::BTreeMap;
use tokfare_json::{self as json, Value};

/// One metered request.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct UsageEvent {
    /// Caller-given unique id: recording the same id twice counts once.
    pub id: String,
    /// Who is billed.
    pub customer: String,
    /// The model name as reported.
    pub model: String,
    /// What it consumed, in disjoint classes.
    pub usage: Usage,
    /// When it happened.
    pub timestamp: DateTime<Utc>,
    /// Service level.
    pub service: Service,
    /// Who served it (`openai`, `anthropic`, `google` ...), for export idempotency keys.
    pub provider: Option<String>,
    /// The provider's request or response id, for export idempotency keys.
    pub request_id: Option<String>,
    /// Free-form labels; `tier` picks a schedule of a schedule set explicitly.
    pub tags: BTreeMap<String, String>,
}

impl UsageEvent {
    /// An event with the essentials; service standard, no provider ids, no tags.
    pub fn new(
        id: impl Into<String>,
        customer: impl Into<String>,
        model: impl Into<String>,
        usage: Usage,
        timestamp: DateTime<Utc>,
    ) -> UsageEvent {
        UsageEvent {
            id: id.into(),
            customer: customer.into(),
            model: model.into(),
            usage,
            timestamp,
            service: Service::Standard,
            provider: None,
            request_id: None,
            tags: BTreeMap::new(),
        }
    }

    /// Parses one JSON object (see the module docs for the accepted shapes).
    pub fn from_json(text: &str) -> Result<UsageEvent> {
        let mut bytes = text.as_bytes().to_vec();
        let value = json::parse(&mut bytes, |reason| Error::InvalidUsage { line: None, path: "$".into(), reason })?;
        UsageEvent::from_value(&value)
    }

    pub(crate) fn from_value(v: &Value<'_>) -> Result<UsageEvent> {
        if !json::is_object(v) {
            return Err(bad("$", "an event must be a JSON object".into()));
        }
        let response = json::get_object(v, "response", "$", bad)?;
        let from_response = |key: &str| -> Result<Option<&str>> {
            match response {
                Some(r) => json::opt_str(r, key, "$.response", bad),
                None => Ok(None),
            }
        };
        let id = match json::opt_str(v, "id", "$", bad)? {
            Some(id) => id.to_string(),
            None => from_response("id")?
                .or(from_response("responseId")?)
                .ok_or_else(|| bad("$.id", "missing: every event needs a unique id (idempotency)".into()))?
                .to_string(),
        };
        if id.is_empty() {
            return Err(bad("$.id", "must not be empty".into()));
        }
        let model = match json::opt_str(v, "model", "$", bad)? {
            Some(m) => m.to_string(),
            None => from_response("model")?.or(from_response("modelVersion")?).ok_or_else(|| bad("$.model", "missing".into()))?.to_string(),
        };
        let customer = json::opt_str(v, "customer", "$", bad)?.unwrap_or("unassigned").to_string();
        let usage_format = match json::opt_str(v, "usage_format", "$", bad)? {
            Some(f) => Some(f.parse::<Provider>().map_err(|e| bad("$.usage_format", e.to_string()))?),
            None => None,
        };
        let usage = match (json::get(v, "usage"), response) {
            (Some(u), _) => usage_from_value(u, usage_format, "$.usage")?,
            (None, Some(r)) => match (json::get(r, "usage"), json::get(r, "usageMetadata")) {
                (Some(u), _) => usage_from_value(u, usage_format, "$.response.usage")?,
                (None, Some(u)) => usage_from_value(u, Some(Provider::Gemini), "$.response.usageMetadata")?,
                (None, None) => return Err(bad("$.response.usage", "missing".into())),
            },
            (None, None) => return Err(bad("$.usage", "missing".into())),
        };
        let service = match json::opt_str(v, "service", "$", bad)?.or(from_response("service_tier")?) {
            Some(s) => s.parse().map_err(|e: Error| bad("$.service", e.to_string()))?,
            None => Service::Standard,
        };
        let timestamp = match json::get(v, "timestamp") {
            Some(t) => timestamp(t, "$.timestamp")?,
            None => match response.and_then(|r| json::get(r, "created")) {
                Some(t) => timestamp(t, "$.response.created")?,
                None => return Err(bad("$.timestamp", "missing (RFC 3339 text or Unix seconds)".into())),
            },
        };
        let mut tags = BTreeMap::new();
        if let Some(t) = json::get_object(v, "tags", "$", bad)? {
            for (key, value) in json::entries(t) {
                let text = json::as_str(value).ok_or_else(|| bad(&format!("$.tags.{key}"), "tag values are strings".into()))?;
                tags.insert(key.to_string(), text.to_string());
            }
        }
        let request_id = match json::opt_str(v, "request_id", "$", bad)? {
            Some(r) => Some(r.to_string()),
            None => from_response("id")?.or(from_response("responseId")?).map(str::to_string),
        };
        Ok(UsageEvent {
            id,
            customer,
            model,
            usage,
            timestamp,
            service,
            provider: json::opt_str(v, "provider", "$", bad)?.map(str::to_string),
            request_id,
            tags,
        })
    }

    /// The event in tokfare's envelope form with normalised usage: one line of JSON,
    /// deterministic (same event, same bytes), read back by [`UsageEvent::from_json`].
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(256);
        out.push('{');
        field(&mut out, "id", &self.id);
        out.push(',');
        field(&mut out, "customer", &self.customer);
        out.push(',');
        field(&mut out, "model", &self.model);
        out.push(',');
        field(&mut out, "timestamp", &self.timestamp.to_rfc3339_opts(SecondsFormat::AutoSi, true));
        out.push(',');
        field(&mut out, "service", self.service.name());
        if let Some(p) = &self.provider {
            out.push(',');
            field(&mut out, "provider", p);
        }
        if let Some(r) = &self.request_id {
            out.push(',');
            field(&mut out, "request_id", r);
        }
        if !self.tags.is_empty() {
            out.push_str(",\"tags\":{");
            for (i, (k, v)) in self.tags.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                field(&mut out, k, v);
            }
            out.push('}');
        }
        out.push_str(",\"usage_format\":\"tokfare\",\"usage\":");
        out.push_str(&usage_json(&self.usage));
        out.push('}');
        out
    }
}

/// `{"input":N,...}` with the non-zero counts (`requests` always present).
pub(crate) fn usage_json(usage: &Usage) -> String {
    let mut out = String::from("{");
    let mut entries = usage.entries();
    if usage.requests == 0 {
        entries.push(("requests", 0));
    }
    for (i, (name, n)) in entries.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!("\"{name}\":{n}"));
    }
    out.push('}');
    out
}

fn field(out: &mut String, key: &str, value: &str) {
    push_json_string(out, key);
    out.push(':');
    push_json_string(out, value);
}

/// Appends `s` as a JSON string literal.
pub(crate) fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn bad(path: &str, reason: String) -> Error {
    Error::InvalidUsage { line: None, path: path.to_string(), reason }
}

fn timestamp(v: &Value<'_>, path: &str) -> Result<DateTime<Utc>> {
    use simd_json::prelude::ValueAsScalar;
    if let Some(text) = json::as_str(v) {
        return crate::price::parse_timestamp("timestamp", text).map_err(|e| match e {
            Error::InvalidArgument { reason, .. } => bad(path, reason),
            other => other,
        });
    }
    if let Some(secs) = v.as_i64() {
        return Utc.timestamp_opt(secs, 0).single().ok_or_else(|| bad(path, format!("{secs} is out of range")));
    }
    Err(bad(path, "must be RFC 3339 text or Unix seconds".into()))
}
