#!/usr/bin/env bash
# One proxy hop, side by side: wrk → nginx proxy_pass → reference miner, against wrk → organic
# node → the same miner (auth off, and the full paid path: API key, rate limits, credits, queue,
# btauth signing, dispatch). Prints req/s, latency and the proxy's CPU time per request (nginx's workers, or
# the node with all its threads) per path, and the ratios of issue 15.
#
# A fourth path, `floor`, is `organic-bench forwarder`: a bare SwiftNIO forwarder that does none of
# the node's work (no JSON, keys, signing, queue or Hummingbird). Its ratios bound what any node
# built on SwiftNIO can reach on this machine.
#
#   Benchmarks/proxy-compare.sh [--seconds 10] [--connections 32] [--endpoints "text-embeddings image-to-image"] [--rounds 1]
#
# With --rounds N, every measurement is repeated N times, the four paths one after the other in
# each round, and the table shows medians: each ratio and added latency is the median of the
# rounds' own ratios, so a machine that slows down between rounds does not bias it.
#
# Image endpoints run for at least 30 s: at 32 connections a run of 10 s holds about four rounds
# of requests that each take seconds, and its req/s moved by a third from one run to the next.
#
# Everything runs on loopback on this machine (release builds); nothing is left behind.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=10
connections=32
endpoints="text-embeddings image-to-image"
rounds=1
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --endpoints) endpoints=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

scripts/setup.sh >/dev/null
# PREBUILT_BIN (not ORGANIC_*: the node refuses unknown ORGANIC_ variables): a directory with release builds of organic, organic-miner and organic-bench already made.
if [ -n "${PREBUILT_BIN:-}" ]; then
  bin=$PREBUILT_BIN
else
  swift build -c release --product organic >/dev/null
  swift build -c release --product organic-miner >/dev/null
  swift build -c release --product organic-bench >/dev/null
  bin=$PWD/.build/release
