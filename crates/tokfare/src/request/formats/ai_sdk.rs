//! The Vercel AI SDK's messages (`ModelMessage`: `system`, `user`, `assistant`, `tool`
//! with `text`, `image`, `file`, `reasoning`, `tool-call` and `tool-result` parts) and
//! tools (`{name: {description, inputSchema}}`, the schema as JSON Schema), as a JSON
//! body `{"messages": [...], "tools": {...}}`.

use super::{role, schema_properties, text_or_json};
use crate::request::json::{self, bad};
use crate::request::{Message, Part, Request, Tool};
use crate::Result;
use simd_json::prelude::*;
use tokfare_json::{self as tj, Value};

pub(super) fn messages(root: &Value<'_>) -> Result<Request> {
    let mut request = Request::default();
    if let Some(system) = json::opt_str(root, "system", "$")? {
        request.messages.push(Message { role: "system".into(), name: None, parts: vec![Part::Text(system)] });
    }
    for (i, m) in json::opt_array(root, "messages", "$")?.iter().enumerate() {
        let path = format!("$.messages[{i}]");
        json::object(m, &path)?;
        let mut message =
            Message { role: role(&json::req_str(m, "role", &path)?, &format!("{path}.role"))?, name: None, parts: Vec::new() };
        match tj::get(m, "content") {
            None => {}
            Some(c) if c.is_null() => {}
            Some(c) => match tj::as_str(c) {
                Some(text) => message.parts.push(Part::Text(text.to_string())),
                None => {
                    let parts =
                        tj::as_array(c).ok_or_else(|| bad(&format!("{path}.content"), "must be a string or a list of parts".into()))?;
                    for (j, part) in parts.iter().enumerate() {
                        let ppath = format!("{path}.content[{j}]");
                        match content_part(part, &ppath)? {
                            Some(p) => message.parts.push(p),
                            None => request.uncounted.push(ppath),
                        }
                    }
                }
            },
        }
        request.messages.push(message);
    }
    match tj::get(root, "tools") {
        None => {}
        Some(t) if t.is_null() => {}
        Some(tools) => {
            json::object(tools, "$.tools")?;
            for (name, tool) in tj::entries(tools) {
                let path = format!("$.tools.{name}");
                json::object(tool, &path)?;
                // `parameters` is the AI SDK 4 name of `inputSchema`.
                let properties = match tj::get(tool, "inputSchema").or_else(|| tj::get(tool, "parameters")).filter(|v| !v.is_null()) {
                    Some(schema) => {
                        // A JSON Schema, or the AI SDK's `jsonSchema(...)` wrapper serialised.
                        let schema = tj::get(schema, "jsonSchema").unwrap_or(schema);
                        json::object(schema, &format!("{path}.inputSchema"))?;
                        schema_properties(schema, &format!("{path}.inputSchema"))?
                    }
                    None => Vec::new(),
                };
                request.tools.push(Tool { name: name.to_string(), description: json::opt_str(tool, "description", &path)?, properties });
            }
        }
    }
    Ok(request)
}

/// JavaScript truthiness, which ai-tokenizer tests an input or output with: `""`, `0`,
/// `false` and `null` count nothing.
fn truthy(v: &Value<'_>) -> bool {
    !(v.is_null() || v.as_bool() == Some(false) || tj::as_str(v) == Some("") || v.as_f64() == Some(0.0) || v.as_i64() == Some(0))
}

/// A part, or `None` for reasoning (ai-tokenizer's calibration counted none).
fn content_part(part: &Value<'_>, path: &str) -> Result<Option<Part>> {
    json::object(part, path)?;
    Ok(Some(match json::req_str(part, "type", path)?.as_str() {
        "text" => Part::Text(json::req_str(part, "text", path)?),
        "reasoning" => return Ok(None),
        "image" => Part::Image,
        "file" => Part::File,
        // `input` / `output`, or AI SDK 4's `args` / `result`.
        "tool-call" => Part::ToolCall {
            id: json::opt_str(part, "toolCallId", path)?,
            name: json::req_str(part, "toolName", path)?,
            input: tj::get(part, "input").or_else(|| tj::get(part, "args")).filter(|v| truthy(v)).map(json::stringify),
        },
        "tool-result" => Part::ToolResult {
            id: json::opt_str(part, "toolCallId", path)?,
            output: tj::get(part, "output").or_else(|| tj::get(part, "result")).filter(|v| truthy(v)).map(text_or_json),
        },
        other => {
            return Err(bad(
                &format!("{path}.type"),
                format!("unknown part type {other:?} (text, reasoning, image, file, tool-call, tool-result)"),
            )
            .into())
        }
    }))
}
