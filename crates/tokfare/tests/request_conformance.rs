//! Request counts equal their references on `conformance/requests/*.jsonl`: the
//! calibrated Claude and Gemini counts are ai-tokenizer 1.0.6's `count` on the same
//! request, in the AI SDK format and in Anthropic's and Gemini's own formats.
#![cfg(feature = "request")]

use tokfare::request::{count_request, RequestFormat};

#[test]
fn calibrated_counts_equal_ai_tokenizer() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../conformance/requests/calibrated.jsonl");
    let text = std::fs::read_to_string(path).expect("conformance/requests/calibrated.jsonl");
    let mut checked = 0;
    for (i, line) in text.lines().enumerate() {
        let case: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let model = case["model"].as_str().expect("model");
        let format: RequestFormat = case["format"].as_str().expect("format").parse().expect("a known format");
        let got = count_request(model, format, case["body"].as_str().expect("body")).unwrap_or_else(|e| panic!("line {}: {e}", i + 1));
        assert_eq!(got.tokens, case["tokens"].as_u64().expect("tokens"), "line {} ({} on {model})", i + 1, case["name"]);
        assert!(!got.exact && got.band.is_some(), "line {}: a calibrated model with recorded figures", i + 1);
        checked += 1;
    }
    assert!(checked >= 60, "only {checked} cases");
}
