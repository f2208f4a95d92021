#!/usr/bin/env bash
# The kerberos-ts demo. On a fresh Debian machine, as root: installs MIT's KDC and tools when
# missing, runs `npm ci` when node_modules is missing, builds (dist/ and build/), then runs the
# demo, which starts a throwaway realm on 127.0.0.1, logs in with a keytab, gets a service
# ticket and cleans up.
set -euo pipefail
cd "$(dirname "$0")/.."

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
    echo "[demo] MIT krb5 is missing: run as root on Debian/Ubuntu, or install krb5-kdc krb5-admin-server krb5-user" >&2
    exit 1
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

if command -v timeout >/dev/null 2>&1; then
  exec timeout --kill-after=10 150 node build/scripts/demo.js
else
  exec node build/scripts/demo.js
fi
