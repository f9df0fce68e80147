#!/usr/bin/env bash
# A throw-away PostgreSQL for the tests and benchmarks: Debian's `postgresql` package (installed here
# when initdb is missing and we are root), `initdb` into a temp folder, `pg_ctl start` on 127.0.0.1
# and a free port, no Unix socket, stopped by `stop` — or, when given a process id to watch, by a
# watchdog as soon as that process is gone (a test run that is killed leaves nothing behind).
#
#   postgres-test.sh check                  make sure initdb/pg_ctl exist (scripts/test.sh runs this first)
#   postgres-test.sh start [watch-pid]      prints KEY=VALUE lines: PG_TEST_DIR=… and PG_TEST_URL=postgres://…
#   postgres-test.sh stop <PG_TEST_DIR>     stops that server and removes its folder
#
# initdb refuses to run as root, so as root the server runs as the `postgres` system user (the
# Debian package creates it), or `nobody` when there is none.
set -euo pipefail
SELF="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"

die() {
  echo "postgres-test.sh: $*" >&2
  exit 1
}

pg_bindir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
  done
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then dirname "$(command -v initdb)"; return 0; fi
  return 1
}

ensure_installed() {
  if pg_bindir >/dev/null; then return 0; fi
  if [ "$(id -u)" != 0 ]; then
    die "PostgreSQL's initdb/pg_ctl were not found. Install Debian's postgresql package (sudo apt-get install postgresql), or set LLM_SPEED_TEST_POSTGRES=skip to run the server tests on SQLite only."
  fi
  echo "postgres-test.sh: installing Debian's postgresql package" >&2
  # No 'main' cluster: the tests make their own, and nothing should be left listening after install.
  if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    mkdir -p /etc/postgresql-common
    echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.conf
  fi
  export DEBIAN_FRONTEND=noninteractive UCF_FORCE_CONFFOLD=1
  # confold (dpkg and ucf): keep the createcluster.conf written above (the package installs one of its own).
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold postgresql; } >&2 \
    || die "apt-get install postgresql failed (see above); or set LLM_SPEED_TEST_POSTGRES=skip to run the server tests on SQLite only"
  pg_bindir >/dev/null || die "postgresql was installed but initdb/pg_ctl are still missing"
}

# Runs a command as the user that owns the cluster.
as_owner() {
  local user="$1"
  shift
  if [ "$user" = "$(id -un)" ]; then
    "$@"
  elif command -v runuser >/dev/null; then
    runuser -u "$user" -- "$@"
  else
    su -s /bin/sh "$user" -c "$(printf '%q ' "$@")"
  fi
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

cmd_start() {
  local watch="${1:-}"
  ensure_installed
  local bin user dir port password
  bin="$(pg_bindir)"
  if [ "$(id -u)" = 0 ]; then
    if id postgres >/dev/null 2>&1; then user=postgres; else user=nobody; fi
  else
    user="$(id -un)"
  fi
  dir="$(mktemp -d "${TMPDIR:-/tmp}/llm-speed-pg.XXXXXX")"
  chmod 700 "$dir"
  password="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  printf '%s\n' "$password" >"$dir/pwfile"
  echo "$user" >"$dir/owner"
  [ "$user" = "$(id -un)" ] || chown -R "$user" "$dir"
  as_owner "$user" "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" -E UTF8 --no-locale \
    --auth-host=scram-sha-256 --auth-local=reject --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; rm -rf "$dir"; die "initdb failed (as user $user)"; }
  rm -f "$dir/pwfile"
  local attempt
  for attempt in 1 2 3; do
    port="$(free_port)"
    # Throw-away data: durability settings off so CREATE DATABASE and commits cost little.
    cat >"$dir/data/postgresql.auto.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = ''
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
EOF
    if as_owner "$user" "$bin/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w -t 60 start >/dev/null 2>&1; then
      break
    fi
    port=""
  done
  if [ -z "$port" ]; then
    cat "$dir/data/server.log" >&2 || true
    rm -rf "$dir"
    die "pg_ctl start failed"
  fi
  echo "$bin" >"$dir/bindir"
  if [ -n "$watch" ]; then
    # Stops the server once the watched process is gone, however it ended.
    nohup setsid bash -c "while kill -0 $watch 2>/dev/null && [ -d '$dir/data' ]; do sleep 1; done; '$SELF' stop '$dir' --from-watchdog" >/dev/null 2>&1 &
    echo $! >"$dir/watchdog.pid"
  fi
  echo "PG_TEST_DIR=$dir"
  echo "PG_TEST_URL=postgres://postgres:$password@127.0.0.1:$port/postgres"
}

cmd_stop() {
  local dir="${1:-}"
  [ -n "$dir" ] && [ -f "$dir/owner" ] || die "stop: '$dir' is not a folder made by postgres-test.sh start"
  if [ "${2:-}" != "--from-watchdog" ] && [ -f "$dir/watchdog.pid" ]; then
    kill "$(cat "$dir/watchdog.pid")" 2>/dev/null || true
  fi
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$(cat "$dir/owner")" "$(cat "$dir/bindir")/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  check)
    if [ "${LLM_SPEED_TEST_POSTGRES:-}" = skip ]; then echo "postgres: skipped (LLM_SPEED_TEST_POSTGRES=skip): server tests run on SQLite only"; exit 0; fi
    ensure_installed
    echo "postgres: $(pg_bindir) (the server tests start their own server on 127.0.0.1)"
    ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  *) die "usage: postgres-test.sh check | start [watch-pid] | stop <dir>" ;;
esac
