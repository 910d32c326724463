//! Counting the prompt tokens of an OpenAI-style chat request: messages, names, tool
//! calls and tool (function) definitions, with the per-message overheads each model
//! family adds. This is the method of OpenAI's cookbook ("How to count tokens with
//! tiktoken"); the API's own count can differ by a few tokens for formats the
//! cookbook does not cover, so the result is an estimate of `prompt_tokens`, exact for
//! plain text messages.
//!
//! Per model family (`ChatFormat::for_model`):
//! - every message costs `tokens_per_message` (3; 4 for `gpt-3.5-turbo-0301`) plus its
//!   values' tokens; a `name` adds `tokens_per_name` (1; -1 for `gpt-3.5-turbo-0301`);
//! - the reply is primed with `<|start|>assistant<|message|>`: 3 more;
//! - tools: per function `func_init` (7 for gpt-4o/o-series/gpt-4.1/gpt-5 families, 10
//!   for older) + tokens of `name:description`, then if it has properties `prop_init`
//!   (3) and per property `prop_key` (3) + tokens of `key:type:description`, per enum
//!   `enum_init` (-3) and per item `enum_item` (3) + its tokens; `func_end` (12) once;
//! - a tool call in an assistant message counts its function name and arguments text
//!   and a `tool_call_id` in a tool message counts as a value.

use crate::Encoding;

/// The overheads of one model family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChatFormat {
    /// Tokens added per message.
    pub tokens_per_message: i64,
    /// Tokens added when a message has a `name`.
    pub tokens_per_name: i64,
    /// Tokens that prime the reply.
    pub reply_priming: i64,
    /// Per function definition.
    pub func_init: i64,
    /// Once if a function has properties.
    pub prop_init: i64,
    /// Per property.
    pub prop_key: i64,
    /// Once per enum.
    pub enum_init: i64,
    /// Per enum item.
    pub enum_item: i64,
    /// Once if there are tools.
    pub func_end: i64,
}

impl ChatFormat {
    /// The format of a model family (the cookbook's values; newer families as gpt-4o).
    pub fn for_model(model: &str) -> ChatFormat {
        let m = model.rsplit('/').next().unwrap_or(model);
        let legacy = m.starts_with("gpt-3.5") || (m.starts_with("gpt-4") && !m.starts_with("gpt-4o") && !m.starts_with("gpt-4.1"));
        ChatFormat {
            tokens_per_message: if m == "gpt-3.5-turbo-0301" { 4 } else { 3 },
            tokens_per_name: if m == "gpt-3.5-turbo-0301" { -1 } else { 1 },
            reply_priming: 3,
            func_init: if legacy { 10 } else { 7 },
            prop_init: 3,
            prop_key: 3,
            enum_init: -3,
            enum_item: 3,
            func_end: 12,
        }
    }
}

/// One tool call of an assistant message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ToolCall {
    /// The function's name.
    pub name: String,
    /// The arguments as the model wrote them (JSON text).
    pub arguments: String,
}

/// One chat message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChatMessage {
    /// `system`, `user`, `assistant`, `tool` ...
    pub role: String,
    /// The text (text parts of a multi-part content joined).
    pub content: String,
    /// Optional participant name.
    pub name: Option<String>,
    /// Tool calls (assistant messages).
    pub tool_calls: Vec<ToolCall>,
    /// The call a tool message answers.
    pub tool_call_id: Option<String>,
}

/// One property of a function's parameters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ToolProperty {
    /// Its key.
    pub name: String,
    /// Its JSON-schema type.
    pub kind: String,
    /// Its description.
    pub description: String,
    /// Its enum values, if any.
    pub enum_values: Option<Vec<String>>,
}

/// One function definition.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ToolDefinition {
    /// The function's name.
    pub name: String,
    /// Its description.
    pub description: String,
    /// Its parameters' properties, in order.
    pub properties: Vec<ToolProperty>,
}

