//! OpenAI Chat Completions (`messages`, `tools`, legacy `functions`) and Responses
//! (`instructions`, `input`, `tools`) bodies.

use super::{role, schema_properties, text_or_json};
use crate::request::json::{self, bad};
use crate::request::{Message, Part, Request, Tool};
use crate::Result;
use simd_json::prelude::*;
use tokfare_json::{self as tj, Value};

/// A Chat Completions body.
pub(super) fn chat(root: &Value<'_>) -> Result<Request> {
    let mut request = Request::default();
    for (i, m) in json::opt_array(root, "messages", "$")?.iter().enumerate() {
        let path = format!("$.messages[{i}]");
        json::object(m, &path)?;
        let mut message = Message {
            role: role(&json::req_str(m, "role", &path)?, &format!("{path}.role"))?,
            name: json::opt_str(m, "name", &path)?,
            parts: Vec::new(),
        };
        match tj::get(m, "content") {
            None => {}
            Some(c) if c.is_null() => {}
            Some(c) => match tj::as_str(c) {
                Some(text) => message.parts.push(Part::Text(text.to_string())),
                None => {
                    let parts = tj::as_array(c)
                        .ok_or_else(|| bad(&format!("{path}.content"), "must be a string, null or a list of parts".into()))?;
                    for (j, part) in parts.iter().enumerate() {
                        message.parts.push(content_part(part, &format!("{path}.content[{j}]"))?);
                    }
                }
            },
        }
        if let Some(refusal) = json::opt_str(m, "refusal", &path)? {
            message.parts.push(Part::Text(refusal));
        }
        if tj::get(m, "audio").is_some_and(|a| !a.is_null()) {
            // A reference to an earlier audio reply: its tokens are the provider's to know.
            request.uncounted.push(format!("{path}.audio"));
        }
        for (j, call) in json::opt_array(m, "tool_calls", &path)?.iter().enumerate() {
            let cpath = format!("{path}.tool_calls[{j}]");
            json::object(call, &cpath)?;
            let function = tj::get(call, "function").ok_or_else(|| bad(&format!("{cpath}.function"), "missing".into()))?;
            let fpath = format!("{cpath}.function");
            json::object(function, &fpath)?;
            message.parts.push(Part::ToolCall {
                id: json::opt_str(call, "id", &cpath)?,
                name: json::req_str(function, "name", &fpath)?,
                input: json::opt_str(function, "arguments", &fpath)?,
            });
        }
        if let Some(call) = tj::get(m, "function_call").filter(|v| !v.is_null()) {
            let fpath = format!("{path}.function_call");
            json::object(call, &fpath)?;
            message.parts.push(Part::ToolCall {
                id: None,
                name: json::req_str(call, "name", &fpath)?,
                input: json::opt_str(call, "arguments", &fpath)?,
            });
        }
        if message.role == "tool" {
            // The content is the result of the call `tool_call_id` names.
            let id = json::opt_str(m, "tool_call_id", &path)?;
            let output =
                message.parts.iter().filter_map(|p| if let Part::Text(t) = p { Some(t.as_str()) } else { None }).collect::<String>();
            message.parts = vec![Part::ToolResult { id, output: Some(output) }];
        }
        request.messages.push(message);
    }
    for (i, t) in json::opt_array(root, "tools", "$")?.iter().enumerate() {
        let path = format!("$.tools[{i}]");
        json::object(t, &path)?;
        match json::opt_str(t, "type", &path)?.as_deref() {
            Some("function") | None => {}
            Some(other) => {
                return Err(bad(&format!("{path}.type"), format!("a {other:?} tool is not counted (function tools only)")).into())
            }
        }
        let f = tj::get(t, "function").ok_or_else(|| bad(&format!("{path}.function"), "missing".into()))?;
        request.tools.push(function(f, &format!("{path}.function"))?);
    }
    for (i, f) in json::opt_array(root, "functions", "$")?.iter().enumerate() {
        request.tools.push(function(f, &format!("$.functions[{i}]"))?);
    }
    uncounted(root, &["response_format"], &mut request);
    Ok(request)
}

/// Notes the top-level `fields` of `root` that cost input tokens tokfare does not count.
fn uncounted(root: &Value<'_>, fields: &[&str], request: &mut Request) {
    for field in fields {
        if tj::get(root, field).is_some_and(|v| !v.is_null()) {
            request.uncounted.push(format!("$.{field}"));
        }
    }
}

/// A function definition: `name`, `description`, `parameters` (JSON Schema).
fn function(f: &Value<'_>, path: &str) -> Result<Tool> {
    json::object(f, path)?;
    let properties = match tj::get(f, "parameters").filter(|v| !v.is_null()) {
        Some(p) => {
            json::object(p, &format!("{path}.parameters"))?;
            schema_properties(p, &format!("{path}.parameters"))?
        }
        None => Vec::new(),
    };
    Ok(Tool { name: json::req_str(f, "name", path)?, description: json::opt_str(f, "description", path)?, properties })
}

/// A content part of a Chat Completions message.
fn content_part(part: &Value<'_>, path: &str) -> Result<Part> {
    json::object(part, path)?;
    Ok(match json::req_str(part, "type", path)?.as_str() {
        "text" => Part::Text(json::req_str(part, "text", path)?),
        "refusal" => Part::Text(json::req_str(part, "refusal", path)?),
        "image_url" => Part::Image,
        "input_audio" | "file" => Part::File,
        other => {
            return Err(bad(
                &format!("{path}.type"),
                format!("unknown content part type {other:?} (text, refusal, image_url, input_audio, file)"),
            )
            .into())
        }
    })
}

