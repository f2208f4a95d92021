#!/usr/bin/env bash
# The kerberos-ts demo. By default it needs Node alone (Linux, macOS, Windows with Git Bash): it
# runs `npm ci` when node_modules is missing, builds (dist/ and build/), then runs the demo, which
# starts the embedded KDC on 127.0.0.1, logs in with a keytab, gets a service ticket, verifies it
# with mutual authentication, does an HTTP Negotiate round trip and cleans up. MIT's klist and
# curl are used when they are on PATH, never required.
#
# `bash scripts/demo.sh --mit` runs the same story against a throwaway MIT realm instead (on
# Debian as root it installs MIT's KDC and tools when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

mit=0
for a in "$@"; do
  case "$a" in
    --mit) mit=1 ;;
    *) echo "usage: bash scripts/demo.sh [--mit]" >&2; exit 2 ;;
  esac
done

if [ "$mit" = 1 ]; then
  need_mit=0
  for bin in /usr/sbin/krb5kdc /usr/sbin/kdb5_util /usr/sbin/kadmin.local /usr/bin/kinit /usr/bin/klist /usr/bin/kvno /usr/bin/ktutil /usr/bin/kdestroy; do
    [ -x "$bin" ] || need_mit=1
  done
  if [ "$need_mit" = 1 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "[demo] installing MIT krb5 (krb5-kdc krb5-admin-server krb5-user)"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq --no-install-recommends krb5-kdc krb5-admin-server krb5-user curl >/dev/null
    else
      echo "[demo] MIT krb5 is missing: run as root on Debian/Ubuntu, or install krb5-kdc krb5-admin-server krb5-user (or run without --mit)" >&2
      exit 1
    fi
  fi
fi

node scripts/ensure-deps.mjs # npm ci when node_modules is missing or incomplete

echo "[demo] building"
# The published build first (dist/: the tests and the demo import the package by name), then the
# demo and its helpers. A compile error stops the demo: it would run stale or missing code.
if ! npm run --silent build || ! npx tsc -p tsconfig.json; then
  echo "[demo] the TypeScript build failed (see the errors above)" >&2
  exit 1
fi

args=()
[ "$mit" = 1 ] && args+=(--mit)
if command -v timeout >/dev/null 2>&1; then
  exec timeout --kill-after=10 150 node build/scripts/demo.js ${args[@]+"${args[@]}"}
else
  exec node build/scripts/demo.js ${args[@]+"${args[@]}"}
fi
