"""tokfare against the official tiktoken 0.14, behaviour by behaviour: same ids, same
errors (as the same built-in exception types), same attributes, pickling, custom
encodings, surrogates, and property tests with hypothesis."""

import pickle
import threading

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tokfare
from conftest import ENCODINGS

TEXTS = [
    "",
    "hello world",
    "Hello, world! Ünïcödé 你好 🙂\n\n  trailing   ",
    "<|endoftext|> and <|fim_prefix|> as text",
    "a\ud800b\ud83d\ude00c\udfff",  # lone and paired surrogates
    "don't I'LL we've 12345678901 \r\n\t",
    "x" * 5000,
]


@pytest.fixture(scope="module", params=ENCODINGS)
def pair(request, tiktoken):
    return tokfare.get_encoding(request.param), tiktoken.get_encoding(request.param)


def test_attributes(pair):
    ours, ref = pair
    assert ours.name == ref.name
    assert ours.n_vocab == ref.n_vocab
    assert ours.max_token_value == ref.max_token_value
    assert ours.eot_token == ref.eot_token
    assert ours.special_tokens_set == ref.special_tokens_set
    assert ours._special_tokens == ref._special_tokens
    assert ours._pat_str == ref._pat_str
    for t in list(ref._special_tokens.values())[:5] + [0, 100]:
        assert ours.is_special_token(t) == ref.is_special_token(t)


def test_vocabulary_exports(pair):
    ours, ref = pair
    assert ours.token_byte_values() == ref.token_byte_values()
    assert ours._mergeable_ranks == ref._mergeable_ranks


def test_encode_decode(pair):
    ours, ref = pair
    for text in TEXTS:
        assert ours.encode_ordinary(text) == ref.encode_ordinary(text)
        assert ours.encode(text, allowed_special="all") == ref.encode(text, allowed_special="all")
        assert ours.encode(text, disallowed_special=()) == ref.encode(text, disallowed_special=())
        ids = ref.encode(text, allowed_special="all")
        assert ours.decode(ids) == ref.decode(ids)
        assert ours.decode_bytes(ids) == ref.decode_bytes(ids)
        assert ours.decode_tokens_bytes(ids) == ref.decode_tokens_bytes(ids)
        assert ours.decode_with_offsets(ids) == ref.decode_with_offsets(ids)
        # tiktoken's encode_to_numpy raises UnicodeEncodeError on surrogates (its encode
        # does not); ours treats them as encode does.
        expected = ref.encode(text, allowed_special="all")
        assert ours.encode_to_numpy(text, allowed_special="all").tolist() == expected
    assert ours.encode_batch(TEXTS, allowed_special="all") == ref.encode_batch(TEXTS, allowed_special="all")
    assert ours.encode_ordinary_batch(TEXTS, num_threads=2) == ref.encode_ordinary_batch(TEXTS, num_threads=2)
    batch = [ref.encode_ordinary(t) for t in TEXTS]
    assert ours.decode_batch(batch) == ref.decode_batch(batch)


def test_special_token_rules(tiktoken):
    ours, ref = tokfare.get_encoding("cl100k_base"), tiktoken.get_encoding("cl100k_base")
    text = "a <|endoftext|> b <|fim_prefix|> c"
    for kwargs in [
        {"allowed_special": {"<|endoftext|>"}, "disallowed_special": ()},
        {"allowed_special": {"<|endoftext|>", "<|fim_prefix|>"}},
        {"allowed_special": "all", "disallowed_special": "all"},
        {"disallowed_special": {"<|fim_suffix|>"}},
        {"allowed_special": {"not a special"}, "disallowed_special": ()},
    ]:
        try:
            expected = ref.encode(text, **kwargs)
        except ValueError:
            with pytest.raises(ValueError):
                ours.encode(text, **kwargs)
        else:
            assert ours.encode(text, **kwargs) == expected, kwargs
    with pytest.raises(ValueError):
        ref.encode(text)
    with pytest.raises(tokfare.DisallowedSpecialToken):
        ours.encode(text)


def test_errors_have_tiktokens_types(tiktoken):
    ours, ref = tokfare.get_encoding("cl100k_base"), tiktoken.get_encoding("cl100k_base")
    for call in [
        lambda e: e.decode([10**6]),
        lambda e: e.decode_single_token_bytes(10**6),
        lambda e: e.encode_single_token("zzzzzzzzzq"),
    ]:
        with pytest.raises(KeyError):
            call(ref)
        with pytest.raises(KeyError):
            call(ours)
    for call in [lambda e: e.decode([2**40]), lambda e: e.decode([-1])]:
        with pytest.raises(OverflowError):
            call(ref)
        with pytest.raises(OverflowError):
            call(ours)
    with pytest.raises(TypeError):
        ours.encode(b"bytes")
    with pytest.raises(TypeError):
        ours.encode(None)
    with pytest.raises(KeyError):
        tiktoken.encoding_for_model("nope")
    with pytest.raises(KeyError):
        tokfare.encoding_for_model("nope")
    with pytest.raises(ValueError):
        tokfare.get_encoding("nope")
    with pytest.raises(tokfare.UnknownEncoding):
        tokfare.get_encoding("nope")


