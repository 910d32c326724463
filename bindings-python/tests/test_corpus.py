"""Ids equal the official tiktoken's on the whole shared corpus, as 8 KiB documents."""

import pytest

import tokfare
from conftest import SHARED


def documents():
    corpus = SHARED / "corpus"
    if not corpus.is_dir():
        pytest.skip(f"no corpus at {corpus}")
    docs = []
    for path in sorted(corpus.iterdir()):
        text = path.read_text(encoding="utf-8")
        start = 0
        while start < len(text):
            end = min(start + 8192, len(text))
            cut = text.rfind("\n", start, end)
            if end < len(text) and cut > start:
                end = cut + 1
            docs.append(text[start:end])
            start = end
    return docs


@pytest.mark.parametrize("name", ["cl100k_base", "o200k_base"])
def test_corpus_parity(tiktoken, name):
    docs = documents()
    assert len(docs) > 1000
    ours, ref = tokfare.get_encoding(name), tiktoken.get_encoding(name)
    assert ours.encode_ordinary_batch(docs) == ref.encode_ordinary_batch(docs)
    assert ours.count_batch(docs) == [len(ids) for ids in ref.encode_ordinary_batch(docs)]
