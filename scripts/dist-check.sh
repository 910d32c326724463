#!/usr/bin/env bash
# Installs what scripts/dist.sh built into a clean environment and runs the READMEs'
# examples there, as a user without a Rust toolchain would:
#
#   scripts/dist-check.sh [python|node|wasm|all]...     (default: all)
#
# Each check runs in a new temporary directory under `env -i` (only PATH, HOME and LANG):
# PATH is /usr/bin:/bin plus the directory of the python3 and node in use, HOME a scratch
# directory, and the check first proves that neither cargo nor rustc can be found. The
# install must not build or download anything: pip installs the wheel with --no-index
# --only-binary=:all:, npm installs the tarball with --offline. The examples are the blocks
# the in-repo tests run: README.md's and bindings-python/README.md's python blocks, the
# js block of README.md's Node section, bindings-wasm/README.md's js block. One line per
# check, "dist <what>: ok" or "dist <what>: FAILED"; the exit status is non-zero if any failed.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
dist=${TOKFARE_DIST_DIR:-$CARGO_TARGET_DIR/dist}

[ $# -gt 0 ] || set -- all
py=0 node=0 wasm=0
for arg in "$@"; do
  case $arg in
    python) py=1 ;;
    node) node=1 ;;
    wasm) wasm=1 ;;
    all) py=1 node=1 wasm=1 ;;
    *) echo "usage: $0 [python|node|wasm|all]..." >&2; exit 2 ;;
  esac
done

python=$(python3 -c 'import sys; print(sys.executable)')
command -v node >/dev/null || { echo "dist-check needs node (20 or newer) on PATH" >&2; exit 1; }
clean_path="/usr/bin:/bin:$(dirname "$python"):$(dirname "$(command -v node)")"
failed=0

# Installs the artifact matching $2 (the first, from scripts/dist.sh) and runs the bash
# script $3 with it in a fresh directory, in a clean environment, after writing the README
# examples for $1 there (example.py or example.mjs, by scripts/readme_examples.py); the
# script finds the artifact in $ARTIFACT. $1 names the check.
check() {
  local what=$1 pattern=$2 script=$3 artifact dir ext=mjs
  [ "$what" != python ] || ext=py
  artifact=$(compgen -G "$pattern" | head -n 1) || true
  if [ -z "$artifact" ]; then
    echo "dist $what: FAILED (no $pattern: run scripts/dist.sh $what first)"
    failed=1
    return
  fi
  dir=$(mktemp -d "${TMPDIR:-/tmp}/tokfare-dist-$what.XXXXXX")
  mkdir -p "$dir/home"
  printf '\n==> dist %s: %s in %s\n' "$what" "$(basename "$artifact")" "$dir"
  if "$python" scripts/readme_examples.py "$what" "$dir/example.$ext" &&
     (cd "$dir" && env -i PATH="$clean_path" HOME="$dir/home" LANG=C.UTF-8 NPM_CONFIG_UPDATE_NOTIFIER=false \
        PYTHON="$python" ARTIFACT="$artifact" bash -euo pipefail -c "
       if command -v cargo || command -v rustc; then echo 'a Rust toolchain is on PATH' >&2; exit 1; fi
       $script"); then
    echo "dist $what: ok"
    rm -rf "$dir"
  else
    echo "dist $what: FAILED (left in $dir)"
    failed=1
  fi
}

# An npm package into an empty project, from its tarball alone.
npm_install='npm init -y >/dev/null
  npm install --offline --no-audit --no-fund "$ARTIFACT"'

[ $py = 0 ] || check python "$dist/tokfare-*.whl" '
  "$PYTHON" -m venv venv
  venv/bin/pip install --quiet --no-index --only-binary=:all: "$ARTIFACT"
  mkdir run; cd run
  ../venv/bin/python -c "import tokfare; print(\"installed\", tokfare.__file__)"
  ../venv/bin/python ../example.py'

[ $node = 0 ] || check node "$dist/tokfare-[0-9]*.tgz" "$npm_install"'
  node -e "console.log(\"installed\", require.resolve(\"tokfare\"))"
  node example.mjs
  echo "README Node example ran (import)"
  node -e "if (require(\"tokfare\").encodingForModel(\"gpt-4o\").countTokens(\"hello world\") !== 2) process.exit(1)"
  echo "require() works"'

[ $wasm = 0 ] || check wasm "$dist/tokfare-wasm-*.tgz" "$npm_install"'
  node example.mjs
  echo "bindings-wasm README example ran in Node from the installed package"'

exit $failed
