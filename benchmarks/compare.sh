#!/usr/bin/env bash
# Side-by-side benchmark: our gateway, nginx, HAProxy and a Go httputil.ReverseProxy, each configured
# as a sandbox gateway in front of the same backends, each pinned to one core, driven on the other
# by our load generator and, for every HTTP/1.1 workload, by wrk too (one thread, the Host rotated by
# benchmarks/wrk/rotate-hosts.lua), so no standing rests on one client.
# Workloads run in alternation over several rounds; medians are printed as one table.
#
#   benchmarks/compare.sh                  # 3 rounds of 10 s per workload and gateway
#   ROUNDS=1 DURATION=5s benchmarks/compare.sh
#   WORKLOADS="small-keepalive ws-echo" GATEWAYS="ours nginx" benchmarks/compare.sh
#   CLIENTS=wrk WORKLOADS="upload-1m download-1m" benchmarks/compare.sh   # one client only
#   IDLE_WS=5000 WORKLOADS= benchmarks/compare.sh  # only the idle WebSocket memory measurement
#   OURS_TRANSPORT=epoll benchmarks/compare.sh
#   WORKLOADS="tls-handshake h2-keepalive" GATEWAYS="ours nginx" benchmarks/compare.sh
#   BASE_JAR=/tmp/old-gateway.jar GATEWAYS="ours base" benchmarks/compare.sh   # A/B against another build
#   BASE_JAVA_OPTS=-Dio.netty.allocator.type=pooled GATEWAYS="ours base" benchmarks/compare.sh
#   BASE_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java GATEWAYS="ours base" benchmarks/compare.sh  # another JDK
#   OURS_TRANSPORT=auto BASE_TRANSPORT=epoll GATEWAYS="ours base" benchmarks/compare.sh
#   BASE_IO_COALESCING=0us GATEWAYS="ours base haproxy" benchmarks/compare.sh
#   DEFER_ACCEPT=0 WORKLOADS=small-close benchmarks/compare.sh   # no gateway defers accepting
#   BASE_DEFER_ACCEPT=0 GATEWAYS="ours base" WORKLOADS=small-close benchmarks/compare.sh
#   SANDBOXES=100000 WORKLOADS="small-keepalive small-keepalive-10" IDLE_WS=0 benchmarks/compare.sh  # many vs 10
#   WORKLOADS="small-keepalive small-keepalive-16" CLIENTS=wrk IDLE_WS=0 benchmarks/compare.sh  # tail at and below saturation
#   GATEWAYS="ours haproxy haproxy-splice" WORKLOADS="download-1m upload-1m" benchmarks/compare.sh
#
# "haproxy-splice" is HAProxy again with kernel splicing forced for request and response bodies
# (option splice-request, option splice-response; splice-auto never chose it here): what a
# zero-copy relay gains on this machine, before anyone writes one.
#
# "base" is our gateway again, from BASE_JAR (default: the current build) with BASE_JAVA_OPTS: a
# change measured against what it changes, interleaved in one session, where separate runs on
# this shared machine differ by more than most single optimisations do.
#
# tls-handshake (a new TLS connection per request), tls-keepalive, tls-download-1m and h2-keepalive
# run on each gateway's TLS listener (same ECDSA P-256 wildcard certificate, generated here, and the
# same key exchange groups, TLS_GROUPS); Go is left out of them. h2-keepalive is driven by h2load
# (Debian's nghttp2-client, installed when missing) against one sandbox host.
#
# Everything listens on free loopback ports and stops by itself; the working directory is kept
# (its path is printed) for the raw results and the generated configurations.
set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-3s}
# Once at the start, every gateway gets this long on every workload: the JVM's JIT compiles then,
# not inside a measured interval (its compiler threads share the gateway's one core).
FIRST_WARMUP=${FIRST_WARMUP:-10s}
SANDBOXES=${SANDBOXES:-1000}
GATEWAY_CPU=${GATEWAY_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
WORKLOADS=${WORKLOADS-"small-keepalive small-close download-1m upload-1m ws-echo tls-handshake tls-keepalive tls-download-1m h2-keepalive"}
GATEWAYS=${GATEWAYS:-"ours nginx haproxy go"}
# Clients driving each HTTP/1.1 workload: our load generator and Debian's wrk. WebSocket echo is the
# load generator's alone (wrk speaks no WebSocket), HTTP/2 is h2load's.
CLIENTS=${CLIENTS:-"loadgen wrk"}
# After the rounds, this many idle proxied WebSocket connections are held open through each gateway
# and its memory is measured before and after; 0 skips it.
IDLE_WS=${IDLE_WS:-5000}
# Our gateway's server.transport: auto (io_uring with buffer rings where the kernel has them, else epoll), epoll, io_uring or nio.
OURS_TRANSPORT=${OURS_TRANSPORT:-auto}
# Our gateway runs with the deploy kit's JVM options (heap, direct memory, collector), as a user's
# would; OURS_JVM_OPTIONS names another options file (BASE_JVM_OPTIONS for base), e.g. to try
# another collector, which extra options cannot do (the JVM refuses two). Base takes ours' file
# unless BASE_JVM_OPTIONS names one, so an A/B of options files names both:
#   OURS_JVM_OPTIONS=/tmp/try.options BASE_JVM_OPTIONS=$PWD/deploy/jvm.options GATEWAYS="ours base" benchmarks/compare.sh
OURS_JVM_OPTIONS=${OURS_JVM_OPTIONS:-$(cd "$(dirname "$0")/.." && pwd)/deploy/jvm.options}
BASE_JVM_OPTIONS=${BASE_JVM_OPTIONS:-$OURS_JVM_OPTIONS}
# Extra JVM options for our gateway, e.g. GATEWAY_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/g.jfr,settings=profile"
GATEWAY_JAVA_OPTS=${GATEWAY_JAVA_OPTS:-}
BASE_JAR=${BASE_JAR:-}
# Environment of our gateway and of base, e.g. GATEWAY_ENV="MALLOC_ARENA_MAX=1".
GATEWAY_ENV=${GATEWAY_ENV:-}
BASE_ENV=${BASE_ENV:-$GATEWAY_ENV}
# Key exchange groups of both TLS listeners. nginx 1.22's OpenSSL 3.0 has no post-quantum group, so
# ours is held to the same classical ones; TLS_GROUPS= leaves each gateway its provider's default
# (BoringSSL's starts with X25519MLKEM768).
TLS_GROUPS=${TLS_GROUPS-X25519,P-256}
BASE_JAVA_OPTS=${BASE_JAVA_OPTS:-}
# The java launcher of ours and of base, to compare JDKs on one build; default: the one on PATH.
OURS_JAVA=${OURS_JAVA:-java}
BASE_JAVA=${BASE_JAVA:-$OURS_JAVA}
# The base gateway's server.transport; default: the same as ours.
BASE_TRANSPORT=${BASE_TRANSPORT:-$OURS_TRANSPORT}
# server.ioCoalescing of ours and of base (e.g. 0us, 50us); empty leaves the gateway's default.
OURS_IO_COALESCING=${OURS_IO_COALESCING:-}
BASE_IO_COALESCING=${BASE_IO_COALESCING:-$OURS_IO_COALESCING}
# Seconds every gateway's listener holds a connection that has sent nothing (TCP_DEFER_ACCEPT): ours
# and base by server.deferAccept, nginx by "listen ... deferred", HAProxy by "bind ... defer-accept",
# Go by setting the socket option on its listener; 0 turns it off everywhere. Our default is 1 s,
# so the peers get the same kernel help. BASE_DEFER_ACCEPT= (empty) leaves the key out of base's
# configuration, for a BASE_JAR from before the setting existed.
DEFER_ACCEPT=${DEFER_ACCEPT:-1}
BASE_DEFER_ACCEPT=${BASE_DEFER_ACCEPT-$DEFER_ACCEPT}

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib/processes.sh
source "$root/benchmarks/lib/processes.sh"
open_workdir compare

install_missing nginx-light nginx
install_missing haproxy haproxy
if [[ " $GATEWAYS " == *" go "* ]]; then install_missing golang-go go; fi
if [[ " $WORKLOADS " == *" h2-keepalive "* ]]; then install_missing nghttp2-client h2load; fi
if [[ " $CLIENTS " == *" wrk "* ]]; then install_missing wrk wrk; fi
if [ "$IDLE_WS" -gt 0 ]; then install_missing iproute2 ss; fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)

