#!/usr/bin/env bash
# Throwaway PostgreSQL for the tests: `scripts/test-postgres.sh start DIR` initialises a cluster
# in DIR (a fresh temporary directory), starts it on a free loopback port with its Unix socket in
# DIR, and prints the URL; `scripts/test-postgres.sh stop DIR` stops it and removes DIR.
# PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user (created by
# Debian's package), else as a system user `organic-pg` created for the purpose.
# Tuned for tests (no fsync): never point it at data you keep.
set -euo pipefail
action=${1:?start|stop}
dir=${2:?directory}

# Keep only stdin/stdout/stderr: the server forked by `pg_ctl start` outlives this script and would
# inherit every other open descriptor. Foundation's Process learns that its child exited when the
# child's end of a socket pair (an extra descriptor) closes, so a Swift caller would otherwise wait
# until the server stops (organic-bench scale hung there).
for fd in $(ls /proc/$$/fd); do
  case $fd in 0|1|2|255) ;; *) eval "exec $fd>&-" ;; esac
done

bin=""
if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
  bin=$(dirname "$(readlink -f "$(command -v pg_ctl)")")
fi
if [ -z "$bin" ] || [ ! -x "$bin/postgres" ]; then
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
fi
[ -n "$bin" ] && [ -x "$bin/pg_ctl" ] || { echo "test-postgres: PostgreSQL binaries not found" >&2; exit 1; }

as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  owner=postgres
  if ! id -u "$owner" >/dev/null 2>&1; then
    owner=organic-pg
    id -u "$owner" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$owner"
  fi
  as_owner=(runuser -u "$owner" --)
fi

case "$action" in
  start)
    mkdir -p "$dir"
    [ ${#as_owner[@]} -gt 0 ] && chown "$owner" "$dir"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U organic --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
      "${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U organic --auth=trust --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgres://organic@127.0.0.1:$port/postgres?sslmode=disable"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
