//! Any bytes as a `.tiktoken` rank file (base64 token, space, rank, per line): a
//! working encoding or a typed error, never a panic, a hang or unbounded memory. A
//! working one must round-trip the text it is given.
//!
//!     cd fuzz && cargo +nightly fuzz run tiktoken_file seeds/tiktoken_file   (or: scripts/test.sh fuzz)
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let pattern = tokfare::pretokenize::patterns::CL100K;
    if let Ok(enc) = tokfare::Encoding::from_tiktoken_bytes("fuzz", data, pattern, [("<|end|>".to_string(), 1 << 20)]) {
        let text = "Hello, world! 123 \u{1F600}\n\n  x";
        let ids = enc.encode_ordinary(text);
        assert_eq!(enc.decode_bytes(&ids).expect("own ids decode"), text.as_bytes());
        assert_eq!(enc.count(text), ids.len());
    }
});
