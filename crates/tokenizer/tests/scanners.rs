//! The hand-written scanners must split text exactly as `fancy-regex` running the
//! official pattern (which is what tiktoken runs): random Unicode strings biased
//! towards the characters the patterns distinguish, then the whole shared corpus.

use fancy_regex::Regex;
use proptest::prelude::*;
use tokfare_tokenizer::pretokenize::{patterns, split};

fn regex_split(regex: &Regex, text: &str) -> Vec<String> {
    regex.find_iter(text).map(|m| m.expect("no backtracking limit hit").as_str().to_string()).collect()
}

const ALL: &[(&str, &str)] = &[
    ("r50k", patterns::R50K),
    ("gpt2-original", patterns::GPT2_ORIGINAL),
    ("cl100k", patterns::CL100K),
    ("o200k", patterns::O200K),
    ("llama3", patterns::LLAMA3),
    ("qwen2", patterns::QWEN2),
];

/// Characters at the edges of the patterns' classes.
const INTERESTING: &[char] = &[
    'a', 'z', 'A', 'Z', 's', 'S', 't', 'T', 'd', 'D', 'm', 'M', 'l', 'L', 'v', 'V', 'r', 'R', 'e', 'E', '0', '7', '9', ' ', ' ', ' ', '\t',
    '\n', '\r', '\x0b', '\x0c', '\'', '\'', '"', '.', ',', '!', '/', '-', '_', '(', ')', '<', '|', '>', '\u{0}', '\u{1c}', '\u{7f}',
    '\u{85}', '\u{a0}', '\u{2028}', '\u{2029}', '\u{3000}', '\u{200b}', '\u{200d}', '\u{feff}', '\u{17f}', '\u{212a}', '\u{1c5}',
    '\u{2b0}', '\u{3005}', '\u{301}', '\u{308}', '\u{903}', '\u{20dd}', 'é', 'É', 'ß', 'ẞ', 'ø', 'Ω', 'ω', 'Ж', 'ж', '中', '文', 'の',
    'カ', '한', 'ا', 'ب', 'ש', '٣', '²', 'Ⅻ', '½', '𝟘', '😀', '👍', '🏽', '👩', '\u{fe0f}', '€', '©', '\u{e000}', '\u{10ffff}',
];

