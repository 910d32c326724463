//! The `tokfare` binary end to end: output equals the core library's results, and
//! bad input exits with status 1 and a message on standard error.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn tokfare(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tokfare"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn tokfare");
    child.stdin.take().expect("stdin").write_all(stdin).expect("write stdin");
    child.wait_with_output().expect("wait")
}

fn stdout(out: &Output) -> String {
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).expect("UTF-8 output")
}

const TEXT: &str = "Hello, world! Ünïcödé 你好 🙂 <|endoftext|> done.\n";

#[test]
fn encode_prints_the_core_ids_as_json() {
    for encoding in ["cl100k_base", "o200k_base", "r50k_base"] {
        let enc = tokfare::get_encoding(encoding).expect("built-in");
        let out = stdout(&tokfare(&["encode", "--encoding", encoding], TEXT.as_bytes()));
        let ids: Vec<u32> = serde_json::from_str(&out).expect("JSON array");
        assert_eq!(ids, enc.encode_ordinary(TEXT), "{encoding}");
    }
}

#[test]
fn encode_recognises_specials_only_when_asked() {
    let enc = tokfare::get_encoding("o200k_base").expect("built-in");
    let plain: Vec<u32> = serde_json::from_str(&stdout(&tokfare(&["encode"], TEXT.as_bytes()))).expect("JSON");
    assert!(!plain.contains(&199999));
    for flag in ["all", "<|endoftext|>"] {
        let out = stdout(&tokfare(&["encode", "--allowed-special", flag], TEXT.as_bytes()));
        let ids: Vec<u32> = serde_json::from_str(&out).expect("JSON");
        assert_eq!(ids, enc.encode_with_special_tokens(TEXT));
        assert!(ids.contains(&199999));
    }
    let bad = tokfare(&["encode", "--allowed-special", "<|nope|>"], TEXT.as_bytes());
    assert_eq!(bad.status.code(), Some(1));
}

#[test]
fn count_reports_each_file_and_the_total() {
    let dir = std::env::temp_dir().join(format!("tokfare-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let a = dir.join("a.txt");
    let b = dir.join("b.txt");
    std::fs::write(&a, TEXT).expect("write");
    std::fs::write(&b, TEXT.repeat(3)).expect("write");
    let enc = tokfare::encoding_for_model("gpt-4").expect("model");
    let (na, nb) = (enc.count(TEXT), enc.count(&TEXT.repeat(3)));
    let out = stdout(&tokfare(&["count", "--model", "gpt-4", "--json", a.to_str().expect("path"), b.to_str().expect("path")], b""));
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["encoding"], "cl100k_base");
    assert_eq!(v["files"][0]["tokens"], na);
    assert_eq!(v["files"][1]["tokens"], nb);
    assert_eq!(v["total"], na + nb);
    let text = stdout(&tokfare(&["count", "-m", "gpt-4", a.to_str().expect("path")], b""));
    assert!(text.contains(&format!("{na}  {}", a.display())), "{text}");
    assert!(text.contains(&format!("{na}  total (cl100k_base)")), "{text}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn decode_round_trips() {
    let enc = tokfare::get_encoding("o200k_base").expect("built-in");
    let ids = serde_json::to_string(&enc.encode_ordinary(TEXT)).expect("JSON");
    assert_eq!(stdout(&tokfare(&["decode"], ids.as_bytes())), TEXT);
    let spaced: String = enc.encode_ordinary(TEXT).iter().map(|i| format!("{i} ")).collect();
    assert_eq!(stdout(&tokfare(&["decode"], spaced.as_bytes())), TEXT);
}

#[test]
fn bad_input_fails_with_status_1_and_a_message() {
    let cases: &[(&[&str], &[u8], &str)] = &[
        (&["encode"], b"ok \xff\xfe bad", "not valid UTF-8"),
        (&["count", "/nonexistent/file.txt"], b"", "/nonexistent/file.txt"),
        (&["encode", "--encoding", "nope"], b"", "unknown encoding"),
        (&["count", "--model", "no-such-model"], b"x", "could not map model"),
        (&["decode"], b"[1, -2]", "not a token id"),
        (&["decode"], b"[4294967295]", "not in the vocabulary"),
    ];
    for (args, input, message) in cases {
        let out = tokfare(args, input);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    assert_eq!(tokfare(&["encode", "--no-such-flag"], b"").status.code(), Some(2));

    // A token that is only part of a UTF-8 character: text decoding fails, --lossy does not.
    let enc = tokfare::get_encoding("cl100k_base").expect("built-in");
    let partial = enc.mergeable_ranks().find(|(_, b)| std::str::from_utf8(b).is_err()).expect("exists").0;
    let input = format!("[{partial}]");
    let out = tokfare(&["decode", "-e", "cl100k_base"], input.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not valid UTF-8"));
    assert!(stdout(&tokfare(&["decode", "-e", "cl100k_base", "--lossy"], input.as_bytes())).contains('\u{fffd}'));
}

#[test]
fn the_readme_main_command_works() {
    // README: `cargo run --release -p tokfare-cli -- count --model gpt-4o README.md conformance/README.md`
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let readme = format!("{root}/README.md");
    let conformance = format!("{root}/conformance/README.md");
    let out = stdout(&tokfare(&["count", "--model", "gpt-4o", &readme, &conformance], b""));
    let enc = tokfare::encoding_for_model("gpt-4o").expect("model");
    let total: usize = [&readme, &conformance].iter().map(|p| enc.count(&std::fs::read_to_string(p).expect("file"))).sum();
    assert!(out.contains(&format!("{total}  total (o200k_base)")), "{out}");
}