def test_single_tokens(pair):
    ours, ref = pair
    for token in [b"hello", b" world", b"\xe4\xbd", "world", "<|endoftext|>"]:
        try:
            expected = ref.encode_single_token(token)
        except KeyError:
            with pytest.raises(KeyError):
                ours.encode_single_token(token)
        else:
            assert ours.encode_single_token(token) == expected
    for t in [0, 1, 255, 1000, ref.max_token_value]:
        assert ours.decode_single_token_bytes(t) == ref.decode_single_token_bytes(t)


def test_decode_error_modes(tiktoken):
    ours, ref = tokfare.get_encoding("cl100k_base"), tiktoken.get_encoding("cl100k_base")
    broken = ref.encode("héllo wörld 你好")[:-1] + [ref.encode_single_token(b"\xe4")]
    for errors in ["replace", "ignore", "backslashreplace", "surrogateescape"]:
        assert ours.decode(broken, errors=errors) == ref.decode(broken, errors=errors), errors
    with pytest.raises(UnicodeDecodeError):
        ref.decode(broken, errors="strict")
    with pytest.raises(UnicodeDecodeError):
        ours.decode(broken, errors="strict")


def test_pickling_and_caching(tiktoken):
    enc = tokfare.get_encoding("o200k_base")
    assert tokfare.get_encoding("o200k_base") is enc
    assert pickle.loads(pickle.dumps(enc)) is enc
    ref = tiktoken.get_encoding("cl100k_base")
    custom = tokfare.Encoding(
        "cl100k_im",
        pat_str=ref._pat_str,
        mergeable_ranks=ref._mergeable_ranks,
        special_tokens={**ref._special_tokens, "<|im_start|>": 100264, "<|im_end|>": 100265},
    )
    ref_custom = tiktoken.Encoding(
        "cl100k_im",
        pat_str=ref._pat_str,
        mergeable_ranks=ref._mergeable_ranks,
        special_tokens={**ref._special_tokens, "<|im_start|>": 100264, "<|im_end|>": 100265},
    )
    text = "<|im_start|>user\nhi<|im_end|>"
    assert custom.encode(text, allowed_special="all") == ref_custom.encode(text, allowed_special="all")
    again = pickle.loads(pickle.dumps(custom))
    assert again.encode(text, allowed_special="all") == custom.encode(text, allowed_special="all")
    assert again.name == "cl100k_im"
    with pytest.raises(tokfare.TokfareError):
        tokfare.Encoding("bad", pat_str=r"\w+", mergeable_ranks={b"a": 0}, special_tokens={})


def test_threads_agree(tiktoken):
    enc = tokfare.get_encoding("cl100k_base")
    texts = [f"document {i}: " + "lorem ipsum dolor sit amet " * (i % 50 + 1) for i in range(200)]
    expected = tiktoken.get_encoding("cl100k_base").encode_ordinary_batch(texts)
    results = [None] * 8

    def work(k):
        results[k] = [enc.encode_ordinary(t) for t in texts]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected for r in results)


def test_id_lists_own_their_ints(tiktoken):
    """The lists hold one reference per item to the shared int objects (increments
    done in place by the binding): counts rise by exactly the items made and fall back
    when the lists go; two encodings and a custom one agree."""
    import sys

    text = "hello world " * 40 + "你好"
    ref = tiktoken.get_encoding("o200k_base")
    custom = tokfare.Encoding("o200k_copy", pat_str=ref._pat_str, mergeable_ranks=ref._mergeable_ranks, special_tokens={})
    encodings = [tokfare.get_encoding("o200k_base"), custom]
    expected = ref.encode_ordinary(text)
    big = next(i for i in expected if i > 256)  # an ordinary object, not a shared small int
    probe = encodings[0].encode_ordinary(text)
    big_int = probe[probe.index(big)]
    before = sys.getrefcount(big_int)
    lists = [enc.encode_ordinary(text) for enc in encodings for _ in range(50)]
    assert all(ids == expected for ids in lists)
    assert sys.getrefcount(big_int) == before + 100 * expected.count(big)
    del lists
    assert sys.getrefcount(big_int) == before


