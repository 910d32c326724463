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
    // A run that fails on its arguments may exit before reading its input: then the
    // write meets a closed pipe, which is not the test's concern (the status is).
    match child.stdin.take().expect("stdin").write_all(stdin) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        written => written.expect("write stdin"),
    }
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
    assert_eq!(bad.status.code(), Some(2), "a refused flag value is a usage error");
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
    assert!(!text.contains("approximate"), "{text}");
    assert_eq!(v["exact"], true);
    // Claude has no public tokenizer: Anthropic's legacy one, times the calibrated content
    // multiplier (1.1), approximate; with a band only where recorded figures back one.
    let legacy = tokfare::get_encoding("claude").expect("built-in").count(TEXT) as f64;
    let scaled = (legacy * 1.1 + 0.5).floor() as u64;
    let out = stdout(&tokfare(&["count", "--model", "claude-opus-4-6", "--json", a.to_str().expect("path")], b""));
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!((v["encoding"].as_str(), v["exact"].as_bool(), v["total"].as_u64()), (Some("claude"), Some(false), Some(scaled)));
    assert!(v["band"].is_null(), "{out}");
    let out = stdout(&tokfare(&["count", "--model", "claude-sonnet-4-5-20250929", "--json", a.to_str().expect("path")], b""));
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    // A bare text has no band: the recorded figures are of whole requests.
    assert_eq!((v["band"].is_null(), v["profile"].as_str()), (true, Some("claude-tools-549")), "{out}");
    let text = stdout(&tokfare(&["count", "-m", "claude-opus-4-6", a.to_str().expect("path")], b""));
    assert!(text.contains(&format!("≈{scaled:>11}  total (claude)")), "{text}");
    assert!(text.contains("note: approximate count (no error band)") && text.contains("claude-opus-4-6"), "{text}");
    // A request body: counted as the prompt of the model, in its format.
    let body = dir.join("req.json");
    std::fs::write(&body, r#"{"messages": [{"role": "user", "content": "Hello"}], "system": "Be brief."}"#).expect("write");
    let out = stdout(&tokfare(
        &["count", "-m", "gemini-2.5-pro", "--request", "anthropic-messages", "--json", body.to_str().expect("path")],
        b"",
    ));
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let expected = tokfare::request::count_request(
        "gemini-2.5-pro",
        tokfare::request::RequestFormat::AnthropicMessages,
        &std::fs::read_to_string(&body).expect("read"),
    )
    .expect("counted");
    assert_eq!((v["total"].as_u64(), v["band"]["text"].as_str()), (Some(expected.tokens), Some("-2.5%..+1.5%")), "{out}");
    let bad = tokfare(&["count", "-m", "gpt-4o", "--request", "anthropic-messages", a.to_str().expect("path")], b"");
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("invalid"), "{}", String::from_utf8_lossy(&bad.stderr));
    let bad = tokfare(&["count", "--request", "cohere", a.to_str().expect("path")], b"");
    assert_eq!(bad.status.code(), Some(2), "an unknown format is a usage error");
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
fn refused_flag_values_exit_2_and_name_the_flag_to_use() {
    let log = root_path("examples/usage.jsonl");
    let cases: &[(&[&str], &str)] = &[
        (&["encode", "--encoding", "nope"], "unknown encoding"),
        (&["encode", "--model", "no-such-model"], "(pass --encoding NAME or --tokenizer FILE"),
        (&["price", "--group-by", "bogus", &log], "\"bogus\" is not customer, model"),
        (&["price", "--period", "week", &log], "week"),
        (&["price", "--schedule", "s.yaml", &log], "\"s.yaml\" is neither a bundled schedule set (gtc-2026) nor a .toml or .json file"),
        (&["estimate", "--model", "gpt-4o", "--service", "turbo"], "--service"),
        (&["tiers", "--tps-per-mw", "1,2"], "four numbers"),
    ];
    for (args, message) in cases {
        let out = tokfare(args, b"hello");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    // The README's first command without the schedule it needs: the error says which
    // flag prices kimi-k2.5.
    let out = tokfare(&["price", &log], b"");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "line 6: no price for model \"kimi-k2.5\"; the bundled schedule set \"gtc-2026\" prices it (add --schedule gtc-2026)"
        ),
        "{stderr}"
    );
}