fn count(enc: &Encoding, text: &str) -> i64 {
    enc.count(text) as i64
}

/// The estimated prompt tokens of a chat request (see the module docs).
pub fn count_chat(enc: &Encoding, format: &ChatFormat, messages: &[ChatMessage], tools: &[ToolDefinition]) -> usize {
    let mut total = format.reply_priming;
    for m in messages {
        total += format.tokens_per_message + count(enc, &m.role) + count(enc, &m.content);
        if let Some(name) = &m.name {
            total += format.tokens_per_name + count(enc, name);
        }
        for call in &m.tool_calls {
            total += count(enc, &call.name) + count(enc, &call.arguments);
        }
        if let Some(id) = &m.tool_call_id {
            total += count(enc, id);
        }
    }
    if !tools.is_empty() {
        for f in tools {
            total += format.func_init;
            let description = f.description.strip_suffix('.').unwrap_or(&f.description);
            total += count(enc, &format!("{}:{description}", f.name));
            if !f.properties.is_empty() {
                total += format.prop_init;
                for p in &f.properties {
                    total += format.prop_key;
                    if let Some(values) = &p.enum_values {
                        total += format.enum_init;
                        for v in values {
                            total += format.enum_item + count(enc, v);
                        }
                    }
                    let description = p.description.strip_suffix('.').unwrap_or(&p.description);
                    total += count(enc, &format!("{}:{}:{description}", p.name, p.kind));
                }
            }
        }
        total += format.func_end;
    }
    total.max(0) as usize
}

#[cfg(feature = "chat")]
pub use json_input::{count_chat_json, count_chat_json_with, parse_messages, parse_tools};

#[cfg(feature = "chat")]
mod json_input {
    //! The messages and tools as JSON (what the bindings receive), read with simd-json.
    use super::*;
    use crate::{Error, Result};
    use simd_json::prelude::*;
    use tokfare_json::{self as json, Value};

    fn bad(path: &str, reason: String) -> Error {
        Error::InvalidArgument { name: "messages", reason: format!("{path}: {reason}") }
    }

    fn string(v: &Value<'_>, key: &str, path: &str) -> Result<Option<String>> {
        Ok(json::opt_str(v, key, path, bad)?.map(str::to_string))
    }

    /// Reads an array of OpenAI chat messages. `content` may be a string, null, or a
    /// list of parts whose `text` parts are counted; other parts (images, audio) are
    /// refused, since their cost is not text tokens.
    pub fn parse_messages(text: &str) -> Result<Vec<ChatMessage>> {
        let mut bytes = text.as_bytes().to_vec();
        let root = json::parse(&mut bytes, |r| bad("$", r))?;
        let items = json::as_array(&root).ok_or_else(|| bad("$", "messages must be a list".into()))?;
        let mut out = Vec::with_capacity(items.len());
        for (i, m) in items.iter().enumerate() {
            let path = format!("$[{i}]");
            if !json::is_object(m) {
                return Err(bad(&path, "a message must be an object".into()));
            }
            let role = string(m, "role", &path)?.ok_or_else(|| bad(&format!("{path}.role"), "missing".into()))?;
            let content = match json::get(m, "content") {
                None => String::new(),
                Some(c) => match (json::as_str(c), json::as_array(c)) {
                    (Some(s), _) => s.to_string(),
                    (None, Some(parts)) => {
                        let mut joined = String::new();
                        for (j, part) in parts.iter().enumerate() {
                            let part_path = format!("{path}.content[{j}]");
                            match json::opt_str(part, "type", &part_path, bad)? {
                                Some("text") => joined.push_str(json::opt_str(part, "text", &part_path, bad)?.unwrap_or("")),
                                other => {
                                    return Err(bad(
                                        &part_path,
                                        format!("a {:?} part is not text; only text parts are counted", other.unwrap_or("?")),
                                    ))
                                }
                            }
                        }
                        joined
                    }
                    _ if c.is_null() => String::new(),
                    _ => return Err(bad(&format!("{path}.content"), "must be a string, null or a list of parts".into())),
                },
            };
            let mut tool_calls = Vec::new();
            if let Some(calls) = json::get(m, "tool_calls").and_then(json::as_array) {
                for (j, call) in calls.iter().enumerate() {
                    let call_path = format!("{path}.tool_calls[{j}]");
                    let function = json::get_object(call, "function", &call_path, bad)?
                        .ok_or_else(|| bad(&format!("{call_path}.function"), "missing".into()))?;
                    let fpath = format!("{call_path}.function");
                    tool_calls.push(ToolCall {
                        name: string(function, "name", &fpath)?.unwrap_or_default(),
                        arguments: string(function, "arguments", &fpath)?.unwrap_or_default(),
                    });
                }
            }
            out.push(ChatMessage {
                role,
                content,
                name: string(m, "name", &path)?,
                tool_calls,
                tool_call_id: string(m, "tool_call_id", &path)?,
            });
        }
        Ok(out)
    }

