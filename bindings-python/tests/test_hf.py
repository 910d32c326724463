"""Hugging Face tokenizer.json models: the shared HF vectors, the bundled Qwen 3, errors,
and property tests against HF `tokenizers` itself (when installed: CI installs 0.23.3)."""

import json

import pytest
import tokfare
from conftest import ORACLE, ROOT

HF = ORACLE / "hf"


def vectors(name):
    with open(ROOT / "conformance" / "tokenize" / name, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def model_file(model):
    path = HF / model / "tokenizer.json"
    if not path.exists():
        pytest.skip(f"{path} missing (run shared/tools/oracle-setup.sh)")
    return path


@pytest.fixture(scope="module")
def tokenizers():
    return {m: tokfare.Tokenizer.from_file(model_file(m)) for m in ["llama3", "qwen3", "gpt4o", "deepseek_v3"]}


def test_model_vectors(tokenizers):
    cases = vectors("hf.jsonl")
    assert len(cases) > 2000
    for case in cases:
        tok = tokenizers[case["model"]]
        mode = case["mode"]
        if mode == "ordinary":
            assert tok.encode_ordinary(case["text"]) == case["ids"], case
        else:
            assert tok.encode(case["text"], add_special_tokens=mode == "encode+special") == case["ids"], case
        if mode == "encode":
            assert tok.count(case["text"]) == len(case["ids"])


def test_decode_vectors(tokenizers):
    for case in vectors("hf_decode.jsonl"):
        tok = tokenizers[case["model"]]
        assert tok.decode(case["ids"], skip_special_tokens=case["skip_special_tokens"]) == case["text"], case


def test_bundled_qwen3_equals_the_file():
    bundled = tokfare.Tokenizer.bundled("qwen3")
    from_file = tokfare.Tokenizer.from_file(model_file("qwen3"))
    text = "<|im_start|>user\nWhat is 12345 × 678? 你好 🙂<|im_end|>\n"
    assert bundled.encode(text) == from_file.encode(text)
    assert bundled.is_native and bundled.engine == "native bpe, scanner:qwen2"
    assert tokfare.Tokenizer.for_model("Qwen/Qwen3-8B").encode(text) == bundled.encode(text)
    assert tokfare.count_tokens(text, model="qwen3-32b") == len(bundled.encode(text))


def test_api_details():
    tok = tokfare.Tokenizer.bundled("qwen3")
    text = "Hello <|im_start|> world"
    ids = tok.encode(text)
    assert 151644 in ids and 151644 not in tok.encode_ordinary(text)
    assert tok.is_special_token(151644) and not tok.is_special_token(9707)
    assert tok.count_until(text, len(ids)) == len(ids)
    assert tok.count_until(text, len(ids) - 1) is None
    assert tok.encode_batch([text, "x"]) == [ids, tok.encode("x")]
    assert tok.count_batch([text, ""]) == [len(ids), 0]
    assert tok.decode(ids) == text
    assert tok.decode(ids, skip_special_tokens=True) == "Hello  world"
    assert tok.decode_bytes(tok.encode("é")) == "é".encode()
    # Lone surrogates are replaced as tiktoken does.
    assert tok.encode("a\ud800b") == tok.encode("a\ufffdb")


def test_errors(tmp_path):
    with pytest.raises(tokfare.TokenizerFileNeeded) as e:
        tokfare.Tokenizer.for_model("meta-llama/Llama-3.1-8B-Instruct")
    assert "llama3" in str(e.value) and e.value.code == "tokenizer_file_needed"
    with pytest.raises(tokfare.UnknownModel):
        tokfare.Tokenizer.for_model("not-a-model")
    with pytest.raises(tokfare.InvalidTokenizerFile) as e:
        tokfare.Tokenizer.from_str('{"model": {"type": "BPE", "vocab": {"a": "x"}, "merges": []}}')
    assert "$.model.vocab" in str(e.value)
    with pytest.raises(tokfare.InvalidTokenizerFile):
        tokfare.Tokenizer.from_str(b"{" * 10)
    with pytest.raises(tokfare.InvalidTokenizerFile):
        tokfare.Tokenizer.from_file(tmp_path / "missing.json")
    tok = tokfare.Tokenizer.bundled("qwen3")
    with pytest.raises(tokfare.UnknownTokenId):
        tok.decode([10**9])
    with pytest.raises(tokfare.InvalidArgument):
        tok.count_until("x", -1)
    with pytest.raises(TypeError):
        tok.encode(b"bytes")


def test_other_models_run_on_the_fallback(tmp_path):
    # A WordPiece file: not byte-level BPE, so the tokenizers engine runs it.
    spec = {
        "version": "1.0", "added_tokens": [], "normalizer": None, "post_processor": None, "decoder": None,
        "pre_tokenizer": {"type": "Whitespace"},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100,
                  "vocab": {"[UNK]": 0, "hello": 1, "world": 2, "##s": 3}},
    }
    tok = tokfare.Tokenizer.from_str(json.dumps(spec))
    assert tok.engine == "tokenizers" and not tok.is_native
    assert tok.encode("hello worlds") == [1, 2, 3]


try:
    import tokenizers as hf_tokenizers
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - CI installs both
    hf_tokenizers = None

if hf_tokenizers is not None:
    ALPHABET = list("aAzZsStT019 \t\n\r'\".,!/-_()<|>") + ["\u0301", "\u00a0", "\u3000", "\u017f", "\u212a", "é", "Ж", "中", "の", "한",
                                                          "٣", "²", "😀", "🏽", "\u200d", "<|im_start|>", "<|endoftext|>", "A\u030a"]

    # Characters UTF-8 can encode: tokenizers raises TypeError on a lone surrogate (ours
    # becomes U+FFFD, tested above), so the two can only be compared without them.
    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.sampled_from(ALPHABET) | st.characters(codec="utf-8"), max_size=40).map("".join))
    def test_equals_hf_tokenizers_on_random_text(text):
        assert hf_tokenizers.__version__ == "0.23.3"
        for model in ["qwen3", "llama3", "deepseek_v3"]:
            ours, theirs = _pair(model)
            assert ours.encode(text) == theirs.encode(text, add_special_tokens=False).ids, (model, text)
            assert ours.encode(text, add_special_tokens=True) == theirs.encode(text, add_special_tokens=True).ids

    _PAIRS = {}

    def _pair(model):
        if model not in _PAIRS:
            path = model_file(model)
            _PAIRS[model] = (tokfare.Tokenizer.from_file(path), hf_tokenizers.Tokenizer.from_file(str(path)))
        return _PAIRS[model]
