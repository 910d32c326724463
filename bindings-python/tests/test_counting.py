"""tokfare's own counting helpers."""

import pytest

import tokfare


def test_count_tokens_and_limits():
    enc = tokfare.encoding_for_model("gpt-4o")
    text = "The quick brown fox jumps over the lazy dog. " * 50
    n = len(enc.encode_ordinary(text))
    assert tokfare.count_tokens(text) == n
    assert tokfare.count_tokens(text, model="gpt-4") == len(tokfare.get_encoding("cl100k_base").encode_ordinary(text))
    assert tokfare.count_tokens(text, encoding="r50k_base") == tokfare.get_encoding("r50k_base").count(text)
    assert enc.count_until(text, n) == n
    assert enc.count_until(text, n - 1) is None
    with pytest.raises(TypeError):
        tokfare.count_tokens(text, model="gpt-4o", encoding="cl100k_base")


def test_truncate_and_chunks():
    enc = tokfare.get_encoding("cl100k_base")
    text = "Tokens: 你好世界 🙂 — some text that goes on. " * 40
    head = enc.truncate(text, 100)
    assert text.startswith(head) and enc.count(head) <= 100
    parts = enc.chunks(text, 100)
    assert "".join(parts) == text
    assert all(enc.count(p) <= 100 for p in parts)
    with pytest.raises(tokfare.InvalidArgument):
        enc.chunks(text, 0)
