//! Gemini `generateContent` bodies: `systemInstruction`, `contents` of `parts`, `tools`
//! of `functionDeclarations` (camelCase, as the REST reference writes them, or
//! snake_case, which the API accepts too).

use super::{role, schema_properties};
use crate::request::json::{self, bad, get_any};
use crate::request::{Message, Part, Request, Tool};
use crate::Result;
use simd_json::prelude::*;
use tokfare_json::{self as tj, Value};

pub(super) fn generate_content(root: &Value<'_>) -> Result<Request> {
    let mut request = Request::default();
    if let Some((key, system)) = get_any(root, &["systemInstruction", "system_instruction"]) {
        let path = format!("$.{key}");
        json::object(system, &path)?;
        request.messages.push(Message { role: "system".into(), name: None, parts: parts(system, &path)? });
    }
    for (i, c) in json::opt_array(root, "contents", "$")?.iter().enumerate() {
        let path = format!("$.contents[{i}]");
        json::object(c, &path)?;
        let raw = json::opt_str(c, "role", &path)?.unwrap_or_else(|| "user".into());
        if raw != "user" && raw != "model" && raw != "function" {
            return Err(bad(&format!("{path}.role"), format!("must be \"user\", \"model\" or \"function\", not {raw:?}")).into());
        }
        request.messages.push(Message { role: role(&raw, &format!("{path}.role"))?, name: None, parts: parts(c, &path)? });
    }
    for (i, t) in json::opt_array(root, "tools", "$")?.iter().enumerate() {
        let path = format!("$.tools[{i}]");
        json::object(t, &path)?;
        // Built-in tools (googleSearch, codeExecution ...) cost tokens tokfare does not know.
        if let Some((other, _)) =
            tj::entries(t).into_iter().find(|(k, v)| *k != "functionDeclarations" && *k != "function_declarations" && !v.is_null())
        {
            return Err(bad(&format!("{path}.{other}"), format!("the tool {other:?} is not counted (functionDeclarations only)")).into());
        }
        let Some((key, decls)) = get_any(t, &["functionDeclarations", "function_declarations"]) else { continue };
        let decls = tj::as_array(decls).ok_or_else(|| bad(&format!("{path}.{key}"), "must be a list".into()))?;
        for (j, f) in decls.iter().enumerate() {
            let fpath = format!("{path}.{key}[{j}]");
            json::object(f, &fpath)?;
            let properties = match get_any(f, &["parameters", "parametersJsonSchema", "parameters_json_schema"]) {
                Some((pkey, p)) => {
                    json::object(p, &format!("{fpath}.{pkey}"))?;
                    schema_properties(p, &format!("{fpath}.{pkey}"))?
                }
                None => Vec::new(),
            };
            request.tools.push(Tool {
                name: json::req_str(f, "name", &fpath)?,
                description: json::opt_str(f, "description", &fpath)?,
                properties,
            });
        }
    }
    Ok(request)
}

/// The `parts` of a content.
fn parts(content: &Value<'_>, path: &str) -> Result<Vec<Part>> {
    let mut out = Vec::new();
    for (i, part) in json::opt_array(content, "parts", path)?.iter().enumerate() {
        let ppath = format!("{path}.parts[{i}]");
        json::object(part, &ppath)?;
        if let Some(text) = json::opt_str(part, "text", &ppath)? {
            out.push(Part::Text(text));
        } else if get_any(part, &["inlineData", "inline_data", "fileData", "file_data"]).is_some() {
            let mime = get_any(part, &["inlineData", "inline_data", "fileData", "file_data"])
                .and_then(|(_, d)| get_any(d, &["mimeType", "mime_type"]))
                .and_then(|(_, m)| tj::as_str(m))
                .unwrap_or("");
            out.push(if mime.starts_with("image/") { Part::Image } else { Part::File });
        } else if let Some((key, call)) = get_any(part, &["functionCall", "function_call"]) {
            let cpath = format!("{ppath}.{key}");
            json::object(call, &cpath)?;
            out.push(Part::ToolCall {
                id: json::opt_str(call, "id", &cpath)?,
                name: json::req_str(call, "name", &cpath)?,
                input: tj::get(call, "args").map(json::stringify),
            });
        } else if let Some((key, response)) = get_any(part, &["functionResponse", "function_response"]) {
            let rpath = format!("{ppath}.{key}");
            json::object(response, &rpath)?;
            // The name, as the calibration counted a call id (the optional `id` is not sent to the model).
            out.push(Part::ToolResult {
                id: json::opt_str(response, "name", &rpath)?,
                output: tj::get(response, "response").map(json::stringify),
            });
            // Multimodal responses carry media parts.
            if tj::get(response, "parts").is_some_and(|v| !v.is_null()) {
                out.extend(parts(response, &rpath)?);
            }
        } else {
            let keys: Vec<String> = tj::entries(part).iter().map(|(k, _)| k.to_string()).collect();
            return Err(bad(
                &ppath,
                format!("a part with {keys:?} is not counted (text, inlineData, fileData, functionCall, functionResponse)"),
            )
            .into());
        }
    }
    Ok(out)
}
