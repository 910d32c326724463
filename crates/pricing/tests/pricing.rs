//! Pricing against hand-computed cases from providers' published prices, Stripe's
//! documented tier examples, and the declarative schedule format's error paths.

use tokfare_pricing::price::{
    gtc, parse_decimal, parse_usage, Catalog, Conditions, Decimal, Metric, PeriodTiers, PriceBook, Provider, RateSchedule, Rates, Region,
    Request, Rounding, RoundingMode, Scale, Schedule, ScheduleSet, Service, Tier, TierMode, TokenClass, Unit, Usage,
};
use tokfare_pricing::Error;

fn d(s: &str) -> Decimal {
    parse_decimal(s).expect("decimal literal")
}

fn examples(name: &str) -> String {
    std::fs::read_to_string(format!("{}/../../examples/schedules/{name}", env!("CARGO_MANIFEST_DIR"))).expect("example schedule")
}

fn total(schedule: &dyn Schedule, request: Request) -> Decimal {
    schedule.price_request(&request).expect("priced").total().amount().normalize()
}

#[test]
fn openai_cached_input_and_batch_from_the_bundled_catalog() {
    // gpt-4o: $2.50 input, $1.25 cached input, $10 output per million; batch half price.
    let usage = parse_usage(
        r#"{"prompt_tokens": 10000, "completion_tokens": 500, "total_tokens": 10500,
            "prompt_tokens_details": {"cached_tokens": 4000, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0}}"#,
        None,
    )
    .expect("usage");
    assert_eq!((usage.input, usage.cached_input, usage.output), (6000, 4000, 500));
    let gpt4o = Catalog::bundled().schedule("gpt-4o-2024-08-06").expect("gpt-4o");
    // 6000 × 2.50 + 4000 × 1.25 + 500 × 10 = 15000 + 5000 + 5000 = 25000 millionths
    assert_eq!(total(gpt4o.as_ref(), Request::new(usage)), d("0.025"));
    let batch = Request { service: Service::Batch, ..Request::new(usage) };
    // LiteLLM's batch rates: 6000 × 1.25 (input_cost_per_token_batches) + 4000 × 1.25 (no
    // cache_read_input_token_cost_batches: the standard cached rate, not halved) + 500 × 5.
    assert_eq!(total(gpt4o.as_ref(), batch), d("0.015"));
}

#[test]
fn reasoning_tokens_are_billed_once_at_the_output_rate() {
    // o3: $2 input, $8 output. completion_tokens (5000) includes reasoning (4000).
    let usage = parse_usage(
        r#"{"prompt_tokens": 1000, "completion_tokens": 5000,
            "completion_tokens_details": {"reasoning_tokens": 4000}}"#,
        Some(Provider::OpenAIChat),
    )
    .expect("usage");
    assert_eq!((usage.output, usage.reasoning), (1000, 4000));
    assert_eq!(usage.total_tokens(), 6000, "no token counted twice");
    let o3 = Catalog::bundled().schedule("openai/o3").expect("o3");
    // 1000 × 2 + 1000 × 8 + 4000 × 8 = 42000 millionths
    assert_eq!(total(o3.as_ref(), Request::new(usage)), d("0.042"));
}

#[test]
fn anthropic_long_context_prices_the_whole_request_at_the_higher_rates() {
    let set = ScheduleSet::from_toml(&examples("anthropic.toml")).expect("schedule");
    let sonnet = set.for_model("claude-sonnet-4-20250514").expect("pattern match");
    let usage = |input: u64| {
        parse_usage(
            &format!(
                r#"{{"input_tokens": {input}, "cache_read_input_tokens": 60000, "cache_creation_input_tokens": 10000,
                    "cache_creation": {{"ephemeral_5m_input_tokens": 10000, "ephemeral_1h_input_tokens": 0}},
                    "output_tokens": 2000}}"#
            ),
            Some(Provider::Anthropic),
        )
        .expect("usage")
    };
    // Prompt = 150000 + 60000 + 10000 = 220000 > 200000: long-context rates for all of it.
    // 150000 × 6 + 60000 × 0.60 + 10000 × 7.50 + 2000 × 22.50 = 900000 + 36000 + 75000 + 45000
    let long = usage(150_000);
    assert_eq!(long.prompt_tokens(), 220_000);
    assert_eq!(total(sonnet.as_ref(), Request::new(long)), d("1.056"));
    // Prompt = 190000: base rates. 120000 × 3 + 60000 × 0.30 + 10000 × 3.75 + 2000 × 15
    assert_eq!(total(sonnet.as_ref(), Request::new(usage(120_000))), d("0.4455"));
    // Exactly at the threshold is not above it.
    let at = Usage { input: 200_000, requests: 1, ..Usage::default() };
    assert_eq!(total(sonnet.as_ref(), Request::new(at)), d("0.6"));
}

