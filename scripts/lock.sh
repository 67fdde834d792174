#!/usr/bin/env bash
# The two lock files, compiled by uv from pyproject.toml for CPython 3.11 on x86-64 Linux:
#   requirements.lock       the .venv of `make run` and `make test` (runtime and dev dependencies)
#   requirements-prod.lock  the production image: runtime dependencies only, each with its hashes, pinned to
#                           the same versions as requirements.lock
#   scripts/lock.sh [UV OPTION...]  recompile both (make lock); current pins are kept wherever pyproject.toml
#                                   allows, unless an option says otherwise: --upgrade-package NAME, --upgrade
#   scripts/lock.sh --check  fail if either lock does not match pyproject.toml
# Each lock's first line records the hash of pyproject.toml's dependency tables and of the lock's own text,
# so the check works offline and in milliseconds on a fresh machine: recompiling would need the index and
# could differ only because a newer release came out.
set -euo pipefail
cd "$(dirname "$0")/.."
LOCKS=(requirements.lock requirements-prod.lock)

stamp() {  # stamp --write|--check LOCK...: write, or check, the first line of each lock
    python3 - "$@" <<'PY'
import hashlib, json, sys, tomllib

MARK = "# lock-of: "


def pyproject_hash() -> str:
    with open("pyproject.toml", "rb") as f:
        project = tomllib.load(f)["project"]
    keys = ("requires-python", "dependencies", "optional-dependencies")
    deps = json.dumps({k: project.get(k) for k in keys}, sort_keys=True)
    return hashlib.sha256(deps.encode()).hexdigest()[:16]


def body_hash(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()[:16]


check = sys.argv[1] == "--check"
stale = []
for path in sys.argv[2:]:
    text = open(path).read()
    first, _, body = text.partition("\n")
    if not first.startswith(MARK):
        first, body = "", text
    want = f"{MARK}pyproject.toml {pyproject_hash()} lock {body_hash(body)} (scripts/lock.sh)"
    if not check:
        open(path, "w").write(f"{want}\n{body}")
    elif first != want:
        stale.append(path)
for path in stale:
    print(f"{path} does not match pyproject.toml, or was edited by hand: run `make lock`.")
sys.exit(1 if stale else 0)
PY
}

if [ "${1:-}" = "--check" ]; then
    stamp --check "${LOCKS[@]}"
    echo "${LOCKS[*]} match pyproject.toml"
    exit 0
fi

compile=(.venv/bin/uv pip compile pyproject.toml --quiet --python-version 3.11
         --python-platform x86_64-unknown-linux-gnu --custom-compile-command "make lock")
"${compile[@]}" "$@" --extra dev -o requirements.lock
# The image runs exactly the versions the tests ran with.
"${compile[@]}" --generate-hashes --constraint requirements.lock -o requirements-prod.lock
stamp --write "${LOCKS[@]}"
echo "Compiled ${LOCKS[*]}"
