#!/usr/bin/env bash
# Builds the librdkafka-based client the KIP-848 tests use (@confluentinc/kafka-javascript,
# which bundles librdkafka's source), linked dynamically against Debian's
# libssl/libsasl2/zlib/zstd/lz4, and links it at <repo>/.deps/kafka-javascript. It is kept out of
# the workspace's devDependencies so a plain `npm install` stays fast and needs no -dev packages.
# The build (several minutes on two cores) lives in a per-machine cache keyed by version and Node
# ABI (BROOK_CACHE_DIR, default ~/.cache/brook), so a new clone on the same machine reuses it; a
# new machine builds it once.
#
# Usage: scripts/install-librdkafka-client.sh        (idempotent: exits at once when built)
#        FORCE=1 scripts/install-librdkafka-client.sh (rebuild)
set -euo pipefail

VERSION=1.10.1 # bundles librdkafka 2.15.1
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ABI="$(node -p process.versions.modules)"
DEST="${BROOK_CACHE_DIR:-$HOME/.cache/brook}/kafka-javascript-$VERSION-abi$ABI"
LINK="$ROOT/.deps/kafka-javascript"
PKG_DIR="$DEST/node_modules/@confluentinc/kafka-javascript"
MARKER="$DEST/.built-$VERSION"

link () {
  mkdir -p "$ROOT/.deps"
  ln -sfn "$DEST" "$LINK"
}

if [[ -z "${FORCE:-}" && -f "$MARKER" && -f "$PKG_DIR/build/Release/confluent-kafka-javascript.node" ]]; then
  link
  [[ -n "${CI:-}" ]] && echo "kafka-javascript $VERSION already built in $DEST"
  exit 0
fi

DEBS=(g++ make python3 pkg-config libssl-dev libsasl2-dev zlib1g-dev libzstd-dev liblz4-dev)
missing=()
for deb in "${DEBS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$deb" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$deb")
  fi
done
if ((${#missing[@]})); then
  echo "installing Debian build dependencies: ${missing[*]}"
  SUDO=()
  if [[ "$(id -u)" != 0 ]]; then
    command -v sudo >/dev/null || { echo "need root (or sudo) to apt-get install ${missing[*]}" >&2; exit 1; }
    SUDO=(sudo)
  fi
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

mkdir -p "$DEST"
rm -f "$DEST"/.built-*
# An own package.json stops npm from walking up into the workspace root.
echo '{ "name": "brook-kafka-javascript-deps", "private": true }' > "$DEST/package.json"

start=$(date +%s)
# --build-from-source: never download a prebuilt binary; CKJS_LINKING=dynamic links the
# bundled librdkafka against the system's libraries instead of vendored static ones.
CKJS_LINKING=dynamic nice -n 10 npm install --no-save --no-audit --no-fund \
  --build-from-source --foreground-scripts \
  --prefix "$DEST" "@confluentinc/kafka-javascript@$VERSION"

node -e "
  const k = require('$PKG_DIR');
  const v = k.librdkafkaVersion;
  console.log('librdkafka', v, 'features:', k.features.join(','));
  if (!v.startsWith('2.15')) { console.error('unexpected librdkafka version ' + v); process.exit(1); }
"
touch "$MARKER"
link
echo "built in $(( $(date +%s) - start ))s"
