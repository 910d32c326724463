#!/usr/bin/env python3
"""Builds crates/pricing/data/catalog.json, tokfare's bundled model price catalog.

The source is LiteLLM's own price file, `litellm/model_prices_and_context_window_backup.json`,
as shipped in the `litellm` wheel on PyPI: version 1.110.2, the wheel and the file both
sha256-pinned. The output keeps LiteLLM's format (the same importer reads users' own
files and LiteLLM's published JSON) with:

- every entry that carries any price (per token, per image, per second, per query,
  tiered, off-peak ...), and every `alias_of` row whose target is kept;
- every field of those entries except capability and documentation metadata tokfare
  does not read (`supports_*`, `supported_*`, `source`, notes ...): which fields are
  prices, and how each is applied or refused, is decided by the Rust catalog reader
  (crates/pricing/src/price/catalog/fields.rs), not here;
- a `tokfare_snapshot` object recording the source package, version, the wheel's and the
  file's sha256, and the snapshot's effective date (the wheel's upload date on PyPI).

    python tools/import_catalog.py                 # download the pinned wheel from PyPI, write
    python tools/import_catalog.py --check         # the same, but fail if the file would change
    python tools/import_catalog.py --cache DIR     # keep the downloaded wheel in DIR
    python tools/import_catalog.py --wheel litellm-1.110.2-cp310-abi3-manylinux_2_28_x86_64.whl
"""
import argparse, hashlib, io, json, pathlib, re, subprocess, sys, tempfile, zipfile

PACKAGE = "litellm"
VERSION = "1.110.2"
# One platform's wheel, fetched with explicit --platform flags so any machine gets the
# same bytes (every platform's wheel holds the same price file; FILE_SHA256 pins it).
PLATFORM = "manylinux_2_28_x86_64"
WHEEL = f"litellm-{VERSION}-cp310-abi3-{PLATFORM}.whl"
WHEEL_SHA256 = "9d94d1c7d524b6fd10c14f9c8c6c4f0ac31705f9964ac59dcfd8337c046d8917"
FILE = "litellm/model_prices_and_context_window_backup.json"
FILE_SHA256 = "8943af58bf9f979c6a4bef815687117ffa341e462a41faed9be17b5c33d3dcc2"
# litellm 1.110.2 was uploaded to PyPI on 2026-11-20 (the simple index's upload-time).
EFFECTIVE_DATE = "2026-11-20"
OUT = pathlib.Path(__file__).resolve().parent.parent / "crates" / "pricing" / "data" / "catalog.json"

# Top-level keys of LiteLLM's file that are not models.
RESERVED = {"sample_spec", "fallback_generalizations"}
# Metadata tokfare does not read, dropped for size (the browser bundles this file).
DROP_PREFIXES = ("supports_", "supported_", "token_count_", "reasoning_", "bedrock_", "gemini_")
DROP = {
    "source", "deprecation_source", "successor_model", "metadata", "comment", "tpm", "rpm",
    "output_vector_size", "default_reasoning_effort", "thinking_always_on", "thinking_on_by_default",
    "use_openai_responses_path", "uses_embed_content", "vertex_ai_audio_api", "audio_transcription_config",
    "prompt_cache_min_tokens",
}
# A key that names a price (for choosing which entries to keep; the Rust reader decides
# what each one means).
PRICE_WORD = re.compile(r"cost|price|pricing|multiplier|uplift|fee|free_requests|billing_unit")


def wheel_bytes(path, cache):
    if path:
        return pathlib.Path(path).read_bytes()
    if cache:
        cached = pathlib.Path(cache) / WHEEL
        if cached.is_file() and hashlib.sha256(cached.read_bytes()).hexdigest() == WHEEL_SHA256:
            return cached.read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                        "--platform", PLATFORM, "--python-version", "3.11", f"{PACKAGE}=={VERSION}", "-d", tmp], check=True)
        raw = (pathlib.Path(tmp) / WHEEL).read_bytes()
    if cache:
        pathlib.Path(cache).mkdir(parents=True, exist_ok=True)
        (pathlib.Path(cache) / WHEEL).write_bytes(raw)
    return raw


def priced(fields):
    return any(PRICE_WORD.search(k) for k in fields)


def build(data):
    out = {"tokfare_snapshot": {
        "source": f"LiteLLM {FILE} from the {PACKAGE} {VERSION} wheel (PyPI)",
        "package": PACKAGE,
        "version": VERSION,
        "wheel_sha256": WHEEL_SHA256,
        "file_sha256": FILE_SHA256,
        "effective_date": EFFECTIVE_DATE,
    }}
    kept = {}
    for model in sorted(data):
        fields = data[model]
        if model in RESERVED or not isinstance(fields, dict) or "alias_of" in fields or not priced(fields):
            continue
        kept[model] = {k: v for k, v in sorted(fields.items())
                       if k not in DROP and not k.startswith(DROP_PREFIXES)}
    for model in sorted(data):
        fields = data[model]
        if isinstance(fields, dict) and "alias_of" in fields and fields["alias_of"] in kept:
            kept[model] = {"alias_of": fields["alias_of"]}
    out.update(sorted(kept.items()))
    lines = ["{"]
    items = list(out.items())
    for i, (k, v) in enumerate(items):
        sep = "," if i + 1 < len(items) else ""
        lines.append(f"  {json.dumps(k)}: {json.dumps(v, separators=(', ', ': '), ensure_ascii=False)}{sep}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--wheel")
    ap.add_argument("--cache")
    args = ap.parse_args()
    raw = wheel_bytes(args.wheel, args.cache)
    digest = hashlib.sha256(raw).hexdigest()
    if digest != WHEEL_SHA256:
        sys.exit(f"{WHEEL}: sha256 {digest} != pinned {WHEEL_SHA256}")
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        file = z.read(FILE)
    if hashlib.sha256(file).hexdigest() != FILE_SHA256:
        sys.exit(f"{FILE}: sha256 {hashlib.sha256(file).hexdigest()} != pinned {FILE_SHA256}")
    text = build(json.loads(file))
    models = text.count("\n") - 3
    if args.check:
        if OUT.read_text() != text:
            sys.exit(f"{OUT} differs from what {WHEEL} produces; run tools/import_catalog.py")
        print(f"{OUT.name}: up to date ({models} models)")
    else:
        OUT.write_text(text)
        print(f"wrote {OUT} ({len(text)} bytes, {models} models)")


if __name__ == "__main__":
    main()