gateway_jar=$root/gateway/target/sandbox-gateway.jar
loadgen_jar=$root/benchmarks/target/loadgen.jar
if [ ! -f "$gateway_jar" ] || [ ! -f "$loadgen_jar" ]; then
  (cd "$root" && ./mvnw -q -DskipTests package)
fi


backend_port=$(free_port); echo_port=$(free_port); ours_port=$(free_port); admin_port=$(free_port)
nginx_port=$(free_port); haproxy_port=$(free_port); jmx_port=$(free_port)
ours_tls_port=$(free_port); nginx_tls_port=$(free_port); haproxy_tls_port=$(free_port)
base_port=$(free_port); base_admin_port=$(free_port); base_tls_port=$(free_port)
go_port=$(free_port)

# One wildcard certificate for both TLS listeners: ECDSA P-256, key in PKCS#8.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj "/CN=*.sandbox.test" -addext "subjectAltName=DNS:*.sandbox.test" \
  -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
cat "$work/tls.crt" "$work/tls.key" >"$work/tls.pem"

# Backends, on the load generator's core: nginx serving static files, and our echo server for
# WebSocket messages and uploads.
mkdir -p "$work/www"
head -c 1048576 /dev/urandom >"$work/www/1m"
start_backend "$LOAD_CPU" "$backend_port"
start "$LOAD_CPU" "$work/echo.log" java -XX:ActiveProcessorCount=1 -cp "$loadgen_jar" \
  dev.sandboxgateway.benchmarks.load.EchoServer "$echo_port" >/dev/null
wait_port "$backend_port"; wait_port "$echo_port"

# The sandboxes: sb0..sb{N-1}, all on 127.0.0.1; hosts name the backend's or the echo server's port.
python3 - "$work" "$SANDBOXES" "$backend_port" "$echo_port" <<'EOF'
import sys
work, n, http_port, ws_port = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
with open(f"{work}/sandboxes.yaml", "w") as f:
    f.write("sandboxes:\n")
    for i in range(n):
        f.write(f"  - {{id: sb{i}, backendHost: 127.0.0.1}}\n")
