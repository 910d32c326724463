//! The counting methods a [`Profile`](super::Profile) chooses from (see [`Method`]).
//!
//! The calibrated formula is ai-tokenizer 1.0.6's `count` (coder/ai-tokenizer
//! `src/sdk.ts`, MIT), over [`Request`] instead of AI SDK messages, so that its recorded
//! accuracy carries over:
//!
//! ```text
//! base
//! + per message: per_message + tokens(role)
//!     + per part: text               round(tokens(text) × m)
//!                 tool call          round((tokens(name) + tokens(input JSON)) × m)
//!                 tool result        round((tokens(call id) + tokens(output)) × m)
//!                 image / file       per_image / per_file
//! + if tools: tools_exist
//!     + per tool: tokens(name) + [per_desc + tokens(description)] + properties
//!                 + per_tool (from the second tool on)
//! properties of an object, each: tokens(key) + per_first_prop | per_additional_prop
//!     + [per_prop_desc + tokens(description)] + [per_enum + Σ tokens(value)]
//!     + object: per_nested_object + its properties
//!     + array:  [per_array_of_objects if of objects] + its items' properties
//! ```

pub use super::profile::Method;
use super::profile::Overheads;
use super::{Part, Property, Request};
use crate::Result;
use tokfare_tokenizer::chat::{count_chat, ChatMessage, ToolCall, ToolDefinition, ToolProperty};
use tokfare_tokenizer::{AnyTokenizer, Error as TokError, Tokenize};

/// `round(tokens × multiplier)` as JavaScript's `Math.round` does it on a float product
/// (halves up), which the calibration used.
pub fn scaled(tokens: i64, multiplier: f64) -> i64 {
    if multiplier == 1.0 {
        return tokens;
    }
    (tokens as f64 * multiplier + 0.5).floor() as i64
}

/// True when `method` counts `request` exactly with the model's own tokenizer: OpenAI's
/// cookbook rule for messages of text alone (the cookbook's scope: no tool calls or
/// results, tool definitions, images, files, nor fields left [uncounted](Request::uncounted)).
/// Calibrated counts are never exact, nor is the content alone (a chat template adds
/// tokens it does not count).
pub fn exact_for(method: &Method, request: &Request) -> bool {
    match method {
        Method::OpenAiCookbook(_) => {
            request.tools.is_empty()
                && request.uncounted.is_empty()
                && request.messages.iter().all(|m| m.parts.iter().all(|p| matches!(p, Part::Text(_))))
        }
        Method::Calibrated(_) | Method::ContentOnly => false,
    }
}

/// True when the request holds images or files, which every method counts by a flat
/// placeholder: no calibration covers them, so such a count has no band.
pub fn has_media(request: &Request) -> bool {
    request.messages.iter().flat_map(|m| &m.parts).any(|p| matches!(p, Part::Image | Part::File))
}

/// The tokens of `request` by `method`, counted with `tokenizer`.
pub fn count(method: &Method, tokenizer: &AnyTokenizer, request: &Request) -> Result<u64> {
    let n = |text: &str| -> Result<i64> { Ok(tokenizer.count(text)? as i64) };
    let total = match method {
        Method::OpenAiCookbook(format) => {
            #[allow(irrefutable_let_patterns)]
            let AnyTokenizer::Encoding(enc) = tokenizer
            else {
                return Err(
                    TokError::InvalidArgument { name: "tokenizer", reason: "OpenAI's rule counts with an OpenAI encoding".into() }.into()
                );
            };
            let (messages, tools) = to_chat(request);
            let cookbook = count_chat(enc, format, &messages, &tools) as i64;
            // The cookbook counts text only; each image or file adds a placeholder of 85
            // (a low-detail image on GPT-4o; other models and sizes cost more: no band).
            let media = request.messages.iter().flat_map(|m| &m.parts).filter(|p| matches!(p, Part::Image | Part::File)).count() as i64;
            cookbook + 85 * media
        }
        Method::Calibrated(o) => calibrated(o, request, &n)?,
        Method::ContentOnly => content_only(request, &n)?,
    };
    Ok(total.max(0) as u64)
}

fn calibrated(o: &Overheads, request: &Request, n: &dyn Fn(&str) -> Result<i64>) -> Result<i64> {
    let m = o.content_multiplier;
    let opt = |s: &Option<String>| -> Result<i64> { s.as_deref().map_or(Ok(0), n) };
    let mut total = o.base;
    for message in &request.messages {
        total += o.per_message + n(&message.role)?;
        for part in &message.parts {
            total += match part {
                Part::Text(text) => scaled(n(text)?, m),
                Part::ToolCall { name, input, .. } => scaled(n(name)? + opt(input)?, m),
                Part::ToolResult { id, output } => scaled(opt(id)? + opt(output)?, m),
                Part::Image => o.per_image,
                Part::File => o.per_file,
            };
        }
    }
    if !request.tools.is_empty() {
        total += o.tools_exist;
        for (i, tool) in request.tools.iter().enumerate() {
            total += n(&tool.name)?;
            if let Some(d) = tool.description.as_deref().filter(|d| !d.is_empty()) {
                total += o.per_desc + n(d)?;
            }
            total += properties(o, &tool.properties, n)?;
            if i > 0 {
                total += o.per_tool;
            }
        }
    }
    Ok(total)
}

