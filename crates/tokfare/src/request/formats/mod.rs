//! Request bodies, one reader per provider format, into a [`Request`].
//!
//! Each reader takes the body as its provider documents it (the JSON a client sends)
//! and keeps what costs input tokens: roles, text, tool calls and results, media parts,
//! tool definitions. Fields that cost nothing (`model`, `max_tokens`, `temperature`,
//! `cache_control` ...) are ignored; a content part of a type the reader does not know is
//! an `invalid_argument` error naming its JSON path (`$.messages[2].content[1].type`),
//! never skipped, since skipping it would undercount.

mod ai_sdk;
mod anthropic;
mod gemini;
mod openai;

use super::json::{self, bad};
use super::{Property, Request, RequestFormat};
use crate::Result;
use simd_json::prelude::*;
use tokfare_json::{self as tj, Value};

/// Reads `body` (a JSON object) in `format`.
pub fn parse(format: RequestFormat, body: &str) -> Result<Request> {
    let mut bytes = body.as_bytes().to_vec();
    let root = json::parse(&mut bytes)?;
    json::object(&root, "$")?;
    match format {
        RequestFormat::OpenAiChat => openai::chat(&root),
        RequestFormat::OpenAiResponses => openai::responses(&root),
        RequestFormat::AnthropicMessages => anthropic::messages(&root),
        RequestFormat::GeminiGenerateContent => gemini::generate_content(&root),
        RequestFormat::AiSdk => ai_sdk::messages(&root),
    }
}

/// The properties of a JSON Schema (or Gemini's OpenAPI subset, types in upper case)
/// object schema, in order; anything but an object schema has none.
pub(super) fn schema_properties(schema: &Value<'_>, path: &str) -> Result<Vec<Property>> {
    let mut out = Vec::new();
    let Some(props) = tj::get(schema, "properties").filter(|v| !v.is_null()) else { return Ok(out) };
    json::object(props, &format!("{path}.properties"))?;
    for (key, p) in tj::entries(props) {
        out.push(property(key, p, &format!("{path}.properties.{key}"))?);
    }
    Ok(out)
}

fn property(name: &str, schema: &Value<'_>, path: &str) -> Result<Property> {
    json::object(schema, path)?;
    let kind = match tj::get(schema, "type") {
        None => String::new(),
        Some(t) => match tj::as_str(t) {
            Some(t) => t.to_ascii_lowercase(),
            // ["string", "null"]: the first type that is not null.
            None => tj::as_array(t)
                .and_then(|types| types.iter().filter_map(tj::as_str).find(|t| *t != "null"))
                .map(str::to_ascii_lowercase)
                .ok_or_else(|| bad(&format!("{path}.type"), "must be a string or a list of strings".into()))?,
        },
    };
    let enum_values = match tj::get(schema, "enum") {
        None => None,
        Some(v) if v.is_null() => None,
        Some(v) => Some(
            tj::as_array(v)
                .ok_or_else(|| bad(&format!("{path}.enum"), "must be a list".into()))?
                .iter()
                .map(|item| tj::as_str(item).map(str::to_string).unwrap_or_else(|| json::stringify(item)))
                .collect(),
        ),
    };
    let items = match tj::get(schema, "items") {
        Some(items) if tj::is_object(items) => Some(Box::new(property("", items, &format!("{path}.items"))?)),
        _ => None,
    };
    Ok(Property {
        name: name.to_string(),
        description: json::opt_str(schema, "description", path)?,
        enum_values,
        properties: schema_properties(schema, path)?,
        items,
        kind: if kind.is_empty() && tj::get(schema, "properties").is_some() { "object".into() } else { kind },
    })
}

/// A message role mapped to the four [`Message::role`](super::Message::role)s.
pub(super) fn role(raw: &str, path: &str) -> Result<String> {
    Ok(match raw {
        "system" | "developer" => "system",
        "user" => "user",
        "assistant" | "model" => "assistant",
        "tool" | "function" => "tool",
        other => return Err(bad(path, format!("unknown role {other:?} (system, developer, user, assistant, model, tool)")).into()),
    }
    .to_string())
}

/// The text of a value that is a string, else its compact JSON.
pub(super) fn text_or_json(value: &Value<'_>) -> String {
    tj::as_str(value).map(str::to_string).unwrap_or_else(|| json::stringify(value))
}

#[cfg(test)]
mod tests;