/// A Responses body: `instructions` is a system message; `input` a string (one user
/// message) or a list of items.
pub(super) fn responses(root: &Value<'_>) -> Result<Request> {
    let mut request = Request::default();
    if let Some(instructions) = json::opt_str(root, "instructions", "$")? {
        request.messages.push(Message { role: "system".into(), name: None, parts: vec![Part::Text(instructions)] });
    }
    match tj::get(root, "input") {
        None => {}
        Some(v) if v.is_null() => {}
        Some(v) => match tj::as_str(v) {
            Some(text) => request.messages.push(Message { role: "user".into(), name: None, parts: vec![Part::Text(text.to_string())] }),
            None => {
                let items = tj::as_array(v).ok_or_else(|| bad("$.input", "must be a string or a list of items".into()))?;
                for (i, item) in items.iter().enumerate() {
                    let path = format!("$.input[{i}]");
                    match input_item(item, &path)? {
                        Some(message) => request.messages.push(message),
                        None => request.uncounted.push(path),
                    }
                }
            }
        },
    }
    for (i, t) in json::opt_array(root, "tools", "$")?.iter().enumerate() {
        let path = format!("$.tools[{i}]");
        json::object(t, &path)?;
        match json::opt_str(t, "type", &path)?.as_deref() {
            Some("function") => request.tools.push(function(t, &path)?),
            other => {
                return Err(
                    bad(&format!("{path}.type"), format!("a {:?} tool is not counted (function tools only)", other.unwrap_or("?"))).into()
                )
            }
        }
    }
    uncounted(root, &["previous_response_id", "conversation", "prompt"], &mut request);
    if tj::get(root, "text").and_then(|t| tj::get(t, "format")).is_some_and(|f| !f.is_null()) {
        request.uncounted.push("$.text.format".into());
    }
    Ok(request)
}

/// An input item as a message, or `None` for a reasoning item (not counted: the
/// provider keeps or drops earlier reasoning by its own rules).
fn input_item(item: &Value<'_>, path: &str) -> Result<Option<Message>> {
    json::object(item, path)?;
    let kind = json::opt_str(item, "type", path)?;
    match kind.as_deref() {
        Some("message") | None => {
            let mut message =
                Message { role: role(&json::req_str(item, "role", path)?, &format!("{path}.role"))?, name: None, parts: Vec::new() };
            match tj::get(item, "content") {
                Some(c) if tj::as_str(c).is_some() => message.parts.push(Part::Text(tj::as_str(c).unwrap_or_default().to_string())),
                Some(c) => {
                    let parts =
                        tj::as_array(c).ok_or_else(|| bad(&format!("{path}.content"), "must be a string or a list of parts".into()))?;
                    for (j, part) in parts.iter().enumerate() {
                        let ppath = format!("{path}.content[{j}]");
                        json::object(part, &ppath)?;
                        message.parts.push(match json::req_str(part, "type", &ppath)?.as_str() {
                            "input_text" | "output_text" => Part::Text(json::req_str(part, "text", &ppath)?),
                            "refusal" => Part::Text(json::req_str(part, "refusal", &ppath)?),
                            "input_image" => Part::Image,
                            "input_file" | "input_audio" => Part::File,
                            other => {
                                return Err(bad(
                                    &format!("{ppath}.type"),
                                    format!("unknown content type {other:?} (input_text, output_text, refusal, input_image, input_file, input_audio)"),
                                )
                                .into())
                            }
                        });
                    }
                }
                None => return Err(bad(&format!("{path}.content"), "missing".into()).into()),
            }
            Ok(Some(message))
        }
        Some("function_call") => Ok(Some(Message {
            role: "assistant".into(),
            name: None,
            parts: vec![Part::ToolCall {
                id: json::opt_str(item, "call_id", path)?,
                name: json::req_str(item, "name", path)?,
                input: json::opt_str(item, "arguments", path)?,
            }],
        })),
        Some("function_call_output") => {
            let id = json::opt_str(item, "call_id", path)?;
            let mut parts = Vec::new();
            let output = match tj::get(item, "output") {
                None => None,
                Some(v) if v.is_null() => None,
                Some(v) => match tj::as_array(v) {
                    // A list of input parts: text is the output; images and files are media.
                    Some(list) => {
                        let mut text = String::new();
                        for (j, part) in list.iter().enumerate() {
                            match output_part(part, &format!("{path}.output[{j}]"))? {
                                Part::Text(t) => text.push_str(&t),
                                media => parts.push(media),
                            }
                        }
                        Some(text)
                    }
                    None => Some(text_or_json(v)),
                },
            };
            parts.insert(0, Part::ToolResult { id, output });
            Ok(Some(Message { role: "tool".into(), name: None, parts }))
        }
        Some("reasoning") => Ok(None),
        Some(other) => Err(bad(
            &format!("{path}.type"),
            format!("unknown input item type {other:?} (message, function_call, function_call_output, reasoning)"),
        )
        .into()),
    }
}

/// A part of a function call's output list (`input_text`, `input_image`, `input_file`).
fn output_part(part: &Value<'_>, path: &str) -> Result<Part> {
    json::object(part, path)?;
    Ok(match json::req_str(part, "type", path)?.as_str() {
        "input_text" | "output_text" => Part::Text(json::req_str(part, "text", path)?),
        "input_image" => Part::Image,
        "input_file" => Part::File,
        other => {
            return Err(
                bad(&format!("{path}.type"), format!("unknown output part type {other:?} (input_text, input_image, input_file)")).into()
            )
        }
    })
}