for name, port in (("http", http_port), ("ws", ws_port)):
    with open(f"{work}/hosts-{name}.txt", "w") as f:
        for i in range(n):
            f.write(f"{port}-sb{i}.sandbox.test\n")
with open(f"{work}/hosts-http-10.txt", "w") as f:
    for i in range(min(n, 10)):
        f.write(f"{http_port}-sb{i}.sandbox.test\n")
with open(f"{work}/nginx-sandboxes.conf", "w") as f:
    f.write("map $host $sandbox {\n  default \"\";\n")
    for i in range(n):
        f.write(f"  {http_port}-sb{i}.sandbox.test h{i};\n  {ws_port}-sb{i}.sandbox.test w{i};\n")
    f.write("}\n")
    for i in range(n):
        f.write(f"upstream h{i} {{ server 127.0.0.1:{http_port}; keepalive 8; }}\n")
        f.write(f"upstream w{i} {{ server 127.0.0.1:{ws_port}; keepalive 8; }}\n")
with open(f"{work}/haproxy-hosts.map", "w") as f:
    for i in range(n):
        f.write(f"{http_port}-sb{i}.sandbox.test 127.0.0.1\n{ws_port}-sb{i}.sandbox.test 127.0.0.1\n")
EOF

cat >"$work/gateway.yaml" <<EOF
server: {bindAddress: 127.0.0.1, port: $ours_port, ioThreads: 1, deferAccept: ${DEFER_ACCEPT}s, transport: $OURS_TRANSPORT${OURS_IO_COALESCING:+, ioCoalescing: $OURS_IO_COALESCING}}
routing: {baseDomains: [sandbox.test]}
registry: {type: file, file: $work/sandboxes.yaml}
# Every sandbox here shares one backend address, so the per-address limit must hold all of them.
backend: {pool: {maxIdlePerBackend: 256, maxConnectionsPerBackend: 65536}}
admin: {port: $admin_port}
accessLog: {enabled: false}
EOF
# The TLS listener only when a TLS workload runs, so a BASE_JAR from before it existed still starts.
if [[ " $WORKLOADS " == *" tls-"* || " $WORKLOADS " == *" h2-"* ]]; then
  echo "tls: {enabled: true, port: $ours_tls_port, certificates: [$work/tls.pem]${TLS_GROUPS:+, groups: [$TLS_GROUPS]}}" \
    >>"$work/gateway.yaml"
fi
sed -e "s/port: $ours_port,/port: $base_port,/" -e "s/port: $admin_port}/port: $base_admin_port}/" \
  -e "s/port: $ours_tls_port,/port: $base_tls_port,/" -e "s/, ioCoalescing: [0-9a-z]*}/}/" \
  -e "s/ deferAccept: ${DEFER_ACCEPT}s,/${BASE_DEFER_ACCEPT:+ deferAccept: ${BASE_DEFER_ACCEPT}s,}/" \
  -e "s/transport: $OURS_TRANSPORT}/transport: $BASE_TRANSPORT${BASE_IO_COALESCING:+, ioCoalescing: $BASE_IO_COALESCING}}/" \
  "$work/gateway.yaml" >"$work/gateway-base.yaml"

# OpenSSL's list syntax, which nginx and HAProxy both take.
openssl_curves=${TLS_GROUPS:-auto}; openssl_curves=${openssl_curves//,/:}
peer_deferred=""; haproxy_deferred=""
if [ "$DEFER_ACCEPT" -gt 0 ]; then peer_deferred=" deferred"; haproxy_deferred=" defer-accept"; fi
cat >"$work/nginx-gateway.conf" <<EOF
worker_processes 1;
daemon off;
pid $work/nginx-gateway.pid;
error_log $work/nginx-gateway-error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
  keepalive_requests 10000000;
  client_body_temp_path $work/nginx-body;
  proxy_temp_path $work/nginx-proxy;
  map_hash_max_size $((4 * SANDBOXES + 1024));
  map_hash_bucket_size 128;
  include $work/nginx-sandboxes.conf;
  map \$http_upgrade \$connection_upgrade { default upgrade; '' ''; }
  server {
    listen 127.0.0.1:$nginx_port backlog=4096$peer_deferred;
    include $work/nginx-location.conf;
  }
  server {
    listen 127.0.0.1:$nginx_tls_port ssl http2 backlog=4096$peer_deferred;
    ssl_certificate $work/tls.crt;
    ssl_certificate_key $work/tls.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ecdh_curve $openssl_curves;
    include $work/nginx-location.conf;
  }
}
EOF
cat >"$work/nginx-location.conf" <<EOF
client_max_body_size 4m;
location / {
  if (\$sandbox = "") { return 404; }
  proxy_pass http://\$sandbox;
  proxy_http_version 1.1;
  proxy_set_header Host \$host;
  proxy_set_header Connection \$connection_upgrade;
  proxy_set_header Upgrade \$http_upgrade;
  proxy_set_header X-Forwarded-For \$remote_addr;
  proxy_buffering off;
  proxy_request_buffering off;
  proxy_read_timeout 3600s;
}
EOF

cat >"$work/haproxy.cfg" <<EOF
global
  nbthread 1
  maxconn 8000
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  timeout tunnel 1h
  http-reuse always
  option forwardfor
