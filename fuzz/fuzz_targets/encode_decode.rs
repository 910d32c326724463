//! Any bytes: valid UTF-8 must round-trip through every encoding with consistent
//! counts and offsets; anything else must be refused with a typed error. Arbitrary
//! ids must decode or fail cleanly. Nothing may panic.
//!
//!     cd fuzz && cargo +nightly fuzz run encode_decode   (or: scripts/test.sh fuzz)
#![no_main]

use libfuzzer_sys::fuzz_target;
use tokfare::SpecialSet;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let name = tokfare::list_encoding_names()[selector as usize % tokfare::list_encoding_names().len()];
    let enc = tokfare::get_encoding(name).expect("built-in encoding");
    match tokfare::text_from_utf8(rest) {
        Ok(text) => {
            let ids = enc.encode_ordinary(text);
            assert_eq!(enc.decode_bytes(&ids).expect("own ids decode"), text.as_bytes());
            assert_eq!(enc.count(text), ids.len());
            assert_eq!(enc.count_until(text, ids.len()), Some(ids.len()));
            let (with_offsets, _) = enc.encode_ordinary_with_offsets(text);
            assert_eq!(with_offsets, ids);
            if let Ok(special) = enc.encode(text, SpecialSet::All, SpecialSet::None) {
                // Ids round-trip, not always the text: o200k_harmony names id 200018 both
                // `<|endofprompt|>` (o200k_base's) and `<|reserved_200018|>`, as tiktoken
                // does; it decodes as the first (gpt-oss's tokenizer_config.json).
                let decoded = enc.decode(&special).expect("own ids decode");
                assert_eq!(enc.encode(&decoded, SpecialSet::All, SpecialSet::None).expect("decoded text encodes"), special);
            }
            let cut = enc.truncate(text, ids.len() / 2);
            assert!(text.starts_with(cut) && enc.count(cut) <= ids.len() / 2);
        }
        Err(e) => assert_eq!(e.code(), "invalid_input_utf8"),
    }
    let ids: Vec<u32> = rest.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3] & 0x03])).collect();
    let _ = enc.decode(&ids);
    let _ = enc.decode_lossy(&ids);
});