fn properties(o: &Overheads, props: &[Property], n: &dyn Fn(&str) -> Result<i64>) -> Result<i64> {
    let mut total = 0;
    for (i, p) in props.iter().enumerate() {
        total += n(&p.name)? + if i == 0 { o.per_first_prop } else { o.per_additional_prop };
        if let Some(d) = p.description.as_deref().filter(|d| !d.is_empty()) {
            total += o.per_prop_desc + n(d)?;
        }
        if let Some(values) = &p.enum_values {
            total += o.per_enum;
            for v in values {
                total += n(v)?;
            }
        }
        match p.kind.as_str() {
            "object" => total += o.per_nested_object + properties(o, &p.properties, n)?,
            "array" => {
                if let Some(items) = &p.items {
                    if items.kind == "object" {
                        total += o.per_array_of_objects;
                    }
                    total += properties(o, &items.properties, n)?;
                }
            }
            _ => {}
        }
    }
    Ok(total)
}

fn content_only(request: &Request, n: &dyn Fn(&str) -> Result<i64>) -> Result<i64> {
    let opt = |s: &Option<String>| -> Result<i64> { s.as_deref().map_or(Ok(0), n) };
    let mut total = 0;
    for message in &request.messages {
        for part in &message.parts {
            total += match part {
                Part::Text(text) => n(text)?,
                Part::ToolCall { name, input, .. } => n(name)? + opt(input)?,
                Part::ToolResult { output, .. } => opt(output)?,
                Part::Image | Part::File => 0,
            };
        }
    }
    fn props(list: &[Property], n: &dyn Fn(&str) -> Result<i64>) -> Result<i64> {
        let mut total = 0;
        for p in list {
            total += n(&p.name)? + p.description.as_deref().map_or(Ok(0), n)?;
            for v in p.enum_values.iter().flatten() {
                total += n(v)?;
            }
            total += props(&p.properties, n)?;
            if let Some(items) = &p.items {
                total += props(&items.properties, n)?;
            }
        }
        Ok(total)
    }
    for tool in &request.tools {
        total += n(&tool.name)? + tool.description.as_deref().map_or(Ok(0), n)? + props(&tool.properties, n)?;
    }
    Ok(total)
}

/// The request as the cookbook's messages and tools: text parts joined, tool calls with
/// their arguments, a tool result as a `tool` message's content with its call id.
fn to_chat(request: &Request) -> (Vec<ChatMessage>, Vec<ToolDefinition>) {
    let mut messages = Vec::new();
    for m in &request.messages {
        let mut out = ChatMessage { role: m.role.clone(), name: m.name.clone(), ..ChatMessage::default() };
        let mut results = Vec::new();
        for part in &m.parts {
            match part {
                Part::Text(t) => out.content.push_str(t),
                Part::ToolCall { name, input, .. } => {
                    out.tool_calls.push(ToolCall { name: name.clone(), arguments: input.clone().unwrap_or_default() })
                }
                Part::ToolResult { id, output } => results.push(ChatMessage {
                    role: "tool".into(),
                    name: m.name.clone(),
                    content: output.clone().unwrap_or_default(),
                    tool_call_id: id.clone(),
                    tool_calls: Vec::new(),
                }),
                Part::Image | Part::File => {}
            }
        }
        // A message of tool results only is the tool messages themselves.
        if results.is_empty() || results.len() != m.parts.len() {
            messages.push(out);
        }
        messages.extend(results);
    }
    let tools = request
        .tools
        .iter()
        .map(|t| ToolDefinition {
            name: t.name.clone(),
            description: t.description.clone().unwrap_or_default(),
            properties: t
                .properties
                .iter()
                .map(|p| ToolProperty {
                    name: p.name.clone(),
                    kind: p.kind.clone(),
                    description: p.description.clone().unwrap_or_default(),
                    enum_values: p.enum_values.clone(),
                })
                .collect(),
        })
        .collect();
    (messages, tools)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaling_rounds_as_the_calibration_did() {
        // Float products: 5 x 1.1 = 5.500000000000001 -> 6; 15 x 1.1 = 16.5 -> 17.
        assert_eq!([5, 15, 0, 1, 100].map(|t| scaled(t, 1.1)), [6, 17, 0, 1, 110]);
        assert_eq!(scaled(7, 1.0), 7);
        assert_eq!(scaled(25, 1.08), 27);
    }
}
