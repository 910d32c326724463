#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the meter store's tests, on 127.0.0.1 only.
#
#   source scripts/pg-test-cluster.sh start   # sets TOKFARE_TEST_POSTGRES (a URL to the
#                                             # cluster's `postgres` database, user tokfare)
#   scripts/pg-test-cluster.sh stop           # stops it and removes its directory
#
# Uses Debian's `postgresql` package, installing it with apt-get when no server is
# found (CI machines are fresh). The cluster lives in a temporary directory, trusts
# local connections (no password: it listens on 127.0.0.1 and a private socket
# directory only) and runs as the `postgres` system user when this script runs as root
# (initdb refuses root). If no server can be installed, TOKFARE_TEST_POSTGRES stays
# unset and the tests that need it say so loudly; CI sets TOKFARE_REQUIRE_POSTGRES=1 so
# they fail instead.

pg_cluster_bin() {
  # The newest version with a server (initdb), not only a client.
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return; fi
  done
}

pg_cluster_start() {
  local bin
  bin=$(pg_cluster_bin)
  if [ -z "$bin" ] && command -v apt-get >/dev/null 2>&1; then
    echo "pg-test-cluster: installing Debian's postgresql package" >&2
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo -n"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null 2>&1 \
      || { $sudo apt-get update -q >/dev/null 2>&1 && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null 2>&1; } \
      || true
    bin=$(pg_cluster_bin)
  fi
  if [ -z "$bin" ]; then
    echo "pg-test-cluster: NO POSTGRESQL SERVER (apt-get install postgresql failed): the PostgreSQL store tests will be skipped" >&2
    return 0
  fi
  local dir port run=()
  dir=$(mktemp -d /tmp/tokfare-pg.XXXXXX)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$dir"
    run=(runuser -u postgres --)
  fi
  "${run[@]}" "$bin/initdb" --pgdata="$dir/data" --auth=trust --username=tokfare --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || "${run[@]}" "$bin/initdb" --pgdata="$dir/data" --auth=trust --username=tokfare --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; return 1; }
  "${run[@]}" "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --wait \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir -c max_connections=100 -c fsync=on" start >/dev/null \
    || { cat "$dir/server.log" >&2; return 1; }
  export TOKFARE_PG_CLUSTER_DIR="$dir" TOKFARE_PG_CLUSTER_BIN="$bin"
  export TOKFARE_TEST_POSTGRES="postgresql://tokfare@127.0.0.1:$port/postgres"
  echo "pg-test-cluster: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($dir)" >&2
}

pg_cluster_stop() {
  local dir="${TOKFARE_PG_CLUSTER_DIR:-}" bin="${TOKFARE_PG_CLUSTER_BIN:-}" run=()
  [ -n "$dir" ] && [ -d "$dir" ] || return 0
  [ "$(id -u)" = 0 ] && run=(runuser -u postgres --)
  "${run[@]}" "$bin/pg_ctl" --pgdata="$dir/data" --mode=fast --wait stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  unset TOKFARE_PG_CLUSTER_DIR TOKFARE_TEST_POSTGRES
}

case "${1:-}" in
  start) pg_cluster_start ;;
  stop) pg_cluster_stop ;;
  *) echo "usage: source $0 start | $0 stop" >&2; return 2 2>/dev/null || exit 2 ;;
esac