frontend sandboxes
  bind 127.0.0.1:$haproxy_port$haproxy_deferred
  bind 127.0.0.1:$haproxy_tls_port$haproxy_deferred ssl crt $work/tls.pem alpn h2,http/1.1${TLS_GROUPS:+ curves $openssl_curves}
  http-request set-var(txn.ip) req.hdr(host),lower,map($work/haproxy-hosts.map)
  http-request deny deny_status 404 unless { var(txn.ip) -m found }
  default_backend dynamic
backend dynamic
  http-request set-dst var(txn.ip)
  http-request set-dst-port req.hdr(host),field(1,-)
  server sandbox 0.0.0.0:0
EOF

# The same HAProxy on its own ports, splicing bodies in the kernel. Each splice holds a pipe (two
# descriptors); left to itself HAProxy would want more descriptors than the limit here allows.
haproxy_splice_port=$(free_port); haproxy_splice_tls_port=$(free_port)
sed -e "s/127.0.0.1:$haproxy_port\b/127.0.0.1:$haproxy_splice_port/" \
    -e "s/127.0.0.1:$haproxy_tls_port\b/127.0.0.1:$haproxy_splice_tls_port/" \
    -e "s/^  maxconn 8000$/  maxconn 8000\n  maxpipes 1024/" \
    -e "s/^  http-reuse always$/  http-reuse always\n  option splice-request\n  option splice-response/" \
    "$work/haproxy.cfg" >"$work/haproxy-splice.cfg"

# The Go peer: the proxy a platform team would write on the standard library, built here (GOPATH
# mode, standard library only, so nothing is downloaded) and run with GOMAXPROCS=1.
if [[ " $GATEWAYS " == *" go "* ]]; then
  cat >"$work/goproxy.go" <<'EOF'
// A sandbox gateway on Go's net/http/httputil.ReverseProxy, as a platform team would write one:
// the Host header names the sandbox, a map (host -> backend address) read at start gives where it
// runs, the first label gives the port, and idle backend connections are pooled.
package main

import (
	"bufio"
	"context"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	listen, mapFile := os.Args[1], os.Args[2]
	deferAccept, err := strconv.Atoi(os.Args[3])
	if err != nil {
		log.Fatal(err)
	}
	backends := map[string]string{}
	f, err := os.Open(mapFile)
	if err != nil {
		log.Fatal(err)
	}
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		if fields := strings.Fields(lines.Text()); len(fields) == 2 {
			backends[fields[0]] = fields[1]
		}
	}
	f.Close()
	// The handler below has already pointed the request at its sandbox; the proxy's copy keeps that.
	proxy := &httputil.ReverseProxy{
		Director: func(*http.Request) {},
		Transport: &http.Transport{
			MaxIdleConnsPerHost: 256,
			IdleConnTimeout:     60 * time.Second,
			DisableCompression:  true,
		},
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := strings.ToLower(r.Host)
		backend, ok := backends[host]
		dash := strings.IndexByte(host, '-')
		if !ok || dash < 0 {
			http.Error(w, "no such sandbox", http.StatusNotFound)
			return
		}
		r.URL.Scheme = "http"
		r.URL.Host = net.JoinHostPort(backend, host[:dash])
		proxy.ServeHTTP(w, r)
	})
	// TCP_DEFER_ACCEPT on the listener, as the other gateways are given it (DEFER_ACCEPT).
	config := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var sockErr error
		if err := c.Control(func(fd uintptr) {
			sockErr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_DEFER_ACCEPT, deferAccept)
		}); err != nil {
			return err
		}
		return sockErr
	}}
	listener, err := config.Listen(context.Background(), "tcp", listen)
	if err != nil {
		log.Fatal(err)
	}
	server := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(server.Serve(listener))
}
EOF
  (cd "$work" && GO111MODULE=off GOCACHE="$work/gocache" GOPATH="$work/gopath" go build -o goproxy goproxy.go)
fi

declare -A gateway_pid gateway_port tls_port
tls_port[ours]=$ours_tls_port; tls_port[nginx]=$nginx_tls_port; tls_port[base]=$base_tls_port
tls_port[haproxy]=$haproxy_tls_port; tls_port[haproxy-splice]=$haproxy_splice_tls_port
if [[ " $GATEWAYS " == *" ours "* ]]; then
  # shellcheck disable=SC2086
  # JMX on loopback only for reading the live heap in the idle WebSocket measurement.
  gateway_pid[ours]=$(start "$GATEWAY_CPU" "$work/ours.log" env $GATEWAY_ENV "$OURS_JAVA" -XX:ActiveProcessorCount=1 "@$OURS_JVM_OPTIONS" \
    -Dcom.sun.management.jmxremote.port="$jmx_port" -Dcom.sun.management.jmxremote.rmi.port="$jmx_port" \
    -Dcom.sun.management.jmxremote.host=127.0.0.1 -Djava.rmi.server.hostname=127.0.0.1 \
    -Dcom.sun.management.jmxremote.authenticate=false -Dcom.sun.management.jmxremote.ssl=false \
    $GATEWAY_JAVA_OPTS -jar "$gateway_jar" --config "$work/gateway.yaml")
  gateway_port[ours]=$ours_port
