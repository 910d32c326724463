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

# Runs a bash script in a fresh directory (after writing the README examples $2 there,
# with scripts/readme_examples.py) in a clean environment; $1 names the check.
clean() {
  local what=$1 examples=$2 script=$3 dir ext=mjs
  [ "$examples" != python ] || ext=py
  dir=$(mktemp -d "${TMPDIR:-/tmp}/tokfare-dist-$what.XXXXXX")
  mkdir -p "$dir/home"
  printf '\n==> dist %s: in %s\n' "$what" "$dir"
  if "$python" scripts/readme_examples.py "$examples" "$dir/example.$ext" &&
     (cd "$dir" && env -i PATH="$clean_path" HOME="$dir/home" LANG=C.UTF-8 NPM_CONFIG_UPDATE_NOTIFIER=false PYTHON="$python" bash -euo pipefail -c "
       if command -v cargo || command -v rustc; then echo 'a Rust toolchain is on PATH' >&2; exit 1; fi
       $script"); then
    echo "dist $what: ok"
    rm -rf "$dir"
  else
    echo "dist $what: FAILED (left in $dir)"
    failed=1
  fi
}

artifact() {
  local found
  found=$(compgen -G "$1" | head -n 1)
  [ -n "$found" ] || { echo "no $1: run scripts/dist.sh first" >&2; return 1; }
  echo "$found"
}

if [ $py = 1 ]; then
  if wheel=$(artifact "$dist/tokfare-*.whl"); then
    clean python python "
      \"\$PYTHON\" -m venv venv
      venv/bin/pip install --quiet --no-index --only-binary=:all: '$wheel'
      mkdir run; cd run
      ../venv/bin/python -c 'import tokfare; print(\"installed\", tokfare.__file__)'
      ../venv/bin/python ../example.py"
  else
    echo "dist python: FAILED"; failed=1
  fi
fi

if [ $node = 1 ]; then
  if tarball=$(artifact "$dist/tokfare-[0-9]*.tgz"); then
    clean node node "
      npm init -y >/dev/null
      npm install --offline --no-audit --no-fund '$tarball'
      node -e 'console.log(\"installed\", require.resolve(\"tokfare\"))'
      node example.mjs
      echo 'README Node example ran (import)'
      node -e 'if (require(\"tokfare\").encodingForModel(\"gpt-4o\").countTokens(\"hello world\") !== 2) process.exit(1)'
      echo 'require() works'"
  else
    echo "dist node: FAILED"; failed=1
  fi
fi

if [ $wasm = 1 ]; then
  if tarball=$(artifact "$dist/tokfare-wasm-*.tgz"); then
    clean wasm wasm "
      npm init -y >/dev/null
      npm install --offline --no-audit --no-fund '$tarball'
      node example.mjs
      echo 'bindings-wasm README example ran in Node from the installed package'"
  else
    echo "dist wasm: FAILED"; failed=1
  fi
fi

exit $failed
