"""The shared conformance vectors (conformance/), as every binding runs them."""

import json
from decimal import Decimal

import pytest
import tokfare
from conftest import ROOT


def vectors(name):
    with open(ROOT / "conformance" / name, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def test_ordinary():
    cases = vectors("tokenize/ordinary.jsonl")
    assert len(cases) > 3000
    for case in cases:
        enc = tokfare.get_encoding(case["encoding"])
        assert enc.encode_ordinary(case["text"]) == case["ids"], case
        assert enc.count(case["text"]) == len(case["ids"])


def test_special():
    for case in vectors("tokenize/special.jsonl"):
        enc = tokfare.get_encoding(case["encoding"])
        allowed = case["allowed_special"] if case["allowed_special"] == "all" else set(case["allowed_special"])
        disallowed = case["disallowed_special"] if case["disallowed_special"] == "all" else set(case["disallowed_special"])
        if "error" in case:
            with pytest.raises(tokfare.TokfareError) as info:
                enc.encode(case["text"], allowed_special=allowed, disallowed_special=disallowed)
            assert info.value.code == case["error"]
            assert isinstance(info.value, ValueError)
        else:
            assert enc.encode(case["text"], allowed_special=allowed, disallowed_special=disallowed) == case["ids"], case


def test_custom_patterns():
    base = tokfare.get_encoding("cl100k_base")
    ranks = base._mergeable_ranks
    encodings = {}
    for case in vectors("tokenize/custom.jsonl"):
        pattern = case["pattern"]
        if pattern not in encodings:
            encodings[pattern] = tokfare.Encoding(
                "custom", pat_str=pattern, mergeable_ranks=ranks, special_tokens={"<|x|>": 100300, "<|y|>": 100301}
            )
        assert encodings[pattern].encode(case["text"], allowed_special="all") == case["ids"], case


def test_models():
    for case in vectors("models.jsonl"):
        if "error" in case:
            with pytest.raises(KeyError) as info:
                tokfare.encoding_name_for_model(case["model"])
            assert info.value.code == case["error"]
        else:
            assert tokfare.encoding_name_for_model(case["model"]) == case["encoding"], case
            assert tokfare.encoding_for_model(case["model"]).name == case["encoding"]


def test_decode_errors():
    for case in vectors("errors.jsonl"):
        enc = tokfare.get_encoding(case["encoding"])
        ids = case["decode"]
        if "bytes_hex" in case:
            assert enc.decode_bytes(ids).hex() == case["bytes_hex"], case
        if case.get("error") == "unknown_token_id":
            with pytest.raises(KeyError) as info:
                enc.decode_bytes(ids)
            assert info.value.code == "unknown_token_id"
        elif case.get("error") == "invalid_utf8":
            with pytest.raises(UnicodeDecodeError):
                enc.decode(ids, errors="strict")


def test_pricing_requests():
    for case in vectors("pricing/requests.jsonl"):
        prices = case["prices"]
        kwargs = {}
        if prices == "gtc-2026":
            kwargs["schedule"] = "gtc-2026"
        elif prices != "catalog":
            kwargs["schedule"] = str(ROOT / prices)
        for key in ("region", "fedramp", "endpoint", "speed", "search_context_size", "resolution"):
            if key in case:
                kwargs[key] = case[key]
        usage = tokfare.Usage.from_dict(case["usage"])
        if "error" in case:
            with pytest.raises(tokfare.TokfareError) as info:
                tokfare.price(case["model"], usage, **kwargs)
            assert info.value.code == case["error"], case["name"]
            continue
        cost = tokfare.price(
            case["model"], usage, service=case.get("service"), at=case.get("at", "2026-11-02T12:00:00Z"), **kwargs
        )
        assert isinstance(cost.total, Decimal)
        assert cost.total == Decimal(case["total"]), case["name"]
        assert sum(line.amount for line in cost.lines) == cost.total


def test_usage_normalisation():
    for case in vectors("pricing/usage.jsonl"):
        if "normalized" in case:
            usage = tokfare.Usage.from_dict(case["usage"])
            assert usage.to_dict() == case["normalized"], case["name"]
        else:
            with pytest.raises(tokfare.InvalidUsage) as info:
                tokfare.Usage.from_dict(case["usage"])
            assert info.value.code == case["error"]
            assert case["path"] in str(info.value), (case["name"], str(info.value))


def test_every_core_error_code_has_its_exception_class():
    # The core's list (tokfare::ERROR_CODES) against the classes in tokfare._errors, both
    # ways: a code without a class would surface as the bare TokfareError.
    from tokfare import _errors, _tokfare

    codes = list(_tokfare._ERROR_CODES)
    assert len(codes) > 20
    for code in codes:
        error = _errors.from_code(code, "message")
        assert type(error) is not tokfare.TokfareError, code
        assert type(error).code == code and error.code == code
        assert str(error) == "message"
    classes = {cls.code for cls in vars(_errors).values() if isinstance(cls, type) and issubclass(cls, tokfare.TokfareError)}
    assert classes - {"tokfare_error"} == set(codes)
    # Every class is exported from the package and listed in __all__.
    for name, cls in vars(_errors).items():
        if isinstance(cls, type) and issubclass(cls, tokfare.TokfareError):
            assert getattr(tokfare, name) is cls and name in tokfare.__all__, name


def test_errors_carry_their_fields():
    with pytest.raises(tokfare.UnknownModelPrice) as info:
        tokfare.price("gpt-4oo-mini", tokfare.Usage(input_tokens=1))
    assert info.value.model == "gpt-4oo-mini" and "gpt-4o-mini" in info.value.suggestions
    with pytest.raises(tokfare.InvalidUsage) as info:
        tokfare.Usage.from_openai({"prompt_tokens": -5, "completion_tokens": 1})
    assert info.value.field == "$.prompt_tokens" and "negative" in info.value.reason
    with pytest.raises(tokfare.InvalidTokenizerFile) as info:
        tokfare.Tokenizer.from_str('{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": [["a", "b"]]}}')
    assert info.value.field.startswith("$") and info.value.reason, (info.value.field, info.value.reason)


def test_estimates():
    """conformance/estimate.jsonl: counted with the model's tokenizer, then priced."""
    for case in vectors("estimate.jsonl"):
        text = case["text"] * case.get("repeat", 1)
        kwargs = {k: case[k] for k in ("encoding", "tokenizer", "service", "schedule") if k in case}
        if "error" in case:
            with pytest.raises(tokfare.TokfareError) as info:
                tokfare.estimate(text, case["model"], case["output_tokens"], **kwargs)
            assert info.value.code == case["error"], case["name"]
            continue
        cost = tokfare.estimate(text, case["model"], case["output_tokens"], **kwargs)
        expected = case["expected"]
        got = {
            "tokenizer": cost.tokenizer,
            "approximate": cost.approximate,
            "input_tokens": cost.usage.input_tokens,
            "schedule": cost.schedule,
            "currency": cost.currency,
            "total": cost.total,
            "rounded": cost.rounded,
            "lines": [{"item": l.item, "quantity": l.quantity, "amount": l.amount} for l in cost.lines],
            "warnings": len(cost.warnings),
        }
        want = dict(expected, total=Decimal(expected["total"]), rounded=Decimal(expected["rounded"]))
        want["lines"] = [dict(l, amount=Decimal(l["amount"])) for l in expected["lines"]]
        assert got == want, case["name"]
        assert str(cost.rounded) == expected["rounded"], case["name"]


def test_usage_logs(tmp_path):
    """conformance/usage_log.jsonl: duplicates count once; bad lines, conflicts and unpriced events by line."""
    for case in vectors("usage_log.jsonl"):
        meter = tokfare.Meter()
        path = str(ROOT / "conformance" / case["log"])
        if "error" in case:
            with pytest.raises(tokfare.TokfareError) as info:
                meter.record_log(path, continue_on_error=case["continue_on_error"])
            assert info.value.code == case["error"]["code"], case["name"]
            assert info.value.line == case["error"]["line"], case["name"]
            assert len(meter.snapshot()) == case["recorded_before"], case["name"]
            continue
        report = meter.record_log(path, continue_on_error=case["continue_on_error"])
        assert (report["recorded"], report["duplicates"]) == (case["recorded"], case["duplicates"]), case["name"]
        assert [{"line": p["line"], "code": p["code"]} for p in report["problems"]] == case["problems"], case["name"]
        assert len(report["errors"]) == len(case["problems"])
        assert meter.invoice()["totals"] == {"USD": Decimal(case["total"])}, case["name"]


def test_usage_covers_every_count_of_the_core():
    import inspect

    from tokfare import _tokfare

    params = list(inspect.signature(tokfare.Usage).parameters)
    usage = tokfare.Usage(**{p: i + 1 for i, p in enumerate(params)})
    assert list(usage.to_dict()) == list(_tokfare._USAGE_FIELDS)
