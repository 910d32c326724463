//! Settled boundaries really are: cutting there never changes the count, and the
//! streaming and slice counters equal counting from scratch.

use proptest::prelude::*;
use tokfare_tokenizer::{get_encoding, SliceCounter, TokenCounter};

const ALPHABET: &[&str] = &[
    "a", "b", "Z", "q", " ", " ", " ", "  ", "\n", "\n", "\r\n", "\t", "'", "'s", "'LL", "/", "//", ".", "!", "1", "22", "é", "É",
    "\u{301}", "中", "文", "の", "Ж", "😀", "\u{200d}", "\u{a0}", "\u{3000}", "ǅ", "ʰ", "<|endoftext|>",
];

fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(ALPHABET), 0..60).prop_map(|v| v.concat())
}

const ENCODINGS: [&str; 3] = ["r50k_base", "cl100k_base", "o200k_base"];

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn streaming_count_equals_count(text in text(), cuts in proptest::collection::vec(0usize..64, 0..8)) {
        for name in ENCODINGS {
            let enc = get_encoding(name).expect("built-in");
            let mut counter = TokenCounter::new(enc.clone());
            let mut at = 0;
            for cut in &cuts {
                let mut to = (at + cut).min(text.len());
                while !text.is_char_boundary(to) { to += 1; }
                counter.push(&text[at..to]);
                prop_assert_eq!(counter.count(), enc.count(&text[..to]), "{} after {:?}", name, &text[..to]);
                at = to;
            }
            counter.push(&text[at..]);
            prop_assert_eq!(counter.count(), enc.count(&text), "{} on {:?}", name, text);
            prop_assert_eq!(counter.len(), text.len());
        }
    }

    #[test]
    fn slice_counts_equal_counts(text in text(), a in 0usize..400, b in 0usize..400) {
        let (mut start, mut end) = (a.min(b).min(text.len()), a.max(b).min(text.len()));
        while !text.is_char_boundary(start) { start -= 1; }
        while !text.is_char_boundary(end) { end += 1; }
        for name in ENCODINGS {
            let enc = get_encoding(name).expect("built-in");
            let slices = SliceCounter::new(&enc, &text);
            prop_assert_eq!(slices.count(start..end).expect("valid range"), enc.count(&text[start..end]), "{} {}..{} of {:?}", name, start, end, text);
        }
    }
}

#[test]
fn counters_on_the_corpus() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    for file in ["en.txt", "ja.txt", "code_py.txt"] {
        let text = std::fs::read_to_string(dir.join(file)).expect("corpus file");
        let text = &text[..text.floor_char_boundary(200_000)];
        for name in ["cl100k_base", "o200k_base"] {
            let enc = get_encoding(name).expect("built-in");
            let mut counter = TokenCounter::new(enc.clone());
            let mut at = 0;
            while at < text.len() {
                let mut to = (at + 7).min(text.len());
                while !text.is_char_boundary(to) {
                    to += 1;
                }
                counter.push(&text[at..to]);
                at = to;
            }
            assert_eq!(counter.count(), enc.count(text), "{name} {file}");
            let slices = SliceCounter::new(&enc, text);
            for (s, e) in [(0, text.len()), (1000, 50_000), (12_345, 12_400), (text.len() / 2, text.len())] {
                let (s, e) = (text.floor_char_boundary(s), text.floor_char_boundary(e));
                assert_eq!(slices.count(s..e).expect("range"), enc.count(&text[s..e]), "{name} {file} {s}..{e}");
            }
        }
    }
}

#[test]
fn bad_ranges_are_errors() {
    let enc = get_encoding("o200k_base").expect("built-in");
    let text = "héllo";
    let slices = SliceCounter::new(&enc, text);
    assert_eq!(slices.count(0..2).expect_err("mid-char").code(), "invalid_argument");
    let (from, to) = (3, 1);
    assert_eq!(slices.count(from..to).expect_err("reversed").code(), "invalid_argument");
    assert_eq!(slices.count(0..99).expect_err("out of bounds").code(), "invalid_argument");
    assert_eq!(slices.count(0..0).expect("empty"), 0);
}