#[test]
fn gemini_2_5_pro_long_context_from_the_bundled_catalog() {
    // gemini-2.5-pro: $1.25 / $10 up to 200K prompt tokens, $2.50 / $15 above;
    // thinking tokens are billed at the output rate.
    let usage = |prompt: u64| {
        parse_usage(
            &format!(
                r#"{{"usageMetadata": {{"promptTokenCount": {prompt}, "candidatesTokenCount": 1000,
                    "thoughtsTokenCount": 3000, "totalTokenCount": {}}}}}"#,
                prompt + 4000
            ),
            None,
        )
        .expect("usage")
    };
    let pro = Catalog::bundled().schedule("gemini/gemini-2.5-pro").expect("gemini-2.5-pro");
    // 250000 × 2.50 + 1000 × 15 + 3000 × 15 = 625000 + 15000 + 45000
    assert_eq!(total(pro.as_ref(), Request::new(usage(250_000))), d("0.685"));
    // 100000 × 1.25 + 1000 × 10 + 3000 × 10 = 125000 + 10000 + 30000
    assert_eq!(total(pro.as_ref(), Request::new(usage(100_000))), d("0.165"));
}

fn stripe_tiers(mode: TierMode) -> PeriodTiers {
    // Stripe's documented example: units 1–5 at $7, 6–10 at $6.50, 11+ at $6.
    let tier = |up_to, price: &str| Tier { up_to, unit_price: d(price), flat_fee: Decimal::ZERO };
    PeriodTiers::new(Metric::Units(Unit::Request), mode, 1, 0, vec![tier(Some(5), "7"), tier(Some(10), "6.50"), tier(None, "6")])
        .expect("valid tiers")
}

fn period_total(tiers: &PeriodTiers, requests: u64) -> Decimal {
    let usage = Usage { requests, ..Usage::default() };
    tiers.charges(&usage).expect("charges").iter().map(|c| c.amount).sum::<Decimal>().normalize()
}

#[test]
fn graduated_and_volume_tiers_follow_stripes_examples() {
    let graduated = stripe_tiers(TierMode::Graduated);
    let volume = stripe_tiers(TierMode::Volume);
    assert_eq!(period_total(&graduated, 6), d("41.5")); // 5 × 7 + 1 × 6.50
    assert_eq!(period_total(&volume, 6), d("39")); // 6 × 6.50
    assert_eq!(period_total(&graduated, 5), d("35"));
    assert_eq!(period_total(&volume, 5), d("35"));
    assert_eq!(period_total(&graduated, 12), d("79.5")); // 35 + 32.50 + 12
    assert_eq!(period_total(&volume, 12), d("72")); // 12 × 6
    assert_eq!(period_total(&graduated, 0), d("0"));
}

#[test]
fn flat_fees_and_free_allowance() {
    // 1000 free units; then up to 1000 more at $0.01 with a $5 flat fee; beyond at
    // $0.005 with a $20 flat fee.
    let tiers = vec![
        Tier { up_to: Some(1000), unit_price: d("0.01"), flat_fee: d("5") },
        Tier { up_to: None, unit_price: d("0.005"), flat_fee: d("20") },
    ];
    let graduated = PeriodTiers::new(Metric::Units(Unit::Request), TierMode::Graduated, 1, 1000, tiers.clone()).expect("tiers");
    let volume = PeriodTiers::new(Metric::Units(Unit::Request), TierMode::Volume, 1, 1000, tiers).expect("tiers");
    assert_eq!(period_total(&graduated, 1000), d("0"), "inside the allowance");
    // 1500 - 1000 free = 500 units: 500 × 0.01 + 5
    assert_eq!(period_total(&graduated, 1500), d("10"));
    assert_eq!(period_total(&volume, 1500), d("10"));
    // 3000 - 1000 = 2000: graduated 1000 × 0.01 + 5 + 1000 × 0.005 + 20 = 40; volume 2000 × 0.005 + 20 = 30
    assert_eq!(period_total(&graduated, 3000), d("40"));
    assert_eq!(period_total(&volume, 3000), d("30"));
}

