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


def test_count_chat_matches_the_cookbook_api_counts():
    messages = [
        {"role": "system", "content": "You are a helpful, pattern-following assistant that translates corporate jargon into plain English."},
        {"role": "system", "name": "example_user", "content": "New synergies will help drive top-line growth."},
        {"role": "system", "name": "example_assistant", "content": "Things working well together will increase revenue."},
        {"role": "system", "name": "example_user", "content": "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage."},
        {"role": "system", "name": "example_assistant", "content": "Let's talk later when we're less busy about how to do better."},
        {"role": "user", "content": "This late pivot means we don't have time to boil the ocean for the client deliverable."},
    ]
    assert tokfare.count_chat(messages, "gpt-4") == 129
    assert tokfare.count_chat(messages, "gpt-4o") == 124
    tools = [{"type": "function", "function": {"name": "f", "description": "Do it.", "parameters": {"type": "object", "properties": {}}}}]
    assert tokfare.count_chat(messages, "gpt-4o", tools=tools) > 124
    with pytest.raises(tokfare.InvalidArgument):
        tokfare.count_chat([{"content": "no role"}], "gpt-4o")
