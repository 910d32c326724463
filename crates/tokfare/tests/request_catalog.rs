//! Every chat model of the bundled price catalog can be counted: exact with its own
//! tokenizer, or an approximation that says so (what `tokfare count --model M` prints).
#![cfg(all(feature = "request", feature = "pricing"))]

use tokfare::price::Catalog;
use tokfare::request::{count_request, count_text, Profile, RequestFormat};

#[test]
fn every_priced_chat_model_counts() {
    let catalog = Catalog::bundled();
    let (mut exact, mut banded, mut rough) = (0, 0, 0);
    let text = "Hello! Count me, please: 東京, Zürich, 🚀.";
    let body = r#"{"system": "Be brief.", "messages": [{"role": "user", "content": "Hello! Count me, please."}]}"#;
    for entry in catalog.entries().filter(|e| e.mode.as_deref() == Some("chat")) {
        let model = entry.model.as_str();
        let n = count_text(model, text).unwrap_or_else(|e| panic!("{model}: {e}"));
        assert!(n.tokens > 0 && n.band.is_none(), "{model}: a bare text has a count and no band");
        assert_eq!(n.exact, n.note.is_empty(), "{model}: an approximation says why");
        let r = count_request(model, RequestFormat::AnthropicMessages, body).unwrap_or_else(|e| panic!("{model}: {e}"));
        assert!(r.tokens > 0 && r.exact == r.note.is_empty(), "{model}");
        let profile = Profile::for_model(model);
        let lower = model.to_ascii_lowercase();
        if n.exact {
            exact += 1;
        }
        if r.band.is_some() {
            banded += 1
        } else if !n.exact {
            rough += 1
        }
        if lower.contains("claude") {
            assert_eq!((n.tokenizer.as_str(), n.exact), ("claude", false), "{model}");
        } else if lower.contains("gemini") && !lower.contains("gemma") {
            assert!(profile.name.starts_with("gemini"), "{model}: {}", profile.name);
        }
    }
    // The catalog holds thousands of chat models; most are OpenAI's, Claude or Gemini.
    assert!(exact > 100 && banded > 50 && rough > 100, "exact {exact}, banded {banded}, rough {rough}");
    eprintln!("chat models: text exact for {exact}; a request with a band for {banded}; approximate without a band for {rough} others");
}
