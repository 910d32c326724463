//! The README's Rust pricing example, as written there (run in a scratch directory).

#[test]
fn the_readme_pricing_example_runs() -> Result<(), Box<dyn std::error::Error>> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))?;
    let start = readme.find("## Pricing and metering").expect("section");
    let block = &readme[start..];
    let code = &block[block.find("```rust\n").expect("rust block") + 8..];
    let code = &code[..code.find("```").expect("end of block")];
    // Guard: the example this test mirrors is the one in the README.
    for line in [
        "let (tokenizer, _) = AnyTokenizer::choose(\"gpt-4o\", None, None)?;",
        "let mut meter = Meter::open_store(book, \"meter.db\", Fsync::Always)?;",
        "let outcome = meter.record_log(log, OnError::Continue)?;",
    ] {
        assert!(code.contains(line), "README example changed: {line}");
    }
    example()
}

/// The README's example, with paths from the repository root.
fn example() -> Result<(), Box<dyn std::error::Error>> {
    use tokfare::meter::{Fsync, InvoiceOptions, Meter, OnError};
    use tokfare::price::{parse_usage, Catalog, EstimateOptions, PriceBook, Request, Schedule, ScheduleSet, Service};
    use tokfare::AnyTokenizer;
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let usage =
        parse_usage(r#"{"prompt_tokens": 10000, "completion_tokens": 500, "prompt_tokens_details": {"cached_tokens": 4000}}"#, None)?;
    let gpt4o = Catalog::bundled().schedule("gpt-4o-2024-08-06")?;
    assert_eq!(gpt4o.price_request(&Request::new(usage))?.total().amount().normalize().to_string(), "0.025");
    let batch = Request { service: Service::Batch, ..Request::new(usage) };
    assert_eq!(gpt4o.price_request(&batch)?.total().amount().normalize().to_string(), "0.015"); // batch: cached at the standard rate
    let book = PriceBook::bundled().with_schedule_set(ScheduleSet::load(&format!("{root}/examples/schedules/anthropic.toml"))?);
    let (tokenizer, _) = AnyTokenizer::choose("gpt-4o", None, None)?;
    let options = EstimateOptions { output_tokens: 500, ..Default::default() };
    let quote = tokfare::estimate(&book, "gpt-4o", "Summarise this report.", &tokenizer, &options)?;
    assert_eq!(quote.tokenizer.as_deref(), Some("o200k_base"));
    let dir = std::env::temp_dir().join(format!("tokfare-readme-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut meter = Meter::open_store(book, dir.join("meter.db").to_str().expect("UTF-8 path"), Fsync::Always)?;
    let log = std::io::BufReader::new(std::fs::File::open(format!("{root}/examples/usage.jsonl"))?);
    let outcome = meter.record_log(log, OnError::Continue)?;
    assert!(outcome.recorded > 0);
    let invoice = meter.invoice(&InvoiceOptions::default())?;
    assert!(!invoice.to_csv().is_empty());
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
