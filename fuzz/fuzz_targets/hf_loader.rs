//! Any bytes as a tokenizer.json: an error or a working tokenizer, never a panic, an
//! abort or a hang. Seeded with small valid files (fuzz/seeds/hf_loader) to get past
//! the JSON syntax quickly:
//!
//!     cd fuzz && cargo +nightly fuzz run hf_loader seeds/hf_loader   (or: scripts/test.sh fuzz)
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
