#!/usr/bin/env python3
"""Builds crates/pricing/data/catalog.json, tokfare's bundled model price catalog.

The source is LiteLLM's model_prices_and_context_window.json as shipped in the
`tokencost` package on PyPI (pinned version, sha256-checked wheel). The output keeps
LiteLLM's format (so the same importer reads users' own files) with only the entries
priced per token and only the fields tokfare maps, plus a `tokfare_snapshot` object
recording the source and the snapshot's effective date.

    python tools/import_catalog.py            # download the pinned wheel from PyPI, write
    python tools/import_catalog.py --check    # the same, but fail if the file would change
    python tools/import_catalog.py --wheel tokencost-0.1.26-py3-none-any.whl
"""
import argparse, hashlib, io, json, pathlib, re, subprocess, sys, tempfile, zipfile

PACKAGE = "tokencost"
VERSION = "0.1.26"
WHEEL = f"tokencost-{VERSION}-py3-none-any.whl"
WHEEL_SHA256 = "f84803c4cc1449447d5f85a0d7269e660e10102e92e8c259763398702151d69e"
# tokencost 0.1.26 was uploaded on 2025-08-13 (the files' timestamps in the wheel).
EFFECTIVE_DATE = "2025-08-13"
OUT = pathlib.Path(__file__).resolve().parent.parent / "crates" / "pricing" / "data" / "catalog.json"

KEEP = {"litellm_provider", "mode", "max_input_tokens", "max_output_tokens", "deprecation_date"}
PRICE_FIELDS = {
    "input_cost_per_token", "output_cost_per_token", "cache_read_input_token_cost",
    "cache_creation_input_token_cost", "cache_creation_input_token_cost_above_1hr",
    "output_cost_per_reasoning_token", "input_cost_per_audio_token", "output_cost_per_audio_token",
    "input_cost_per_request", "output_cost_per_image", "input_cost_per_image",
    "input_cost_per_second", "output_cost_per_second",
}
SERVICE = re.compile(r"^(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost)_(batches|flex|priority)$")
ABOVE = re.compile(r"^(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost|"
                   r"cache_creation_input_token_cost|output_cost_per_reasoning_token|input_cost_per_audio_token)"
                   r"_above_\d+k_tokens$")


def wheel_bytes(path):
    if path:
        return pathlib.Path(path).read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                        f"{PACKAGE}=={VERSION}", "-d", tmp], check=True)
        return (pathlib.Path(tmp) / WHEEL).read_bytes()


def build(data):
    out = {"tokfare_snapshot": {
        "source": f"LiteLLM model_prices_and_context_window.json via {PACKAGE} {VERSION} (PyPI)",
        "effective_date": EFFECTIVE_DATE,
    }}
    for model in sorted(data):
        fields = data[model]
        if model == "sample_spec" or not isinstance(fields, dict):
            continue
        if "input_cost_per_token" not in fields and "output_cost_per_token" not in fields:
            continue
        kept = {k: v for k, v in sorted(fields.items())
                if k in KEEP or k in PRICE_FIELDS or SERVICE.match(k) or ABOVE.match(k)}
        out[model] = kept
    lines = ["{"]
    items = list(out.items())
    for i, (k, v) in enumerate(items):
        sep = "," if i + 1 < len(items) else ""
        lines.append(f"  {json.dumps(k)}: {json.dumps(v, separators=(', ', ': '))}{sep}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--wheel")
    args = ap.parse_args()
    raw = wheel_bytes(args.wheel)
    digest = hashlib.sha256(raw).hexdigest()
    if digest != WHEEL_SHA256:
        sys.exit(f"{WHEEL}: sha256 {digest} != pinned {WHEEL_SHA256}")
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        data = json.loads(z.read("tokencost/model_prices.json"))
    text = build(data)
    if args.check:
        if OUT.read_text() != text:
            sys.exit(f"{OUT} differs from what {WHEEL} produces; run tools/import_catalog.py")
        print(f"{OUT.name}: up to date ({text.count(chr(10)) - 3} models)")
    else:
        OUT.write_text(text)
        print(f"wrote {OUT} ({len(text)} bytes, {text.count(chr(10)) - 3} models)")


if __name__ == "__main__":
    main()
