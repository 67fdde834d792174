#!/usr/bin/env bash
# Vendors axe-core (the accessibility rules engine the browser tests inject into every page) into
# tests/vendor/, from the npm registry. Test-only: it is never served to users. The copied files are
# committed; the tarball's integrity is checked against the pinned npm `dist.integrity` before use.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=4.14.1
INTEGRITY="sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
DEST="tests/vendor/axe-core-$VERSION"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack -q "axe-core@$VERSION" >/dev/null)
actual="sha512-$(openssl dgst -sha512 -binary "$tmp/axe-core-$VERSION.tgz" | base64 -w0)"
if [ "$actual" != "$INTEGRITY" ]; then
  echo "axe-core-$VERSION.tgz: integrity $actual, expected $INTEGRITY" >&2
  exit 1
fi
tar xzf "$tmp/axe-core-$VERSION.tgz" -C "$tmp"
rm -rf "$DEST"
mkdir -p "$DEST"
cp "$tmp/package/axe.min.js" "$tmp/package/LICENSE" "$tmp/package/LICENSE-3RD-PARTY.txt" "$DEST/"
echo "axe-core $VERSION (MPL-2.0) vendored into $DEST:"
ls -l "$DEST"
