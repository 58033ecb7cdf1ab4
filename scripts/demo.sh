#!/usr/bin/env bash
# Installs what is needed, builds, and runs the local demo node with three reference miners.
#   scripts/demo.sh [organic demo options]   one node on SQLite (`organic demo`)
#   scripts/demo.sh --postgres               two node instances sharing one throwaway PostgreSQL
#                                            (as scripts/test-postgres.sh starts it), each on its
#                                            own port, with three reference miners; Ctrl-C stops all
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ "${1:-}" != "--postgres" ]; then
  swift build -c release --product organic
  exec .build/release/organic demo "$@"
fi

build=${DEMO_BUILD:-release}   # DEMO_BUILD=debug reuses the development build
swift build -c "$build" --product organic
swift build -c "$build" --product organic-miner
bin=.build/$build
work=$(mktemp -d)
pg=$(mktemp -d)   # its own directory: the server runs as another user when we are root
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  scripts/test-postgres.sh stop "$pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

url=$(scripts/test-postgres.sh start "$pg")
token="demo-admin-token-$(python3 -c 'import secrets; print(secrets.token_hex(8))')"

miners=""
for uid in 1 2 3; do
  port=$(free_port)
  $bin/organic-miner --plugin text-embedding --port "$port" --noise-seed "$uid" --log-level warning >"$work/miner-$uid.log" 2>&1 &
  pids+=($!)
  miners+="  - {uid: $uid, hotkey: demo-miner-$uid, url: \"http://127.0.0.1:$port\", capacity: 16}"$'\n'
done

declare -A public admin
for name in a b; do
  public[$name]=$(free_port)
  admin[$name]=$(free_port)
  mkdir -p "$work/$name"
  cat >"$work/$name/organic.yaml" <<YAML
server: {host: 127.0.0.1, port: ${public[$name]}}
admin: {host: 127.0.0.1, port: ${admin[$name]}, token: $token}
plugins: {enabled: [text-embedding]}
database:
  path: $work/$name/organic.sqlite
  url: "$url"
  nodeName: demo-$name
  leaderRetrySeconds: 2
scoring: {periodSeconds: 60, minimumPeriods: 1}
weights: {enabled: true, intervalSeconds: 30}
synthetic: {enabled: true, intervalSeconds: 5}
miners:
$miners
YAML
  $bin/organic serve --config "$work/$name/organic.yaml" >"$work/$name/node.log" 2>&1 &
  pids+=($!)
done

for name in a b; do
  for _ in $(seq 1 150); do
    curl -fsS "http://127.0.0.1:${admin[$name]}/admin/healthz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -fsS "http://127.0.0.1:${admin[$name]}/admin/healthz" >/dev/null 2>&1 || { cat "$work/$name/node.log" >&2; exit 1; }
done
key=$(ORGANIC_ADMIN_TOKEN=$token $bin/organic keys create --config "$work/a/organic.yaml" --name demo --credits 1000 --json |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["key"])')

cat <<TEXT

Two Organic instances share one PostgreSQL database ($url):
  instance A  public http://127.0.0.1:${public[a]}   admin http://127.0.0.1:${admin[a]}
  instance B  public http://127.0.0.1:${public[b]}   admin http://127.0.0.1:${admin[b]}
Admin token: $token   (GET /admin/status shows which instance leads)
A demo key with 1000 credits, valid on both: $key

  curl -s http://127.0.0.1:${public[a]}/v1/text-embeddings -H "Authorization: Bearer $key" \\
       -H 'Content-Type: application/json' -d '{"input": ["hello"], "dimensions": 64}'
  curl -s http://127.0.0.1:${admin[b]}/admin/status -H "X-Admin-Token: $token"

Logs in $work (a/node.log, b/node.log). Ctrl-C stops everything.
TEXT
wait
