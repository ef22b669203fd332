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
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi

exec mvn -B -ntp verify "$@"
