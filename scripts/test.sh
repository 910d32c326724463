#!/usr/bin/env bash
# All of tokfare's tests, from a fresh machine: the README's test command, and what CI runs.
#
#   scripts/test.sh [rust|python|node|wasm|dist|fuzz|all]...
#
# With no argument the target is `all`, every layer: that is what CI (.ci/run) and the
# README's test command run. One or more layers may be named instead (e.g.
# `scripts/test.sh rust python`); they always run in the order below, each once.
#
# Shared prelude, run once whatever layers are chosen:
# 1. builds the offline reference tokenizers (official tiktoken, via shared/tools/oracle-setup.sh)
#    in $TOKFARE_ORACLE_DIR (default ~/.cache/tokfare-oracle; CI uses a fresh directory),
#    and fetches Anthropic's legacy claude.json there (npm pack, sha256-pinned);
# 2. checks the embedded vocabularies, the price catalog, the example usage log and the
#    conformance vectors are exactly what their sources and the oracle produce today;
# 3. has the oracle tokenize the whole shared corpus (expected ids for the parity tests;
#    read by the rust and node layers only, so skipped when neither is chosen);
#    for the rust, python and node layers, starts a throwaway PostgreSQL cluster on
#    127.0.0.1 for the meter store's tests (scripts/pg-test-cluster.sh; apt-get installs
#    Debian's postgresql if no server is found), stopped when the script exits.
# Layers:
# 4. rust:   cargo fmt --check, every Rust test (the crates, the CLI), the one-vocabulary build natively
#            and for wasm32, clippy with warnings denied, and checks the benchmarks build;
# 5. python: builds the Python wheel and the Polars plugin's from source (scripts/dist.sh python
#            polars: maturin, release, manylinux-checked), installs them into a fresh venv with
#            pyarrow, Polars, pandas and PySpark, installs Java 17 for Spark (apt-get, if missing) and runs its pytest suite
#            (tokfare.spark's tests on a local[2] Spark bound to 127.0.0.1), then tokfare.spark's
#            tests again on Spark 3.5 in a venv of its own (the pandas-UDF path);
# 6. node:   builds the Node addon from source (fresh npm install), type-checks the
#            declarations and runs its node --test suite;
# 7. wasm:   builds the WASM package from source (wasm-bindgen-cli installed with cargo at the
#            version in Cargo.lock, wasm-opt from npm), runs its tests in Node and the estimator
#            page's tests in headless Chromium (installed with apt-get if missing).
# 8. dist:   scripts/dist.sh builds what users install without Rust (the abi3 manylinux wheel,
#            the npm package with the prebuilt addon, the WASM package tarball; what the layers
#            above built is reused), scripts/dist-check.sh installs each into a clean
#            environment (env -i, no cargo on PATH, no network) and runs the READMEs' examples.
# 9. fuzz:   every cargo-fuzz target in fuzz/ (parsers of untrusted input, encode against an
#            independent implementation) for TOKFARE_FUZZ_SECONDS (default 20) each, from its
#            seed corpus in fuzz/seeds, with a 2 GB memory cap and a 10 s per-input timeout
#            (the nightly toolchain and cargo-fuzz, installed into target/tools if missing).
# Finally a summary of the chosen layers' results; the exit status is non-zero if any failed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
shared=${TOKFARE_SHARED:-$root/../shared}
oracle=${TOKFARE_ORACLE_DIR:-$HOME/.cache/tokfare-oracle}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
step() { printf '\n==> %s\n' "$*"; }
usage() { printf 'usage: %s [rust|python|node|wasm|dist|fuzz|all]...  (default: all, what CI runs)\n' "$0"; }
[ $# -gt 0 ] || set -- all
rust=0 py=0 node=0 wasm=0 dist=0 fuzz=0
for arg in "$@"; do
  case $arg in
    rust) rust=1 ;;
    python) py=1 ;;
    node) node=1 ;;
    wasm) wasm=1 ;;
    dist) dist=1 ;;
    fuzz) fuzz=1 ;;
    all) rust=1 py=1 node=1 wasm=1 dist=1 fuzz=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown target: $arg" >&2; usage >&2; exit 2 ;;
  esac
done

[ -d "$shared/corpus" ] || { echo "missing $shared/corpus (set TOKFARE_SHARED)" >&2; exit 1; }

step "oracle: official tiktoken in $oracle"
bash "$shared/tools/oracle-setup.sh" "$oracle"
python="$oracle/venv/bin/python"
export TIKTOKEN_CACHE_DIR="$oracle/tiktoken-cache"

