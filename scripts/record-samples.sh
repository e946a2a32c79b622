#!/usr/bin/env bash
# Records the sample captures in assets/samples/ from real traffic on this machine (run as root).
#
# Three network namespaces, client — router — server, joined by veth pairs (offloads off, so frames are wire-sized
# with real checksums; IPv6 off, so no link-local chatter). The kernel here has no netem, so when python3 is present
# the router sends forwarded packets through a TUN device and scripts/samples/tun-delay.py, which gives each
# direction a fixed delay (a realistic RTT); tbf on the router gives real queue drops for the loss sample. Node's
# own servers and clients (scripts/samples/*.mjs) make the traffic; `packetflow capture` records it on the client's
# interface. Nothing outside these namespaces is touched; they are removed on exit.
#
#   sudo scripts/record-samples.sh [OUT_DIR]      (default assets/samples; needs `npm run build:cli` first or builds it)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-assets/samples}
DELAY_MS=${DELAY_MS:-15}
[ "$(id -u)" = 0 ] || { echo "record-samples: run as root (network namespaces and capture need it)" >&2; exit 1; }
for tool in ip tc ethtool openssl node tshark; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || { echo "record-samples: $tool is missing" >&2; exit 1; }
done
[ -f dist/cli.js ] || node scripts/build.mjs cli
mkdir -p "$OUT"
WORK=$(mktemp -d)
C=pf-rec-client R=pf-rec-router S=pf-rec-server
PIDS=()

cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  # Whatever still runs inside our namespaces was started by this script.
  for ns in $C $R $S; do
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [ -n "$pids" ] && kill $pids 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

setup_net() {
  for ns in $C $R $S; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    in_ns "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done
  ip -n $C link add c0 type veth peer name r0 netns $R
  ip -n $S link add s0 type veth peer name r1 netns $R
  ip -n $C addr add 10.10.1.2/24 dev c0
  ip -n $R addr add 10.10.1.1/24 dev r0
  ip -n $R addr add 10.10.2.1/24 dev r1
  ip -n $S addr add 10.10.2.2/24 dev s0
  for pair in "$C c0" "$R r0" "$R r1" "$S s0"; do
    set -- $pair
    in_ns "$1" ethtool -K "$2" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
    ip -n "$1" link set "$2" up
  done
  ip -n $C route add default via 10.10.1.1
  ip -n $S route add default via 10.10.2.1
  in_ns $R sysctl -q -w net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
  local py
  py=$(command -v python3 || true)
  if [ -n "$py" ]; then
    ip netns exec $R "$py" scripts/samples/tun-delay.py pfdelay "$DELAY_MS" > "$WORK/delay.out" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 50); do grep -q ready "$WORK/delay.out" 2>/dev/null && break; sleep 0.1; done
    ip -n $R link set pfdelay up
    in_ns $R sysctl -q -w net.ipv4.conf.pfdelay.rp_filter=0
    # Forwarded packets from either side go into the TUN device; what comes back out of it is routed normally.
    ip -n $R rule add iif r0 lookup 100 pref 100
    ip -n $R rule add iif r1 lookup 100 pref 101
    ip -n $R route add default dev pfdelay table 100
    echo "record-samples: ${DELAY_MS} ms each way through the router (RTT ~$((2 * DELAY_MS)) ms)"
  else
    echo "record-samples: no python3, so no userspace delay: the samples will have a sub-millisecond RTT"
  fi
}

# wait_ready FILE: a server printed "ready PORT"
wait_ready() { for _ in $(seq 100); do grep -q '^ready' "$1" 2>/dev/null && return 0; sleep 0.05; done; echo "timeout: $1" >&2; return 1; }

# capture NAME FILTER COMMAND...: records the client's interface while COMMAND runs in the client namespace.
capture() {
  local name=$1 filter=$2; shift 2
  local file="$OUT/$name.pcapng" log="$WORK/$name.capture"
  # tcpdump as the source: kernel timestamps (cap's are taken on delivery). SNAPLEN keeps only headers when set.
  ip netns exec $C node dist/cli.js capture -i c0 -f "$filter" -w "$file" --source "${SOURCE:-tcpdump}" \
    ${SNAPLEN:+-s "$SNAPLEN"} -q 2> "$log" &
  local cap=$!
  for _ in $(seq 100); do grep -q 'capturing on' "$log" && break; sleep 0.05; done
  sleep 0.2
  "$@"
  sleep 0.5
  kill -INT "$cap"
  wait "$cap" || { cat "$log" >&2; return 1; }
  sed -n 's/^/  /p' "$log" | grep -v 'note:' || true
}

server() { # server NAME SCRIPT ARGS...: starts a server in the server namespace
  local name=$1 script=$2; shift 2
  ip netns exec $S node "scripts/samples/$script.mjs" "$@" > "$WORK/$name.out" 2> "$WORK/$name.err" &
  PIDS+=($!)
  wait_ready "$WORK/$name.out"
}

client() { in_ns $C node "scripts/samples/$1.mjs" "${@:2}"; }

setup_net

echo "01: TCP handshake, data, close"
server tcp tcp-exchange server --host 10.10.2.2 --port 7070
capture 01-tcp-handshake-data-close "tcp port 7070" client tcp-exchange client --host 10.10.2.2 --port 7070

echo "02: TLS 1.3 handshake"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 -subj /CN=packetflow.test \
  -addext subjectAltName=DNS:packetflow.test -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
server tls tls-exchange server --host 10.10.2.2 --port 443 --cert "$WORK/cert.pem" --key "$WORK/key.pem"
capture 02-tls13-handshake "tcp port 443" client tls-exchange client --host 10.10.2.2 --port 443 \
  --ca "$WORK/cert.pem" --keylog "$WORK/keys.txt"
node scripts/samples/inject-secrets.mjs "$OUT/02-tls13-handshake.pcapng" "$WORK/keys.txt"

echo "03: DNS lookups"
server dns dns-server --host 10.10.2.2 --port 53 --count 4
capture 03-dns-lookups "udp port 53" client dns-client --server 10.10.2.2:53

echo "04: TCP loss and retransmission (tbf queue drops on the router)"
tc -n $R qdisc add dev r0 root tbf rate 8mbit burst 3000 limit 6000
server bulk tcp-exchange server --host 10.10.2.2 --port 7071 --bytes 250000
SNAPLEN=96 capture 04-tcp-loss-retransmission "tcp port 7071" client tcp-exchange client --host 10.10.2.2 --port 7071 --bytes 250000
tc -n $R qdisc del dev r0 root

echo "05: zero window (a client with a small receive buffer that stops reading)"
in_ns $C sysctl -q -w net.ipv4.tcp_rmem="4096 8192 8192"
server slow tcp-exchange server --host 10.10.2.2 --port 7072 --bytes 60000
SNAPLEN=96 capture 05-zero-window "tcp port 7072" client tcp-exchange client --host 10.10.2.2 --port 7072 --bytes 60000 --pause-ms 1000

ls -l "$OUT"/*.pcapng
for f in "$OUT"/*.pcapng; do
  printf '%s: %s frames\n' "$(basename "$f")" "$(tshark -r "$f" 2>/dev/null | wc -l)"
done