#[test]
fn off_peak_windows_wrap_midnight_and_fees_have_a_minimum() {
    let set = ScheduleSet::from_toml(&examples("platform.toml")).expect("schedule");
    let deepseek = set.for_model("deepseek-chat").expect("deepseek");
    let usage = Usage { input: 1_000_000, cached_input: 1_000_000, output: 1_000_000, requests: 1, ..Usage::default() };
    let at = |t: &str| Request { at: Some(t.parse().expect("time")), ..Request::new(usage) };
    // Peak: 0.27 + 0.07 + 1.10
    assert_eq!(total(deepseek.as_ref(), at("2026-11-02T12:00:00Z")), d("1.44"));
    // Off-peak, both sides of midnight; the end is exclusive.
    assert_eq!(total(deepseek.as_ref(), at("2026-11-02T16:30:00Z")), d("0.72"));
    assert_eq!(total(deepseek.as_ref(), at("2026-11-03T00:29:59Z")), d("0.72"));
    assert_eq!(total(deepseek.as_ref(), at("2026-11-03T00:30:00Z")), d("1.44"));

    let api = set.for_model("acme-search").expect("metered");
    let one = Request::new(Usage { input: 5000, output: 100, requests: 1, ..Usage::default() });
    // $0.001 fee, topped up to the $0.01 minimum; tokens are billed per period.
    let charges = api.price_request(&one).expect("priced");
    assert_eq!(charges.total().amount().normalize(), d("0.01"));
    let items: Vec<String> = charges.lines.iter().map(|c| c.item.to_string()).collect();
    assert_eq!(items, ["input tokens", "output tokens", "requests", "minimum charge"]);
    // A month of 12M tokens: 1M free; tier bounds count the 11M after the allowance:
    // 10M at $2, 1M at $1.50, the third tier not reached.
    let month = Usage { input: 11_000_000, output: 1_000_000, ..Usage::default() };
    assert_eq!(api.price_period(&month).expect("period").total().amount().normalize(), d("21.5"));
}

#[test]
fn rates_follow_their_parent_class_through_the_layers() {
    let schedule =
        RateSchedule::new("layered", Rates::input_output(d("1"), d("4")).with(TokenClass::CachedInput, d("0.1"))).expect("schedule");
    let r = schedule.effective_rates(&Request::new(Usage::default()));
    assert_eq!(r[&TokenClass::CacheWrite5m], d("1"));
    assert_eq!(r[&TokenClass::CacheWrite1h], d("1"));
    assert_eq!(r[&TokenClass::Reasoning], d("4"));
    assert_eq!(r[&TokenClass::CachedInput], d("0.1"));
    assert!(RateSchedule::new("no output", Rates::new().with(TokenClass::Input, d("1"))).is_err());
}

#[test]
fn rounding_is_explicit_and_only_at_the_document() {
    let r = Rounding { mode: RoundingMode::HalfEven, scale: Scale::MinorUnit };
    let gpt4o = Catalog::bundled().schedule("gpt-4o").expect("gpt-4o");
    // 1 input token: $0.0000025 exactly, kept at full precision until rounded.
    let one = gpt4o.price_request(&Request::new(Usage::tokens(1, 0))).expect("priced").total();
    assert_eq!(one.amount().normalize(), d("0.0000025"));
    assert_eq!(one.round(r).amount(), d("0.00"));
    let up = Rounding { mode: RoundingMode::Up, scale: Scale::MinorUnit };
    assert_eq!(one.round(up).amount(), d("0.01"));
}

fn schedule_error(text: &str) -> (String, String) {
    match ScheduleSet::from_toml(text) {
        Err(Error::InvalidSchedule { path, reason }) => (path, reason),
        other => panic!("expected an invalid schedule, got {other:?}"),
    }
}