fi
if [[ " $GATEWAYS " == *" base "* ]]; then
  # shellcheck disable=SC2086
  gateway_pid[base]=$(start "$GATEWAY_CPU" "$work/base.log" env $BASE_ENV "$BASE_JAVA" -XX:ActiveProcessorCount=1 "@$BASE_JVM_OPTIONS" \
    $BASE_JAVA_OPTS -jar "${BASE_JAR:-$gateway_jar}" --config "$work/gateway-base.yaml")
  gateway_port[base]=$base_port
fi
if [[ " $GATEWAYS " == *" nginx "* ]]; then
  gateway_pid[nginx]=$(start "$GATEWAY_CPU" "$work/nginx-gateway.log" "$NGINX" -c "$work/nginx-gateway.conf" -p "$work")
  gateway_port[nginx]=$nginx_port
fi
if [[ " $GATEWAYS " == *" haproxy "* ]]; then
  gateway_pid[haproxy]=$(start "$GATEWAY_CPU" "$work/haproxy.log" "$HAPROXY" -db -f "$work/haproxy.cfg")
  gateway_port[haproxy]=$haproxy_port
fi
if [[ " $GATEWAYS " == *" haproxy-splice "* ]]; then
  gateway_pid[haproxy-splice]=$(start "$GATEWAY_CPU" "$work/haproxy-splice.log" "$HAPROXY" -db -f "$work/haproxy-splice.cfg")
  gateway_port[haproxy-splice]=$haproxy_splice_port
fi
if [[ " $GATEWAYS " == *" go "* ]]; then
  gateway_pid[go]=$(start "$GATEWAY_CPU" "$work/goproxy.log" env GOMAXPROCS=1 "$work/goproxy" \
    "127.0.0.1:$go_port" "$work/haproxy-hosts.map" "$DEFER_ACCEPT")
  gateway_port[go]=$go_port
fi
# Loading 100,000 sandboxes (200,000 nginx upstreams) takes a while.
for g in $GATEWAYS; do wait_port "${gateway_port[$g]}" 300; done

# nginx runs a master and a worker; the worker does the proxying, so its CPU is what counts.
measured_pid() {
  local pid=$1 child
  child=$(pgrep -P "$pid" | head -n 1 || true)
  echo "${child:-$pid}"
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
sys_ticks() { awk '{print $15}' "/proc/$1/stat"; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# h2load over TLS with ALPN h2: 16 connections of 8 concurrent streams, one sandbox host; its
# per-request log gives the percentiles. Prints the load generator's JSON shape.
h2load_json() { # TLS port, duration
  local port=$1 duration=$2 log=$work/h2load-requests.log
  rm -f "$log"
  taskset -c "$LOAD_CPU" h2load -t 1 -c 16 -m 8 -D "${duration%s}" \
    -H ":authority: $backend_port-sb0.sandbox.test" --log-file="$log" "https://127.0.0.1:$port/64b" >>"$work/h2load.log" 2>&1
  python3 - "$log" "${duration%s}" <<'PY'
import json, sys
rows = [line.split("\t") for line in open(sys.argv[1]) if line.strip()]
seconds = float(sys.argv[2])
ok = sorted(int(r[2]) / 1000 for r in rows if r[1].startswith("2"))
pct = lambda q: ok[min(len(ok) - 1, int(q * len(ok)))] if ok else 0
print(json.dumps({"label": "h2-keepalive", "completed": len(ok), "seconds": seconds, "perSecond": len(ok) / seconds,
                  "megabytesPerSecond": 0, "errors": 0, "non2xx": len(rows) - len(ok),
                  "latencyMs": {"p50": pct(0.5), "p99": pct(0.99)}}))
PY
}

loadgen() { # gateway, workload, duration, warmup -> JSON on stdout
  local port=$1 workload=$2 duration=$3 warmup=$4
  local common=(--duration "$duration" --warmup "$warmup" --json --label "$workload")
  case $workload in
    tls-handshake)   args=(--url "https://127.0.0.1:${tls_port[$g]}/64b" --hosts "$work/hosts-http.txt" --connections 32 --mode close) ;;
    tls-keepalive)   args=(--url "https://127.0.0.1:${tls_port[$g]}/64b" --hosts "$work/hosts-http.txt" --connections 64) ;;
    tls-download-1m) args=(--url "https://127.0.0.1:${tls_port[$g]}/1m" --hosts "$work/hosts-http.txt" --connections 16) ;;
    h2-keepalive)    h2load_json "${tls_port[$g]}" "$duration"; return ;;
    small-keepalive) args=(--url "http://127.0.0.1:$port/64b" --hosts "$work/hosts-http.txt" --connections 64) ;;
    small-keepalive-10) args=(--url "http://127.0.0.1:$port/64b" --hosts "$work/hosts-http-10.txt" --connections 64) ;;
    small-keepalive-16) args=(--url "http://127.0.0.1:$port/64b" --hosts "$work/hosts-http.txt" --connections 16) ;;
    small-close)     args=(--url "http://127.0.0.1:$port/64b" --hosts "$work/hosts-http.txt" --connections 32 --mode close) ;;
    download-1m)     args=(--url "http://127.0.0.1:$port/1m" --hosts "$work/hosts-http.txt" --connections 16) ;;
    upload-1m)       args=(--url "http://127.0.0.1:$port/upload" --hosts "$work/hosts-ws.txt" --connections 16 --method POST --body-size 1048576) ;;
    ws-echo)         args=(--url "http://127.0.0.1:$port/ws" --hosts "$work/hosts-ws.txt" --connections 64 --mode websocket --body-size 64) ;;
  esac
  taskset -c "$LOAD_CPU" java -XX:ActiveProcessorCount=1 -jar "$loadgen_jar" "${args[@]}" "${common[@]}" 2>>"$work/loadgen.log"
}

