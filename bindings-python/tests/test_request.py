"""count_request: the shared request vectors (the OpenAI cookbook's counts; ai-tokenizer's
for Claude and Gemini), the verdicts of the model profiles, and typed errors that name
the JSON path."""

import json

import pytest

import tokfare
from conftest import ROOT


def cases(name):
    with open(ROOT / "conformance" / "requests" / name, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@pytest.mark.parametrize("name", ["openai.jsonl", "calibrated.jsonl"])
def test_counts_equal_the_shared_vectors(name):
    rows = cases(name)
    assert len(rows) >= 50
    for case in rows:
        got = tokfare.count_request(case["model"], case["body"], format=case["format"])
        assert got.tokens == case["tokens"], (case["name"], case["model"])
        if "exact" in case:
            assert got.exact == case["exact"], case["name"]
        else:
            assert not got.exact and (got.band_permille is not None) == case["banded"], case["name"]
        # A dict is the same request as its JSON text.
        assert tokfare.count_request(case["model"], json.loads(case["body"]), format=case["format"]).tokens == got.tokens


def test_verdicts_say_how_sure_a_count_is():
    body = {"messages": [{"role": "user", "content": "Hello there"}]}
    exact = tokfare.count_request("gpt-4o", body)
    assert (exact.exact, exact.band, exact.tokenizer, exact.profile, exact.note) == (True, None, "o200k_base", "openai", "")
    # The cookbook: 3 per message + role + content + 3 priming.
    enc = tokfare.get_encoding("o200k_base")
    assert exact.tokens == 3 + enc.count("user") + enc.count("Hello there") + 3
    claude = tokfare.count_request("claude-sonnet-4-5-20250929", {"system": "Be brief.", **body}, format="anthropic-messages")
    assert (claude.exact, claude.band, claude.band_permille, claude.tokenizer) == (False, "-2.0%..+3.0%", (-20, 30), "claude")
    newer = tokfare.count_request("claude-opus-4-6", body, format="anthropic-messages")
    assert newer.band is None and "no error band" in newer.note
    assert "RequestCount(tokens=" in repr(newer)


def test_errors_are_typed_and_name_the_field():
    with pytest.raises(tokfare.InvalidArgument) as e:
        tokfare.count_request("claude-opus-4-5", {"messages": [{"role": "user", "content": [{"type": "video"}]}]}, format="anthropic-messages")
    assert "$.messages[0].content[0].type" in str(e.value)
    with pytest.raises(tokfare.InvalidArgument, match="unknown request format"):
        tokfare.count_request("gpt-4o", {}, format="cohere")
    with pytest.raises(tokfare.InvalidArgument):
        tokfare.count_request("gpt-4o", "{not json")
