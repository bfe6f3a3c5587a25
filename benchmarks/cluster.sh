#!/usr/bin/env bash
# A local Convoy cluster on one machine, the shape it runs in on Kubernetes: N nodes (each with its own
# data dir and ports), one shared S3 store (the embedded S3Proxy, alone in its process), and nginx in
# front, round-robin with no stickiness. Any node takes any request; a drained node parks its
# unfinished uploads in the store for the others to adopt.
#
#   benchmarks/cluster.sh start N DIR            start N nodes under DIR; prints url=… (nginx) and each node
#   benchmarks/cluster.sh token DIR --owner O [--device D]   print a token every node accepts
#   benchmarks/cluster.sh drain DIR K            node K (1..N) out of nginx's rotation, then SIGTERM: it drains,
#                                                parks its open uploads, stops; waits for it
#   benchmarks/cluster.sh kill DIR K             SIGKILL to node K (it stays in rotation, as a crash does)
#   benchmarks/cluster.sh restart DIR K          node K drained if it runs, started again on its data dir, back in rotation
#   benchmarks/cluster.sh stop DIR               everything, nodes drained first
#
# Settings for every node come from CONVOY_* variables in the environment of `start`/`restart`
# (README's table), e.g. CONVOY_TRANSCODE_WORKERS=1. CONVOY_DRAIN_GRACE defaults to 30 here.
# nginx comes from Debian's packages (installed when missing, as root).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