    /// Reads OpenAI `tools` (`[{"type": "function", "function": {...}}]`) or bare
    /// function definitions.
    pub fn parse_tools(text: &str) -> Result<Vec<ToolDefinition>> {
        let mut bytes = text.as_bytes().to_vec();
        let root = json::parse(&mut bytes, |r| bad("tools", r))?;
        let items = json::as_array(&root).ok_or_else(|| bad("tools", "must be a list".into()))?;
        let mut out = Vec::new();
        for (i, t) in items.iter().enumerate() {
            let path = format!("tools[{i}]");
            let f = json::get_object(t, "function", &path, bad)?.unwrap_or(t);
            let name = string(f, "name", &path)?.ok_or_else(|| bad(&format!("{path}.name"), "missing".into()))?;
            let description = string(f, "description", &path)?.unwrap_or_default();
            let mut properties = Vec::new();
            if let Some(params) = json::get_object(f, "parameters", &path, bad)? {
                if let Some(props) = json::get_object(params, "properties", &path, bad)? {
                    for (key, p) in json::entries(props) {
                        let ppath = format!("{path}.parameters.properties.{key}");
                        let enum_values = json::get(p, "enum").and_then(json::as_array).map(|vals| {
                            vals.iter().map(|v| json::as_str(v).map(str::to_string).unwrap_or_else(|| v.to_string())).collect()
                        });
                        properties.push(ToolProperty {
                            name: key.to_string(),
                            kind: string(p, "type", &ppath)?.unwrap_or_default(),
                            description: string(p, "description", &ppath)?.unwrap_or_default(),
                            enum_values,
                        });
                    }
                }
            }
            out.push(ToolDefinition { name, description, properties });
        }
        Ok(out)
    }

    /// [`count_chat`] from JSON messages and tools, with the model's format and encoding.
    pub fn count_chat_json(messages: &str, tools: Option<&str>, model: &str) -> Result<usize> {
        count_chat_json_with(&*crate::encoding_for_model(model)?, messages, tools, model)
    }

    /// [`count_chat_json`] with an encoding the caller already holds (the browser loads
    /// vocabularies on demand): it must be `model`'s encoding, else `InvalidArgument`.
    pub fn count_chat_json_with(enc: &Encoding, messages: &str, tools: Option<&str>, model: &str) -> Result<usize> {
        let expected = crate::encoding_name_for_model(model)?;
        if expected != enc.name() {
            return Err(Error::InvalidArgument { name: "model", reason: format!("{model} uses {expected}, not {}", enc.name()) });
        }
        let messages = parse_messages(messages)?;
        let tools = match tools {
            Some(t) => parse_tools(t)?,
            None => Vec::new(),
        };
        Ok(count_chat(enc, &ChatFormat::for_model(model), &messages, &tools))
    }
}
