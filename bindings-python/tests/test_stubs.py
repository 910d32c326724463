"""The type stubs describe the module as built: every public name and every method
of the classes is both in the .pyi and in the module (a light stubtest)."""

import ast
import pathlib

import tokfare

STUB = pathlib.Path(tokfare.__file__).with_name("__init__.pyi")


def stub_tree():
    return ast.parse(STUB.read_text(encoding="utf-8"))


def test_public_names_are_stubbed():
    tree = stub_tree()
    stubbed = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    stubbed |= {a.asname or a.name for n in tree.body if isinstance(n, ast.ImportFrom) and n.module == "_errors" for a in n.names}
    missing = [name for name in tokfare.__all__ if name not in stubbed]
    assert not missing, missing
    for name in stubbed:
        if not name.startswith("_"):
            assert hasattr(tokfare, name), name


def test_class_members_match():
    for node in stub_tree().body:
        if not isinstance(node, ast.ClassDef):
            continue
        cls = getattr(tokfare, node.name)
        stubbed = {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
        stubbed |= {n.target.id for n in node.body if isinstance(n, ast.AnnAssign)}
        for member in stubbed - {"__init__"}:
            assert hasattr(cls, member), f"{node.name}.{member} is stubbed but missing"
        public = {m for m in dir(cls) if not m.startswith("__")}
        undocumented = {m for m in public - stubbed if not m.startswith("_") or m in {"_pat_str", "_special_tokens", "_mergeable_ranks"}}
        assert not undocumented, f"{node.name}: {sorted(undocumented)} are not in the stub"