step "Anthropic's legacy tokenizer file (claude.json of npm @anthropic-ai/tokenizer 0.0.4, sha256-pinned)"
claude_dir="$oracle/npm/anthropic-tokenizer-0.0.4"
if [ ! -f "$claude_dir/package/claude.json" ]; then
  mkdir -p "$claude_dir"
  (cd "$claude_dir" && npm pack --silent @anthropic-ai/tokenizer@0.0.4 > /dev/null && tar xzf anthropic-ai-tokenizer-0.0.4.tgz)
fi
export TOKFARE_CLAUDE_JSON="$claude_dir/package/claude.json"
# The reference of the calibrated (Claude, Gemini) request counts: ai-tokenizer's count().
request_oracle="$oracle/npm/request-oracle"
if [ ! -f "$request_oracle/node_modules/ai-tokenizer/package.json" ]; then
  mkdir -p "$request_oracle"
  (cd "$request_oracle" && npm install --silent --no-audit --no-fund --no-save ai-tokenizer@1.0.6 zod@4.1.12 > /dev/null)
fi

step "embedded vocabularies are the official rank files (sha256-pinned), packed"
"$python" tools/pack_vocab.py --check --claude "$TOKFARE_CLAUDE_JSON" "$oracle/tiktoken"
"$python" tools/pack_hf.py --check "$oracle/hf"

step "the price catalog is LiteLLM's file from the pinned litellm 1.110.2 wheel; the example log is reproducible"
"$python" tools/import_catalog.py --check --cache "$oracle/litellm"
"$python" tools/make_usage_log.py --check

step "conformance vectors are the oracle's output (tiktoken, and HF tokenizers for tokenizer.json models)"
"$python" conformance/generate.py --check
TOKFARE_HF_DIR="$oracle/hf" "$python" conformance/generate_hf.py --check
TOKFARE_HF_DIR="$oracle/hf" "$python" conformance/generate_estimate.py --check
node conformance/generate_requests.mjs "$request_oracle/node_modules" --check
"$python" conformance/generate_openai_requests.py --check

# Only the rust and node layers read the corpus ids (TOKFARE_CORPUS_IDS).
if [ $rust = 1 ] || [ $node = 1 ]; then
  step "oracle ids for the whole corpus (tiktoken, and HF tokenizers for the tokenizer.json models)"
  "$python" conformance/corpus_oracle.py "$CARGO_TARGET_DIR/oracle-corpus" "$oracle/hf"
fi
export TOKFARE_HF_DIR="$oracle/hf"

# The summary reads only the chosen layers' logs; none may be left from an earlier run.
# The meter's PostgreSQL store is tested against a real server: a throwaway cluster on
# 127.0.0.1 (Debian's postgresql package, installed if missing), stopped on exit.
if [ $rust = 1 ] || [ $py = 1 ] || [ $node = 1 ]; then
  step "postgresql: a throwaway test cluster (scripts/pg-test-cluster.sh)"
  trap 'scripts/pg-test-cluster.sh stop' EXIT
  # shellcheck source=pg-test-cluster.sh
  source scripts/pg-test-cluster.sh start
fi

mkdir -p "$CARGO_TARGET_DIR"
[ $rust = 0 ] || rm -f "$CARGO_TARGET_DIR/test.log"
[ $py = 0 ] || rm -f "$CARGO_TARGET_DIR/pytest.log" "$CARGO_TARGET_DIR/pytest-spark35.log"
[ $node = 0 ] || rm -f "$CARGO_TARGET_DIR/node.log"
[ $wasm = 0 ] || rm -f "$CARGO_TARGET_DIR/wasm.log"
[ $dist = 0 ] || rm -f "$CARGO_TARGET_DIR/dist.log"
[ $fuzz = 0 ] || rm -f "$CARGO_TARGET_DIR/fuzz.log"

