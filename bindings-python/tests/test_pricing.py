"""Pricing from Python: Decimal exactness, provider parsers, schedules, catalog, errors."""

from decimal import Decimal

import pytest

import tokfare
from conftest import ROOT


def test_money_is_decimal_and_exact():
    usage = tokfare.Usage(input_tokens=1)
    cost = tokfare.price("gpt-4o", usage)
    assert cost.total == Decimal("0.0000025") and isinstance(cost.total, Decimal)
    assert cost.rounded == Decimal("0.00")
    many = sum((tokfare.price("gpt-4o", usage).total for _ in range(1000)), Decimal(0))
    assert many == Decimal("0.0025")  # no float drift


def test_provider_usage_objects():
    openai = tokfare.Usage.from_openai(
        {"prompt_tokens": 2006, "completion_tokens": 300, "prompt_tokens_details": {"cached_tokens": 1920}}
    )
    assert (openai.input_tokens, openai.cached_input_tokens, openai.output_tokens) == (86, 1920, 300)
    anthropic = tokfare.Usage.from_anthropic(
        {"input_tokens": 50, "cache_read_input_tokens": 12000, "cache_creation_input_tokens": 3000, "output_tokens": 7}
    )
    assert (anthropic.input_tokens, anthropic.cached_input_tokens, anthropic.cache_write_tokens) == (50, 12000, 3000)
    gemini = tokfare.Usage.from_gemini({"promptTokenCount": 100, "cachedContentTokenCount": 40, "candidatesTokenCount": 5, "thoughtsTokenCount": 9})
    assert (gemini.input_tokens, gemini.cached_input_tokens, gemini.reasoning_tokens) == (60, 40, 9)
    assert (openai + anthropic).total_tokens == openai.total_tokens + anthropic.total_tokens


def test_bad_usage_is_a_clear_error():
    with pytest.raises(tokfare.InvalidUsage, match="negative"):
        tokfare.Usage(input_tokens=-1)
    with pytest.raises(tokfare.InvalidUsage, match="prompt_tokens"):
        tokfare.Usage.from_openai({"prompt_tokens": -3, "completion_tokens": 1})
    with pytest.raises(tokfare.InvalidUsage):
        tokfare.Usage.from_openai({"completion_tokens": 1})
    with pytest.raises(TypeError):
        tokfare.Usage.from_openai("not a dict")
    with pytest.raises(ValueError):
        tokfare.Usage.from_dict({"tokens": 5})
    # Values Python can hold and JSON cannot carry as counts: named, not "TapeError".
    with pytest.raises(tokfare.InvalidUsage, match="NaN or Infinity"):
        tokfare.Usage.from_openai({"prompt_tokens": float("nan"), "completion_tokens": 1})
    with pytest.raises(tokfare.InvalidUsage, match=r"prompt_tokens: out of range"):
        tokfare.Usage.from_openai({"prompt_tokens": 2**70, "completion_tokens": 1})


def test_unknown_models_are_errors_with_suggestions():
    with pytest.raises(tokfare.UnknownModelPrice) as info:
        tokfare.price("gpt-4o-mni", tokfare.Usage(input_tokens=1))
    assert "gpt-4o-mini" in str(info.value)
    assert isinstance(info.value, KeyError)


def test_schedules_from_files_and_dicts():
    anthropic = tokfare.Schedule.from_file(str(ROOT / "examples" / "schedules" / "anthropic.toml"))
    usage = tokfare.Usage.from_anthropic(
        {"input_tokens": 150000, "cache_read_input_tokens": 60000, "cache_creation_input_tokens": 10000, "output_tokens": 2000}
    )
    assert tokfare.price("claude-sonnet-4-20250514", usage, schedule=anthropic).total == Decimal("1.056")
    spec = {"name": "x", "schedules": {"flat": {"models": ["m-*"], "per_million_tokens": "2"}}}
    assert tokfare.price("m-1", tokfare.Usage(input_tokens=500000, output_tokens=500000), schedule=tokfare.Schedule.from_dict(spec)).total == Decimal("2")
    with pytest.raises(tokfare.InvalidSchedule, match="schedules.flat.rates.output"):
        tokfare.Schedule.from_dict({"name": "x", "schedules": {"flat": {"rates": {"input": "1", "output": "-1"}}}})


