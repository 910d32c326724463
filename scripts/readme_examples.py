"""Writes the READMEs' runnable examples to a file, as the in-repo tests run them
(bindings-python/tests/test_readme.py, bindings-node/test/readme.test.cjs,
bindings-wasm/test/readme.test.mjs); scripts/dist-check.sh runs them against the installed
packages.

    python3 scripts/readme_examples.py python|node|wasm OUT
"""

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def blocks(readme, lang, section=None):
    text = (ROOT / readme).read_text(encoding="utf-8")
    if section:
        text = text[text.index(f"\n## {section}\n") :]
        end = text.find("\n## ", 1)
        text = text if end < 0 else text[:end]
    found = re.findall(rf"```{lang}\n(.*?)```", text, flags=re.S)
    if not found:
        sys.exit(f"no {lang} block in {readme}" + (f" section {section}" if section else ""))
    return found


def main():
    what, out = sys.argv[1:3]
    if what == "python":
        # Each README's blocks run in order in a directory of their own, each block under
        # its README's name (as test_readme.py does: both create a meter.db).
        examples = {readme: blocks(readme, "python") for readme in ["README.md", "bindings-python/README.md"]}
        code = (
            "import os, tempfile\n"
            f"for readme, blocks in {examples!r}.items():\n"
            "    os.chdir(tempfile.mkdtemp(prefix='readme-', dir=os.getcwd()))\n"
            "    for block in blocks:\n"
            "        exec(compile(block, readme, 'exec'), {'__name__': 'readme'})\n"
            "    print(f'{readme}: {len(blocks)} python examples ran')\n"
        )
    elif what == "node":
        code = blocks("README.md", "js", "Node")[0]
    elif what == "wasm":
        code = blocks("bindings-wasm/README.md", "js")[0]
    else:
        sys.exit(f"unknown example set {what!r}: python, node or wasm")
    pathlib.Path(out).write_text(code, encoding="utf-8")


if __name__ == "__main__":
    main()
