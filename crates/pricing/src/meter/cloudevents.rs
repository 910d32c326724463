//! Export as CloudEvents 1.0 (JSON), the format OpenMeter, Lago and Kong-style meters
//! ingest. Each event's CloudEvents `id` is a deterministic idempotency key: a UUIDv5
//! of the provider and its request id when both are known (so the same provider
//! request exported twice, even under two different tokfare event ids, is one
//! event downstream), else of the tokfare event id.

use super::event::{push_json_string, usage_json};
use super::{Meter, PricedEvent};
use chrono::SecondsFormat;
use uuid::Uuid;

/// The namespace of tokfare's UUIDv5 keys (a fixed random UUID).
const NAMESPACE: Uuid = Uuid::from_u128(0x6f1c_2b0e_8d4a_4c3e_9a57_0b7e_5d21_c4aa);

/// The idempotency key of an event (see the module docs).
pub fn idempotency_key(provider: Option<&str>, request_id: Option<&str>, event_id: &str) -> String {
    let name = match (provider, request_id) {
        (Some(p), Some(r)) => format!("request:{}:{r}", p.to_ascii_lowercase()),
        _ => format!("event:{event_id}"),
    };
    Uuid::new_v5(&NAMESPACE, name.as_bytes()).to_string()
}

impl PricedEvent {
    /// This record as one CloudEvents JSON object (`type` `com.tokfare.usage`).
    pub fn to_cloudevent(&self, source: &str) -> String {
        let e = &self.event;
        let mut out = String::from("{\"specversion\":\"1.0\",\"type\":\"com.tokfare.usage\",\"source\":");
        push_json_string(&mut out, source);
        out.push_str(",\"id\":");
        push_json_string(&mut out, &idempotency_key(e.provider.as_deref(), e.request_id.as_deref(), &e.id));
        out.push_str(",\"time\":");
        push_json_string(&mut out, &e.timestamp.to_rfc3339_opts(SecondsFormat::AutoSi, true));
        out.push_str(",\"subject\":");
        push_json_string(&mut out, &e.customer);
        out.push_str(",\"datacontenttype\":\"application/json\",\"data\":{\"event_id\":");
        push_json_string(&mut out, &e.id);
        out.push_str(",\"model\":");
        push_json_string(&mut out, &e.model);
        out.push_str(",\"schedule\":");
        push_json_string(&mut out, &self.schedule);
        out.push_str(",\"service\":");
        push_json_string(&mut out, e.service.name());
        out.push_str(",\"usage\":");
        out.push_str(&usage_json(&e.usage));
        out.push_str(&format!(",\"total_tokens\":{}", e.usage.total_tokens()));
        let cost = self.cost();
        out.push_str(&format!(",\"cost\":\"{}\",\"currency\":\"{}\"}}}}", cost.amount().normalize(), cost.currency()));
        out
    }
}

impl Meter {
    /// Every record as a CloudEvent (one JSON object per line), sorted by event id.
    pub fn to_cloudevents(&self, source: &str) -> crate::Result<Vec<String>> {
        let mut out = Vec::new();
        self.scan(&super::TimeRange::ALL, |r| {
            out.push(r.to_cloudevent(source));
            Ok(())
        })?;
        Ok(out)
    }
}
