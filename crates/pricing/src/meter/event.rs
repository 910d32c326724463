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
//!   `responseId`/`modelVersion`/`usageMetadata`), and the web searches of an OpenAI
//!   Responses `output` (its `web_search_call` items) when the usage does not count them.
//!
//! Either shape may state the request's conditions, which uplifts and web-search prices
//! depend on (docs/catalog.md): `"region"` (`global`, `us`, `eu`: data residency or
//! inference geography; Anthropic's `usage.inference_geo` is read too), `"fedramp"`
//! (true for a FedRAMP deployment), `"endpoint"` (`global`, or `regional` / a regional
//! location such as `us-east5`), `"speed"` (`standard`, `fast`; Anthropic's
//! `usage.speed` is read too), `"search_context_size"` (`low`, `medium`, `high`) and
//! `"resolution"` (`720p`, `1080p`, `2K` ...: generated video or images priced by
//! resolution).
//! Unstated conditions are the defaults, never guessed.

use crate::price::{usage_conditions, usage_from_value, ConditionOptions, Conditions, Provider, Service, Usage};
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
    /// Where and how it ran (region, FedRAMP, endpoint, speed, search context size).
    pub conditions: Conditions,
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
            conditions: Conditions::default(),
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
        let (usage_value, usage_path, usage_format) = match (json::get(v, "usage"), response) {
            (Some(u), _) => (u, "$.usage", usage_format),
            (None, Some(r)) => match (json::get(r, "usage"), json::get(r, "usageMetadata")) {
                (Some(u), _) => (u, "$.response.usage", usage_format),
                (None, Some(u)) => (u, "$.response.usageMetadata", Some(Provider::Gemini)),
                (None, None) => return Err(bad("$.response.usage", "missing".into())),
            },
            (None, None) => return Err(bad("$.usage", "missing".into())),
        };
        let mut usage = usage_from_value(usage_value, usage_format, usage_path)?;
        if let Some(r) = response {
            let (searches, maps) = response_groundings(r);
            if usage.web_search_requests == 0 {
                usage.web_search_requests = searches;
            }
            if usage.maps_grounding_requests == 0 {
                usage.maps_grounding_requests = maps;
            }
        }
        let conditions = conditions(v, usage_conditions(usage_value, usage_path)?)?;
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
        let event = UsageEvent {
            id,
            customer,
            model,
            usage,
            timestamp,
            service,
            provider: json::opt_str(v, "provider", "$", bad)?.map(str::to_string),
            request_id,
            tags,
            conditions,
        };
        if let Err((field, reason)) = event.problem() {
            return Err(bad(&format!("$.{field}"), reason));
        }
        Ok(event)
    }

    /// Whether every store can keep the event: an id (its idempotency key), and no NUL
    /// character (U+0000) in any text — PostgreSQL's text cannot hold one, and an event
    /// one store refuses is refused by all. The meter records nothing that fails this.
    pub fn check(&self) -> Result<()> {
        self.problem().map_err(|(name, reason)| Error::InvalidArgument { name, reason })
    }

    fn problem(&self) -> std::result::Result<(), (&'static str, String)> {
        if self.id.is_empty() {
            return Err(("id", "must not be empty: every event needs a unique id (idempotency)".into()));
        }
        let nul = |name: &'static str, text: &str| {
            if text.contains('\0') {
                Err((name, format!("{text:?} contains a NUL character (U+0000), which no meter store keeps")))
            } else {
                Ok(())
            }
        };
        nul("id", &self.id)?;
        nul("customer", &self.customer)?;
        nul("model", &self.model)?;
        nul("provider", self.provider.as_deref().unwrap_or(""))?;
        nul("request_id", self.request_id.as_deref().unwrap_or(""))?;
        for (key, value) in &self.tags {
            nul("tags", key)?;
            nul("tags", value)?;
        }
        Ok(())
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
        let c = &self.conditions;
        if c.region != Default::default() {
            out.push(',');
            field(&mut out, "region", c.region.name());
        }
        if c.fedramp {
            out.push_str(",\"fedramp\":true");
        }
        if c.regional_endpoint {
            out.push(',');
            field(&mut out, "endpoint", "regional");
        }
        if c.fast {
            out.push(',');
            field(&mut out, "speed", "fast");
        }
        if let Some(size) = c.search_context_size {
            out.push(',');
            field(&mut out, "search_context_size", size.name());
        }
        if let Some(resolution) = c.resolution {
            out.push(',');
            field(&mut out, "resolution", resolution.name());
        }
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

