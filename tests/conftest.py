"""Shared test set-up: a real Redis channel layer, the system Chromium for Playwright, common fixtures."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command

from marketplace.accounts.models import User
from marketplace.organisations.models import Organisation, OrganisationStatus
from tests.factories.accounts import UserFactory
from tests.factories.geo import CommuneFactory, DepartementFactory
from tests.factories.organisations import (
    MemberOrganisationFactory,
    OfficerTerritoryFactory,
    OrganisationFactory,
    StaffRoleFactory,
)

# Playwright runs its own event loop in the test thread while live_server serves Django from another one.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """REDIS_URL when set; otherwise a redis-server started under var/ on a free port, stopped at the end."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    server = shutil.which("redis-server") or "/usr/bin/redis-server"
    (ROOT / "var").mkdir(exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="redis-", dir=ROOT / "var"))
    port = _free_port()
    proc = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(workdir),
            "--save",
            "",
            "--appendonly",
            "no",
            "--protected-mode",
            "yes",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("redis-server did not start")
        time.sleep(0.05)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def _redis_channel_layer(redis_url: str) -> Iterator[None]:
    """Every test talks to a real Redis channel layer, as production does."""
    from django.conf import settings
    from django.test.utils import override_settings

    layers = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_url], "capacity": 1500, "expiry": 10},
        }
    }
    with override_settings(REDIS_URL=redis_url, CHANNEL_LAYERS=layers):
        assert settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"] == [redis_url]
        yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Debian's Chromium, never a downloaded one; no background traffic (the machine has no network)."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu-sandbox",
            "--use-angle=swiftshader",
            "--enable-unsafe-swiftshader",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "locale": "fr-FR", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture(scope="session")
def _territories_loaded(django_db_setup, django_db_blocker):
    """The real territories, loaded once per session into the test database (about 2 seconds).

    Tests that flush the database (transactional_db, live_server) empty these tables after them;
    `territories` reloads when that happened.
    """
    with django_db_blocker.unblock():
        call_command("load_territories", verbosity=0)


@pytest.fixture
def territories(_territories_loaded, django_db_blocker):
    from geo.models import Commune

    with django_db_blocker.unblock():
        if not Commune.objects.exists():
            call_command("load_territories", "--force", verbosity=0)


# ---- A small world of employers and roles (organisations and accounts tests) ----
@dataclass
class World:
    """Two départements; in each an employer with its correspondent; an officer for the first one only."""

    organisation: Organisation
    other_organisation: Organisation
    pending: Organisation
    correspondent: User
    other_correspondent: User
    officer: User
    other_officer: User
    agent: User
    stranger: User
    admin: User


@pytest.fixture
def world(db) -> World:
    isere = DepartementFactory(code="38", name="Isère")
    savoie = DepartementFactory(code="73", name="Savoie", region=isere.region)
    grenoble = CommuneFactory(code="38185", name="Grenoble", departement=isere, lon=5.72, lat=45.19)
    chambery = CommuneFactory(code="73065", name="Chambéry", departement=savoie, lon=5.92, lat=45.57)
    organisation = MemberOrganisationFactory(name="Ville de Grenoble", seat_commune=grenoble)
    other = MemberOrganisationFactory(name="Ville de Chambéry", seat_commune=chambery)
    pending = OrganisationFactory(
        name="CCAS de Grenoble", seat_commune=grenoble, status=OrganisationStatus.PENDING
    )
    correspondent = StaffRoleFactory(organisation=organisation).user
    other_correspondent = StaffRoleFactory(organisation=other).user
    officer = OfficerTerritoryFactory(departement=isere).officer
    other_officer = OfficerTerritoryFactory(departement=savoie).officer
    return World(
        organisation=organisation,
        other_organisation=other,
        pending=pending,
        correspondent=correspondent,
        other_correspondent=other_correspondent,
        officer=officer,
        other_officer=other_officer,
        agent=UserFactory(),
        stranger=UserFactory(),
        admin=UserFactory(is_superuser=True, is_staff=True),
    )


@pytest.fixture(autouse=True)
def _french():
    """Every test starts in French: a request in English leaves its language active in the thread."""
    from django.utils import translation

    translation.activate("fr")
    yield
    translation.activate("fr")
