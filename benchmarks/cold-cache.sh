#!/usr/bin/env bash
# The first request to each of many sandboxes held in a Redis registry, as a load test's first
# seconds are: every lookup misses the cache and goes to Redis. Then the same requests again, warm.
# Prints rate and latency of both passes, the Redis GETs each pass cost, and cold p99 / warm p99.
#
#   benchmarks/cold-cache.sh                       # 100,000 sandboxes, 3 rounds
#   SANDBOXES=20000 ROUNDS=1 benchmarks/cold-cache.sh
#   GATEWAY_JAVA_OPTS="-Xlog:gc:file=/tmp/gc.log:uptime" benchmarks/cold-cache.sh
#   JVM_OPTIONS=/tmp/g1.options benchmarks/cold-cache.sh   # another options file, e.g. another collector
#
# Layout as in compare.sh: the gateway alone on one core (GATEWAY_CPU), and on the other core the
# load generator, the nginx backend and Redis (a registry is another host in production; here it
# shares the load core). Every round starts a fresh gateway: a cold pass can only be measured once.
# Before each pass the load generator primes itself and the gateway on a separate set of ids
# (WARMUP_SANDBOXES, for WARMUP; --prime, in the same process as the pass), so the pass measures the
# cache being empty, not a JVM being new on either side. The lookup cache is sized for both sets
# (cache.maximumSize), or warm-up ids asked many times would keep the measured ones out of it. The
# warm-up ids are cached before the first pass and refreshes are put off (cache.refreshAfter), so
# the Redis GETs counted during a pass are the measured ids' own.
set -euo pipefail

