#!/usr/bin/env bash
# Builds what a user installs without a Rust toolchain, from this tree, into one directory:
#
#   scripts/dist.sh [python|polars|node|wasm|all]...     (default: all)
#
#   python: tokfare-<version>-cp39-abi3-manylinux_2_34_x86_64.whl — maturin (pinned, in a
#           venv under target/tools) with --release --strip; its audit refuses the wheel if
#           the extension needs a glibc symbol newer than 2.34 or links a library outside
#           the manylinux policy (--auditwheel check: nothing is bundled silently);
#   polars: tokfare_polars-<version>-cp311-abi3-manylinux_2_34_x86_64.whl — the Polars
#           expression plugin (bindings-polars), built and checked as the python wheel;
#           what `tokfare.polars` uses when installed (the tests: `scripts/test.sh python`);
#   node:   tokfare-<version>.tgz — `npm pack` of bindings-node with the addon built for this
#           platform (napi build --release), its symbols stripped (71 MB -> ~10 MB);
#   wasm:   tokfare-wasm-<version>.tgz — `npm pack` of bindings-wasm after its build (both
#           WebAssembly modules, their JS glue and the vocabulary assets; the wasm32 target
#           and wasm-bindgen-cli are installed first by scripts/wasm-tools.sh).
#
# The directory is $TOKFARE_DIST_DIR (default $CARGO_TARGET_DIR/dist, i.e. target/dist); each
# run replaces the artifacts it builds. scripts/dist-check.sh installs them into a clean
# environment (no cargo on PATH, no network for the install) and runs the READMEs' examples;
# `scripts/test.sh dist` does both. Needs what building from source needs (Rust, Python 3,
# Node with npm); npm packages are installed from the lockfiles (npm ci) when missing.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
dist=${TOKFARE_DIST_DIR:-$CARGO_TARGET_DIR/dist}
tools="$CARGO_TARGET_DIR/tools"
maturin_version=1.16.0
step() { printf '\n==> dist: %s\n' "$*"; }

[ $# -gt 0 ] || set -- all
py=0 polars=0 node=0 wasm=0
for arg in "$@"; do
  case $arg in
    python) py=1 ;;
    polars) polars=1 ;;
    node) node=1 ;;
    wasm) wasm=1 ;;
    all) py=1 polars=1 node=1 wasm=1 ;;
    *) echo "usage: $0 [python|polars|node|wasm|all]..." >&2; exit 2 ;;
  esac
done
mkdir -p "$dist"

# maturin, pinned, in its own venv.
maturin() {
  local venv="$tools/maturin-venv"
  if [ "$("$venv/bin/maturin" --version 2>/dev/null)" != "maturin $maturin_version" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "maturin==$maturin_version"
  fi
  "$venv/bin/maturin" build --quiet --release --strip --compatibility manylinux_2_34 --auditwheel check "$@"
}

if [ $py = 1 ]; then
  step "python wheel (maturin $maturin_version, release, stripped, manylinux checked)"
  rm -f "$dist"/tokfare-*.whl
  maturin --manifest-path bindings-python/Cargo.toml --out "$dist"
  ls "$dist"/tokfare-*.whl
fi

if [ $polars = 1 ]; then
  step "Polars plugin wheel (bindings-polars; maturin $maturin_version, release, stripped, manylinux checked)"
  rm -f "$dist"/tokfare_polars-*.whl
  maturin --manifest-path bindings-polars/Cargo.toml --out "$dist"
  ls "$dist"/tokfare_polars-*.whl
fi

if [ $node = 1 ]; then
  step "npm package with the prebuilt addon (bindings-node)"
  (
    cd bindings-node
    [ -d node_modules ] || npm ci --no-audit --no-fund
    npm run build
    for addon in native/*.node; do strip --strip-unneeded "$addon"; done
    rm -f "$dist"/tokfare-[0-9]*.tgz
    npm pack --silent --pack-destination "$dist" >/dev/null
  )
  ls -l "$dist"/tokfare-[0-9]*.tgz
fi

if [ $wasm = 1 ]; then
  step "npm package of the WebAssembly build (bindings-wasm)"
  (
    cd bindings-wasm
    [ -d node_modules ] || npm ci --no-audit --no-fund
    "$root/scripts/wasm-tools.sh"
    TOKFARE_TOOLS="$tools" npm run build
    rm -f "$dist"/tokfare-wasm-*.tgz
    npm pack --silent --pack-destination "$dist" >/dev/null
  )
  ls -l "$dist"/tokfare-wasm-*.tgz
fi
