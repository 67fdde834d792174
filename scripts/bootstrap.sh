#!/usr/bin/env bash
# Installs what the project needs and is missing: Debian packages, then a .venv synced to requirements.lock.
# Idempotent and quick when nothing changed (a stamp file records the lock's hash).
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(postgresql-15 postgresql-15-postgis-3 postgresql-contrib gdal-bin redis-server chromium
              fonts-dejavu-core gettext python3-venv)
UV_VERSION=0.13.8

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
    echo "==> Installing Debian packages: ${missing[*]}"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    # The Debian postgresql package starts a cluster on 5432; ours lives under var/ on its own port.
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    echo "Réciproque needs Python 3.11 (found $("$PYTHON" --version 2>&1))." >&2
    exit 1
fi
if [ ! -x .venv/bin/python ]; then
    echo "==> Creating .venv"
    "$PYTHON" -m venv .venv
fi
if [ ! -x .venv/bin/uv ]; then
    .venv/bin/pip install -q "uv==$UV_VERSION"
fi

stamp=.venv/.lock-hash
want=$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "==> Syncing .venv with requirements.lock"
    .venv/bin/uv pip sync -q --python .venv/bin/python requirements.lock
    .venv/bin/uv pip install -q --python .venv/bin/python --no-deps -e .
    echo "$want" > "$stamp"
fi
