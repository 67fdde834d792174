#!/usr/bin/env bash
# Vendors jsQR (Apache-2.0, a pure-JavaScript QR decoder, no dependency) into frontend/static/vendor/, from the
# npm registry, for the desk page's camera scan: no browser ever loads it from a CDN. Run by `make vendor`; the
# copied files are committed.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=1.4.0
DEST="frontend/static/vendor/jsqr-$VERSION"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack -q "jsqr@$VERSION" >/dev/null && tar xzf "jsqr-$VERSION.tgz")
mkdir -p "$DEST"
cp "$tmp/package/LICENSE" "$DEST/"
sed '/^\/\/# sourceMappingURL=/d' "$tmp/package/dist/jsQR.js" > "$DEST/jsQR.js"
echo "jsQR $VERSION (Apache-2.0) vendored into $DEST:"
ls -l "$DEST"
