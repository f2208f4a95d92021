#!/bin/sh
# Start a throwaway MIT krb5 realm for manual poking (test/helpers/realm.ts), print its
# environment, and keep it running until Ctrl-C (then the KDC is stopped and the directory
# removed). Usage: scripts/mit-realm.sh [REALM]
#   eval "$(sed -n 's/^export /export /p' <output>)" ; kadmin.local -q listprincs
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${BUILD_DIR:-/tmp/kerberos-ts-realm-build}
cd "$root"
npx tsc -p tsconfig.json --outDir "$out" >/dev/null 2>&1 || true
test -f "$out/test/helpers/realm.js" || { echo "build failed: $out/test/helpers/realm.js missing" >&2; exit 1; }
REALM_NAME=${1:-KRBTS.TEST} node --input-type=module -e "
const { startRealm } = await import('$out/test/helpers/realm.js')
const realm = await startRealm({ realm: process.env.REALM_NAME })
await realm.addPrincipal('user', { password: 'user' })
for (const [k, v] of Object.entries(realm.env)) console.log('export ' + k + '=' + v)
console.log('# realm ' + realm.realm + ' KDC 127.0.0.1:' + realm.kdcPort + ' (UDP+TCP), principal user@' + realm.realm + ' password user')
console.log('# Ctrl-C to stop')
const stop = async () => { await realm.stop(); process.exit(0) }
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
setInterval(() => {}, 1 << 30)
"
