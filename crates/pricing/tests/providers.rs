//! Each row of the normalisation table (docs/usage-normalisation.md): what a
//! provider's counts include and the disjoint classes tokfare makes of them. The
//! usage objects are shaped like the providers' documented responses.

use tokfare_pricing::price::{parse_usage, Provider, Usage};
use tokfare_pricing::Error;

fn parse(json: &str) -> Usage {
    parse_usage(json, None).unwrap_or_else(|e| panic!("{json}: {e}"))
}

#[test]
fn openai_chat_cached_tokens_are_inside_prompt_tokens() {
    let u = parse(
        r#"{"prompt_tokens": 2006, "completion_tokens": 300, "total_tokens": 2306,
            "prompt_tokens_details": {"cached_tokens": 1920, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
              "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}}"#,
    );
    assert_eq!(u, Usage { input: 86, cached_input: 1920, output: 300, requests: 1, ..Usage::default() });
    assert_eq!(u.total_tokens(), 2306, "classes add up to total_tokens");
}

#[test]
fn openai_reasoning_and_audio_are_inside_completion_tokens() {
    let u = parse(
        r#"{"prompt_tokens": 120, "completion_tokens": 1500,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 20},
            "completion_tokens_details": {"reasoning_tokens": 1024, "audio_tokens": 76}}"#,
    );
    assert_eq!(u, Usage { input: 100, audio_input: 20, output: 400, reasoning: 1024, audio_output: 76, requests: 1, ..Usage::default() });
    assert_eq!(u.total_tokens(), 1620);
}

#[test]
fn openai_responses_api_uses_input_and_output_tokens_with_details() {
    let u = parse(
        r#"{"input_tokens": 5000, "input_tokens_details": {"cached_tokens": 4096},
            "output_tokens": 900, "output_tokens_details": {"reasoning_tokens": 700}, "total_tokens": 5900}"#,
    );
    assert_eq!(u, Usage { input: 904, cached_input: 4096, output: 200, reasoning: 700, requests: 1, ..Usage::default() });
    assert_eq!(u.total_tokens(), 5900);
}

#[test]
fn anthropic_input_tokens_exclude_cache_reads_and_writes() {
    let u = parse(
        r#"{"input_tokens": 50, "cache_creation_input_tokens": 3000, "cache_read_input_tokens": 12000,
            "cache_creation": {"ephemeral_5m_input_tokens": 1000, "ephemeral_1h_input_tokens": 2000},
            "output_tokens": 503, "service_tier": "standard"}"#,
    );
    assert_eq!(
        u,
        Usage { input: 50, cached_input: 12000, cache_write_5m: 1000, cache_write_1h: 2000, output: 503, requests: 1, ..Usage::default() }
    );
    // Without the TTL split every write is a 5-minute write (Anthropic's default TTL).
    let old = parse(r#"{"input_tokens": 10, "cache_creation_input_tokens": 300, "cache_read_input_tokens": 0, "output_tokens": 5}"#);
    assert_eq!((old.cache_write_5m, old.cache_write_1h), (300, 0));
    // Thinking tokens are inside output_tokens and not reported apart: no reasoning class.
    assert_eq!(old.reasoning, 0);
}

#[test]
fn gemini_cached_content_is_inside_prompt_and_thoughts_are_outside_candidates() {
    let u = parse(
        r#"{"usageMetadata": {"promptTokenCount": 10000, "cachedContentTokenCount": 8000,
            "candidatesTokenCount": 250, "thoughtsTokenCount": 1200, "toolUsePromptTokenCount": 40,
            "totalTokenCount": 11490,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 9500}, {"modality": "AUDIO", "tokenCount": 500}],
            "cacheTokensDetails": [{"modality": "AUDIO", "tokenCount": 100}]}}"#,
    );
    // input = 10000 - 8000 cached - (500 - 100) uncached audio + 40 tool-use prompt; the
    // 100 cached audio tokens have their own class (LiteLLM prices them apart).
    assert_eq!(
        u,
        Usage {
            input: 1640,
            cached_input: 7900,
            cached_audio_input: 100,
            audio_input: 400,
            output: 250,
            reasoning: 1200,
            requests: 1,
            ..Usage::default()
        }
    );
    assert_eq!(u.total_tokens(), 11490, "classes add up to totalTokenCount");
    // The bare usageMetadata object works too.
    let bare = parse(r#"{"promptTokenCount": 10, "candidatesTokenCount": 3}"#);
    assert_eq!((bare.input, bare.output), (10, 3));
}

#[test]
fn tokfare_form_round_trips() {
    let u = parse(r#"{"input": 5, "cached_input": 6, "output": 7, "reasoning": 8, "requests": 2}"#);
    assert_eq!(u, Usage { input: 5, cached_input: 6, output: 7, reasoning: 8, requests: 2, ..Usage::default() });
}

fn error_of(json: &str, provider: Option<Provider>) -> (String, String) {
    match parse_usage(json, provider) {
        Err(Error::InvalidUsage { path, reason, .. }) => (path, reason),
        other => panic!("{json}: expected an error, got {other:?}"),
    }
}

#[test]
fn bad_usage_gets_a_precise_error() {
    let cases: [(&str, Option<Provider>, &str, &str); 9] = [
        (r#"{"prompt_tokens": -5, "completion_tokens": 1}"#, None, "$.prompt_tokens", "negative"),
        (r#"{"prompt_tokens": 5.5, "completion_tokens": 1}"#, None, "$.prompt_tokens", "non-negative integer"),
        (r#"{"prompt_tokens": "12", "completion_tokens": 1}"#, None, "$.prompt_tokens", "non-negative integer"),
        (
            r#"{"prompt_tokens": 10, "completion_tokens": 1, "prompt_tokens_details": {"cached_tokens": 11}}"#,
            None,
            "$.prompt_tokens",
            "less than",
        ),
        (
            r#"{"input_tokens": 1, "output_tokens": 1, "cache_creation_input_tokens": 10,
                "cache_creation": {"ephemeral_5m_input_tokens": 1, "ephemeral_1h_input_tokens": 2}}"#,
            None,
            "$.cache_creation",
            "ephemeral_5m + ephemeral_1h",
        ),
        (r#"{"completion_tokens": 1}"#, Some(Provider::OpenAIChat), "$.prompt_tokens", "missing"),
        (r#"{"tokens": 1}"#, None, "$", "cannot tell which provider"),
        (r#"{"input": 1, "outptu": 2}"#, Some(Provider::Tokfare), "$.outptu", "unknown field"),
        (r#"[1, 2]"#, None, "$", "JSON object"),
    ];
    for (json, provider, path, reason) in cases {
        let (got_path, got_reason) = error_of(json, provider);
        assert_eq!(got_path, path, "{json}");
        assert!(got_reason.contains(reason), "{json}: {got_reason}");
    }
    assert!(matches!(parse_usage("{not json", None), Err(Error::InvalidUsage { .. })));
}