/// The envelope's conditions over those the usage object stated (`from_usage`): read by
/// [`Conditions::from_options`], the bindings' parser, with its errors at `$.{option}`.
fn conditions(v: &Value<'_>, from_usage: Conditions) -> Result<Conditions> {
    use simd_json::prelude::ValueAsScalar;
    let text = |key: &str| json::opt_str(v, key, "$", bad);
    let fedramp = match json::get(v, "fedramp") {
        Some(f) => Some(f.as_bool().ok_or_else(|| bad("$.fedramp", "must be true or false".into()))?),
        None => None,
    };
    let options = ConditionOptions {
        region: text("region")?,
        fedramp: fedramp.unwrap_or(from_usage.fedramp),
        endpoint: text("endpoint")?,
        speed: text("speed")?,
        search_context_size: text("search_context_size")?,
        resolution: text("resolution")?,
    };
    let stated = Conditions::from_options(&options).map_err(|e| match e {
        Error::InvalidArgument { name, reason } => bad(&format!("$.{name}"), reason),
        other => other,
    })?;
    // What the envelope leaves unstated, the usage object may state (Anthropic's geo, speed).
    Ok(Conditions {
        region: if options.region.is_some() { stated.region } else { from_usage.region },
        fast: if options.speed.is_some() { stated.fast } else { from_usage.fast },
        ..stated
    })
}

