//! Any bytes as a request body in each format, counted for a model of each profile
//! (OpenAI's cookbook, calibrated Claude and Gemini, the fallback): a count or an
//! `invalid_argument` error naming the JSON path, never a panic, a hang or a count out of
//! proportion to the input.
//!
//!     cd fuzz && cargo +nightly fuzz run request seeds/request   (or: scripts/test.sh fuzz)
#![no_main]

use libfuzzer_sys::fuzz_target;
use tokfare_front::request::{count_request, RequestFormat};

const MODELS: [&str; 4] = ["gpt-4o", "claude-opus-4-5", "gemini-2.5-pro", "deepseek-chat"];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let Ok(body) = std::str::from_utf8(rest) else { return };
    let (_, format) = RequestFormat::ALL[selector as usize % RequestFormat::ALL.len()];
    let model = MODELS[(selector as usize / RequestFormat::ALL.len()) % MODELS.len()];
    match count_request(model, format, body) {
        // The largest overhead is a Claude tool's (~600 tokens for ~30 bytes of JSON).
        Ok(counted) => assert!(counted.tokens <= 64 * body.len() as u64 + 1_000, "{} tokens for {} bytes", counted.tokens, body.len()),
        Err(e) => assert_eq!(e.code(), "invalid_argument", "{e}"),
    }
});
