#!/usr/bin/env bash
# The side-by-side benchmark: ChatCluster, Socket.IO and nchan, the same scenarios, each target started
# and stopped here with a Redis of its own, repeated with the order of targets rotated.
#
#   bench/side-by-side.sh [--quick] [--runs 3] [--targets chatcluster,socketio,nchan[,ws]] [more flags]
#
# The growth curves (docs/benchmarks.md, "Growth curves"), each best run alone:
#   bench/side-by-side.sh --scenarios nodes --node-counts 1,2,4,6 --targets chatcluster,socketio --warmup 10
#   bench/side-by-side.sh --scenarios rooms --targets chatcluster,socketio,nchan --warmup 5
#   bench/side-by-side.sh --scenarios idle --idle 2000,10000,18000
# --report DIR writes a finished run's summary.md and charts again from its JSON (give its flags too).
#
# Installs what is missing (redis-server, nginx + libnginx-mod-nchan with apt-get, Socket.IO with npm ci),
# builds the node and bench jars when absent, then writes bench/results/<UTC timestamp>/:
# run-<r>-<target>.json per run, summary.md (medians, min–max) and PNG charts. See docs/benchmarks.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

need_apt=()
command -v redis-server >/dev/null || need_apt+=(redis-server)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need_apt+=(nginx)
[ -f /usr/lib/nginx/modules/ngx_nchan_module.so ] || need_apt+=(libnginx-mod-nchan)
command -v openssl >/dev/null || need_apt+=(openssl)
command -v node >/dev/null || need_apt+=(nodejs npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing ${need_apt[*]} with apt-get"
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd=sudo
  $sudo_cmd apt-get update -q && $sudo_cmd apt-get install -y -q "${need_apt[@]}"
fi
# The system's nginx service is not used (the bench runs its own nginx with its own prefix).

if [ ! -d bench/peers/socketio/node_modules/socket.io ] || [ ! -d bench/peers/socketio/node_modules/@socket.io/redis-streams-adapter ]; then
  (cd bench/peers/socketio && npm ci --no-audit --no-fund)
fi
if [ ! -f node/target/chatcluster-node.jar ] || [ ! -f bench/target/chatcluster-bench.jar ]; then
  mvn -q -B -pl bench -am -DskipTests package
fi

# 20,000 idle connections need as many open files in the generator (the servers have less each).
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

exec java -Xms1g -Xmx3g -cp bench/target/chatcluster-bench.jar \
  chatcluster.bench.side.SideBySide --root "$root" "$@"
