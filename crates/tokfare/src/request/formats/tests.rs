//! Each reader on its provider's documented example shapes, and its errors.

use super::*;
use crate::request::{Message, Part, Tool};

fn text(role: &str, t: &str) -> Message {
    Message { role: role.into(), name: None, parts: vec![Part::Text(t.into())] }
}

fn code(body: &str, format: RequestFormat) -> (String, String) {
    let e = parse(format, body).expect_err("refused");
    (e.code().to_string(), e.to_string())
}

#[test]
fn anthropic_messages() {
    // The shapes of Anthropic's Messages API reference: system blocks, a tool, a tool
    // use and its result, an image.
    let body = r#"{
      "model": "claude-sonnet-4-5", "max_tokens": 1024,
      "system": [{"type": "text", "text": "You are terse.", "cache_control": {"type": "ephemeral"}}],
      "tools": [{"name": "get_weather", "description": "Get the current weather in a given location",
                 "input_schema": {"type": "object", "properties": {
                   "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
                   "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}, "required": ["location"]}}],
      "messages": [
        {"role": "user", "content": "What's the weather like in San Francisco?"},
        {"role": "assistant", "content": [{"type": "text", "text": "Let me check."},
          {"type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": {"location": "San Francisco, CA", "unit": "celsius"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_01A", "content": "15 degrees"},
          {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}}]}
      ]}"#;
    let r = parse(RequestFormat::AnthropicMessages, body).expect("valid");
    assert_eq!(r.messages[0], text("system", "You are terse."));
    assert_eq!(r.messages[1], text("user", "What's the weather like in San Francisco?"));
    assert_eq!(
        r.messages[2].parts[1],
        Part::ToolCall {
            id: Some("toolu_01A".into()),
            name: "get_weather".into(),
            input: Some(r#"{"location":"San Francisco, CA","unit":"celsius"}"#.into())
        }
    );
    assert_eq!(
        r.messages[3].parts,
        vec![Part::ToolResult { id: Some("toolu_01A".into()), output: Some("15 degrees".into()) }, Part::Image]
    );
    let Tool { name, properties, .. } = &r.tools[0];
    assert_eq!((name.as_str(), properties.len()), ("get_weather", 2));
    assert_eq!(properties[1].enum_values, Some(vec!["celsius".into(), "fahrenheit".into()]));
    let (c, m) = code(r#"{"messages": [{"role": "user", "content": [{"type": "video"}]}]}"#, RequestFormat::AnthropicMessages);
    assert_eq!(c, "invalid_argument");
    assert!(m.contains("$.messages[0].content[0].type") && m.contains("\"video\""), "{m}");
    let (_, m) =
        code(r#"{"messages": [], "tools": [{"type": "web_search_20250305", "name": "web_search"}]}"#, RequestFormat::AnthropicMessages);
    assert!(m.contains("$.tools[0].type"), "{m}");
}

#[test]
fn gemini_generate_content() {
    let body = r#"{
      "systemInstruction": {"parts": [{"text": "You are a cat."}]},
      "contents": [
        {"role": "user", "parts": [{"text": "Hello"}, {"inlineData": {"mimeType": "image/jpeg", "data": "/9j/4A=="}}]},
        {"role": "model", "parts": [{"functionCall": {"name": "find_movies", "args": {"location": "Mountain View, CA", "n": 2.5}}}]},
        {"role": "user", "parts": [{"functionResponse": {"name": "find_movies", "response": {"movies": ["Barbie"]}}}]}
      ],
      "tools": [{"functionDeclarations": [{"name": "find_movies", "description": "find movie titles",
        "parameters": {"type": "OBJECT", "properties": {"location": {"type": "STRING", "description": "The city"},
                        "genres": {"type": "ARRAY", "items": {"type": "STRING"}}}}}]}]
    }"#;
    let r = parse(RequestFormat::GeminiGenerateContent, body).expect("valid");
    assert_eq!(r.messages[0], text("system", "You are a cat."));
    assert_eq!(r.messages[1].parts, vec![Part::Text("Hello".into()), Part::Image]);
    assert_eq!(r.messages[2].role, "assistant");
    assert_eq!(
        r.messages[2].parts,
        vec![Part::ToolCall { id: None, name: "find_movies".into(), input: Some(r#"{"location":"Mountain View, CA","n":2.5}"#.into()) }]
    );
    assert_eq!(
        r.messages[3].parts,
        vec![Part::ToolResult { id: Some("find_movies".into()), output: Some(r#"{"movies":["Barbie"]}"#.into()) }]
    );
    assert_eq!(
        (r.tools[0].properties[1].kind.as_str(), r.tools[0].properties[1].items.as_ref().map(|i| i.kind.as_str())),
        ("array", Some("string"))
    );
    // snake_case is the same request.
    let snake = body
        .replace("systemInstruction", "system_instruction")
        .replace("functionDeclarations", "function_declarations")
        .replace("inlineData", "inline_data");
    assert_eq!(parse(RequestFormat::GeminiGenerateContent, &snake).expect("valid"), r);
    let (_, m) = code(r#"{"contents": [{"role": "user", "parts": [{"executableCode": {}}]}]}"#, RequestFormat::GeminiGenerateContent);
    assert!(m.contains("$.contents[0].parts[0]") && m.contains("executableCode"), "{m}");
}

#[test]
fn openai_chat_and_responses() {
    let body = r#"{"model": "gpt-4o", "messages": [
        {"role": "developer", "content": "Be brief."},
        {"role": "user", "content": [{"type": "text", "text": "Hi"}, {"type": "image_url", "image_url": {"url": "https://x/y.png"}}]},
        {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{\"a\": 1}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "42"}],
      "tools": [{"type": "function", "function": {"name": "f", "description": "d", "parameters": {"type": "object", "properties": {"a": {"type": "integer"}}}}}]}"#;
    let r = parse(RequestFormat::OpenAiChat, body).expect("valid");
    assert_eq!(r.messages[0], text("system", "Be brief."));
    assert_eq!(r.messages[1].parts, vec![Part::Text("Hi".into()), Part::Image]);
    assert_eq!(r.messages[2].parts, vec![Part::ToolCall { id: Some("call_1".into()), name: "f".into(), input: Some("{\"a\": 1}".into()) }]);
    assert_eq!(r.messages[3].parts, vec![Part::ToolResult { id: Some("call_1".into()), output: Some("42".into()) }]);
    assert_eq!(r.tools[0].properties[0].kind, "integer");
    let body = r#"{"model": "gpt-5", "instructions": "Be brief.", "input": [
        {"role": "user", "content": [{"type": "input_text", "text": "Hi"}]},
        {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": "42"}],
      "tools": [{"type": "function", "name": "f", "parameters": {"type": "object", "properties": {}}}]}"#;
    let r = parse(RequestFormat::OpenAiResponses, body).expect("valid");
    assert_eq!(r.messages.len(), 4);
    assert_eq!(r.messages[3].parts, vec![Part::ToolResult { id: Some("c1".into()), output: Some("42".into()) }]);
    let (_, m) = code(r#"{"input": "x", "tools": [{"type": "web_search"}]}"#, RequestFormat::OpenAiResponses);
    assert!(m.contains("$.tools[0].type"), "{m}");
    let (_, m) = code(r#"{"messages": [{"role": "robot", "content": "x"}]}"#, RequestFormat::OpenAiChat);
    assert!(m.contains("$.messages[0].role"), "{m}");
    let (_, m) = code(r#"[1]"#, RequestFormat::OpenAiChat);
    assert!(m.contains("$: must be an object"), "{m}");
}

#[test]
fn ai_sdk_messages() {
    let body = r#"{"messages": [
        {"role": "system", "content": "You are an expert."},
        {"role": "assistant", "content": [{"type": "text", "text": "ok"},
          {"type": "tool-call", "toolCallId": "call00003", "toolName": "analyzeData", "input": {"query": "Q1 analysis", "tags": ["test"]}}]},
        {"role": "tool", "content": [{"type": "tool-result", "toolCallId": "call00003", "toolName": "analyzeData",
          "output": {"type": "json", "value": {"status": "success", "count": 7}}}]}],
      "tools": {"analyzeData": {"description": "Analyze", "inputSchema": {"type": "object", "properties": {
          "query": {"type": "string", "description": "Analysis query"},
          "filters": {"type": "object", "properties": {"tags": {"type": "array", "items": {"type": "string"}}}}}}}}}"#;
    let r = parse(RequestFormat::AiSdk, body).expect("valid");
    assert_eq!(
        r.messages[2].parts,
        vec![Part::ToolResult {
            id: Some("call00003".into()),
            output: Some(r#"{"type":"json","value":{"status":"success","count":7}}"#.into())
        }]
    );
    assert_eq!(r.tools[0].properties[1].properties[0].name, "tags");
}

#[test]
fn schemas_follow_refs_and_first_non_null_branches() {
    let body = r##"{"messages": [], "tools": [{"name": "t", "input_schema": {"type": "object",
        "$defs": {"Addr": {"type": "object", "description": "An address", "properties": {"city": {"type": "string"}}}},
        "properties": {
          "home": {"$ref": "#/$defs/Addr"},
          "work": {"anyOf": [{"$ref": "#/$defs/Addr"}, {"type": "null"}], "description": "Work address"},
          "tags": {"type": ["array", "null"], "items": {"$ref": "#/$defs/Addr"}}}}}]}"##;
    let r = parse(RequestFormat::AnthropicMessages, body).expect("valid");
    let props = &r.tools[0].properties;
    assert_eq!(
        (props[0].kind.as_str(), props[0].description.as_deref(), props[0].properties[0].name.as_str()),
        ("object", Some("An address"), "city")
    );
    assert_eq!((props[1].description.as_deref(), props[1].properties.len()), (Some("Work address"), 1));
    assert_eq!(props[2].items.as_ref().map(|i| i.properties.len()), Some(1));
    // A reference cycle that doubles at each level stops at the property budget, with an error.
    let cycle = r##"{"messages": [], "tools": [{"name": "t", "input_schema": {"type": "object",
        "properties": {"a": {"$ref": "#"}, "b": {"$ref": "#"}}}}]}"##;
    let (c, m) = code(cycle, RequestFormat::AnthropicMessages);
    assert_eq!(c, "invalid_argument");
    assert!(m.contains("more than") && m.contains("input_schema.properties"), "{m}");
    let (_, m) = code(
        r##"{"messages": [], "tools": [{"name": "t", "input_schema": {"properties": {"a": {"$ref": "https://x/s.json"}}}}]}"##,
        RequestFormat::AnthropicMessages,
    );
    assert!(m.contains("not a local reference"), "{m}");
}

#[test]
fn a_hostile_key_stays_out_of_paths() {
    // 200 KB key, 2,000 siblings: paths are built only for the error, with the key cut.
    let key = "k".repeat(200_000);
    let siblings: Vec<String> = (0..2000).map(|i| format!("\"p{i}\": {{}}")).collect();
    let body = format!(
        r#"{{"messages": [], "tools": [{{"name": "t", "input_schema": {{"properties": {{"{key}": {{"properties": {{{}, "bad": {{"type": 7}}}}}}}}}}}}]}}"#,
        siblings.join(",")
    );
    let started = std::time::Instant::now();
    let (_, m) = code(&body, RequestFormat::AnthropicMessages);
    assert!(m.len() < 400 && m.contains("kkkk…") && m.contains(".bad.type"), "{}", &m[..m.len().min(400)]);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn uncounted_fields_are_named() {
    let r = parse(
        RequestFormat::OpenAiResponses,
        r#"{"input": [{"type": "reasoning", "summary": []}, {"role": "user", "content": "hi"}],
        "previous_response_id": "resp_1", "text": {"format": {"type": "json_schema"}}}"#,
    )
    .expect("valid");
    assert_eq!(r.uncounted, vec!["$.input[0]", "$.previous_response_id", "$.text.format"]);
    let r =
        parse(RequestFormat::OpenAiChat, r#"{"messages": [{"role": "user", "content": "x"}], "response_format": {"type": "json_object"}}"#)
            .expect("valid");
    assert_eq!(r.uncounted, vec!["$.response_format"]);
    let r = parse(RequestFormat::AnthropicMessages, r#"{"messages": [{"role": "assistant", "content": [{"type": "thinking", "thinking": "t", "signature": "s"}, {"type": "text", "text": "a"}]}]}"#)
        .expect("valid");
    assert_eq!((r.uncounted.len(), r.messages[0].parts.len()), (1, 1));
    // Responses tool output as parts: an image is media, not base64 text.
    let r = parse(RequestFormat::OpenAiResponses, r#"{"input": [{"type": "function_call_output", "call_id": "c", "output": [{"type": "input_text", "text": "ok"}, {"type": "input_image", "image_url": "data:image/png;base64,AAAA"}]}]}"#).expect("valid");
    assert_eq!(r.messages[0].parts, vec![Part::ToolResult { id: Some("c".into()), output: Some("ok".into()) }, Part::Image]);
}
