"""Shared fixtures: the repository root, the shared corpus, and the official tiktoken
(the oracle built by ../shared/tools/oracle-setup.sh, whose vocabulary cache lets it
run offline)."""

import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHARED = pathlib.Path(os.environ.get("TOKFARE_SHARED", ROOT.parent / "shared"))
ORACLE = pathlib.Path(os.environ.get("TOKFARE_ORACLE_DIR", pathlib.Path.home() / ".cache" / "tokfare-oracle"))
os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(ORACLE / "tiktoken-cache"))

ENCODINGS = ["gpt2", "r50k_base", "p50k_base", "p50k_edit", "cl100k_base", "o200k_base", "o200k_harmony"]


@pytest.fixture(scope="session")
def tiktoken():
    import tiktoken

    assert tiktoken.__version__ == "0.14.0", tiktoken.__version__
    return tiktoken


@pytest.fixture(scope="session")
def root():
    return ROOT