fi
work=$(mktemp -d /tmp/organic-proxy-compare.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() { # port
  for _ in $(seq 1 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  echo "nothing listens on port $1; the logs:" >&2
  tail -n 5 "$work"/*.log >&2 2>/dev/null || true
  exit 1
}

# Request bodies: four texts for text-embeddings; a 1024×1024 PNG (smooth gradient with noise, as a
# photo compresses) for image-to-image.
python3 - "$work" <<'PY'
import base64, json, random, struct, sys, zlib
work = sys.argv[1]
json.dump({"input": [f"benchmark sentence number {i} about lighthouses" for i in range(4)], "dimensions": 128},
          open(f"{work}/text-embeddings.json", "w"))
random.seed(7)
size = 1024
rows = bytearray()
for y in range(size):
    rows.append(0)
    for x in range(size):
        n = random.randrange(16)
        rows += bytes(((x // 4 + n) & 255, (y // 4 + n) & 255, ((x + y) // 8 + n) & 255))
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)) \
    + chunk(b"IDAT", zlib.compress(bytes(rows), 6)) + chunk(b"IEND", b"")
json.dump({"prompt": "a lighthouse at dusk, oil painting", "init_image": base64.b64encode(png).decode(),
           "image_strength": 0.5, "steps": 10, "width": 1024, "height": 1024, "model": "proteus-image-to-image"},
          open(f"{work}/image-to-image.json", "w"))
PY

# The signing hotkey of the node (the miner does not verify: nginx cannot sign).
mkdir -p "$work/wallets/bench/hotkeys"
printf '{"secretSeed": "0x%s"}' "$(printf '07%.0s' $(seq 1 32))" > "$work/wallets/bench/hotkeys/default"

miner_port=$(free_port)
"$bin/organic-miner" --plugin text-embedding --port "$miner_port" --capacity 100000 --protocol unsigned --log-level error \
  > "$work/miner-embed.log" 2>&1 &
pids+=($!)
vision_port=$(free_port)
"$bin/organic-miner" --plugin vision --port "$vision_port" --capacity 100000 --protocol unsigned --log-level error \
  > "$work/miner-vision.log" 2>&1 &
pids+=($!)
wait_port "$miner_port"; wait_port "$vision_port"

nginx_port=$(free_port)
cat > "$work/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_max_body_size 64m;
  client_body_buffer_size 16m;
  upstream embed { server 127.0.0.1:$miner_port; keepalive 64; }
  upstream vision { server 127.0.0.1:$vision_port; keepalive 64; }
  server {
    listen 127.0.0.1:$nginx_port;
    location /v1/text-embeddings { proxy_pass http://embed/text-embeddings; proxy_http_version 1.1; proxy_set_header Connection ""; }
    location /v1/image-to-image { proxy_pass http://vision/image-to-image; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
EOF
nginx -c "$work/nginx.conf" -p "$work" &
nginx_pid=$!
pids+=($nginx_pid)
wait_port "$nginx_port"
nginx_workers=$(pgrep -P "$nginx_pid" | tr '\n' ' ')

floor_port=$(free_port)
"$bin/organic-bench" forwarder --port "$floor_port" --route "/v1/text-embeddings=$miner_port/text-embeddings" \
  --route "/v1/image-to-image=$vision_port/image-to-image" > "$work/floor.log" 2>&1 &
floor_pid=$!
pids+=($floor_pid)
wait_port "$floor_port"

start_node() { # name auth(true|false) → sets node_port
  local name=$1 auth=$2
  node_port=$(free_port)
  cat > "$work/$name.yaml" <<EOF
node: { wallet: bench, hotkey: default, walletPath: $work/wallets }
server: { port: $node_port }
admin: { enabled: false }
auth: { enabled: $auth }
database: { path: $work/$name.sqlite }
dispatch:
  organicScoringProbability: 0
  retries: 0
  signing: btauth
  defaultMinerCapacity: 4096
  maxDeclaredCapacity: 4096
  queues: { maxDepth: 4096 }
synthetic: { enabled: false }
weights: { enabled: false }
logging: { level: error }
plugins: { enabled: [text-embedding, vision] }
miners:
  - { uid: 1, hotkey: 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY, url: "http://127.0.0.1:$miner_port", endpoints: [text-embeddings] }
  - { uid: 2, hotkey: 5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty, url: "http://127.0.0.1:$vision_port", endpoints: [image-to-image] }
EOF
  if [ "$auth" = true ]; then
    key=$("$bin/organic" keys create --config "$work/$name.yaml" --offline --json --name bench --credits 1000000000000 \
            --rate 1000000/s,1000000000/day | python3 -c 'import json, sys; print(json.load(sys.stdin)["key"])')
  fi
  "$bin/organic" serve --config "$work/$name.yaml" > "$work/$name.log" 2>&1 &
  node_pid=$!
  pids+=($node_pid)
  wait_port "$node_port"
}

# CPU time (clock ticks, all threads) the processes have used so far.
cpu_ticks() { # pid...
  local total=0 p
  for p in "$@"; do total=$((total + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done
  echo "$total"
}

# wrk with a POST body from a file, against a proxy made of processes `pids`; prints
# "req/s p50_ms p99_ms errors proxy_cpu_us_per_request".
measure() { # url body_file connections duration_seconds "pids" [authorization]
  local auth_line=""
  if [ -n "${6:-}" ]; then auth_line="wrk.headers[\"Authorization\"] = \"Bearer $6\""; fi
  cat > "$work/post.lua" <<EOF
local f = io.open("$2", "rb"); wrk.body = f:read("*a"); f:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
$auth_line
local statuses = {}
function response(status, headers, body)
  if status ~= 200 and statuses[status] == nil then statuses[status] = body:sub(1, 300) end
end
function done(summary, latency, requests)
  for status, body in pairs(statuses) do io.stderr:write("  answered ", status, ": ", body, "\n") end
end
EOF
  # One request first: a path that fails would otherwise be measured as fast errors.
  local status
  status=$(curl -s -o "$work/check.out" -w '%{http_code}' -H 'Content-Type: application/json' ${6:+-H "Authorization: Bearer $6"} \
             --data-binary "@$2" "$1")
  if [ "$status" != 200 ]; then
    echo "$1 answered $status: $(head -c 400 "$work/check.out")" >&2
    exit 1
  fi
  local threads=2
  [ "$3" -lt 2 ] && threads=1
  wrk -t"$threads" -c"$3" -d1s --timeout 60s -s "$work/post.lua" "$1" >/dev/null  # warm-up
  local before after
  # shellcheck disable=SC2086 # the pids are words
  before=$(cpu_ticks $5)
  wrk -t"$threads" -c"$3" -d"$4s" --timeout 60s --latency -s "$work/post.lua" "$1" > "$work/wrk.out"
  # shellcheck disable=SC2086
  after=$(cpu_ticks $5)
  python3 - "$work/wrk.out" "$((after - before))" "$(getconf CLK_TCK)" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(v):
    n, unit = re.match(r"([\d.]+)(\w+)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p50 = ms(re.search(r"\s50%\s+(\S+)", text).group(1))
p99 = ms(re.search(r"\s99%\s+(\S+)", text).group(1))
errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
errors += int(m.group(1)) if m else 0
requests = int(re.search(r"(\d+) requests in", text).group(1))
cpu = int(sys.argv[2]) / int(sys.argv[3]) * 1e6 / max(requests, 1)
print(f"{rps:.1f} {p50:.3f} {p99:.3f} {errors} {cpu:.0f}")
PY
}

rss() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

results=$work/results
: > "$results"
start_node open false; open_port=$node_port; open_pid=$node_pid
start_node paid true; paid_port=$node_port; paid_key=$key; paid_pid=$node_pid
sleep 1
idle_rss=$(rss "$paid_pid")
for endpoint in $endpoints; do
  body=$work/$endpoint.json
  duration=$seconds
  case $endpoint in image-*) if [ "$duration" -lt 30 ]; then duration=30; fi ;; esac
  for round in $(seq 1 "$rounds"); do
    for c in "$connections" 1; do
      echo "$endpoint $c nginx $round $(measure "http://127.0.0.1:$nginx_port/v1/$endpoint" "$body" "$c" "$duration" "$nginx_workers")" >> "$results"
      echo "$endpoint $c floor $round $(measure "http://127.0.0.1:$floor_port/v1/$endpoint" "$body" "$c" "$duration" "$floor_pid")" >> "$results"
      echo "$endpoint $c node $round $(measure "http://127.0.0.1:$open_port/v1/$endpoint" "$body" "$c" "$duration" "$open_pid")" >> "$results"
      echo "$endpoint $c paid $round $(measure "http://127.0.0.1:$paid_port/v1/$endpoint" "$body" "$c" "$duration" "$paid_pid" "$paid_key")" >> "$results"
    done
  done
done
# Memory under 1,000 concurrent connections on the paid node (text-embeddings); peak sampled.
peak=0
if ulimit -n 4096 2>/dev/null; then
  cat > "$work/post.lua" <<EOF
local f = io.open("$work/text-embeddings.json", "rb"); wrk.body = f:read("*a"); f:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $paid_key"
EOF
  wrk -t2 -c1000 -d"${seconds}s" --timeout 60s -s "$work/post.lua" "http://127.0.0.1:$paid_port/v1/text-embeddings" > "$work/wrk1000.out" &
  wrk_pid=$!
  while kill -0 "$wrk_pid" 2>/dev/null; do
    now=$(rss "$paid_pid"); [ "$now" -gt "$peak" ] && peak=$now
    sleep 0.2
  done
  wait "$wrk_pid" || true
  rps1000=$(awk '/Requests\/sec/ { print $2 }' "$work/wrk1000.out")
fi

python3 - "$results" "$seconds" "$rounds" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
rounds = int(sys.argv[3])
# (endpoint, connections, path) → round → (req/s, p50, p99, errors, cpu)
runs = {}
for e, c, p, r, *v in rows:
    runs.setdefault((e, int(c), p), {})[int(r)] = tuple(map(float, v))
table = {key: tuple(statistics.median(values[i] for values in by_round.values()) for i in range(5))
         for key, by_round in runs.items()}
def per_round(a, b, f):
    """The median over rounds of f(a's run, b's run) within the same round."""
    return statistics.median(f(runs[a][r], runs[b][r]) for r in runs[a] if r in runs[b])
median_note = f", medians of {rounds} rounds" if rounds > 1 else ""
print(f"proxy-compare: wrk, {sys.argv[2]} s per run (image endpoints at least 30 s){median_note}, release builds, loopback; floor = bare SwiftNIO forwarder (organic-bench forwarder); paid = API key + rate limits + credits + queue + btauth signing + dispatch")
print(f"{'endpoint':16} {'conns':>5} {'path':6} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} {'proxy CPU µs/req':>17}")
for (e, c, p), (rps, p50, p99, err, cpu) in table.items():
    # Image endpoints answer a few requests a second: keep the decimals there.
    print(f"{e:16} {c:5d} {p:6} {rps:9.{0 if rps >= 100 else 2}f} {p50:8.2f} {p99:8.2f} {int(err):6d} {cpu:17.0f}")
print()
for e in dict.fromkeys(k[0] for k in table):
    many = max(c for (x, c, _) in table if x == e)
    for p in ("floor", "node", "paid"):
        throughput = per_round((e, many, p), (e, many, "nginx"), lambda t, n: t[0] / n[0])
        p50 = per_round((e, 1, p), (e, 1, "nginx"), lambda t, n: t[1] - n[1])
        p99 = per_round((e, 1, p), (e, 1, "nginx"), lambda t, n: t[2] - n[2])
        print(f"{e} {p + ('(bare NIO)' if p == 'floor' else '')}/nginx: throughput {throughput:.2f} at {many} connections (goal ≥ 0.8 paid); "
              f"added latency at 1 connection p50 {p50:+.2f} ms (goal ≤ 0.3), p99 {p99:+.2f} ms (goal ≤ 1)")
PY
echo "paid node RSS: idle ${idle_rss} MB (goal ≤ 64); peak under 1,000 connections ${peak} MB at ${rps1000:-?} req/s (goal ≤ 256); after all runs $(rss "$paid_pid") MB"
