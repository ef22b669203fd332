#!/usr/bin/env bash
# Installs what the tests need where it is missing (Debian/Ubuntu), then builds and runs every test.
set -euo pipefail
cd "$(dirname "$0")"

need=()
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
# The load-balancer tests run nginx as it is installed (outside root's PATH it lives in /usr/sbin).
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
# The outage test pauses a node with the kill binary (SIGSTOP/SIGCONT), not the shell builtin.
[ -x /usr/bin/kill ] || [ -x /bin/kill ] || need+=(procps)
# The JavaScript client's tests: Node.js 18+ with npm, and Debian's Chromium for the browser test
# (playwright-core drives it; the test tool's own browser download is not used).
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || need+=(chromium)
# The deployment tests render deploy/k8s with kubectl's built-in kustomize (kubectl 1.27 or newer,
# which Debian does not package) and validate it with npm packages.
command -v kubectl >/dev/null 2>&1 || { echo "kubectl 1.27+ is needed to render deploy/k8s" >&2; exit 1; }
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi

# One build of the node and what it needs (tests compiled, not run), installed so that the conformance
# module can take the node from it. Then two lanes at once: Autobahn's WebSocket conformance suite
# (one CPU-bound fuzzing client) beside the node's unit and integration tests and the benchmark's
# smoke run (which spend most of their time waiting on the processes they start).
# The JavaScript packages' dependencies are fetched meanwhile (they wait on the network and disk).
npm_log=$(mktemp)
( for dir in js-client deploy/test pusher-tests; do (cd "$dir" && npm ci --no-audit --no-fund) || exit 1; done ) \
  >"$npm_log" 2>&1 &
npm_prep=$!
mvn -B -ntp -DskipTests install -pl .,cluster-manager,node "$@"
lane_log=$(mktemp)
mvn -B -ntp verify -pl conformance "$@" >"$lane_log" 2>&1 &
lane=$!
status=0
mvn -B -ntp verify -pl cluster-manager,node,bench "$@" || status=$?
lane_status=0
wait "$lane" || lane_status=$?
echo "---- conformance (ran beside the tests above) ----"
if [ "$lane_status" -ne 0 ]; then cat "$lane_log"; else grep -E "test cases|BUILD|Total time|ERROR" "$lane_log" || true; fi
rm -f "$lane_log"
[ "$status" -eq 0 ] && [ "$lane_status" -eq 0 ] || exit 1
if ! wait "$npm_prep"; then cat "$npm_log"; exit 1; fi
rm -f "$npm_log"
# After Maven: the client's integration and browser tests run the jars it just built; then the
# deployment manifests are rendered and checked; then the Pusher protocol with pusher-js, Laravel Echo
# and the pusher server SDK on a three-node cluster (its tests use js-client's cluster helpers).
(cd js-client && npm test)
(cd deploy/test && npm test)
(cd pusher-tests && npm test)
