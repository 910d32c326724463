//! Request counts equal their references on `conformance/requests/*.jsonl`: OpenAI
//! requests the OpenAI cookbook's functions over tiktoken (`openai.jsonl`); the calibrated
//! Claude and Gemini counts ai-tokenizer 1.0.6's `count` on the same request, in the AI
//! SDK format and in Anthropic's and Gemini's own formats (`calibrated.jsonl`).
#![cfg(feature = "request")]

use tokfare::request::{count_request, RequestFormat};

fn check(file: &str) -> usize {
    let path = format!("{}/../../conformance/requests/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut checked = 0;
    for (i, line) in text.lines().enumerate() {
        let case: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let model = case["model"].as_str().expect("model");
        let format: RequestFormat = case["format"].as_str().expect("format").parse().expect("a known format");
        let got = count_request(model, format, case["body"].as_str().expect("body")).unwrap_or_else(|e| panic!("{file}:{}: {e}", i + 1));
        let at = format!("{file}:{} ({} on {model})", i + 1, case["name"]);
        assert_eq!(got.tokens, case["tokens"].as_u64().expect("tokens"), "{at}");
        match case["exact"].as_bool() {
            Some(exact) => assert_eq!(got.exact, exact, "{at}"),
            // A calibrated model with recorded figures: approximate, with its band unless
            // the request has images or files.
            None => assert_eq!((got.exact, got.band.is_some()), (false, case["banded"].as_bool().expect("banded")), "{at}"),
        }
        checked += 1;
    }
    checked
}

#[test]
fn calibrated_counts_equal_ai_tokenizer() {
    assert!(check("calibrated.jsonl") >= 75);
}

#[test]
fn openai_counts_equal_the_cookbook() {
    assert!(check("openai.jsonl") >= 50);
}
