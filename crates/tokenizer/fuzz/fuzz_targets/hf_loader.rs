//! Any bytes as a tokenizer.json: an error or a working tokenizer, never a panic, an
//! abort or a hang. Seed it with real files to get past the JSON syntax quickly:
//!
//!     mkdir -p corpus/hf_loader && cp ~/.cache/tokfare-oracle/hf/qwen3/tokenizer.json corpus/hf_loader/
//!     cargo +nightly fuzz run hf_loader -- -max_total_time=60 -max_len=8000000
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(tok) = tokfare::hf::Tokenizer::native_from_bytes("fuzz", data.to_vec()) {
        if let Ok(ids) = tok.encode("Hello, world! 123 \u{1F600} <|endoftext|>\n\n  x", true) {
            let _ = tok.decode(&ids, false);
            let _ = tok.count_until("Hello, world!", 2);
        }
    }
});
