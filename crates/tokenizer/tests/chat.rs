//! Chat prompt counting against the numbers OpenAI's cookbook ("How to count tokens
//! with tiktoken") reports from the API for its example conversation.
#![cfg(feature = "chat")]

use tokfare_tokenizer::chat::count_chat_json;

const EXAMPLE: &str = r#"[
  {"role": "system", "content": "You are a helpful, pattern-following assistant that translates corporate jargon into plain English."},
  {"role": "system", "name": "example_user", "content": "New synergies will help drive top-line growth."},
  {"role": "system", "name": "example_assistant", "content": "Things working well together will increase revenue."},
  {"role": "system", "name": "example_user", "content": "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage."},
  {"role": "system", "name": "example_assistant", "content": "Let's talk later when we're less busy about how to do better."},
  {"role": "user", "content": "This late pivot means we don't have time to boil the ocean for the client deliverable."}
]"#;

#[test]
fn the_cookbook_example_matches_the_api_counts() {
    // The cookbook's API-reported prompt_tokens for this conversation.
    assert_eq!(count_chat_json(EXAMPLE, None, "gpt-4").expect("count"), 129);
    assert_eq!(count_chat_json(EXAMPLE, None, "gpt-3.5-turbo").expect("count"), 129);
    assert_eq!(count_chat_json(EXAMPLE, None, "gpt-4o").expect("count"), 124);
    assert_eq!(count_chat_json(EXAMPLE, None, "gpt-4o-mini").expect("count"), 124);
}

#[test]
fn tools_and_tool_calls_add_tokens() {
    let messages = r#"[{"role": "system", "content": "You are a helpful assistant that can answer to questions about the weather."},
                       {"role": "user", "content": "What's the weather like in San Francisco?"}]"#;
    let tools = r#"[{"type": "function", "function": {"name": "get_current_weather",
        "description": "Get the current weather in a given location",
        "parameters": {"type": "object", "properties": {
            "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
            "unit": {"type": "string", "description": "The unit of temperature to return", "enum": ["celsius", "fahrenheit"]}},
          "required": ["location"]}}}]"#;
    let without = count_chat_json(messages, None, "gpt-4o").expect("count");
    let with = count_chat_json(messages, Some(tools), "gpt-4o").expect("count");
    // The documented formula, term by term (the cookbook's function-counting method).
    let enc = tokfare_tokenizer::encoding_for_model("gpt-4o").expect("encoding");
    let n = |s: &str| enc.count(s) as i64;
    let tools_cost = 7
        + n("get_current_weather:Get the current weather in a given location")
        + 3
        + 3
        + n("location:string:The city and state, e.g. San Francisco, CA")
        + 3
        - 3
        + (3 + n("celsius"))
        + (3 + n("fahrenheit"))
        + n("unit:string:The unit of temperature to return")
        + 12;
    assert_eq!(with as i64 - without as i64, tools_cost);
    let call = r#"[{"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
        "function": {"name": "get_current_weather", "arguments": "{\"location\": \"Paris\"}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "18C"}]"#;
    assert!(count_chat_json(call, None, "gpt-4o").expect("count") > 10);
}

#[test]
fn bad_messages_are_errors() {
    assert!(count_chat_json("{}", None, "gpt-4o").is_err());
    assert!(count_chat_json(r#"[{"content": "no role"}]"#, None, "gpt-4o").is_err());
    assert!(
        count_chat_json(r#"[{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]"#, None, "gpt-4o").is_err()
    );
    assert!(count_chat_json("[]", None, "claude-3-opus").is_err(), "no tokenizer for this model");
}
