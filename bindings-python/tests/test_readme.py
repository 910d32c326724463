"""The Python examples of the READMEs run as written (in a scratch directory, since
they create a meter journal)."""

import re

import pytest

from conftest import ROOT


def python_blocks(path):
    text = path.read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


@pytest.mark.parametrize("readme", ["bindings-python/README.md", "README.md"])
def test_readme_examples_run(readme, tmp_path, monkeypatch):
    blocks = python_blocks(ROOT / readme)
    assert blocks, f"no python example in {readme}"
    monkeypatch.chdir(tmp_path)
    for block in blocks:
        exec(compile(block, readme, "exec"), {"__name__": "readme"})
