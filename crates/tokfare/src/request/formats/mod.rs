//! Request bodies, one reader per provider format, into a [`Request`].
//!
//! Each reader takes the body as its provider documents it (the JSON a client sends)
//! and keeps what costs input tokens: roles, text, tool calls and results, media parts,
//! tool definitions. Fields that cost nothing (`model`, `max_tokens`, `temperature`,
//! `cache_control` ...) are ignored; a content part, block, item or tool of a type the
//! reader does not know is an `invalid_argument` error naming its JSON path
//! (`$.messages[2].content[1].type`), never skipped, since skipping it would undercount.
//! A known field that costs tokens tokfare does not count (OpenAI's `response_format`, a
//! stored `previous_response_id` ...) makes the count approximate and is named in
//! [`Request::uncounted`].

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
/// object schema, in order; anything but an object schema has none. Local `$ref`s
/// (`#/$defs/X`, `#/definitions/X`) are followed and `anyOf` / `oneOf` read as their
/// first branch that is not `null`, as Pydantic and Zod write optional and shared models.
pub(super) fn schema_properties(schema: &Value<'_>, path: &str) -> Result<Vec<Property>> {
    let root = path.to_string();
    let at = || root.clone();
    let refs = Refs { root: schema, budget: std::cell::Cell::new(MAX_SCHEMA_PROPERTIES) };
    properties_of(&refs, schema, &at, 0)
}

/// The schema `$ref`s point into, and how many more properties may be read.
struct Refs<'v, 'a> {
    root: &'v Value<'a>,
    budget: std::cell::Cell<usize>,
}

/// Most properties one tool's schema may expand to (references can repeat a definition:
/// without a cap, `{"a": {"$ref": "#"}, "b": {"$ref": "#"}}` would be read 2^64 times).
const MAX_SCHEMA_PROPERTIES: usize = 100_000;

/// Deepest chain of nested schemas and followed references read (a reference cycle stops here).
const MAX_SCHEMA_DEPTH: usize = 64;

/// A property key as it appears in an error's path: at most 64 characters of it, so a
/// hostile key cannot make paths (built only for errors) large.
fn key_for_path(key: &str) -> String {
    match key.char_indices().nth(64) {
        Some((cut, _)) => format!("{}…", &key[..cut]),
        None => key.to_string(),
    }
}

fn properties_of(refs: &Refs<'_, '_>, schema: &Value<'_>, path: &dyn Fn() -> String, depth: usize) -> Result<Vec<Property>> {
    let schema = resolve(refs, schema, path, depth)?;
    let mut out = Vec::new();
    let Some(props) = tj::get(schema, "properties").filter(|v| !v.is_null()) else { return Ok(out) };
    if !tj::is_object(props) {
        return Err(bad(&format!("{}.properties", path()), "must be an object".into()).into());
    }
    for (key, p) in tj::entries(props) {
        let at = || format!("{}.properties.{}", path(), key_for_path(key));
        let left = refs.budget.get();
        if left == 0 {
            return Err(bad(&at(), format!("the schema expands to more than {MAX_SCHEMA_PROPERTIES} properties (repeated $refs?)")).into());
        }
        refs.budget.set(left - 1);
        out.push(property(refs, key, p, &at, depth + 1)?);
    }
    Ok(out)
}

/// `schema` with its `$ref` followed and its `anyOf` / `oneOf` reduced to the first
/// branch that is not `{"type": "null"}`.
fn resolve<'v, 'a>(refs: &Refs<'v, 'a>, schema: &'v Value<'a>, path: &dyn Fn() -> String, depth: usize) -> Result<&'v Value<'a>> {
    if depth > MAX_SCHEMA_DEPTH {
        return Err(bad(&path(), format!("schemas nested or referenced more than {MAX_SCHEMA_DEPTH} deep (a $ref cycle?)")).into());
    }
    if !tj::is_object(schema) {
        return Err(bad(&path(), "must be an object".into()).into());
    }
    if let Some(target) = tj::get(schema, "$ref").and_then(tj::as_str) {
        let found = if target == "#" {
            Some(refs.root)
        } else {
            target.strip_prefix("#/").and_then(|pointer| {
                pointer.split('/').try_fold(refs.root, |v, part| tj::get(v, &part.replace("~1", "/").replace("~0", "~")))
            })
        };
        let found = found.ok_or_else(|| {
            bad(&format!("{}.$ref", path()), format!("{target:?} is not a local reference tokfare can follow (#/$defs/...)"))
        })?;
        return resolve(refs, found, path, depth + 1);
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(branches) = tj::get(schema, key).and_then(tj::as_array) {
            let is_null = |b: &Value<'_>| tj::get(b, "type").and_then(tj::as_str) == Some("null");
            if let Some(first) = branches.iter().find(|b| !is_null(b)) {
                return resolve(refs, first, path, depth + 1);
            }
        }
    }
    Ok(schema)
}

fn property(refs: &Refs<'_, '_>, name: &str, schema: &Value<'_>, path: &dyn Fn() -> String, depth: usize) -> Result<Property> {
    // A description on the reference itself wins over the target's, as in JSON Schema 2019+.
    let own_description = tj::get(schema, "description").filter(|v| !v.is_null());
    let schema = resolve(refs, schema, path, depth)?;
    let description = match own_description.or_else(|| tj::get(schema, "description").filter(|v| !v.is_null())) {
        None => None,
        Some(d) => {
            Some(tj::as_str(d).map(str::to_string).ok_or_else(|| bad(&format!("{}.description", path()), "must be a string".into()))?)
        }
    };
    let kind = match tj::get(schema, "type") {
        None => String::new(),
        Some(t) => match tj::as_str(t) {
            Some(t) => t.to_ascii_lowercase(),
            // ["string", "null"]: the first type that is not null.
            None => tj::as_array(t)
                .and_then(|types| types.iter().filter_map(tj::as_str).find(|t| *t != "null"))
                .map(str::to_ascii_lowercase)
                .ok_or_else(|| bad(&format!("{}.type", path()), "must be a string or a list of strings".into()))?,
        },
    };
    let enum_values = match tj::get(schema, "enum") {
        None => None,
        Some(v) if v.is_null() => None,
        Some(v) => Some(
            tj::as_array(v)
                .ok_or_else(|| bad(&format!("{}.enum", path()), "must be a list".into()))?
                .iter()
                .map(|item| tj::as_str(item).map(str::to_string).unwrap_or_else(|| json::stringify(item)))
                .collect(),
        ),
    };
    let items = match tj::get(schema, "items") {
        Some(items) if tj::is_object(items) => {
            let at = || format!("{}.items", path());
            Some(Box::new(property(refs, "", items, &at, depth + 1)?))
        }
        _ => None,
    };
    let properties = properties_of(refs, schema, path, depth)?;
    let kind = if kind.is_empty() && tj::get(schema, "properties").is_some() { "object".into() } else { kind };
    Ok(Property { name: name.to_string(), kind, description, enum_values, properties, items })
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