if [ $rust = 1 ]; then
  step "rust: formatting (cargo fmt --check, rustfmt.toml)"
  rustup component add rustfmt >/dev/null 2>&1 || true
  cargo fmt --all --check

  step "cargo test (tokenizer, pricing, tokfare, cli)"
  TOKFARE_CORPUS_IDS="$CARGO_TARGET_DIR/oracle-corpus" TOKFARE_REQUIRE_ORACLE=1 \
    cargo test --workspace --exclude tokfare-benches --exclude tokfare-python --exclude tokfare-polars --exclude tokfare-node --exclude tokfare-wasm 2>&1 | tee "$CARGO_TARGET_DIR/test.log"

  step "the arrow feature (Arrow string columns in and out; on in the Python package)"
  cargo test --quiet -p tokfare --features arrow --lib arrow:: 2>&1 | tee -a "$CARGO_TARGET_DIR/test.log"

  step "a size-sensitive build: one vocabulary, no rayon (native test, wasm32 with and without simd128)"
  cargo test --quiet -p tokfare-tokenizer --no-default-features --features o200k --lib registry:: 2>&1 | tee -a "$CARGO_TARGET_DIR/test.log"
  rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true
  cargo check --quiet -p tokfare --no-default-features --features o200k --target wasm32-unknown-unknown
  RUSTFLAGS="-C target-feature=+simd128" CARGO_TARGET_DIR="$CARGO_TARGET_DIR/wasm-simd128" \
    cargo check --quiet -p tokfare --no-default-features --features o200k,pricing --target wasm32-unknown-unknown

  step "clippy (warnings denied) and benchmarks build"
  cargo clippy --workspace --all-targets --quiet -- -D warnings
  cargo check --quiet -p tokfare-benches --all-targets
fi

if [ $py = 1 ]; then
  step "python: build the wheel from source, install it in a fresh venv, run pytest against the official tiktoken"
  scripts/dist.sh python polars
  venv="$CARGO_TARGET_DIR/py-venv-test"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
  "$venv/bin/pip" install --quiet pytest hypothesis numpy tiktoken==0.14.0 tokenizers==0.23.3 pyarrow==26.0.1 polars==2.1.0 "pandas<3" \
    pyspark==4.3.0
  # tokfare.spark's tests run a local Spark: it needs Java 17 (Debian's; 21 is not packaged).
  if ! command -v java >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null
  fi
  export TOKFARE_REQUIRE_SPARK=1 TOKFARE_REQUIRE_POLARS_PLUGIN=1
  "$venv/bin/pip" install --quiet --no-index "${TOKFARE_DIST_DIR:-$CARGO_TARGET_DIR/dist}"/tokfare-*.whl \
    "${TOKFARE_DIST_DIR:-$CARGO_TARGET_DIR/dist}"/tokfare_polars-*.whl
  (cd bindings-python && TOKFARE_ORACLE_DIR="$oracle" TOKFARE_SHARED="$shared" "$venv/bin/python" -m pytest -q -p no:cacheprovider tests) \
    2>&1 | tee "$CARGO_TARGET_DIR/pytest.log"

  step "python: tokfare.spark's pandas-UDF path (Spark before 4.1) on Spark 3.5, its own venv"
  venv35="$CARGO_TARGET_DIR/py-venv-spark35"
  rm -rf "$venv35"
  python3 -m venv "$venv35"
  "$venv35/bin/pip" install --quiet --upgrade pip
  "$venv35/bin/pip" install --quiet pytest numpy pyarrow==26.0.1 "pandas<3" pyspark==3.5.9
  "$venv35/bin/pip" install --quiet --no-index --no-deps "${TOKFARE_DIST_DIR:-$CARGO_TARGET_DIR/dist}"/tokfare-*.whl
  # The million-event invoice is the same code on either Spark (mapInArrow); left to 4.3.
  (cd bindings-python && TOKFARE_SHARED="$shared" "$venv35/bin/python" -m pytest -q -p no:cacheprovider -W ignore::DeprecationWarning \
    tests/test_spark.py -k "not million") 2>&1 | tee "$CARGO_TARGET_DIR/pytest-spark35.log"
fi

if [ $node = 1 ]; then
  step "node: build the addon from source, type-check the declarations, run node --test"
  (cd bindings-node && rm -rf node_modules native && npm install --no-audit --no-fund && npm run build && npm run typecheck \
    && TOKFARE_CORPUS_IDS="$CARGO_TARGET_DIR/oracle-corpus" TOKFARE_SHARED="$shared" npm test) 2>&1 | tee "$CARGO_TARGET_DIR/node.log"
fi

if [ $wasm = 1 ]; then
  step "wasm: build the package from source (engine, glue, wasm-opt, vocabulary assets), run its tests in Node"
  tools="$CARGO_TARGET_DIR/tools"
  scripts/wasm-tools.sh
  # The estimator page's tests drive Debian's Chromium headless.
  if ! command -v chromium >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk fonts-noto-color-emoji >/dev/null
  fi
  (cd bindings-wasm && rm -rf node_modules pkg vocab && npm install --no-audit --no-fund && TOKFARE_TOOLS="$tools" npm run build \
    && TOKFARE_SHARED="$shared" TOKFARE_ARTIFACTS="$CARGO_TARGET_DIR/browser-artifacts" npm test) 2>&1 | tee "$CARGO_TARGET_DIR/wasm.log"