/// Web searches and Maps groundings a raw response shows: the `web_search_call` items of
/// an OpenAI Responses `output`, one for a Chat Completions response whose message cites
/// `url_citation` annotations; the distinct non-empty `webSearchQueries` of a Gemini
/// response's `candidates[].groundingMetadata`, and one Maps grounding when a candidate
/// grounded on Maps (a `groundingChunks[].maps` chunk or a `googleMapsWidgetContextToken`),
/// as LiteLLM counts them (`vertex_ai/gemini/grounding_requests.py:37-58`).
fn response_groundings(response: &Value<'_>) -> (u64, u64) {
    fn list<'v, 'a>(v: &'v Value<'a>, key: &str) -> &'v [Value<'a>] {
        json::get(v, key).and_then(json::as_array).unwrap_or(&[])
    }
    let calls =
        list(response, "output").iter().filter(|item| json::get(item, "type").and_then(json::as_str) == Some("web_search_call")).count();
    // A Chat Completions response that cites the web searched once (LiteLLM TT:550-555, 255-256).
    let cited = list(response, "choices").iter().any(|choice| {
        json::get(choice, "message")
            .is_some_and(|m| list(m, "annotations").iter().any(|a| json::get(a, "type").and_then(json::as_str) == Some("url_citation")))
    });
    let calls = calls + usize::from(cited);
    let mut queries = std::collections::BTreeSet::new();
    let mut maps = false;
    for candidate in list(response, "candidates") {
        let Some(grounding) = json::get(candidate, "groundingMetadata") else { continue };
        for q in list(grounding, "webSearchQueries") {
            if let Some(text) = json::as_str(q).filter(|t| !t.trim().is_empty()) {
                queries.insert(text.to_string());
            }
        }
        maps |= json::get(grounding, "googleMapsWidgetContextToken").is_some()
            || list(grounding, "groundingChunks").iter().any(|chunk| json::get(chunk, "maps").is_some());
    }
    ((calls + queries.len()) as u64, u64::from(maps))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::price::{MediaResolution, Region, SearchContextSize};

    #[test]
    fn conditions_come_from_the_envelope_and_the_usage_and_round_trip() {
        // Anthropic's usage states its inference geo and speed itself.
        let line = r#"{"id":"a","model":"claude-opus-4-8","timestamp":"2026-11-02T10:00:00Z",
            "usage":{"input_tokens":10,"output_tokens":2,"inference_geo":"us","speed":"fast","server_tool_use":{"web_search_requests":1}}}"#;
        let event = UsageEvent::from_json(line).expect("event");
        assert_eq!((event.conditions.region, event.conditions.fast, event.usage.web_search_requests), (Region::Us, true, 1));
        assert_eq!(UsageEvent::from_json(&event.to_json()).expect("round trip"), event);
        // The envelope states the others, and wins over the usage.
        let line = r#"{"id":"b","model":"gpt-5.5","timestamp":"2026-11-02T10:00:00Z","region":"eu","fedramp":true,
            "endpoint":"europe-west1","speed":"standard","search_context_size":"high","resolution":"1080P","usage":{"input":1,"output":1}}"#;
        let event = UsageEvent::from_json(line).expect("event");
        let c = event.conditions;
        assert_eq!((c.region, c.fedramp, c.regional_endpoint, c.fast), (Region::Eu, true, true, false));
        assert_eq!((c.search_context_size, c.resolution), (Some(SearchContextSize::High), Some(MediaResolution::P1080)));
        assert_eq!(UsageEvent::from_json(&event.to_json()).expect("round trip"), event);
        // Unknown values are errors naming the field, never the default.
        for (field, value) in [
            ("region", "\"mars\""),
            ("speed", "\"warp\""),
            ("search_context_size", "\"huge\""),
            ("fedramp", "\"yes\""),
            ("resolution", "\"8k\""),
        ] {
            let line = format!(r#"{{"id":"c","model":"m","timestamp":1,"usage":{{"input":1}},"{field}":{value}}}"#);
            match UsageEvent::from_json(&line) {
                Err(Error::InvalidUsage { path, .. }) => assert_eq!(path, format!("$.{field}")),
                other => panic!("{field}: {other:?}"),
            }
        }
    }

    #[test]
    fn gemini_grounding_is_counted_from_the_candidates() {
        let line = r#"{"customer":"c","timestamp":1,"response":{"responseId":"r1","modelVersion":"gemini-2.5-flash",
            "candidates":[{"groundingMetadata":{"webSearchQueries":["tokfare","tokfare",""," ","bpe"],
                "groundingChunks":[{"web":{"uri":"x"}},{"maps":{"uri":"y"}}]}}],
            "usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":2}}}"#;
        let usage = UsageEvent::from_json(line).expect("event").usage;
        assert_eq!((usage.web_search_requests, usage.maps_grounding_requests), (2, 1));
    }

    #[test]
    fn openai_responses_web_search_calls_are_counted_from_the_output() {
        let line = r#"{"customer":"c","timestamp":1,"response":{"id":"resp_1","model":"gpt-5.5",
            "output":[{"type":"web_search_call"},{"type":"message"},{"type":"web_search_call"}],
            "usage":{"input_tokens":100,"output_tokens":10,"input_tokens_details":{"cached_tokens":0}}}}"#;
        assert_eq!(UsageEvent::from_json(line).expect("event").usage.web_search_requests, 2);
        let chat = r#"{"customer":"c","timestamp":1,"response":{"id":"chatcmpl-1","model":"gpt-4o-search-preview",
            "choices":[{"message":{"content":"x","annotations":[{"type":"url_citation","url_citation":{"url":"u"}}]}}],
            "usage":{"prompt_tokens":10,"completion_tokens":5}}}"#;
        assert_eq!(UsageEvent::from_json(chat).expect("event").usage.web_search_requests, 1);
    }
}
