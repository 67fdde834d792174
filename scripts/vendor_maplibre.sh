#!/usr/bin/env bash
# Vendors MapLibre GL JS (UMD build: 6.x ships only ES modules) into frontend/static/vendor/, from the npm
# registry, so that no browser ever loads it from a CDN. Run by `make vendor`; the copied files are committed.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=5.24.1
DEST="frontend/static/vendor/maplibre-gl-$VERSION"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack -q "maplibre-gl@$VERSION" >/dev/null && tar xzf "maplibre-gl-$VERSION.tgz")
mkdir -p "$DEST"
cp "$tmp/package/dist/maplibre-gl.css" "$tmp/package/LICENSE.txt" "$DEST/"
# The source map is not shipped: drop its reference, which the hashed-name static storage would try to follow.
sed '/^\/\/# sourceMappingURL=/d' "$tmp/package/dist/maplibre-gl.js" > "$DEST/maplibre-gl.js"
echo "MapLibre GL JS $VERSION (BSD-3-Clause) vendored into $DEST:"
ls -l "$DEST"
