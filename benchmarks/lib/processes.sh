# Sourced by compare.sh, cold-cache.sh and warmup.sh: a working directory, processes started on
# one core and stopped by PID when the script ends, and waits for ports and exits.
#
#   source "$root/benchmarks/lib/processes.sh"
#   open_workdir compare            # sets $work (kept, for raw results) and $pidfile

open_workdir() { # name
  work=$(mktemp -d "/tmp/sandbox-gateway-$1.XXXXXX")
  chmod 755 "$work"  # nginx workers run as an unprivileged user and must read the files here
  # Every process started with start() is recorded here and stopped by PID on exit.
  pidfile=$work/pids
  touch "$pidfile"
  trap stop_started EXIT
  trap 'exit 130' INT TERM
}
stop_started() {
  while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$pidfile"
  sleep 1
  while read -r pid; do kill -9 "$pid" 2>/dev/null || true; done <"$pidfile"
}
# Installs a Debian package when its command is missing; nginx and haproxy live in /usr/sbin,
# which a non-root PATH may lack, so that counts as present.
install_missing() { # package command
  if ! command -v "$2" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$2" ]; then
    echo "installing $2 from Debian's $1" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
  fi
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { # port [seconds, default 10]
  local deadline=$((SECONDS + ${2:-10}))
  while [ "$SECONDS" -lt "$deadline" ]; do
    python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1',$1)))" && return 0
    sleep 0.02
  done
  echo "nothing listens on port $1 after ${2:-10} s" >&2; return 1
}
start() { # cpu, log, command... -> prints the PID
  local cpu=$1 log=$2; shift 2
  taskset -c "$cpu" "$@" >"$log" 2>&1 &
  echo $! >>"$pidfile"
  echo $!
}
# A process started with start() inside a command substitution is no child of the script, so
# `wait` cannot wait for it.
wait_exit() { # pid [seconds, default 60]
  local deadline=$((SECONDS + ${2:-60}))
  while kill -0 "$1" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then echo "process $1 still runs after ${2:-60} s" >&2; return 1; fi
    sleep 0.1
  done
}
# nginx serving the files of $work/www (a 64-byte /64b always; callers add more) on the given core
# and port, and reading request bodies it is sent: the backend of every benchmark.
start_backend() { # cpu, port
  mkdir -p "$work/www"; head -c 64 /dev/zero | tr '\0' 'x' >"$work/www/64b"
  cat >"$work/backend.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/backend.pid;
error_log $work/backend-error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 300s;
  client_body_temp_path $work/backend-body;
  server { listen 127.0.0.1:$2 backlog=4096; root $work/www; }
}
CONF
  start "$1" "$work/backend.log" "$(command -v nginx || echo /usr/sbin/nginx)" -c "$work/backend.conf" -p "$work" >/dev/null
}
