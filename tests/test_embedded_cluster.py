"""The embedded PostGIS of scripts/pg.sh, set up from a checkout under a private (0700) folder.

As root, `git clone … ~/reciproque && make run` used to stop because the postgres user cannot traverse /root.
These tests make a cluster of their own (a few seconds), so they run in `make test`, not `make check`.
"""

import fcntl
import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.cluster

ROOT = Path(__file__).resolve().parent.parent
PSQL = "/usr/lib/postgresql/15/bin/psql"


def pg(checkout: Path, command: str, owner: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PG_OWNER": owner}
    return subprocess.run(
        ["bash", "scripts/pg.sh", command], cwd=checkout, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def checkout(tmp_path: Path) -> Iterator[Path]:
    """The Makefile and scripts/pg.sh copied into <private 0700 folder>/reciproque."""
    # One new cluster at a time on this machine (xdist workers, other runs): two choosing their port at the
    # same moment could both take the same free one.
    lock = (Path(tempfile.gettempdir()) / "reciproque-cluster-tests.lock").open("w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    private = tmp_path / "home"
    private.mkdir(mode=0o700)
    clone = private / "reciproque"
    (clone / "scripts").mkdir(parents=True)
    shutil.copy2(ROOT / "Makefile", clone / "Makefile")
    shutil.copy2(ROOT / "scripts" / "pg.sh", clone / "scripts" / "pg.sh")
    try:
        yield clone
    finally:
        pg(clone, "destroy")
        lock.close()


def answers(checkout: Path) -> str:
    url = pg(checkout, "url").stdout.strip().replace("postgis://", "postgresql://", 1)
    return subprocess.run(
        [PSQL, "-X", "-tA", "-c", "SELECT postgis_lib_version()", url],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout.strip()


def test_starts_under_a_private_folder_without_loosening_it(checkout: Path):
    started = pg(checkout, "start", owner="make-1")
    assert started.returncode == 0, started.stderr
    assert answers(checkout).startswith("3.")
    assert stat.S_IMODE(checkout.parent.stat().st_mode) == 0o700
    port = int((checkout / "var" / "postgres" / "port").read_text())
    assert 55432 <= port < 55532


def test_release_stops_only_a_server_this_invocation_started(checkout: Path):
    assert pg(checkout, "start", owner="make-run-terminal").returncode == 0
    # `make test` in a second terminal finds the server up: it must leave it running when it ends.
    assert pg(checkout, "start", owner="make-test").returncode == 0
    pg(checkout, "release", owner="make-test")
    assert pg(checkout, "running").returncode == 0
    assert answers(checkout)

    pg(checkout, "release", owner="make-run-terminal")
    assert pg(checkout, "running").returncode != 0


def test_make_clean_stops_and_removes_the_cluster(checkout: Path):
    assert pg(checkout, "start").returncode == 0
    cluster = (checkout / "var" / "postgres").resolve()
    assert (cluster / "data" / "PG_VERSION").is_file()

    subprocess.run(["make", "-s", "clean"], cwd=checkout, check=True, capture_output=True, timeout=120)

    assert not cluster.exists()
    assert not (checkout / "var").exists()
    assert pg(checkout, "running").returncode != 0