# wrk on the load generator's core, one thread, the same hosts, connection counts and paths as the
# load generator's workload; rotate-hosts.lua prints the load generator's JSON shape.
wrk_json() { # gateway port, workload, duration -> JSON on stdout
  local port=$1 workload=$2 duration=$3 scheme=http hosts=hosts-http.txt connections=64 path=/64b
  local method=GET body=0 close=0
  case $workload in
    small-keepalive-10) hosts=hosts-http-10.txt ;;
    small-keepalive-16) connections=16 ;;
    small-close)     connections=32; close=1 ;;
    download-1m)     connections=16; path=/1m ;;
    upload-1m)       connections=16; path=/upload; hosts=hosts-ws.txt; method=POST; body=1048576 ;;
    tls-handshake)   scheme=https; connections=32; close=1 ;;
    tls-keepalive)   scheme=https ;;
    tls-download-1m) scheme=https; connections=16; path=/1m ;;
  esac
  case $scheme in https) port=${tls_port[$g]} ;; esac
  WRK_HOSTS=$work/$hosts WRK_LABEL=$workload WRK_METHOD=$method WRK_BODY_SIZE=$body WRK_CLOSE=$close \
    taskset -c "$LOAD_CPU" wrk -t 1 -c "$connections" -d "$duration" --timeout 10s \
    -s "$root/benchmarks/wrk/rotate-hosts.lua" "$scheme://127.0.0.1:$port$path" 2>>"$work/wrk.log" | grep '^{'
}
drives() { # client, workload -> whether that client runs that workload
  [ "$1" = loadgen ] || [[ $2 != ws-echo && $2 != h2-* ]]
}
measure() { # client, gateway port, workload, duration -> JSON on stdout
  if [ "$1" = wrk ]; then wrk_json "$2" "$3" "$4"; else loadgen "$2" "$3" "$4" 0s; fi
}

results=$work/results.jsonl
echo "working directory: $work" >&2
for workload in $WORKLOADS; do
  for g in $GATEWAYS; do
    [ -n "${tls_port[$g]:-}" ] || [[ $workload != tls-* && $workload != h2-* ]] || continue
    loadgen "${gateway_port[$g]}" "$workload" "$FIRST_WARMUP" 0s >/dev/null
  done
