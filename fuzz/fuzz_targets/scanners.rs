//! Any UTF-8 text: every hand-written scanner splits exactly like fancy-regex running
//! the official pattern.
//!
//!     cd fuzz && cargo +nightly fuzz run scanners   (or: scripts/test.sh fuzz)
#![no_main]

use libfuzzer_sys::fuzz_target;
use tokfare::pretokenize::{patterns, split};

fuzz_target!(|text: &str| {
    thread_local! {
        static REGEXES: Vec<(&'static str, fancy_regex::Regex)> =
            [patterns::R50K, patterns::CL100K, patterns::O200K]
                .into_iter()
                .map(|p| (p, fancy_regex::Regex::new(p).expect("official pattern")))
                .collect();
    }
    REGEXES.with(|regexes| {
        for (pattern, regex) in regexes {
            let expected: Vec<&str> = regex.find_iter(text).map(|m| m.expect("match").as_str()).collect();
            assert_eq!(split(pattern, text).expect("split"), expected, "{pattern} on {text:?}");
        }
    });
});