die() { echo "cluster.sh: $*" >&2; exit 2; }
need_dir() { [ -f "$1/cluster.env" ] || die "$1 holds no cluster (start one with: cluster.sh start N $1)"; }
load() { need_dir "$1"; DIR="$(cd "$1" && pwd)"; . "$DIR/cluster.env"; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
wait_live() { # URL what
  for _ in $(seq 1 300); do curl -sf -o /dev/null "$1" && return 0; sleep 0.2; done
  die "$2 did not start; see its log under $DIR"
}

start_node() { # K
  local k=$1 port=$((BASE + 10 + $1)) mport=$((BASE + 40 + $1))
  mkdir -p "$DIR/node-$k"
  ( export AWS_ACCESS_KEY_ID="$S3_ACCESS" AWS_SECRET_ACCESS_KEY="$S3_SECRET"
    export CONVOY_DRAIN_GRACE="${CONVOY_DRAIN_GRACE:-30}"
    exec java ${NODE_JAVA_OPTS:-} -jar "$DIR/convoy.jar" serve --node-id "n$k" --peers "$PEERS" \
      --host 127.0.0.1 --port "$port" --management-port "$mport" --data-dir "$DIR/node-$k" \
      --s3-endpoint "http://127.0.0.1:$((BASE + 1))" --s3-bucket convoy --jwt-secret "$(cat "$DIR/jwt-secret")" \
      --trusted-proxies 127.0.0.1 >> "$DIR/node-$k/server.log" 2>&1 ) &
  echo $! > "$DIR/node-$k.pid"
}

stop_node() { # K SIGNAL
  local pidfile="$DIR/node-$1.pid"
  alive "$pidfile" || return 0
  local pid; pid=$(cat "$pidfile")
  kill "-$2" "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

# nginx's configuration: every node, but those taken out of rotation (as Kubernetes takes a pod out of its
# Service's endpoints before its preStop hook and SIGTERM) are marked down.
write_nginx() {
  {
    echo "worker_processes 1; pid $DIR/nginx/nginx.pid; error_log $DIR/nginx/error.log warn;"
    echo "events { worker_connections 8192; }"
    echo "http {"
    echo "  access_log off;"
    for t in client_body proxy fastcgi uwsgi scgi; do echo "  ${t}_temp_path $DIR/nginx/$t;"; done
    echo "  upstream convoy {"
    for k in $(seq 1 "$N"); do
      if [ -f "$DIR/node-$k.out" ]; then echo "    server 127.0.0.1:$((BASE + 10 + k)) down;"; else echo "    server 127.0.0.1:$((BASE + 10 + k));"; fi
    done
    echo "    keepalive 256;"
    echo "  }"
    echo "  server {"
    echo "    listen 127.0.0.1:$BASE;"
    # Streamed both ways, as a cloud load balancer does: no request or response buffering, any body size.
    echo "    client_max_body_size 0; proxy_request_buffering off; proxy_buffering off;"
    echo "    proxy_http_version 1.1; proxy_set_header Connection \"\";"
    echo "    proxy_set_header Host \$http_host; proxy_set_header X-Forwarded-Proto \$scheme;"
    echo "    proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;"
    echo "    proxy_read_timeout 120s; proxy_send_timeout 120s;"
    echo "    location / { proxy_pass http://convoy; }"
    echo "  }"
    echo "}"
  } > "$DIR/nginx/nginx.conf"
}
rotation() { # K in|out: into or out of nginx's rotation, reloaded when nginx runs
  if [ "$2" = out ]; then touch "$DIR/node-$1.out"; else rm -f "$DIR/node-$1.out"; fi
  write_nginx
  [ -f "$DIR/nginx/nginx.pid" ] && nginx -c "$DIR/nginx/nginx.conf" -e "$DIR/nginx/error.log" -s reload 2>/dev/null || true
  sleep 1
}

cmd=${1:-}; shift || true
case "$cmd" in
  start)
    [ $# -eq 2 ] || die "usage: cluster.sh start N DIR"
    N=$1; [ "$N" -ge 1 ] 2>/dev/null || die "N must be a whole number of nodes, not '$1'"
    mkdir -p "$2"; DIR="$(cd "$2" && pwd)"
    [ -f "$DIR/cluster.env" ] && die "$DIR already holds a cluster; stop it first, or use another DIR"
    command -v nginx >/dev/null || { echo "installing nginx (Debian's package)" >&2; DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx >/dev/null; }
    [ -f "$ROOT/ingest/target/convoy.jar" ] || (cd "$ROOT" && ./mvnw -q -B -pl ingest -am package -DskipTests)
    cp "$ROOT/ingest/target/convoy.jar" "$DIR/convoy.jar"
    BASE=$((20000 + RANDOM % 20000))
    PEERS=$(for k in $(seq 1 "$N"); do printf 'n%s=http://127.0.0.1:%s,' "$k" $((BASE + 10 + k)); done); PEERS=${PEERS%,}
    head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$DIR/jwt-secret"; chmod 600 "$DIR/jwt-secret"
    cat > "$DIR/cluster.env" <<ENV
N=$N
BASE=$BASE
PEERS=$PEERS
S3_ACCESS=convoy-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')
S3_SECRET=$(head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n')
ENV
    . "$DIR/cluster.env"
    ( export AWS_ACCESS_KEY_ID="$S3_ACCESS" AWS_SECRET_ACCESS_KEY="$S3_SECRET"
      exec java -Xmx1g -jar "$DIR/convoy.jar" object-store --dir "$DIR/s3" --port $((BASE + 1)) >> "$DIR/s3.log" 2>&1 ) &
    echo $! > "$DIR/s3.pid"
    for _ in $(seq 1 300); do grep -q event=object_store_ready "$DIR/s3.log" 2>/dev/null && break; sleep 0.2; done
    grep -q event=object_store_ready "$DIR/s3.log" || die "the object store did not start; see $DIR/s3.log"
    for k in $(seq 1 "$N"); do start_node "$k"; done
    for k in $(seq 1 "$N"); do wait_live "http://127.0.0.1:$((BASE + 40 + k))/health/live" "node $k"; done
    mkdir -p "$DIR/nginx"
    write_nginx
    nginx -c "$DIR/nginx/nginx.conf" -e "$DIR/nginx/error.log"
    echo "url=http://127.0.0.1:$BASE"
    for k in $(seq 1 "$N"); do
      echo "node $k: n$k url=http://127.0.0.1:$((BASE + 10 + k)) management=http://127.0.0.1:$((BASE + 40 + k)) log=$DIR/node-$k/server.log"
    done
    echo "store=http://127.0.0.1:$((BASE + 1)) tokens: cluster.sh token $DIR --owner O [--device D]"
    ;;
  token)
    [ $# -ge 1 ] || die "usage: cluster.sh token DIR --owner O [--device D]"
    load "$1"; shift
    java -jar "$DIR/convoy.jar" token --data-dir "$DIR" "$@"
    ;;
  drain|kill|restart)
    [ $# -eq 2 ] || die "usage: cluster.sh $cmd DIR K"
    load "$1"; K=$2
    [ "$K" -ge 1 ] 2>/dev/null && [ "$K" -le "$N" ] || die "K must be a node from 1 to $N, not '$2'"
    case "$cmd" in
      drain)
        rotation "$K" out
        started=$(date +%s.%N); stop_node "$K" TERM
        awk -v a="$started" -v b="$(date +%s.%N)" -v k="$K" 'BEGIN{printf "node %s drained and stopped in %.1f s\n", k, b-a}'
        grep -E "event=(drain_finished|parking_finished)" "$DIR/node-$K/server.log" | tail -n 2 | sed 's/^[^ ]* //' || true ;;
      kill)
        stop_node "$K" KILL; echo "node $K killed" ;;
      restart)
        rotation "$K" out; stop_node "$K" TERM; start_node "$K"
        wait_live "http://127.0.0.1:$((BASE + 40 + K))/health/live" "node $K"; rotation "$K" in; echo "node $K running again" ;;
    esac
    ;;
  stop)
    [ $# -eq 1 ] || die "usage: cluster.sh stop DIR"
    load "$1"
    for k in $(seq 1 "$N"); do stop_node "$k" TERM & done; wait
    [ -f "$DIR/nginx/nginx.pid" ] && nginx -c "$DIR/nginx/nginx.conf" -e "$DIR/nginx/error.log" -s quit 2>/dev/null || true
    alive "$DIR/s3.pid" && kill "$(cat "$DIR/s3.pid")" || true
    rm -f "$DIR/cluster.env" "$DIR"/node-*.out
    echo "stopped; data kept under $DIR"
    ;;
  *)
    sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