done
echo "command: ROUNDS=$ROUNDS DURATION=$DURATION WARMUP=$WARMUP FIRST_WARMUP=$FIRST_WARMUP SANDBOXES=$SANDBOXES WORKLOADS=\"$WORKLOADS\" GATEWAYS=\"$GATEWAYS\" CLIENTS=\"$CLIENTS\" benchmarks/compare.sh" >&2
read -r -a gateway_order <<<"$GATEWAYS"
read -r -a workload_order <<<"$WORKLOADS"
for round in $(seq 1 "$ROUNDS"); do
  # Each round starts with the next gateway, so none is always measured first: the same two builds
  # came out 1.12 apart in CPU per request with one always first, and 0.94 with the other first.
  first=$(( (round - 1) % ${#gateway_order[@]} ))
  order=("${gateway_order[@]:first}" "${gateway_order[@]:0:first}")
  # Workloads rotate the same way, so that of two compared workloads neither always runs first.
  first_workload=$(( (round - 1) % (${#workload_order[@]} > 0 ? ${#workload_order[@]} : 1) ))
  for workload in "${workload_order[@]:first_workload}" "${workload_order[@]:0:first_workload}"; do
    for client in $CLIENTS; do
      drives "$client" "$workload" || continue
      for g in "${order[@]}"; do
        [ -n "${tls_port[$g]:-}" ] || [[ $workload != tls-* && $workload != h2-* ]] || continue
        port=${gateway_port[$g]}
        pid=$(measured_pid "${gateway_pid[$g]}")
        measure "$client" "$port" "$workload" "$WARMUP" >/dev/null
        before=$(cpu_ticks "$pid"); sys_before=$(sys_ticks "$pid")
        json=$(measure "$client" "$port" "$workload" "$DURATION")
        after=$(cpu_ticks "$pid"); sys_after=$(sys_ticks "$pid")
        rss=$(rss_kb "$pid")
        echo "{\"round\":$round,\"gateway\":\"$g\",\"client\":\"$client\",\"cpuTicks\":$((after - before)),\"sysTicks\":$((sys_after - sys_before)),\"rssKb\":$rss,\"result\":$json}" >>"$results"
        echo "round $round  $workload  $client  $g: $(echo "$json" | python3 -c 'import json,sys; r=json.load(sys.stdin); print("%.0f/s p99 %.2f ms errors %d non-2xx %d" % (r["perSecond"], r["latencyMs"]["p99"], r["errors"], r["non2xx"]))')" >&2
      done
    done
  done
done

# Idle WebSocket memory: each of IDLE_WS connections upgrades, echoes one message, then stays
# open while the gateway's memory is read. RSS is what the kernel charges the process; for our JVM
# the live heap after a full GC is read too, since RSS hides objects placed in heap pages an earlier
# workload already touched.
# Tunnels are counted as the fewer of the gateway's connections from clients (the idle load
# generator is its only client now) and to the echo backend, not as descriptors: pooled HTTP
# connections that an earlier workload left idle to either backend would count too, and time out
# and close while this runs.
established() { ss -Htnp state established "$2" 2>/dev/null | grep -c "pid=$1," || true; }
tunnel_count() { # pid, gateway port
  local clients backends
  clients=$(established "$1" "( sport = :$2 )"); backends=$(established "$1" "( dport = :$echo_port )")
  echo $((clients < backends ? clients : backends))
}
live_heap_kb() { # gateway -> KiB of live heap after a full GC (0 for non-JVM gateways)
  if [ "$1" = ours ]; then
    java -cp "$loadgen_jar" dev.sandboxgateway.benchmarks.memory.HeapProbe "127.0.0.1:$jmx_port"
  else
    echo 0
  fi
}
wait_tunnels() { # pid, gateway port, comparison (-ge/-le), count, seconds
  local deadline=$((SECONDS + $5))
  until [ "$(tunnel_count "$1" "$2")" "$3" "$4" ]; do
    if [ "$SECONDS" -ge "$deadline" ]; then return 1; fi
    sleep 0.5
  done
}
idle=$work/idle.jsonl
if [ "$IDLE_WS" -gt 0 ]; then
  for g in $GATEWAYS; do
    pid=$(measured_pid "${gateway_pid[$g]}")
    heap0=$(live_heap_kb "$g"); rss0=$(rss_kb "$pid")
    taskset -c "$LOAD_CPU" java -XX:ActiveProcessorCount=1 -jar "$loadgen_jar" --url "http://127.0.0.1:${gateway_port[$g]}/ws" \
      --hosts "$work/hosts-ws.txt" --mode websocket --connections "$IDLE_WS" --rate "$((IDLE_WS / 100 + 1))" \
      --duration 120s --warmup 0s --json --label idle-ws >"$work/idle-$g.json" 2>>"$work/loadgen.log" &
    loadgen_pid=$!; echo "$loadgen_pid" >>"$pidfile"
    if wait_tunnels "$pid" "${gateway_port[$g]}" -ge "$IDLE_WS" 90; then
      heap1=$(live_heap_kb "$g"); rss1=$(rss_kb "$pid"); tunnels=$(tunnel_count "$pid" "${gateway_port[$g]}")
      echo "{\"gateway\":\"$g\",\"connections\":$tunnels,\"rssKb\":[$rss0,$rss1],\"heapKb\":[$heap0,$heap1]}" >>"$idle"
      echo "idle websockets  $g: RSS $rss0 -> $rss1 KiB, live heap $heap0 -> $heap1 KiB" >&2
    else
      echo "idle websockets  $g: only $(tunnel_count "$pid" "${gateway_port[$g]}") of $IDLE_WS tunnels open after 90 s" >&2
    fi
    kill "$loadgen_pid" 2>/dev/null || true
    wait "$loadgen_pid" 2>/dev/null || true
    wait_tunnels "$pid" "${gateway_port[$g]}" -le 0 60 || echo "idle websockets  $g: tunnels still open after 60 s" >&2
  done
fi
if [ -s "$idle" ]; then
  python3 - "$idle" <<'EOF'
import json, sys
print(f"{'idle websockets':16} {'gateway':8} {'connections':>11} {'RSS MB before':>13} {'RSS KiB/conn':>12} {'live heap KiB/conn':>18}")
for line in open(sys.argv[1]):
    r = json.loads(line)
    n = r["connections"]
    rss = (r["rssKb"][1] - r["rssKb"][0]) / n
    heap = (r["heapKb"][1] - r["heapKb"][0]) / n if r["gateway"] == "ours" else float("nan")
    print(f"{'':16} {r['gateway']:8} {n:11} {r['rssKb'][0] / 1024:13.0f} {rss:12.2f} {heap:18.2f}")
EOF
fi

[ -s "$results" ] || exit 0
python3 - "$results" "$(getconf CLK_TCK)" <<'EOF'
import json, statistics, sys
path, ticks_per_second = sys.argv[1], int(sys.argv[2])
rows = [json.loads(line) for line in open(path)]
# A workload driven by wrk is its own row, "download-1m wrk"; the load generator's keep the plain name.
for r in rows:
    if r.get("client", "loadgen") != "loadgen":
        r["result"]["label"] += " " + r["client"]
base = lambda label: label.split(" ")[0]
by = {}
for r in rows:
    by.setdefault((r["result"]["label"], r["gateway"]), []).append(r)
throughput = {"download-1m", "upload-1m", "tls-download-1m"}
bulk = lambda label: base(label) in throughput
cpu_per_request = lambda r: r["cpuTicks"] / ticks_per_second * 1e6 / max(1, r["result"]["completed"])
# CPU per MiB for the bulk workloads, per request (or message) for the rest; rate likewise.
def unit_cost(r):
    if bulk(r["result"]["label"]):
        mib = r["result"]["megabytesPerSecond"] * r["result"]["seconds"] * 1e6 / 1048576
        return r["cpuTicks"] / ticks_per_second * 1e6 / max(1e-9, mib)
    return cpu_per_request(r)
rate_of = lambda r: r["result"]["megabytesPerSecond"] if bulk(r["result"]["label"]) else r["result"]["perSecond"]
print(f"{'workload':20} {'gateway':8} {'rate':>14} {'p50 ms':>8} {'p99 ms':>8} {'CPU/unit':>14} {'kernel':>6} {'RSS MB':>7} {'ours/best peer':>22}")
order = ["small-keepalive", "small-keepalive-10", "small-keepalive-16", "small-close", "download-1m", "upload-1m", "ws-echo", "tls-handshake", "tls-keepalive", "tls-download-1m", "h2-keepalive"]
workloads = sorted({k[0] for k in by}, key=lambda w: (order.index(base(w)), w))
for w in workloads:
    stats = {}
    for (label, g), rs in by.items():
        if label != w:
            continue
        med = lambda f: statistics.median(f(r) for r in rs)
        rate = med(rate_of)
        cpu = med(unit_cost)
        unit = "µs/MiB" if bulk(w) else "µs/req"
        rate_text = f"{rate:,.0f} MB/s" if bulk(w) else f"{rate:,.0f}/s"
        stats[g] = dict(rate=rate, rate_text=rate_text, p50=med(lambda r: r["result"]["latencyMs"]["p50"]),
                        p99=med(lambda r: r["result"]["latencyMs"]["p99"]), cpu=cpu, unit=unit,
                        rss=med(lambda r: r["rssKb"]) / 1024, kernel=med(lambda r: r["sysTicks"] / max(1, r["cpuTicks"])), errors=sum(r["result"]["errors"] + r["result"]["non2xx"] for r in rs))
    # "base" is our gateway too (an A/B build), not a peer.
    peers = {g: s for g, s in stats.items() if g not in ("ours", "base")}
    for g, s in stats.items():
        ratio = ""
        if g == "ours" and peers:
            best_cpu = min(p["cpu"] for p in peers.values())
            best_rate = max(p["rate"] for p in peers.values())
            best_p99 = min(p["p99"] for p in peers.values())
            ratio = f"cpu {s['cpu']/best_cpu:.2f} rate {s['rate']/best_rate:.2f} p99 {s['p99']/best_p99:.2f}"
        errors = f" ({s['errors']} errors)" if s["errors"] else ""
        print(f"{w:20} {g:8} {s['rate_text']:>14} {s['p50']:8.2f} {s['p99']:8.2f} {s['cpu']:9.1f} {s['unit']:>6} {s['kernel']:6.0%} {s['rss']:7.0f} {ratio:>22}{errors}")

# The same ratios taken within each round, then their median: the gateways of one round ran
# minutes apart, so a slow spell of this shared machine moves them together and the ratio less.
for w in workloads:
    rounds = {}
    for r in rows:
        if r["result"]["label"] == w:
            rounds.setdefault(r["round"], {})[r["gateway"]] = r
    for other in ("best peer", "base"):
        cpu, rate, p99 = [], [], []
        for gateways in (rounds[k] for k in sorted(rounds)):
            ours = gateways.get("ours")
            peers = [r for g, r in gateways.items() if g not in ("ours", "base")] if other == "best peer" \
                else [gateways["base"]] if "base" in gateways else []
            if ours is None or not peers:
                continue
            cpu.append(unit_cost(ours) / min(unit_cost(r) for r in peers))
            rate.append(rate_of(ours) / max(rate_of(r) for r in peers))
            p99.append(ours["result"]["latencyMs"]["p99"] / min(r["result"]["latencyMs"]["p99"] for r in peers))
        if cpu:
            print(f"{w}, ours / {other} within each round: CPU {statistics.median(cpu):.2f} "
                  f"(rounds {' '.join(f'{x:.2f}' for x in cpu)}), rate {statistics.median(rate):.2f}, "
                  f"p99 {statistics.median(p99):.2f}")

# What routing over every registered sandbox costs against routing over 10 of them, per gateway,
# paired by round: the two workloads of a round ran back to back on the same processes.
for g in dict.fromkeys(r["gateway"] for r in rows):
    rounds = {}
    for r in rows:
        if r["gateway"] == g and r["result"]["label"] in ("small-keepalive", "small-keepalive-10"):
            rounds.setdefault(r["round"], {})[r["result"]["label"]] = r
    pairs = [(p["small-keepalive"], p["small-keepalive-10"]) for p in rounds.values() if len(p) == 2]
    if pairs:
        cpu = [cpu_per_request(every) / cpu_per_request(ten) for every, ten in pairs]
        rate = [every["result"]["perSecond"] / ten["result"]["perSecond"] for every, ten in pairs]
        print(f"all {pairs[0][0]['result']['hosts']:,} sandboxes / 10, {g}: CPU per request {statistics.median(cpu):.3f} "
              f"(rounds {' '.join(f'{x:.2f}' for x in cpu)}), rate {statistics.median(rate):.3f}")
EOF
