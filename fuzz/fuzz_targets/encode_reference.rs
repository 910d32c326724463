//! Any UTF-8 text: tokfare's ids equal an independent implementation's (tiktoken-rs,
//! which runs tiktoken's own algorithm on fancy-regex) for cl100k_base and o200k_base,
//! with and without special tokens recognised.
//!
//!     cd fuzz && cargo +nightly fuzz run encode_reference   (or: scripts/test.sh fuzz)
#![no_main]

use libfuzzer_sys::fuzz_target;
use tokfare::SpecialSet;

fuzz_target!(|text: &str| {
    thread_local! {
        static PAIRS: Vec<(std::sync::Arc<tokfare::Encoding>, tiktoken_rs::CoreBPE)> = vec![
            (tokfare::get_encoding("cl100k_base").expect("built in"), tiktoken_rs::cl100k_base().expect("tiktoken-rs")),
            (tokfare::get_encoding("o200k_base").expect("built in"), tiktoken_rs::o200k_base().expect("tiktoken-rs")),
        ];
    }
    PAIRS.with(|pairs| {
        for (ours, reference) in pairs {
            assert_eq!(ours.encode_ordinary(text), reference.encode_ordinary(text), "{} encode_ordinary of {text:?}", ours.name());
            let got = ours.encode(text, SpecialSet::All, SpecialSet::None).expect("all allowed");
            assert_eq!(got, reference.encode_with_special_tokens(text), "{} encode with specials of {text:?}", ours.name());
        }
    });
});