fn text_strategy() -> impl Strategy<Value = String> {
    let ch = prop_oneof![
        8 => proptest::sample::select(INTERESTING),
        1 => any::<char>(),
    ];
    proptest::collection::vec(ch, 0..48).prop_map(|v| v.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 20_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn scanners_equal_regex_on_random_text(text in text_strategy()) {
        thread_local! {
            static REGEXES: Vec<Regex> = ALL.iter().map(|(_, p)| Regex::new(p).expect("official pattern")).collect();
        }
        REGEXES.with(|regexes| -> Result<(), TestCaseError> {
            for ((name, pattern), regex) in ALL.iter().zip(regexes) {
                let ours = split(pattern, &text).expect("split");
                prop_assert_eq!(ours, regex_split(regex, &text), "{} on {:?}", name, text);
            }
            Ok(())
        })?;
    }
}

/// Texts long enough for o200k's 128-byte windows (`pretokenize/bitwise.rs`): the
/// ASCII characters and runs its rules tell apart, with a little non-ASCII (where a
/// window stops) in some texts and none in others.
fn long_text_strategy() -> impl Strategy<Value = String> {
    const ASCII: &[&str] = &[
        "a", "b", "s", "t", "e", "r", "v", "l", "m", "d", "A", "B", "S", "T", "E", "R", "L", "hello", "World", "HTTPServer", " ", " ",
        "  ", "\t", "\n", "\r\n", "\n\n", " \n ", "\x0b", "\x0c", "'", "'s", "'S", "'re", "'VE", "'ll", "'d", "'m", "'t", "n't", "'x", ".",
        ",", "(", ")", "/", "//", "\"", "-", "_", "\x1c", "\x7f", "\u{0}", "1", "12", "123", "1234567",
    ];
    const OTHER: &[&str] = &["é", "É", "中", "\u{a0}", "\u{3000}", "\u{301}", "\u{17f}", "—", "“", "😀", "\u{85}", "٣"];
    let part = prop_oneof![
        60 => proptest::sample::select(ASCII),
        1 => proptest::sample::select(OTHER),
    ];
    prop_oneof![
        proptest::collection::vec(part, 60..400).prop_map(|v| v.concat()),
        proptest::collection::vec(proptest::sample::select(ASCII), 60..400).prop_map(|v| v.concat()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn o200k_equals_regex_on_long_text(text in long_text_strategy()) {
        thread_local! {
            static O200K: Regex = Regex::new(patterns::O200K).expect("official pattern");
        }
        let theirs = O200K.with(|regex| regex_split(regex, &text));
        prop_assert_eq!(split(patterns::O200K, &text).expect("split"), theirs, "on {:?}", text);
    }
}

/// Each of o200k's window rules across every position of a window's end: the same
/// text shifted by 0..140 bytes.
#[test]
fn o200k_equals_regex_at_every_window_offset() {
    let regex = Regex::new(patterns::O200K).expect("official pattern");
    let body = "They're here.\r\n/\r\n  don'tcha 12345678 it's's ' (hello) \t x.\n\n  \n   y--z I'M \"ok\" 'RE'll \x0b\x0cq/\n/.";
    for shift in 0..140 {
        for tail in ["", "é", "  \u{a0}", "'ſ", "\u{301}x"] {
            let text = format!("{}{body}{body}{tail}", "w".repeat(shift));
            assert_eq!(split(patterns::O200K, &text).expect("split"), regex_split(&regex, &text), "shift {shift}, tail {tail:?}");
        }
    }
}

#[test]
fn scanners_equal_regex_on_edge_cases() {
    let cases = [
        "",
        " ",
        "  ",
        "\n",
        "\r\n",
        " \n ",
        "a  ",
        "a \n",
        "a\n\n ",
        "hello  world",
        "x\t\ty",
        "  \n\n  x",
        "'s 'S 'll 'LL 'Ll 'ſ 'K",
        "don't I'M we'RE they'Ve",
        "1234567",
        "a1b22c333d4444",
        "!!!\n\n/",
        "x //\n/y",
        "\u{301}ABC",
        " \u{301}abc",
        "ǅǅa",
        "ʰA",
        "ABCdef GHI",
        "中文字a",
        "e\u{301}\u{301}X",
        "😀👍🏽 👩\u{200d}💻",
        "<|endoftext|>",
        "   trailing   ",
        "\u{3000}\u{3000}x",
        "a\u{85}\u{85}b",
        "  \r\n\r\n  \t",
        // ASCII words after an ASCII prefix, and words across the 16-byte SIMD steps.
        "(ABCé",
        "\"ABCdefGHIjkl",
        "(Word's",
        "\tWORD'S",
        "-ABC\u{301}",
        "\x1cWord",
        "/Hello\u{85}",
        "ABCDEFGHIJKLMNOPQRSTUVWXyz",
        "abcdefghijklmnopqrstuvwxyzABC",
        "ABCDEFGHIJKLMNOpqrstuvwxyz012",
        "ABCDEFGHIJKLMNOPQ€",
        "xyzxyzxyzxyzxyzx\u{301}",
        "ABCDEFGHIJKLMNOPqrstuvwxyzabcdefghijKLM'LL",
    ];
    for (name, pattern) in ALL {
        let regex = Regex::new(pattern).expect("official pattern");
        for text in cases {
            assert_eq!(split(pattern, text).expect("split"), regex_split(&regex, text), "{name} on {text:?}");
        }
    }
}

#[test]
fn scanners_equal_regex_on_the_shared_corpus() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e} (the shared corpus is required)", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    files.sort();
    assert!(files.len() >= 7, "expected the 7 corpus files in {}", dir.display());
    for (name, pattern) in ALL {
        let regex = Regex::new(pattern).expect("official pattern");
        for file in &files {
            let text = std::fs::read_to_string(file).expect("corpus is UTF-8");
            let ours = split(pattern, &text).expect("split");
            let theirs = regex_split(&regex, &text);
            if ours != theirs {
                let at = ours.iter().zip(&theirs).position(|(a, b)| a != b).unwrap_or(ours.len().min(theirs.len()));
                panic!("{name} on {}: first difference at piece {at}: {:?} vs {:?}", file.display(), ours.get(at), theirs.get(at));
            }
        }
    }
}

#[test]
fn kimi_preset_splits_han_apart() {
    let pieces = split(patterns::KIMI_K2, "Hello世界 World's 12345\n\n").expect("compiles");
    assert_eq!(pieces, ["Hello", "世界", " World's", " ", "123", "45", "\n\n"]);
}