fi

if [ $dist = 1 ]; then
  step "dist: build what users install without Rust, install each in a clean environment, run the READMEs' examples"
  (scripts/dist.sh all && scripts/dist-check.sh all) 2>&1 | tee "$CARGO_TARGET_DIR/dist.log"
fi

if [ $fuzz = 1 ]; then
  seconds=${TOKFARE_FUZZ_SECONDS:-20}
  step "fuzz: every target in fuzz/ for $seconds s from its seeds (cargo-fuzz, nightly, address sanitizer)"
  tools="$CARGO_TARGET_DIR/tools"
  rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
  if [ ! -x "$tools/bin/cargo-fuzz" ]; then
    cargo install --quiet --locked cargo-fuzz --version 0.13.2 --root "$tools"
  fi
  fuzz_dir="$CARGO_TARGET_DIR/fuzz"
  (
    export PATH="$tools/bin:$PATH"
    cd fuzz
    : > "$CARGO_TARGET_DIR/fuzz.log"
    cargo +nightly fuzz build --target-dir "$fuzz_dir" 2>&1 | tail -n 3
    for target in $(cargo +nightly fuzz list); do
      # A fresh copy of the seeds: what the run adds stays out of the repository.
      corpus="$fuzz_dir/corpus/$target"
      rm -rf "$corpus" && mkdir -p "$corpus" && cp -r "seeds/$target/." "$corpus/"
      if cargo +nightly fuzz run --target-dir "$fuzz_dir" "$target" "$corpus" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=65536 -print_final_stats=1 \
        >"$fuzz_dir/$target.log" 2>&1; then
        runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$fuzz_dir/$target.log")
        echo "fuzz $target: ok, $runs inputs in $seconds s" | tee -a "$CARGO_TARGET_DIR/fuzz.log"
      else
        tail -n 40 "$fuzz_dir/$target.log"
        echo "fuzz $target: FAILED (log: $fuzz_dir/$target.log; the input is in fuzz/artifacts/$target)" | tee -a "$CARGO_TARGET_DIR/fuzz.log"
      fi
    done
  )
fi

step "summary"
failed=0
if [ $rust = 1 ]; then
  grep -E '^test result:' "$CARGO_TARGET_DIR/test.log" | awk '{p+=$4; f+=$6} END {printf "rust: %d passed, %d failed\n", p, f; exit f > 0}' || failed=1
fi
if [ $py = 1 ]; then
  tail -n 1 "$CARGO_TARGET_DIR/pytest.log" | sed 's/^/python: /'
  grep -qE '^[0-9]+ passed' <(tail -n 1 "$CARGO_TARGET_DIR/pytest.log") || failed=1
  tail -n 1 "$CARGO_TARGET_DIR/pytest-spark35.log" | sed 's/^/python, Spark 3.5: /'
  grep -qE '^[0-9]+ passed' <(tail -n 1 "$CARGO_TARGET_DIR/pytest-spark35.log") || failed=1
fi
if [ $node = 1 ]; then
  awk '/^# pass /{p=$3} /^# fail /{f=$3} END {printf "node: %d passed, %d failed\n", p, f; exit (f > 0 || p == 0)}' "$CARGO_TARGET_DIR/node.log" || failed=1
fi
if [ $wasm = 1 ]; then
  awk '/^# pass /{p=$3} /^# fail /{f=$3} END {printf "wasm: %d passed, %d failed\n", p, f; exit (f > 0 || p == 0)}' "$CARGO_TARGET_DIR/wasm.log" || failed=1
fi
if [ $dist = 1 ]; then
  awk '/^dist [a-z]+: ok/{p++} /^dist [a-z]+: FAILED/{f++} END {printf "dist: %d packages installed and ran, %d failed\n", p, f; exit (f > 0 || p != 3)}' "$CARGO_TARGET_DIR/dist.log" || failed=1
fi
if [ $fuzz = 1 ]; then
  awk '/^fuzz .*: ok/{p++} /FAILED/{f++} END {printf "fuzz: %d targets ok, %d failed\n", p, f; exit (f > 0 || p == 0)}' "$CARGO_TARGET_DIR/fuzz.log" || failed=1
fi
exit $failed