text_strategy = st.text(
    alphabet=st.characters(blacklist_categories=(), min_codepoint=0, max_codepoint=0x10FFFF), max_size=80
) | st.lists(st.sampled_from(["a", " ", "\n", "'s", "1", "你", "🙂", "\ud800", "<|endoftext|>", "É", "\r\n", "  "]), max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(text=text_strategy, name=st.sampled_from(["cl100k_base", "o200k_base", "r50k_base"]))
def test_property_encode_matches_tiktoken(tiktoken, text, name):
    ours, ref = tokfare.get_encoding(name), tiktoken.get_encoding(name)
    assert ours.encode_ordinary(text) == ref.encode_ordinary(text)
    ids = ref.encode(text, allowed_special="all")
    assert ours.encode(text, allowed_special="all") == ids
    assert ours.decode(ids) == ref.decode(ids)
    assert ours.count(text) == len(ref.encode_ordinary(text))


@settings(max_examples=200, deadline=None)
@given(ids=st.lists(st.integers(min_value=0, max_value=100255), max_size=30))
def test_property_decode_matches_tiktoken(tiktoken, ids):
    ours, ref = tokfare.get_encoding("cl100k_base"), tiktoken.get_encoding("cl100k_base")
    assert ours.decode_bytes(ids) == ref.decode_bytes(ids)
    assert ours.decode(ids) == ref.decode(ids)
    assert ours.decode(ids, errors="ignore") == ref.decode(ids, errors="ignore")


def test_numpy_is_uint32():
    arr = tokfare.get_encoding("o200k_base").encode_to_numpy("hello world")
    assert arr.dtype == np.uint32 and arr.tolist() == [24912, 2375]


def test_numpy_matches_tiktoken(tiktoken):
    text = "Grüße, 世界! " * 300 + "<|endoftext|> done"
    for name in ["cl100k_base", "o200k_base"]:
        ours = tokfare.get_encoding(name).encode_to_numpy(text, allowed_special="all")
        ref = tiktoken.get_encoding(name).encode_to_numpy(text, allowed_special="all")
        assert ours.dtype == ref.dtype and ours.shape == ref.shape
        assert np.array_equal(ours, ref)
        assert ours.flags.writeable == ref.flags.writeable


@pytest.mark.parametrize("name", ["cl100k_base", "o200k_base", "r50k_base"])
def test_encode_with_unstable(tiktoken, name):
    ours, ref = tokfare.get_encoding(name), tiktoken.get_encoding(name)
    for text in ["hello fanta", "hello wor", "def f(x):\n   ", "  ", "naïv", "你好世", "x <|endoftext|>", "12345", "a\n\n ", "don'"]:
        kwargs = {"allowed_special": "all"} if "<|" in text else {}
        tokens, completions = ours.encode_with_unstable(text, **kwargs)
        ref_tokens, ref_completions = ref.encode_with_unstable(text, **kwargs)
        assert tokens == ref_tokens, text
        assert sorted(map(tuple, completions)) == sorted(map(tuple, ref_completions)), text
    with pytest.raises(ValueError):
        ours.encode_with_unstable("<|endoftext|>")


@settings(max_examples=150, deadline=None)
@given(text=st.lists(st.sampled_from(["a", "b", " ", "\n", "'s", "1", "你", "é", "  ", "hello", "!"]), max_size=12).map("".join))
def test_property_encode_with_unstable(tiktoken, text):
    ours, ref = tokfare.get_encoding("cl100k_base"), tiktoken.get_encoding("cl100k_base")
    tokens, completions = ours.encode_with_unstable(text)
    ref_tokens, ref_completions = ref.encode_with_unstable(text)
    assert tokens == ref_tokens
    assert sorted(map(tuple, completions)) == sorted(map(tuple, ref_completions))


@pytest.mark.parametrize("name", ["cl100k_base", "o200k_base", "r50k_base"])
def test_encode_bytes(tiktoken, name):
    # tiktoken's private `_encode_bytes` (its own test suite calls it): bytes that need
    # not be UTF-8 — a cut character, a lone continuation byte, a surrogate's UTF-8.
    ours, ref = tokfare.get_encoding(name), tiktoken.get_encoding(name)
    cases = [b"", b"hello world", b"\xff", b"hello \x80 world", "naïve 你好".encode()[:-1], b" \xe4\xbd", b"\n\n\xed\xa0\x80",
             b"def f(x):\n    \xf0\x9f", b"abc\xc3", b"   \xc3\xa9\xc3", b"\xf0\x9f\x98\x80" * 3 + b"\xf0", b" \xec\x8b\xa4\xed"] + [b"\x80" * i for i in range(10)]
    for data in cases:
        assert ours._encode_bytes(data) == ref._encode_bytes(data), data
        assert ours.decode_bytes(ours._encode_bytes(data)) == data


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=40) | st.text(max_size=20).map(lambda s: s.encode("utf-8", "surrogatepass")[:-1]),
       name=st.sampled_from(["cl100k_base", "o200k_base"]))
def test_property_encode_bytes(tiktoken, data, name):
    ours, ref = tokfare.get_encoding(name), tiktoken.get_encoding(name)
    assert ours._encode_bytes(data) == ref._encode_bytes(data)
    assert ours.decode_bytes(ours._encode_bytes(data)) == data
