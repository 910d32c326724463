//! Anthropic Messages bodies: `system` (a string or text blocks), `messages` of content
//! blocks, `tools` with `input_schema`.

use super::{role, schema_properties, text_or_json};
use crate::request::json::{self, bad};
use crate::request::{Message, Part, Request, Tool};
use crate::Result;
use simd_json::prelude::*;
use tokfare_json::{self as tj, Value};

pub(super) fn messages(root: &Value<'_>) -> Result<Request> {
    let mut request = Request::default();
    match tj::get(root, "system") {
        None => {}
        Some(v) if v.is_null() => {}
        Some(v) => {
            let parts = match tj::as_str(v) {
                Some(text) => vec![Part::Text(text.to_string())],
                None => blocks(v, "$.system")?,
            };
            request.messages.push(Message { role: "system".into(), name: None, parts });
        }
    }
    for (i, m) in json::opt_array(root, "messages", "$")?.iter().enumerate() {
        let path = format!("$.messages[{i}]");
        json::object(m, &path)?;
        let raw_role = json::req_str(m, "role", &path)?;
        if raw_role != "user" && raw_role != "assistant" {
            return Err(bad(&format!("{path}.role"), format!("must be \"user\" or \"assistant\", not {raw_role:?}")).into());
        }
        let content = tj::get(m, "content").ok_or_else(|| bad(&format!("{path}.content"), "missing".into()))?;
        let parts = match tj::as_str(content) {
            Some(text) => vec![Part::Text(text.to_string())],
            None => blocks(content, &format!("{path}.content"))?,
        };
        request.messages.push(Message { role: role(&raw_role, &format!("{path}.role"))?, name: None, parts });
    }
    for (i, t) in json::opt_array(root, "tools", "$")?.iter().enumerate() {
        let path = format!("$.tools[{i}]");
        json::object(t, &path)?;
        // Client tools have an input_schema; server tools (web search, code execution ...)
        // have a versioned type and a cost of their own that is not known here.
        if let Some(kind) = json::opt_str(t, "type", &path)?.filter(|k| k != "custom") {
            return Err(bad(
                &format!("{path}.type"),
                format!("the server tool {kind:?} is not counted (client tools with input_schema only)"),
            )
            .into());
        }
        let schema = tj::get(t, "input_schema").ok_or_else(|| bad(&format!("{path}.input_schema"), "missing".into()))?;
        json::object(schema, &format!("{path}.input_schema"))?;
        request.tools.push(Tool {
            name: json::req_str(t, "name", &path)?,
            description: json::opt_str(t, "description", &path)?,
            properties: schema_properties(schema, &format!("{path}.input_schema"))?,
        });
    }
    Ok(request)
}

/// A list of content blocks.
fn blocks(value: &Value<'_>, path: &str) -> Result<Vec<Part>> {
    let items = tj::as_array(value).ok_or_else(|| bad(path, "must be a string or a list of content blocks".into()))?;
    let mut parts = Vec::with_capacity(items.len());
    for (i, block) in items.iter().enumerate() {
        let bpath = format!("{path}[{i}]");
        json::object(block, &bpath)?;
        let mut media = Vec::new();
        let part = match json::req_str(block, "type", &bpath)?.as_str() {
            "text" => Part::Text(json::req_str(block, "text", &bpath)?),
            "thinking" => Part::Text(json::req_str(block, "thinking", &bpath)?),
            // Encrypted reasoning: its tokens are not visible; it costs nothing countable.
            "redacted_thinking" => continue,
            "image" => Part::Image,
            "document" => match tj::get(block, "source").and_then(|s| json::opt_str(s, "type", &bpath).ok().flatten()).as_deref() {
                // A plain-text document is text.
                Some("text") => Part::Text(json::req_str(tj::get(block, "source").unwrap_or(block), "data", &format!("{bpath}.source"))?),
                _ => Part::File,
            },
            "tool_use" => Part::ToolCall {
                id: json::opt_str(block, "id", &bpath)?,
                name: json::req_str(block, "name", &bpath)?,
                input: tj::get(block, "input").filter(|v| !v.is_null()).map(json::stringify),
            },
            "tool_result" => {
                let output = match tj::get(block, "content") {
                    None => None,
                    Some(c) if c.is_null() => None,
                    Some(c) if tj::as_str(c).is_some() => Some(text_or_json(c)),
                    Some(c) => {
                        // Text blocks are the output's text; images in a result are counted as images.
                        let inner = blocks(c, &format!("{bpath}.content"))?;
                        let mut text = String::new();
                        for p in inner {
                            match p {
                                Part::Text(t) => text.push_str(&t),
                                other => media.push(other),
                            }
                        }
                        Some(text)
                    }
                };
                Part::ToolResult { id: json::opt_str(block, "tool_use_id", &bpath)?, output }
            }
            other => {
                return Err(bad(
                    &format!("{bpath}.type"),
                    format!(
                        "unknown content block type {other:?} (text, thinking, redacted_thinking, image, document, tool_use, tool_result)"
                    ),
                )
                .into())
            }
        };
        parts.push(part);
        parts.extend(media);
    }
    Ok(parts)
}
