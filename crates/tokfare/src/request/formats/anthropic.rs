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
                None => blocks(v, "$.system", Place::Message, &mut request.uncounted)?,
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
            None => blocks(content, &format!("{path}.content"), Place::Message, &mut request.uncounted)?,
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

/// Where a list of blocks is: what each place allows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// `system`, or a message's `content`.
    Message,
    /// A `tool_result`'s `content`: text, images, documents and search results.
    ToolResult,
}

/// A list of content blocks. `uncounted` gets the paths of blocks that cost tokens
/// tokfare does not count (earlier turns' `thinking`, which Anthropic drops or keeps by
/// its own rules; ai-tokenizer's calibration counted none).
fn blocks(value: &Value<'_>, path: &str, place: Place, uncounted: &mut Vec<String>) -> Result<Vec<Part>> {
    let items = tj::as_array(value).ok_or_else(|| bad(path, "must be a string or a list of content blocks".into()))?;
    let mut parts = Vec::with_capacity(items.len());
    for (i, block) in items.iter().enumerate() {
        let bpath = format!("{path}[{i}]");
        json::object(block, &bpath)?;
        let kind = json::req_str(block, "type", &bpath)?;
        if place == Place::ToolResult && !matches!(kind.as_str(), "text" | "image" | "document" | "search_result") {
            return Err(bad(
                &format!("{bpath}.type"),
                format!("a {kind:?} block cannot be in a tool result (text, image, document, search_result)"),
            )
            .into());
        }
        match kind.as_str() {
            "text" => parts.push(Part::Text(json::req_str(block, "text", &bpath)?)),
            "thinking" | "redacted_thinking" => uncounted.push(bpath),
            "image" => parts.push(Part::Image),
            "document" => {
                for key in ["title", "context"] {
                    if let Some(text) = json::opt_str(block, key, &bpath)? {
                        parts.push(Part::Text(text));
                    }
                }
                let source = tj::get(block, "source").ok_or_else(|| bad(&format!("{bpath}.source"), "missing".into()))?;
                let spath = format!("{bpath}.source");
                json::object(source, &spath)?;
                match json::req_str(source, "type", &spath)?.as_str() {
                    // A plain-text document is text; a content document is its blocks.
                    "text" => parts.push(Part::Text(json::req_str(source, "data", &spath)?)),
                    "content" => match tj::get(source, "content") {
                        Some(c) if tj::as_str(c).is_some() => parts.push(Part::Text(tj::as_str(c).unwrap_or_default().to_string())),
                        Some(c) => parts.extend(blocks(c, &format!("{spath}.content"), Place::ToolResult, uncounted)?),
                        None => return Err(bad(&format!("{spath}.content"), "missing".into()).into()),
                    },
                    _ => parts.push(Part::File),
                }
            }
            "search_result" => {
                for key in ["source", "title"] {
                    parts.push(Part::Text(json::req_str(block, key, &bpath)?));
                }
                let c = tj::get(block, "content").ok_or_else(|| bad(&format!("{bpath}.content"), "missing".into()))?;
                parts.extend(blocks(c, &format!("{bpath}.content"), Place::ToolResult, uncounted)?);
            }
            "tool_use" => parts.push(Part::ToolCall {
                id: json::opt_str(block, "id", &bpath)?,
                name: json::req_str(block, "name", &bpath)?,
                input: tj::get(block, "input").filter(|v| !v.is_null()).map(json::stringify),
            }),
            "tool_result" => {
                let mut media = Vec::new();
                let output = match tj::get(block, "content") {
                    None => None,
                    Some(c) if c.is_null() => None,
                    Some(c) if tj::as_str(c).is_some() => Some(text_or_json(c)),
                    Some(c) => {
                        // Text blocks are the output's text; images and documents are media.
                        let mut text = String::new();
                        for p in blocks(c, &format!("{bpath}.content"), Place::ToolResult, uncounted)? {
                            match p {
                                Part::Text(t) => text.push_str(&t),
                                other => media.push(other),
                            }
                        }
                        Some(text)
                    }
                };
                parts.push(Part::ToolResult { id: json::opt_str(block, "tool_use_id", &bpath)?, output });
                parts.extend(media);
            }
            other => {
                return Err(bad(
                    &format!("{bpath}.type"),
                    format!(
                        "unknown content block type {other:?} (text, thinking, redacted_thinking, image, document, search_result, tool_use, tool_result)"
                    ),
                )
                .into())
            }
        }
    }
    Ok(parts)
}