#[test]
fn hostile_usage_logs_get_clear_errors() {
    let line = |id: &str, tokens: &str| {
        format!(r#"{{"id":"{id}","customer":"c","model":"gpt-4o","timestamp":"2026-11-01T00:00:00Z","usage":{{"input_tokens":{tokens}}}}}"#)
    };
    let refused = |input: &[u8], args: &[&str], message: &str| {
        let out = tokfare(&[&["price"][..], args, &["-"]].concat(), input);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{message}: {stderr}");
        assert!(stderr.contains(message), "{message}: {stderr}");
    };
    // 2^70 is valid JSON, out of a count's range.
    refused(line("a", "1180591620717411303424").as_bytes(), &[], "$.usage.input_tokens: out of range");
    refused(line("a", "NaN").as_bytes(), &[], "NaN or Infinity");
    refused(br#"{"id":"a","id":"b","model":"gpt-4o","usage":{"input_tokens":1}}"#, &[], "the key \"id\" appears twice");
    // Quantities whose sum leaves 64 bits: the group and period are named.
    let huge = format!("{}\n{}\n", line("a", "18446744073709551615"), line("b", "1"));
    refused(huge.as_bytes(), &[], "of customer=c model=gpt-4o in 2026-11 is out of range");
    // A byte order mark and CRLF line ends (Windows tools) are read.
    let windows = format!("\u{feff}{}\r\n{}\r\n", line("a", "1000000"), line("b", "1000000"));
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&tokfare(&["price", "--format", "json", "-"], windows.as_bytes()))).expect("invoice");
    assert_eq!((json["events"].as_u64(), json["totals"]["USD"].as_str()), (Some(2), Some("5.00")));
    // An empty log is an invoice of nothing, with its total.
    let empty = stdout(&tokfare(&["price", "-"], b""));
    assert!(empty.contains("total") && empty.contains("0 (nothing charged)") && empty.contains("0 events priced"), "{empty}");
    // A directory is named as one.
    let dir = std::env::temp_dir();
    let out = tokfare(&["price", dir.to_str().expect("UTF-8 path")], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a directory"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn invoice_cells_stay_in_their_row_and_out_of_formulas() {
    let log = [r#"{"id":"a","customer":"=HYPERLINK(\"http://x\")","model":"gpt-4o","timestamp":"2026-11-01T00:00:00Z","usage":{"input_tokens":1000000}}"#,
        r#"{"id":"b","customer":"two\nlines","model":"gpt-4o","timestamp":"2026-11-01T00:00:00Z","usage":{"input_tokens":1000000}}"#]
    .join("\n");
    let csv = stdout(&tokfare(&["price", "--format", "csv", "-"], log.as_bytes()));
    assert!(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{csv}");
    let table = stdout(&tokfare(&["price", "-"], log.as_bytes()));
    assert!(table.lines().any(|l| l.starts_with("two\\nlines ")), "{table}");
    assert!(!table.lines().any(|l| l.starts_with("lines")), "{table}");
}

#[test]
fn the_readme_count_example_works() {
    // Counting files with the bundled vocabulary, as the README shows.
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let readme = format!("{root}/README.md");
    let conformance = format!("{root}/conformance/README.md");
    let out = stdout(&tokfare(&["count", "--model", "gpt-4o", &readme, &conformance], b""));
    let enc = tokfare::encoding_for_model("gpt-4o").expect("model");
    let total: usize = [&readme, &conformance].iter().map(|p| enc.count(&std::fs::read_to_string(p).expect("file"))).sum();
    assert!(out.contains(&format!("{total}  total (o200k_base)")), "{out}");
}

fn root_path(rel: &str) -> String {
    format!("{}/../{rel}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_readme_main_command_prices_the_bundled_usage_log() {
    // README: `cargo run --release -p tokfare-cli -- price --schedule gtc-2026
    //   --schedule examples/schedules/anthropic.toml --group-by schedule examples/usage.jsonl`
    let args = ["price", "--schedule", "gtc-2026", "--schedule", &root_path("examples/schedules/anthropic.toml")];
    let log = root_path("examples/usage.jsonl");
    let table = stdout(&tokfare(&[&args[..], &["--group-by", "schedule", &log]].concat(), b""));
    assert!(table.contains("2970 events priced, 36 duplicate(s) ignored, 0 bad line(s)"), "{table}");
    // The JSON invoice's total equals the core meter's, recomputed here from the log.
    // (Same grouping: lines are rounded one by one, so the grouping can move the total by cents.)
    let json = stdout(&tokfare(&[&args[..], &["--group-by", "schedule", "--format", "json", &log]].concat(), b""));
    let invoice: serde_json::Value = serde_json::from_str(&json).expect("JSON invoice");
    let lines = invoice["lines"].as_array().expect("lines");
    assert!(lines.len() > 50, "{}", lines.len());
    let mut cents: i64 = 0;
    for line in lines {
        let amount = line["amount"].as_str().expect("decimal string");
        let (whole, frac) = amount.split_once('.').expect("two decimals");
        assert_eq!(frac.len(), 2, "{amount}");
        cents += whole.parse::<i64>().expect("int") * 100 + frac.parse::<i64>().expect("int");
    }
    let total = invoice["totals"]["USD"].as_str().expect("total");
    assert_eq!(format!("{}.{:02}", cents / 100, cents % 100), total, "lines add up to the total");
    let total_line = table.lines().find(|l| l.starts_with("total ")).expect("a total line");
    assert!(total_line.ends_with(&format!(" {total} USD")), "{table}");
    // Amounts end in one column: the lines', the subtotals' and the total's.
    let amount_end = table.lines().nth(1).expect("a line").chars().count();
    for line in table.lines().filter(|l| l.ends_with(" USD")) {
        assert_eq!(line.chars().count(), amount_end, "{line:?}");
    }
    let csv = stdout(&tokfare(&[&args[..], &["--group-by", "schedule", "--format", "csv", &log]].concat(), b""));
    assert_eq!(csv.lines().count(), lines.len() + 1);
}

#[test]
fn price_reports_bad_lines_with_their_numbers() {
    let good = r#"{"id":"a","customer":"c","model":"gpt-4o","timestamp":"2026-11-01T00:00:00Z","usage":{"prompt_tokens":1000000,"completion_tokens":0}}"#;
    let negative = r#"{"id":"b","customer":"c","model":"gpt-4o","timestamp":"2026-11-01T00:00:00Z","usage":{"prompt_tokens":-1,"completion_tokens":0}}"#;
    let unknown = r#"{"id":"c","customer":"c","model":"gpt-4q","timestamp":"2026-11-01T00:00:00Z","usage":{"prompt_tokens":1,"completion_tokens":0}}"#;
    let log = format!("{good}\n{negative}\n{unknown}\n");
    let stop = tokfare(&["price", "-"], log.as_bytes());
    assert_eq!(stop.status.code(), Some(1));
    let err = String::from_utf8_lossy(&stop.stderr);
    assert!(err.contains("line 2") && err.contains("$.usage.prompt_tokens") && err.contains("negative"), "{err}");
    assert!(stop.stdout.is_empty(), "no invoice when stopping");
    let cont = tokfare(&["price", "--continue-on-error", "--format", "json", "-"], log.as_bytes());
    assert_eq!(cont.status.code(), Some(1), "bad lines still fail the run");
    let err = String::from_utf8_lossy(&cont.stderr);
    assert!(err.contains("line 3") && err.contains("no price for model \"gpt-4q\"") && err.contains("gpt-4o"), "{err}");
    let invoice: serde_json::Value = serde_json::from_slice(&cont.stdout).expect("invoice of the good lines");
    assert_eq!(invoice["totals"]["USD"], "2.50");
}

#[test]
fn estimate_and_tiers() {
    let prompt = "Summarise the attached quarterly report in three bullet points.\n";
    let out = stdout(&tokfare(&["estimate", "--model", "gpt-4o", "--output-tokens", "1000", "-"], prompt.as_bytes()));
    let n = tokfare::encoding_for_model("gpt-4o").expect("model").count(prompt);
    assert!(out.contains(&format!("input tokens{n:>21}")), "{out}");
    // n × 2.50/M + 1000 × 10/M
    let exact = (rust_decimal_free_total(n as u64 * 25 + 100_000)).to_string();
    assert!(out.contains(&format!("total      {exact} USD")), "{out}\n{exact}");
    // An EU-resident request: the regional-processing uplift as its own line.
    let eu = stdout(&tokfare(
        &["estimate", "--model", "gpt-5.5", "--region", "eu", "--output-tokens", "1000", "--json", "-"],
        prompt.as_bytes(),
    ));
    let q: serde_json::Value = serde_json::from_str(&eu).expect("JSON");
    let d = |s: &str| tokfare::price::parse_decimal(s).expect("decimal");
    let base = tokfare::price::Decimal::from(n as u64 * 5 + 30_000) / tokfare::price::Decimal::from(1_000_000);
    let uplift = q["lines"].as_array().expect("lines").iter().find(|l| l["item"] == "region_eu uplift").expect("uplift line");
    assert_eq!(d(uplift["amount"].as_str().expect("amount")), base * d("0.1"), "{eu}");
    assert_eq!(d(q["total"].as_str().expect("total")), base * d("1.1"), "{eu}");
    let bad = tokfare(&["estimate", "--model", "gpt-5.5", "--region", "mars", "-"], prompt.as_bytes());
    assert_eq!(bad.status.code(), Some(2), "a refused flag value");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown region"));
    // No public tokenizer: counted with o200k_base, and the estimate says it is approximate.
    let approx = stdout(&tokfare(&["estimate", "--model", "claude-haiku-4-5-20251001", "-"], prompt.as_bytes()));
    assert!(approx.contains("tokenizer o200k_base, approximate count"), "{approx}");
    assert!(approx.contains("warning    approximate count"), "{approx}");
    let given = stdout(&tokfare(&["estimate", "--model", "claude-haiku-4-5-20251001", "-e", "cl100k_base", "-"], prompt.as_bytes()));
    assert!(given.contains("tokenizer cl100k_base, approximate count"), "{given}");
    // A loadable tokenizer the user did not supply is still asked for, not approximated.
    let llama = tokfare(&["estimate", "--model", "cerebras/llama-3.1-8b", "-"], prompt.as_bytes());
    assert_eq!(llama.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&llama.stderr).contains("--tokenizer"), "{}", String::from_utf8_lossy(&llama.stderr));
    let tiers = stdout(&tokfare(&["tiers", "--megawatts", "1", "--hours", "1", "--tps-per-mw", "1000,1000,1000,1000"], b""));
    assert!(tiers.contains("premium") && tiers.contains("150"), "{tiers}");
    assert!(tiers.contains("48.60 USD"), "{tiers}");
}

/// `tenths_of_micro_dollars` / 10^7 as a plain decimal string without trailing zeros.
fn rust_decimal_free_total(tenths_of_micro_dollars: u64) -> String {
    let s = format!("{:08}", tenths_of_micro_dollars);
    let (int, frac) = s.split_at(s.len() - 7);
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    match (int.is_empty(), frac.is_empty()) {
        (true, true) => "0".into(),
        (true, false) => format!("0.{frac}"),
        (false, true) => int.into(),
        (false, false) => format!("{int}.{frac}"),
    }
}

#[test]
fn hugging_face_tokenizers_by_name_path_or_model() {
    let qwen = tokfare::hf::bundled("qwen3").expect("bundled");
    let text = "Hello <|im_start|>user\n你好 🙂";
    let expected = qwen.encode(text, false).expect("encode");
    for args in [&["encode", "--tokenizer", "qwen3"][..], &["encode", "--model", "Qwen/Qwen3-8B"]] {
        let ids: Vec<u32> = serde_json::from_str(&stdout(&tokfare(args, text.as_bytes()))).expect("JSON");
        assert_eq!(ids, expected, "{args:?}");
    }
    let count = stdout(&tokfare(&["count", "--json", "-t", "qwen3"], text.as_bytes()));
    let count: serde_json::Value = serde_json::from_str(&count).expect("JSON");
    assert_eq!(count["total"], expected.len());
    let ids = serde_json::to_string(&expected).expect("JSON");
    assert_eq!(stdout(&tokfare(&["decode", "-t", "qwen3"], ids.as_bytes())), text);
    // A tokenizer that is not bundled: counting approximates and names the file that
    // would make it exact; encoding (ids must be the model's) is a clear error.
    let out = stdout(&tokfare(&["count", "--model", "meta-llama/Llama-3.1-8B-Instruct"], b"x"));
    assert!(out.contains("approximate") && out.contains("llama3") && out.contains("tokenizer.json"), "{out}");
    let out = tokfare(&["encode", "--model", "meta-llama/Llama-3.1-8B-Instruct"], b"x");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("llama3"));
    let out = tokfare(&["encode", "--tokenizer", "/nonexistent/tokenizer.json"], b"x");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent"));
}

/// `conformance/estimate.jsonl` through `tokfare estimate --json`, as the other front-ends run it.
#[test]
fn estimates_equal_the_shared_vectors() {
    let path = format!("{}/../conformance/estimate.jsonl", env!("CARGO_MANIFEST_DIR"));
    let vectors = std::fs::read_to_string(path).expect("conformance/estimate.jsonl");
    for line in vectors.lines() {
        let case: serde_json::Value = serde_json::from_str(line).expect("JSON line");
        let name = case["name"].as_str().expect("name");
        let text = case["text"].as_str().expect("text").repeat(case.get("repeat").and_then(|r| r.as_u64()).unwrap_or(1) as usize);
        let output_tokens = case["output_tokens"].to_string();
        let mut args = vec!["estimate", "--json", "--model", case["model"].as_str().expect("model"), "--output-tokens", &output_tokens];
        for (key, flag) in [("encoding", "--encoding"), ("tokenizer", "--tokenizer"), ("service", "--service"), ("schedule", "--schedule")]
        {
            if let Some(value) = case.get(key).and_then(|v| v.as_str()) {
                args.extend([flag, value]);
            }
        }
        args.push("-");
        let out = tokfare(&args, text.as_bytes());
        match (case.get("expected"), case.get("error")) {
            (Some(expected), _) => {
                let q: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON quote");
                let lines: Vec<_> = q["lines"]
                    .as_array()
                    .expect("lines")
                    .iter()
                    .map(|l| serde_json::json!({"item": l["item"], "quantity": l["quantity"], "amount": l["amount"]}))
                    .collect();
                let got = serde_json::json!({
                    "tokenizer": q["tokenizer"], "approximate": q["approximate"], "input_tokens": q["usage"]["input"], "schedule": q["schedule"], "currency": q["currency"],
                    "total": q["total"], "rounded": q["rounded"], "lines": lines, "warnings": q["warnings"].as_array().expect("warnings").len(),
                });
                assert_eq!(&got, expected, "{name}");
            }
            (None, Some(code)) => {
                // A flag value tokfare refuses is a usage error (2); anything else is bad input (1).
                let usage = matches!(code.as_str(), Some("invalid_argument" | "unknown_encoding" | "unknown_model"));
                assert_eq!(out.status.code(), Some(if usage { 2 } else { 1 }), "{name}: {}", String::from_utf8_lossy(&out.stderr))
            }
            _ => panic!("{name}: neither expected nor error"),
        }
    }
}

/// `conformance/usage_log.jsonl` through `tokfare price`: the invoice covers the good lines,
/// each bad one is reported with its line number, and the exit status says so.
#[test]
fn usage_logs_equal_the_shared_vectors() {
    let vectors = std::fs::read_to_string(format!("{}/../conformance/usage_log.jsonl", env!("CARGO_MANIFEST_DIR"))).expect("vectors");
    for line in vectors.lines() {
        let case: serde_json::Value = serde_json::from_str(line).expect("JSON line");
        let name = case["name"].as_str().expect("name");
        let log = format!("{}/../conformance/{}", env!("CARGO_MANIFEST_DIR"), case["log"].as_str().expect("log"));
        let mut args = vec!["price", "--format", "json", &log];
        if case["continue_on_error"].as_bool().expect("continue_on_error") {
            args.push("--continue-on-error");
        }
        let out = tokfare(&args, b"");
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        if let Some(error) = case.get("error") {
            assert_eq!(out.status.code(), Some(1), "{name}");
            assert!(stderr.contains(&format!("line {}", error["line"])), "{name}: {stderr}");
            continue;
        }
        let problems = case["problems"].as_array().expect("problems");
        assert_eq!(out.status.code(), Some(if problems.is_empty() { 0 } else { 1 }), "{name}: {stderr}");
        for p in problems {
            assert!(stderr.contains(&format!("line {}", p["line"])), "{name}: {stderr}");
        }
        let invoice: serde_json::Value = serde_json::from_slice(&out.stdout).expect("invoice JSON");
        assert_eq!(invoice["totals"]["USD"], case["total"], "{name}");
        assert_eq!(invoice["events"], case["recorded"], "{name}");
    }
}

/// `tokfare catalog check`: the bundled snapshot has no unknown price field; a file with
/// a fabricated one exits 1, and pricing its model is refused naming the field unless
/// `--ignore-unknown-price-fields` says otherwise.
#[test]
fn catalog_check_and_unknown_price_fields() {
    let bundled = stdout(&tokfare(&["catalog", "check"], b""));
    assert!(bundled.contains("unknown price     0 keys"), "{bundled}");
    assert!(bundled.contains("applied") && bundled.contains("off_peak_pricing"), "{bundled}");
    let dir = std::env::temp_dir().join(format!("tokfare-cli-catalog-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("fabricated.json");
    std::fs::write(&file, r#"{"acme-1": {"input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06, "storage_fee_per_gb_day": 0.1}}"#)
        .expect("write");
    let path = file.to_str().expect("path");
    let check = tokfare(&["catalog", "check", "--json", path], b"");
    assert_eq!(check.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).expect("JSON");
    assert_eq!(report["unknown_price_fields"], 1);
    assert_eq!(report["refused"][0]["field"], "storage_fee_per_gb_day");
    let log =
        r#"{"id":"e1","customer":"c","model":"acme-1","timestamp":"2026-11-02T10:00:00Z","usage":{"input":1000000,"output":1000000}}"#;
    let refused = tokfare(&["price", "--catalog", path, "-"], log.as_bytes());
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("storage_fee_per_gb_day") && stderr.contains("acme-1"), "{stderr}");
    let ignored = stdout(&tokfare(&["price", "--catalog", path, "--ignore-unknown-price-fields", "--format", "json", "-"], log.as_bytes()));
    let invoice: serde_json::Value = serde_json::from_str(&ignored).expect("invoice");
    assert_eq!(invoice["totals"]["USD"], "3.00");
    std::fs::remove_dir_all(&dir).ok();
}

/// A loopback HTTP server for `catalog update`: one canned answer per path.
fn serve(answers: Vec<(&'static str, Vec<u8>)>) -> String {
    use std::io::{BufRead, BufReader};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut line = String::new();
            if BufReader::new(&stream).read_line(&mut line).is_err() {
                continue;
            }
            let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
            if path == "/slow" {
                std::thread::sleep(std::time::Duration::from_secs(5));
            }
            let answer = answers.iter().find(|(p, _)| *p == path).map(|(_, a)| a.clone());
            let _ = stream
                .write_all(&answer.unwrap_or_else(|| b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec()));
        }
    });
    format!("http://{addr}")
}

fn http(content_type: &str, body: &str, declared_length: usize) -> Vec<u8> {
    format!("HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {declared_length}\r\nConnection: close\r\n\r\n{body}")
        .into_bytes()
}

/// `tokfare catalog update` against a server on 127.0.0.1 (never the internet): a good
/// file is validated, diffed and stored; a truncated body, a cut JSON, a 404, a wrong
/// content type and a server slower than the timeout each fail and store nothing;
/// `price --catalog-at` prices by the snapshot in force on a date.
#[test]
fn catalog_update_from_a_loopback_server() {
    let good = r#"{"gpt-4o": {"input_cost_per_token": 3e-06, "output_cost_per_token": 1e-05}, "acme-new": {"input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06}}"#;
    let cut = &good[..good.len() - 20];
    let base = serve(vec![
        ("/good", http("application/json", good, good.len())),
        ("/truncated", http("application/json", cut, good.len())),
        ("/cut", http("text/plain; charset=utf-8", cut, cut.len())),
        ("/html", http("text/html", good, good.len())),
        ("/slow", http("application/json", good, good.len())),
    ]);
    let dir = std::env::temp_dir().join(format!("tokfare-cli-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = dir.to_str().expect("dir");
    let update =
        |path: &str| tokfare(&["catalog", "update", "--catalog-dir", store, "--timeout", "1", "--from", &format!("{base}{path}")], b"");
    let out = update("/good");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("stored ") && report.contains("2 entries"), "{report}");
    assert!(report.contains("+ acme-new") && report.contains("~ gpt-4o input_cost_per_token: 0.0000025 -> 0.000003 (+20%)"), "{report}");
    assert!(report.contains("- gpt-5.5"), "models the new file lacks are listed as removed");
    for (path, why) in [
        ("/truncated", "body shorter than its Content-Length"),
        ("/cut", "invalid catalog"),
        ("/missing", "HTTP status 404"),
        ("/html", "content type \"text/html\" is not JSON"),
        ("/slow", "timeout"),
    ] {
        let out = update(path);
        assert_eq!(out.status.code(), Some(1), "{path}");
        let stderr = String::from_utf8_lossy(&out.stderr).to_lowercase();
        let expected = why.to_lowercase();
        let ok = if path == "/truncated" { stderr.contains("catalog update from") } else { stderr.contains(&expected) };
        assert!(ok, "{path}: {stderr}");
    }
    let history = stdout(&tokfare(&["catalog", "history", "--catalog-dir", store], b""));
    assert_eq!(history.lines().count(), 1, "failed updates store nothing: {history}");
    let log = r#"{"id":"e1","customer":"c","model":"gpt-4o","timestamp":"2026-11-02T10:00:00Z","usage":{"input":1000000,"output":0}}"#;
    let price_on = |day: &str| {
        let out = stdout(&tokfare(&["price", "--catalog-dir", store, "--catalog-at", day, "--format", "json", "-"], log.as_bytes()));
        serde_json::from_str::<serde_json::Value>(&out).expect("invoice")["totals"]["USD"].clone()
    };
    assert_eq!(price_on("2999-01-01"), "3.00", "the stored snapshot is in force after it was fetched");
    assert_eq!(price_on("2026-01-01"), "2.50", "before it, the bundled catalog");
    std::fs::remove_dir_all(&dir).ok();
}

/// A model the catalog gives a deprecation date is still invoiced, and the invoice says so.
#[test]
fn invoices_name_deprecated_models() {
    let log =
        r#"{"id":"e1","customer":"c","model":"gpt-4o-2024-08-06","timestamp":"2026-11-02T10:00:00Z","usage":{"input":1000,"output":10}}"#;
    let table = stdout(&tokfare(&["price", "-"], log.as_bytes()));
    assert!(table.contains("warning   gpt-4o-2024-08-06 has a deprecation date of 2027-01-14 in the catalog"), "{table}");
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&tokfare(&["price", "--format", "json", "-"], log.as_bytes()))).expect("JSON");
    assert_eq!(json["warnings"].as_array().map(Vec::len), Some(1), "{json}");
    let current = r#"{"id":"e1","customer":"c","model":"gpt-5.5","timestamp":"2026-11-02T10:00:00Z","usage":{"input":1000,"output":10}}"#;
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&tokfare(&["price", "--format", "json", "-"], current.as_bytes()))).expect("JSON");
    assert_eq!(json["warnings"], serde_json::json!([]));
}