SANDBOXES=${SANDBOXES:-100000}
# As many warm-up ids as measured ones: with 20,000 the JIT compiler was still compiling the cold
# path (Redis client, record parsing) through the measured pass, 37 µs of its CPU per sandbox.
WARMUP_SANDBOXES=${WARMUP_SANDBOXES:-$SANDBOXES}
WARMUP=${WARMUP:-15s}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-64}
GATEWAY_CPU=${GATEWAY_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
GATEWAY_JAVA_OPTS=${GATEWAY_JAVA_OPTS:-}

root=$(cd "$(dirname "$0")/.." && pwd)
# The deploy kit's options, as a user runs it; another file for another collector (the JVM refuses
# two collectors, so extra options cannot swap it).
JVM_OPTIONS=${JVM_OPTIONS:-$root/deploy/jvm.options}
# shellcheck source=lib/processes.sh
source "$root/benchmarks/lib/processes.sh"
open_workdir cold

install_missing redis-server redis-server
install_missing nginx-light nginx
gateway_jar=$root/gateway/target/sandbox-gateway.jar
loadgen_jar=$root/benchmarks/target/loadgen.jar
if [ ! -f "$gateway_jar" ] || [ ! -f "$loadgen_jar" ]; then
  (cd "$root" && ./mvnw -q -DskipTests package)
fi

redis_port=$(free_port); backend_port=$(free_port)
start "$LOAD_CPU" "$work/redis.log" redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
  --dir "$work" >/dev/null
start_backend "$LOAD_CPU" "$backend_port"
wait_port "$redis_port"; wait_port "$backend_port"

# Records as the admin API writes them (sandbox-gateway:sandbox:<id> = the record as JSON), sent
# in Redis's own protocol through redis-cli --pipe; host files for the measured and warm-up ids.
python3 - "$work" "$SANDBOXES" "$WARMUP_SANDBOXES" "$backend_port" <<'EOF' | redis-cli -p "$redis_port" --pipe >/dev/null
import sys
work, n, warm, port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
out = sys.stdout.buffer
def command(*parts):
    out.write(b"*%d\r\n" % len(parts))
    for p in parts:
        b = p.encode()
        out.write(b"$%d\r\n%s\r\n" % (len(b), b))
for prefix, count, name in (("sb", n, "hosts.txt"), ("wu", warm, "hosts-warmup.txt")):
    with open(f"{work}/{name}", "w") as hosts:
        for i in range(count):
            sandbox = f"{prefix}{i}"
            command("SET", f"sandbox-gateway:sandbox:{sandbox}",
                    f'{{"id":"{sandbox}","backendHost":"127.0.0.1","state":"running"}}')
            hosts.write(f"{port}-{sandbox}.sandbox.test\n")
EOF
echo "redis holds $(redis-cli -p "$redis_port" dbsize) sandboxes; working directory: $work" >&2

gets() { redis-cli -p "$redis_port" info commandstats | tr -d '\r' | sed -n 's/^cmdstat_get:calls=\([0-9]*\),.*/\1/p' | grep . || echo 0; }
loadgen() { # hosts file, label, extra options... -> JSON on stdout
  local hosts=$1 label=$2; shift 2
  taskset -c "$LOAD_CPU" java -XX:ActiveProcessorCount=1 -jar "$loadgen_jar" --url "http://127.0.0.1:$gateway_port/64b" \
    --hosts "$hosts" --connections "$CONNECTIONS" --json --label "$label" "$@" 2>>"$work/loadgen.log"
}

# CPU ticks of each of the gateway's threads by name, as JSON: where a pass's extra work runs
# (the event loop, or the Redis client's own I/O thread). The priming inside a pass asks only
# cached ids, so a thread busy only for cache misses shows their cost alone.
thread_ticks() { # pid
  python3 - "$1" <<'PY'
import json, os, sys
pid = sys.argv[1]
ticks = {}
for tid in os.listdir(f"/proc/{pid}/task"):
    try:
        name = open(f"/proc/{pid}/task/{tid}/comm").read().strip()
        fields = open(f"/proc/{pid}/task/{tid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        continue
    ticks[name] = ticks.get(name, 0) + int(fields[11]) + int(fields[12])
print(json.dumps(ticks))
PY
}

results=$work/results.jsonl
for round in $(seq 1 "$ROUNDS"); do
  gateway_port=$(free_port)
  cat >"$work/gateway.yaml" <<EOF
server: {bindAddress: 127.0.0.1, port: $gateway_port, ioThreads: 1}
routing: {baseDomains: [sandbox.test]}
registry: {type: redis, redis: {uri: "redis://127.0.0.1:$redis_port"}}
cache: {maximumSize: $((2 * (SANDBOXES + WARMUP_SANDBOXES))), refreshAfter: 10m, foundTtl: 20m}
backend: {pool: {maxIdlePerBackend: 256, maxConnectionsPerBackend: 65536}}
admin: {enabled: false}
accessLog: {enabled: false}
EOF
  # shellcheck disable=SC2086
  gateway_pid=$(start "$GATEWAY_CPU" "$work/gateway-$round.log" java -XX:ActiveProcessorCount=1 \
    "@$JVM_OPTIONS" \
    $GATEWAY_JAVA_OPTS -jar "$gateway_jar" --config "$work/gateway.yaml")
  wait_port "$gateway_port" 60
  loadgen "$work/hosts-warmup.txt" warmup --passes 1 --duration 300s >/dev/null
  for pass in cold warm; do
    before=$(gets); threads_before=$(thread_ticks "$gateway_pid")
    json=$(loadgen "$work/hosts.txt" "$pass" --passes 1 --duration 300s --prime "$work/hosts-warmup.txt" \
      --prime-duration "$WARMUP")
    after=$(gets); threads_after=$(thread_ticks "$gateway_pid")
    echo "{\"round\":$round,\"pass\":\"$pass\",\"redisGets\":$((after - before)),\"threadsBefore\":$threads_before,\"threadsAfter\":$threads_after,\"result\":$json}" >>"$results"
    echo "round $round  $pass: $(echo "$json" | python3 -c 'import json,sys; r=json.load(sys.stdin); print("%d requests, %.0f/s, p50 %.2f ms, p99 %.2f ms, errors %d, non-2xx %d" % (r["completed"], r["perSecond"], r["latencyMs"]["p50"], r["latencyMs"]["p99"], r["errors"], r["non2xx"]))'), Redis GETs $((after - before))" >&2
  done
  kill "$gateway_pid"; wait_exit "$gateway_pid"
done

echo "command: SANDBOXES=$SANDBOXES WARMUP_SANDBOXES=$WARMUP_SANDBOXES ROUNDS=$ROUNDS CONNECTIONS=$CONNECTIONS benchmarks/cold-cache.sh" >&2
python3 - "$results" "$SANDBOXES" <<'EOF'
import json, os, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
n = int(sys.argv[2])
print(f"{'pass':6} {'rate':>10} {'p50 ms':>8} {'p99 ms':>8} {'Redis GETs per sandbox':>23} {'errors':>7}")
for p in ("cold", "warm"):
    rs = [r for r in rows if r["pass"] == p]
    med = lambda f: statistics.median(f(r) for r in rs)
    print(f"{p:6} {med(lambda r: r['result']['perSecond']):>8,.0f}/s {med(lambda r: r['result']['latencyMs']['p50']):8.2f} "
          f"{med(lambda r: r['result']['latencyMs']['p99']):8.2f} {med(lambda r: r['redisGets'] / n):23.3f} "
          f"{sum(r['result']['errors'] + r['result']['non2xx'] for r in rs):7}")
ratios = []
for rnd in sorted({r["round"] for r in rows}):
    cold = next(r for r in rows if r["round"] == rnd and r["pass"] == "cold")
    warm = next(r for r in rows if r["round"] == rnd and r["pass"] == "warm")
    ratios.append(cold["result"]["latencyMs"]["p99"] / warm["result"]["latencyMs"]["p99"])
hz = os.sysconf("SC_CLK_TCK")
for p in ("cold", "warm"):
    busy = {}
    for r in (r for r in rows if r["pass"] == p):
        for name, after in r["threadsAfter"].items():
            busy.setdefault(name, []).append((after - r["threadsBefore"].get(name, 0)) / hz * 1e6 / n)
    top = sorted(((statistics.median(v), k) for k, v in busy.items()), reverse=True)[:4]
    print(f"{p} pass, CPU per measured sandbox by thread (µs, priming included): "
          + ", ".join(f"{k} {v:.1f}" for v, k in top))
print(f"cold p99 / warm p99 within each round: {statistics.median(ratios):.2f} (rounds {' '.join(f'{x:.2f}' for x in ratios)})")
EOF