def test_catalog_overrides():
    catalog = tokfare.Catalog.from_dict({"gpt-4o": {"input_cost_per_token": "1e-6", "output_cost_per_token": "2e-6"}})
    assert tokfare.price("gpt-4o", tokfare.Usage(input_tokens=1_000_000), catalog=catalog).total == Decimal("1")
    assert "claude-sonnet-4-6" in catalog
    info = tokfare.Catalog.bundled().lookup("my-proxy/gpt-4o-mini")
    assert info["model"] == "gpt-4o-mini" and info["resolution"] == "ProviderPrefix"
    assert info["rates_per_million"]["input"] == Decimal("0.15")


def test_estimate_tokenizes_then_prices():
    text = "Summarise the attached report in three bullet points."
    n = tokfare.count_tokens(text, model="gpt-4o")
    cost = tokfare.estimate(text, "gpt-4o", output_tokens=1000)
    assert cost.usage.input_tokens == n
    assert cost.total == Decimal(n) * Decimal("2.5") / 1_000_000 + Decimal("0.01")


def test_gtc_tiers_and_plan():
    tiers = {name: price for name, price, _, _ in tokfare.gtc_tiers()}
    assert tiers == {"free": 0, "medium": 3, "high": 6, "premium": 45, "ultra": 150}
    plan = tokfare.capacity_plan(1, 1, {"free": 1000, "medium": 1000, "high": 1000, "premium": 1000})
    assert plan["total_revenue"] == Decimal("48.6")
    with pytest.raises(TypeError):
        tokfare.capacity_plan(1.5, 1, {"free": 1})


def test_an_unknown_price_field_refuses_its_model_unless_ignored():
    """No silent misprice: a fabricated price field is a typed error naming model and field."""
    prices = {"acme-1": {"input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06, "storage_fee_per_gb_day": 0.1}}
    usage = tokfare.Usage(input_tokens=1_000_000, output_tokens=1_000_000)
    with pytest.raises(tokfare.UnsupportedPrice) as info:
        tokfare.price("acme-1", usage, catalog=tokfare.Catalog.from_dict(prices))
    assert (info.value.code, info.value.model, info.value.field) == ("unsupported_price", "acme-1", "storage_fee_per_gb_day")
    ignoring = tokfare.Catalog.from_dict(prices, ignore_unknown_price_fields=True)
    assert tokfare.price("acme-1", usage, catalog=ignoring).total == Decimal("3")
    # The bundled snapshot refuses models priced only by units tokfare does not meter.
    with pytest.raises(tokfare.UnsupportedPrice):
        tokfare.price("azure_ai/doc-intelligence/prebuilt-read", usage)


def test_catalog_update_history_and_at(tmp_path):
    """Catalog.update validates, diffs and stores a price file; a failure stores nothing."""
    source = tmp_path / "prices.json"
    source.write_text('{"gpt-4o": {"input_cost_per_token": 3e-06, "output_cost_per_token": 1e-05}}')
    store = str(tmp_path / "store")
    report = tokfare.Catalog.update(str(source), catalog_dir=store)
    assert report["stored"]["entries"] == 1 and report["previous"] == "bundled"
    assert {"model": "gpt-4o", "field": "input_cost_per_token", "before": "0.0000025", "after": "0.000003", "percent": "20"} in report["changed"]
    assert tokfare.Catalog.update(str(source), catalog_dir=store)["stored"] is None  # the same bytes: unchanged
    with pytest.raises(tokfare.CatalogUpdate) as info:
        tokfare.Catalog.update(str(tmp_path / "missing.json"), catalog_dir=store)
    assert info.value.code == "catalog_update"
    (history,) = tokfare.Catalog.history(catalog_dir=store)
    assert len(history["sha256"]) == 64
    usage = tokfare.Usage(input_tokens=1_000_000)
    assert tokfare.price("gpt-4o", usage, catalog=tokfare.Catalog.at("2999-01-01", catalog_dir=store)).total == Decimal("3")
    assert tokfare.price("gpt-4o", usage, catalog=tokfare.Catalog.at("2000-01-01", catalog_dir=store)).total == Decimal("2.5")
