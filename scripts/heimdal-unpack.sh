#!/usr/bin/env bash
# Unpacks Debian's Heimdal client tools (kinit, klist, kgetcred, ...) and the shared libraries they
# need into one root outside the repo, WITHOUT installing them (heimdal-clients conflicts with
# krb5-user). Usage: scripts/heimdal-unpack.sh [ROOT]   (default: ${TMPDIR:-/tmp}/kerberos-ts-heimdal)
# Reused when ROOT/usr/bin/kinit.heimdal already exists. Prints ROOT on success. Needs apt lists (apt-get
# update is run once when `apt-cache show heimdal-clients` finds nothing and we are root).
set -euo pipefail
root="${1:-${TMPDIR:-/tmp}/kerberos-ts-heimdal}"
if [ -x "$root/usr/bin/kinit.heimdal" ] && [ -e "$root/.complete" ]; then
  echo "$root"
  exit 0
fi
command -v apt-get >/dev/null 2>&1 || { echo "heimdal-unpack: apt-get not found" >&2; exit 1; }
if ! apt-cache show heimdal-clients >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || { echo "heimdal-unpack: no apt lists and not root" >&2; exit 1; }
  apt-get update -qq
fi
cache="$root.debs"
mkdir -p "$cache" "$root"
# heimdal-clients and every Heimdal library it reaches, plus any other library dependency that is
# not installed on this machine (those are unpacked too, so LD_LIBRARY_PATH finds them).
deps="$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
  --no-replaces --no-enhances heimdal-clients | grep -v '^ ' | grep -v '^<' | sort -u)"
want=""
for p in $deps; do
  case "$p" in
    heimdal-clients | *heimdal*) want="$want $p" ;;
    lib*) dpkg -s "$p" >/dev/null 2>&1 || want="$want $p" ;;
  esac
done
(
  cd "$cache"
  # shellcheck disable=SC2086
  # Stale lists name versions the mirror no longer has: refresh them once (as root) and retry.
  apt-get download -qq $want >/dev/null 2>&1 ||
    { [ "$(id -u)" = 0 ] && apt-get update -qq && apt-get download -qq $want >/dev/null; }
)
for deb in "$cache"/*.deb; do dpkg -x "$deb" "$root"; done
[ -x "$root/usr/bin/kinit.heimdal" ] || { echo "heimdal-unpack: no kinit.heimdal in $root" >&2; exit 1; }
touch "$root/.complete"
echo "$root"