#[test]
fn bad_schedules_name_the_bad_field() {
    let base = "name = \"x\"\n[schedules.pro]\nmodels = [\"m\"]\n";
    let cases = [
        ("rates = { input = \"1\", output = \"-2\" }", "schedules.pro.rates.output", "negative"),
        ("rates = { input = \"1\", outptu = \"2\" }", "schedules.pro.rates.outptu", "unknown token class"),
        ("rates = { input = \"1\" }", "schedules.pro.rates.output", "missing"),
        ("rates = { input = \"1\", output = \"abc\" }", "schedules.pro.rates.output", "not a decimal"),
        ("rates = { input = \"1\", output = \"2\" }\nprice = 3", "schedules.pro.price", "unknown field `price`"),
        (
            "rates = { input = \"1\", output = \"2\" }\ncontext_tiers = [{ above = 200000, rates = {} }, { above = 100, rates = {} }]",
            "schedules.pro.context_tiers[1].above",
            "increase",
        ),
        (
            "rates = { input = \"1\", output = \"2\" }\ntime_windows = [{ start = \"25:00\", end = \"01:00\", multiplier = \"0.5\" }]",
            "schedules.pro.time_windows[0].start",
            "time of day",
        ),
        (
            "rates = { input = \"1\", output = \"2\" }\nuplifts = { region_apac = \"1.1\" }",
            "schedules.pro.uplifts.region_apac",
            "unknown uplift",
        ),
        (
            "rates = { input = \"1\", output = \"2\" }\nuplifts = { fast = \"-2\" }",
            "schedules.pro.uplifts.fast",
            "negative",
        ),
        (
            "rates = { input = \"1\", output = \"2\" }\nservices.overnight = { multiplier = \"0.5\" }",
            "schedules.pro.services.overnight",
            "unknown service",
        ),
        (
            "rates = { input = \"1\", output = \"2\" }\n[[schedules.pro.period]]\nmetric = \"tokens\"\nmode = \"graduated\"\ntiers = [{ up_to = 10, unit_price = \"1\" }, { up_to = 5, unit_price = \"1\" }, { unit_price = \"1\" }]",
            "schedules.pro.period[0].tiers[1].up_to",
            "greater than",
        ),
        (
            "rates = { input = \"1\", output = \"2\" }\n[[schedules.pro.period]]\nmetric = \"tokens\"\nmode = \"stepped\"\ntiers = [{ unit_price = \"1\" }]",
            "schedules.pro.period[0].mode",
            "neither graduated nor volume",
        ),
        ("rates = { input = \"1\", output = \"2\" }\ncontext_window = \"big\"", "schedules.pro.context_window", "invalid type"),
    ];
    for (body, path, reason) in cases {
        let (got_path, got_reason) = schedule_error(&format!("{base}{body}\n"));
        assert_eq!(got_path, path, "{body}");
        assert!(got_reason.contains(reason), "{body}: {got_reason}");
    }
    let (path, _) = schedule_error("name = \"x\"\nschedules = {}\n");
    assert_eq!(path, "schedules");
    // A schedule without model patterns would price nothing, and its models would fall
    // through to the catalog without a word: the field is required, and an empty list
    // says "only by an event's tier tag".
    let (path, reason) = schedule_error("name = \"x\"\n[schedules.pro]\nrates = { input = \"1\", output = \"2\" }\n");
    assert_eq!(path, "schedules.pro.models");
    assert!(reason.contains("missing") && reason.contains("`models = []`"), "{reason}");
    let tag_only = ScheduleSet::from_toml("name = \"x\"\n[schedules.pro]\nmodels = []\nrates = { input = \"1\", output = \"2\" }\n")
        .expect("a schedule chosen by tier tag only");
    assert!(tag_only.for_model("pro").is_none() && tag_only.get("pro").is_some());
    // Only ISO 4217 currencies.
    let (path, reason) =
        schedule_error("name = \"x\"\ncurrency = \"XYZ\"\n[schedules.pro]\nmodels = [\"m\"]\nrates = { input = \"1\", output = \"2\" }\n");
    assert_eq!(path, "currency");
    assert!(reason.contains("not an ISO 4217 currency code"), "{reason}");
    // JSON goes through the same validation (and simd-json).
    let json = r#"{"name": "x", "schedules": {"pro": {"rates": {"input": 1, "output": -2}}}}"#;
    match ScheduleSet::from_json(json) {
        Err(Error::InvalidSchedule { path, .. }) => assert_eq!(path, "schedules.pro.rates.output"),
        other => panic!("{other:?}"),
    }
    let ok = r#"{"name": "x", "schedules": {"pro": {"models": ["m"], "rates": {"input": 2.5e-1, "output": "1.25"}}}}"#;
    let set = ScheduleSet::from_json(ok).expect("valid json schedule");
    assert_eq!(set.get("pro").expect("pro").rates.get(TokenClass::Input), Some(d("0.25")));
    // JSON's own shapes: null is an absent field; the same paths and checks as TOML.
    let with_null = r#"{"name": "x", "description": null, "schedules": {"pro": {"models": ["m"], "context_window": null, "rates": {"input": 1, "output": 2}}}}"#;
    assert_eq!(ScheduleSet::from_json(with_null).expect("null fields are absent").get("pro").expect("pro").context_window, None);
    for (json, path, reason) in [
        (
            r#"{"name": "x", "schedules": {"pro": {"rates": {"input": 1, "output": 2}, "price": 3}}}"#,
            "schedules.pro.price",
            "unknown field `price`",
        ),
        (
            r#"{"name": "x", "schedules": {"pro": {"rates": {"input": 1, "output": 2}, "context_window": -5}}}"#,
            "schedules.pro.context_window",
            "non-negative",
        ),
        (
            r#"{"name": "x", "schedules": {"pro": {"rates": {"input": 1, "output": 2}, "models": ["a", 7]}}}"#,
            "schedules.pro.models[1]",
            "invalid type",
        ),
        (r#"{"name": "x", "schedules": {"pro": {"rates": {"input": [1], "output": 2}}}}"#, "schedules.pro.rates.input", "invalid type"),
        (
            r#"{"name": "x", "schedules": {"pro": {"rates": {"input": 1, "output": 2}, "models": [null]}}}"#,
            "schedules.pro.models[0]",
            "null",
        ),
        (r#"{"schedules": {"pro": {"rates": {"input": 1, "output": 2}}}}"#, "$", "missing field `name`"),
        (r#"["name"]"#, "$", "must be an object"),
    ] {
        match ScheduleSet::from_json(json) {
            Err(Error::InvalidSchedule { path: got, reason: why }) => {
                assert_eq!(got, path, "{json}");
                assert!(why.contains(reason), "{json}: {why}");
            }
            other => panic!("{json}: {other:?}"),
        }
    }
}

#[test]
fn catalog_lookup_handles_prefixes_and_dated_aliases_and_never_prices_unknowns_at_zero() {
    let catalog = Catalog::bundled();
    assert!(catalog.len() > 1000, "{}", catalog.len());
    let by = |name: &str| catalog.lookup(name).map(|(e, _)| e.model.clone()).expect(name);
    assert_eq!(by("gpt-4o-2024-08-06"), "gpt-4o-2024-08-06");
    assert_eq!(by("GPT-4o"), "gpt-4o");
    assert_eq!(by("azure/gpt-4o"), "azure/gpt-4o", "the catalog's own prefixed entry");
    assert_eq!(by("my-proxy/gpt-4o-mini"), "gpt-4o-mini");
    assert_eq!(catalog.lookup("my-proxy/gpt-4o-mini").expect("found").1, tokfare_pricing::price::Resolution::ProviderPrefix);
    assert_eq!(by("proxy/azure/gpt-4o"), "azure/gpt-4o");
    // A dated name not in the catalog is its undated alias; an undated one its latest date.
    assert_eq!(by("gpt-4.1-2099-01-01"), "gpt-4.1");
    let dated = Catalog::from_litellm_json(
        r#"{"m-1-20250101": {"input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06},
            "m-1-20250601": {"input_cost_per_token": 1e-06, "output_cost_per_token": 3e-06}}"#,
        "dated.json",
    )
    .expect("catalog");
    assert_eq!(
        dated.lookup("m-1").map(|(e, r)| (e.model.as_str(), r)).ok(),
        Some(("m-1-20250601", tokfare_pricing::price::Resolution::DateAlias))
    );
    let entry = catalog.lookup("gpt-4o").expect("gpt-4o").0;
    assert_eq!(entry.effective_date.map(|d| d.to_string()).as_deref(), Some("2026-11-20"));
    assert!(entry.source.contains("litellm 1.110.2"), "{}", entry.source);
    match catalog.lookup("gpt-4o-mni") {
        Err(Error::UnknownModelPrice { suggestions, .. }) => assert!(suggestions.contains(&"gpt-4o-mini".to_string()), "{suggestions:?}"),
        other => panic!("{other:?}"),
    }
    let book = PriceBook::bundled();
    assert!(matches!(book.resolve("no-such-model", None), Err(Error::UnknownModelPrice { bundled_set: None, .. })));
    // A model a bundled schedule set prices, asked of a book without that set: the
    // error names the set (the CLI turns it into `--schedule gtc-2026`).
    match book.resolve("kimi-k2.5", None) {
        Err(e @ Error::UnknownModelPrice { bundled_set: Some("gtc-2026"), .. }) => {
            assert!(e.to_string().ends_with("the bundled schedule set \"gtc-2026\" prices it"), "{e}")
        }
        other => panic!("{other:?}"),
    }
    let with_set = PriceBook::bundled().with_schedule_set(ScheduleSet::bundled("gtc-2026").expect("bundled"));
    assert!(with_set.resolve("kimi-k2.5", None).is_ok());
}

#[test]
fn user_catalogs_override_and_bad_ones_name_the_field() {
    let mut catalog = (*Catalog::bundled()).clone();
    let custom = Catalog::from_litellm_json(
        r#"{"gpt-4o": {"input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06, "effective_date": "2026-01-01"}}"#,
        "negotiated.json",
    )
    .expect("catalog");
    catalog.extend(custom);
    let entry = catalog.lookup("gpt-4o").expect("gpt-4o").0;
    assert_eq!(entry.schedule.rates.get(TokenClass::Input), Some(d("1")));
    assert_eq!(entry.source, "negotiated.json");
    let bad = Catalog::from_litellm_json(r#"{"m": {"input_cost_per_token": "x", "output_cost_per_token": 1}}"#, "bad");
    let text_prices = Catalog::from_litellm_json(r#"{"m": {"input_cost_per_token": "2.5e-6", "output_cost_per_token": "0.00001"}}"#, "t")
        .expect("prices as decimal text");
    assert_eq!(text_prices.schedule("m").expect("m").rates.get(TokenClass::Input), Some(d("2.5")));
    assert!(matches!(bad, Err(Error::InvalidCatalog { ref path, .. }) if path == "m.input_cost_per_token"), "{bad:?}");
    let negative = Catalog::from_litellm_json(r#"{"m": {"input_cost_per_token": -1, "output_cost_per_token": 1}}"#, "bad");
    assert!(negative.is_err());
}

#[test]
fn gtc_2026_tiers_and_capacity_plan() {
    let set = gtc::tiers().expect("bundled");
    let price = |tier: &str| set.get(tier).expect(tier).rates.get(TokenClass::Output).expect("rate");
    assert_eq!(["free", "medium", "high", "premium", "ultra"].map(price), [d("0"), d("3"), d("6"), d("45"), d("150")]);
    assert_eq!(set.for_model("Qwen/Qwen3-8B").expect("qwen").name, "free");
    assert_eq!(set.get("premium").expect("premium").context_window, Some(400_000));
    // 1 MW for 1 hour, 25% each, 1000 tokens/s/MW everywhere: 0.25 × 3.6M = 900000 tokens per tier.
    let input = gtc::PlanInput::quarter_split(d("1"), d("1"), [d("1000"); 4]);
    let plan = gtc::plan(&set, &input).expect("plan");
    assert!(plan.tiers.iter().all(|t| t.tokens == d("900000")));
    // Revenue: 0.9M × (0 + 3 + 6 + 45) = 48.6
    assert_eq!(plan.total_revenue.amount().normalize(), d("48.6"));
    let over = gtc::PlanInput {
        allocations: vec![gtc::Allocation { tier: "free".into(), share: d("1.5"), tokens_per_second_per_mw: d("1") }],
        ..input
    };
    assert!(gtc::plan(&set, &over).is_err());
}

mod tier_properties {
    use super::*;
    use proptest::prelude::*;

    /// Up to four tiers with increasing bounds and prices in cents.
    fn arb_tiers() -> impl Strategy<Value = Vec<Tier>> {
        prop::collection::vec((1u64..20, 0u32..1000, 0u32..500), 1..5).prop_map(|steps| {
            let mut bound = 0;
            let n = steps.len();
            steps
                .into_iter()
                .enumerate()
                .map(|(i, (step, cents, fee))| {
                    bound += step;
                    Tier {
                        up_to: (i + 1 < n).then_some(bound),
                        unit_price: Decimal::new(cents.into(), 2),
                        flat_fee: Decimal::new(fee.into(), 2),
                    }
                })
                .collect()
        })
    }

    fn charged(tiers: &[Tier], mode: TierMode, allowance: u64, quantity: u64) -> Decimal {
        let t = PeriodTiers::new(Metric::Units(Unit::Request), mode, 1, allowance, tiers.to_vec()).expect("valid");
        t.charges(&Usage { requests: quantity, ..Usage::default() }).expect("charges").iter().map(|c| c.amount).sum()
    }

    /// The tier a unit (1-based, after the allowance) falls in.
    fn tier_of(tiers: &[Tier], unit: u64) -> usize {
        tiers.iter().position(|t| t.up_to.is_none_or(|u| unit <= u)).expect("last tier is unbounded")
    }

    proptest! {
        #[test]
        fn graduated_prices_each_unit_in_its_tier(tiers in arb_tiers(), allowance in 0u64..10, quantity in 0u64..120) {
            let billable = quantity.saturating_sub(allowance);
            let mut expected = Decimal::ZERO;
            let mut fees_reached = std::collections::BTreeSet::new();
            for unit in 1..=billable {
                let i = tier_of(&tiers, unit);
                expected += tiers[i].unit_price;
                fees_reached.insert(i);
            }
            for i in fees_reached {
                expected += tiers[i].flat_fee;
            }
            prop_assert_eq!(charged(&tiers, TierMode::Graduated, allowance, quantity), expected);
        }

        #[test]
        fn volume_prices_every_unit_at_the_tier_reached(tiers in arb_tiers(), allowance in 0u64..10, quantity in 0u64..120) {
            let billable = quantity.saturating_sub(allowance);
            let expected = if billable == 0 {
                Decimal::ZERO
            } else {
                let t = &tiers[tier_of(&tiers, billable)];
                t.unit_price * Decimal::from(billable) + t.flat_fee
            };
            prop_assert_eq!(charged(&tiers, TierMode::Volume, allowance, quantity), expected);
        }

        #[test]
        fn per_request_charges_add_up_and_scale_exactly(input in 0u64..10_000_000, cached in 0u64..1_000_000, output in 0u64..1_000_000, cents in 0u32..100_000) {
            let rate = Decimal::new(cents.into(), 2);
            let s = RateSchedule::new("p", Rates::input_output(rate, rate * Decimal::from(4)).with(TokenClass::CachedInput, rate / Decimal::from(10))).expect("schedule");
            let usage = Usage { input, cached_input: cached, output, requests: 1, ..Usage::default() };
            let total = s.price_request(&Request::new(usage)).expect("priced").total().amount();
            let expected = (Decimal::from(input) * rate + Decimal::from(cached) * rate / Decimal::from(10) + Decimal::from(output) * rate * Decimal::from(4)) / Decimal::from(1_000_000);
            prop_assert_eq!(total, expected);
            let batch = RateSchedule { services: [(Service::Batch, tokfare_pricing::price::ServiceRule::multiplier(Decimal::new(5, 1)))].into(), ..s };
            let half = batch.price_request(&Request { service: Service::Batch, ..Request::new(usage) }).expect("priced").total().amount();
            prop_assert_eq!(half * Decimal::from(2), expected);
        }
    }
}

/// No silent misprice: every key of the bundled snapshot is classified, none is an
/// unknown price field, and a fabricated price field refuses the model it is on (unless
/// the caller ignores unknown price fields, explicitly).
#[test]
fn catalog_fields_are_all_known_and_an_unknown_price_field_refuses_its_model() {
    let check = Catalog::check_bundled().expect("check");
    assert!(check.unknown_price_fields().is_empty(), "{:?}", check.unknown_price_fields());
    assert_eq!(check.count("unknown"), 0);
    assert!(check.entries > 4000 && check.aliases > 50, "{} {}", check.entries, check.aliases);
    let text = r#"{"m": {"input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06, "storage_fee_per_gb_day": 0.1},
                   "n": {"input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06, "input_cost_per_token_turbo": 5e-07}}"#;
    let catalog = Catalog::from_litellm_json(text, "fabricated.json").expect("catalog");
    for (model, field) in [("m", "storage_fee_per_gb_day"), ("n", "input_cost_per_token_turbo")] {
        match catalog.schedule(model) {
            Err(Error::UnsupportedPrice { model: m, field: f, .. }) => assert_eq!((m.as_str(), f.as_str()), (model, field)),
            other => panic!("{model}: {other:?}"),
        }
    }
    let check = Catalog::check_litellm_json(text).expect("check");
    assert_eq!(check.unknown_price_fields().len(), 2);
    assert_eq!(check.refused.len(), 2);
    // A refused model is not an unknown one: a default schedule does not price it.
    let fallback = PriceBook::new()
        .with_catalog(std::sync::Arc::new(catalog.clone()))
        .with_default(Catalog::bundled().schedule("gpt-5.5").expect("gpt-5.5"));
    assert!(matches!(fallback.resolve("m", None), Err(Error::UnsupportedPrice { .. })));
    // A price out of range is an error naming the field, not a panic.
    let huge = Catalog::from_litellm_json(r#"{"h": {"input_cost_per_token": 1e23, "output_cost_per_token": 1}}"#, "huge.json");
    assert!(matches!(huge, Err(Error::InvalidCatalog { ref path, .. }) if path == "h.input_cost_per_token"), "{huge:?}");
    let ignoring = catalog.ignoring_unknown_price_fields(true);
    let schedule = ignoring.schedule("m").expect("priced when ignored");
    assert_eq!(total(schedule.as_ref(), Request::new(Usage::tokens(1_000_000, 1_000_000))), d("3"));
}

#[test]
fn uplifts_and_web_searches_are_their_own_lines() {
    let set = ScheduleSet::from_toml(
        "name = \"x\"\n[schedules.pro]\nmodels = [\"m\"]\nrates = { input = \"10\", output = \"20\" }\n\
         fees = { per_web_search = \"0.01\" }\nuplifts = { region_eu = \"1.1\", fast = \"2\" }\n",
    )
    .expect("schedule");
    let pro = set.get("pro").expect("pro");
    let usage = Usage { web_search_requests: 3, ..Usage::tokens(100_000, 10_000) };
    // 100000 x 10/M + 10000 x 20/M = 1.2; x 1.1 (eu) = +0.12; x 2 (fast) = +1.32; + 3 x 0.01.
    let conditions = Conditions { region: Region::Eu, fast: true, ..Conditions::default() };
    let charges = pro.price_request(&Request { conditions, ..Request::new(usage) }).expect("priced");
    let lines: Vec<(String, String)> = charges.lines.iter().map(|l| (l.item.to_string(), l.amount.normalize().to_string())).collect();
    let expected = [
        ("input tokens", "1"),
        ("output tokens", "0.2"),
        ("region_eu uplift", "0.12"),
        ("fast uplift", "1.32"),
        ("web_search_requests", "0.03"),
    ];
    assert_eq!(lines, expected.map(|(a, b)| (a.to_string(), b.to_string())));
    // A stated condition the schedule has no uplift for costs nothing extra.
    let us = Conditions { region: Region::Us, ..Conditions::default() };
    assert_eq!(total(pro.as_ref(), Request { conditions: us, ..Request::new(Usage::tokens(100_000, 10_000)) }), d("1.2"));
    // Searches on a schedule without a web-search price are refused, never $0.
    let plain = RateSchedule::new("plain", Rates::input_output(d("1"), d("1"))).expect("schedule");
    let err = plain.price_request(&Request::new(usage)).expect_err("refused");
    assert_eq!(err.code(), "unsupported_price");
}

#[test]
fn a_catalog_file_far_larger_than_any_real_one_is_refused_before_it_is_read() {
    // A sparse file: 257 MiB on paper, nothing on disk.
    let path = std::env::temp_dir().join(format!("tokfare-huge-catalog-{}.json", std::process::id()));
    std::fs::File::create(&path).and_then(|f| f.set_len(257 << 20)).expect("sparse file");
    let err = Catalog::load(path.to_str().expect("path")).expect_err("too large");
    assert!(err.to_string().contains("may be at most 256 MiB"), "{err}");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn charges_beyond_decimals_range_are_an_overflow_error_not_a_panic() {
    // Each line fits (7e28), their sum does not: the request is an error.
    let set = ScheduleSet::from_toml(
        "name = \"x\"\n[schedules.huge]\nmodels = [\"m\"]\nrates = { input = \"70000000000000000000000000000\", output = \"70000000000000000000000000000\" }\n",
    )
    .expect("schedule");
    let schedule = set.get("huge").expect("huge");
    match schedule.price_request(&Request::new(Usage::tokens(1_000_000, 1_000_000))) {
        Err(Error::Overflow(_)) => {}
        other => panic!("{other:?}"),
    }
    // A priced record read back whose charges overflow together is refused too.
    let line = r#"{"event":{"id":"a","customer":"c","model":"m","timestamp":"2026-11-01T00:00:00Z","service":"standard","usage_format":"tokfare","usage":{"input":1}},"schedule":"huge","currency":"USD","charges":[{"item":"tokens:input","quantity":1,"unit_price":"1","per":1,"amount":"70000000000000000000000000000"},{"item":"tokens:output","quantity":1,"unit_price":"1","per":1,"amount":"70000000000000000000000000000"}]}"#;
    assert!(matches!(tokfare_pricing::meter::PricedEvent::from_json(line), Err(Error::Overflow(_))));
}
