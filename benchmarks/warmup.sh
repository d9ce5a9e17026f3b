#!/usr/bin/env bash
# Warm-up: how long a freshly started gateway takes to listen, and its CPU per request in each
# 5-second window of its first 30 seconds of keep-alive load (wrk, 64 connections, Host rotated over
# 1,000 sandboxes), on each JDK, with and without a class cache made by a training run:
# JDK 17's dynamic CDS archive (-XX:ArchiveClassesAtExit), JDK 25's AOT cache (JEP 483/515,
# -XX:AOTCacheOutput, which also keeps method profiles). What a rolling restart costs a replica.
#
#   benchmarks/warmup.sh
#   JAVAS="/usr/lib/jvm/temurin-25-jdk-amd64/bin/java" CACHES=aot benchmarks/warmup.sh
#
# The gateway runs alone on GATEWAY_CPU with the deploy kit's JVM options (deploy/jvm.options);
# wrk and the nginx backend on LOAD_CPU.
set -euo pipefail

JAVAS=${JAVAS:-"java /usr/lib/jvm/temurin-25-jdk-amd64/bin/java"}
CACHES=${CACHES:-"none cache"}
WINDOWS=${WINDOWS:-6}
WINDOW=${WINDOW:-5}
SANDBOXES=${SANDBOXES:-1000}
GATEWAY_CPU=${GATEWAY_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib/processes.sh
source "$root/benchmarks/lib/processes.sh"
open_workdir warmup

install_missing wrk wrk
install_missing nginx-light nginx
gateway_jar=$root/gateway/target/sandbox-gateway.jar
[ -f "$gateway_jar" ] || (cd "$root" && ./mvnw -q -DskipTests package)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
now_ms() { date +%s%3N; }

backend_port=$(free_port)
start_backend "$LOAD_CPU" "$backend_port"
wait_port "$backend_port"
python3 - "$work" "$SANDBOXES" "$backend_port" <<'EOF'
import sys
work, n, port = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(f"{work}/sandboxes.yaml", "w") as f:
    f.write("sandboxes:\n" + "".join(f"  - {{id: sb{i}, backendHost: 127.0.0.1}}\n" for i in range(n)))
with open(f"{work}/hosts.txt", "w") as f:
    f.write("".join(f"{port}-sb{i}.sandbox.test\n" for i in range(n)))
EOF

wrk_requests() { # port, seconds -> completed requests
  WRK_HOSTS=$work/hosts.txt WRK_LABEL=warmup taskset -c "$LOAD_CPU" wrk -t 1 -c 64 -d "${2}s" \
    -s "$root/benchmarks/wrk/rotate-hosts.lua" "http://127.0.0.1:$1/64b" 2>>"$work/wrk.log" | grep '^{' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["completed"])'
}
# Starts a gateway, waits for it to listen, drives load; prints one JSON line.
run_gateway() { # java, label, extra JVM options...
  local java=$1 label=$2; shift 2
  local port; port=$(free_port)
  printf 'server: {bindAddress: 127.0.0.1, port: %s, ioThreads: 1}\nrouting: {baseDomains: [sandbox.test]}\nregistry: {type: file, file: %s}\nbackend: {pool: {maxIdlePerBackend: 256, maxConnectionsPerBackend: 65536}}\nadmin: {enabled: false}\naccessLog: {enabled: false}\n' \
    "$port" "$work/sandboxes.yaml" >"$work/gateway-$label.yaml"
  local started pid listening windows="" w ticks0 ticks1 done_requests
  started=$(now_ms)
  pid=$(start "$GATEWAY_CPU" "$work/gateway-$label.log" "$java" -XX:ActiveProcessorCount=1 "@$root/deploy/jvm.options" "$@" \
    -jar "$gateway_jar" --config "$work/gateway-$label.yaml")
  wait_port "$port" 60
  listening=$(( $(now_ms) - started ))
  local startup_cpu; startup_cpu=$(cpu_ticks "$pid")
  for w in $(seq 1 "$WINDOWS"); do
    ticks0=$(cpu_ticks "$pid")
    done_requests=$(wrk_requests "$port" "$WINDOW")
    ticks1=$(cpu_ticks "$pid")
    windows="$windows${windows:+,}[$((ticks1 - ticks0)),$done_requests]"
  done
  local rss; rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  kill "$pid"; wait_exit "$pid"  # a training run writes its archive on the way out
  echo "{\"label\":\"$label\",\"listeningMs\":$listening,\"startupTicks\":$startup_cpu,\"rssKb\":$rss,\"windows\":[$windows]}"
}

results=$work/results.jsonl
for java in $JAVAS; do
  version=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')
  for cache in $CACHES; do
    label="jdk$version-$cache"
    options=()
    if [ "$cache" = cache ]; then
      archive=$work/$label.archive
      if [ "$version" -ge 25 ]; then
        # Training run: JDK 25 writes the AOT cache (classes linked, method profiles) at exit.
        run_gateway "$java" "$label-training" -XX:AOTCacheOutput="$archive" >/dev/null
        options=(-XX:AOTCache="$archive")
      else
        run_gateway "$java" "$label-training" -XX:ArchiveClassesAtExit="$archive" >/dev/null
        options=(-XX:SharedArchiveFile="$archive")
      fi
      [ -s "$archive" ] || { echo "$label: the training run wrote no archive" >&2; exit 1; }
    fi
    json=$(run_gateway "$java" "$label" "${options[@]}")
    echo "$json" >>"$results"
    echo "$json" >&2
  done
done

echo "command: JAVAS=\"$JAVAS\" CACHES=\"$CACHES\" WINDOWS=$WINDOWS WINDOW=$WINDOW benchmarks/warmup.sh" >&2
python3 - "$results" "$(getconf CLK_TCK)" "$WINDOW" <<'EOF'
import json, sys
path, hz, window = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows = [json.loads(line) for line in open(path)]
n = max(len(r["windows"]) for r in rows)
head = " ".join(f"{f'{i * window}-{(i + 1) * window} s':>9}" for i in range(n))
print("CPU per request (µs) in each window of seconds of load, after starting fresh:")
print(f"{'JVM, class cache':22} {'listening':>9} {'start CPU':>9}  {head}  {'RSS MB':>6}")
for r in rows:
    per = [t / hz * 1e6 / max(1, c) for t, c in r["windows"]]
    cells = " ".join(f"{x:9.1f}" for x in per)
    print(f"{r['label']:22} {r['listeningMs']:6} ms {r['startupTicks'] / hz:7.2f} s  {cells}  {r['rssKb'] / 1024:6.0f}")
    # Steady: the median of the last three windows; reached: the first window within 10% of it.
    steady = sorted(per[-3:])[len(per[-3:]) // 2]
    reached = next((i for i, x in enumerate(per) if x <= steady * 1.10), None)
    print(f"{'':22} steady {steady:.1f} µs/req, reached in the window from second "
          f"{reached * window if reached is not None else 'never'}")
EOF
