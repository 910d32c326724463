#!/usr/bin/env bash
# What building the WASM package needs besides Rust: the wasm32-unknown-unknown target
# (rustup) and wasm-bindgen-cli at exactly the version of the wasm-bindgen crate in
# Cargo.lock (cargo install, into $CARGO_TARGET_DIR/tools, default target/tools; kept
# between runs). Used by scripts/test.sh (wasm layer) and scripts/dist.sh (wasm).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools="${CARGO_TARGET_DIR:-$root/target}/tools"
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true
version=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print}' "$root/Cargo.lock")
if [ "$("$tools/bin/wasm-bindgen" --version 2>/dev/null)" != "wasm-bindgen $version" ]; then
  cargo install --quiet wasm-bindgen-cli --version "$version" --root "$tools"
fi