#[test]
fn meter_store_import_invoice_export_check() {
    let dir = std::env::temp_dir().join(format!("tokfare-cli-meter-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let db = dir.join("m.db");
    let db = db.to_str().expect("path");
    let log = root_path("examples/usage.jsonl");
    let schedule = ["--schedule", "gtc-2026"];
    // Imported twice: the second time everything is a duplicate.
    for (round, expect) in [(0, "2970 recorded, 36 duplicate(s)"), (1, "0 recorded, 3006 duplicate(s)")] {
        let out = stdout(&tokfare(&[&["meter", "import", "--store", db][..], &schedule, &[&log]].concat(), b""));
        assert!(out.contains(expect), "round {round}: {out}");
    }
    // The store's invoice is `tokfare price`'s, to the byte.
    let priced = stdout(&tokfare(&[&["price", "--format", "json"][..], &schedule, &[&log]].concat(), b""));
    let invoiced = stdout(&tokfare(&[&["meter", "invoice", "--store", db, "--format", "json"][..], &schedule].concat(), b""));
    assert_eq!(invoiced, priced);
    assert!(stdout(&tokfare(&["meter", "check", "--store", db], b"")).contains("2970 events"));
    // Export, then import the records as priced into a new store: the same invoice.
    let export = stdout(&tokfare(&["meter", "export", "--store", db], b""));
    assert_eq!(export.lines().count(), 2970);
    let copy = dir.join("copy.db");
    let copy = copy.to_str().expect("path");
    let out = stdout(&tokfare(&["meter", "import", "--store", copy, "--priced", "-"], export.as_bytes()));
    assert!(out.contains("2970 imported, 0 already stored, 0 conflicting"), "{out}");
    let again = stdout(&tokfare(&[&["meter", "invoice", "--store", copy, "--format", "json"][..], &schedule].concat(), b""));
    assert_eq!(again, priced);
    // One record changed under its id: a reported conflict, exit 1, nothing changed.
    let first = export.lines().next().expect("a line");
    let changed = first.replacen("\"customer\":\"", "\"customer\":\"x", 1);
    let out = tokfare(&["meter", "import", "--store", copy, "--priced", "-"], changed.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("stored with other content"), "{out:?}");
    assert_eq!(stdout(&tokfare(&[&["meter", "invoice", "--store", copy, "--format", "json"][..], &schedule].concat(), b"")), priced);
    // A time range: the November invoice holds every event, a December one none.
    let nov = stdout(&tokfare(
        &[&["meter", "invoice", "--store", db, "--from", "2026-11", "--to", "2026-12", "--format", "json"][..], &schedule].concat(),
        b"",
    ));
    assert_eq!(nov, priced);
    let dec =
        stdout(&tokfare(&[&["meter", "invoice", "--store", db, "--from", "2026-12", "--format", "json"][..], &schedule].concat(), b""));
    assert!(dec.contains("\"events\":0"), "{dec}");
    let bad = tokfare(&["meter", "invoice", "--store", db, "--from", "last tuesday"], b"");
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("RFC 3339"), "{bad:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
