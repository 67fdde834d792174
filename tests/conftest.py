"""Shared test set-up: a real Redis channel layer, the system Chromium for Playwright, common fixtures."""

import asyncio
import os
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from marketplace.accounts.models import User
from marketplace.organisations.models import Organisation, OrganisationStatus
from tests.browser import AxeWatch
from tests.factories.accounts import UserFactory
from tests.factories.geo import CommuneFactory, DepartementFactory, RegionFactory
from tests.factories.organisations import (
    MemberOrganisationFactory,
    OfficerTerritoryFactory,
    OrganisationFactory,
    StaffRoleFactory,
)
from tests.processes import RedisServer
from tests.transactional import keeps_territories, warm_model_options

# Playwright runs its own event loop in the test thread while live_server serves Django from another one.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """REDIS_URL when set; otherwise a redis-server started under var/ on a free port, stopped at the end."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    server = RedisServer().start()
    try:
        yield server.url
    finally:
        server.remove()


@pytest.fixture(scope="session", autouse=True)
def _redis_channel_layer(redis_url: str) -> Iterator[None]:
    """Every test talks to a real Redis channel layer, as production does."""
    from django.conf import settings
    from django.test.utils import override_settings

    from marketplace.settings.base import channel_layer_host

    layers = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [channel_layer_host(redis_url)], "capacity": 1500, "expiry": 10},
        }
    }
    with override_settings(REDIS_URL=redis_url, CHANNEL_LAYERS=layers):
        assert layers == settings.CHANNEL_LAYERS
        yield


@pytest.fixture(scope="session", autouse=True)
def _connections_closed_before_the_test_database_goes(django_db_setup, django_db_blocker) -> Iterator[None]:
    """Torn down just before django_db_setup drops the worker's test database. Left open, this process's
    other connections (pooled ones the servers' threads hold, the websockets' asynchronous ones, those of
    the executor threads of finished socket scenarios: see tests/messaging/conftest.py's _fresh_pool) made
    the drop fail ("being accessed by other users") and the database outlive the run. Closed where this
    process can reach them, then any still open on the database is ended."""
    yield
    from django.db import connection

    from marketplace import adb

    adb.close_all()
    connection.close_pool()  # type: ignore[attr-defined]  # PostgreSQL backend, Django >= 5.1
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    connection.close()


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


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before any fixture: the model field caches, built with every app (see tests/transactional.py)."""
    warm_model_options()


@pytest.fixture(scope="session")
def _territories_loaded(django_db_setup, django_db_blocker):
    """The real territories, loaded once per session into the test database (about 2 seconds)."""
    from geo.services import territories_load

    with django_db_blocker.unblock():
        territories_load(show_progress=False)


@pytest.fixture
def territories(_territories_loaded, django_db_blocker):
    """The real territories. Browser journeys (tests.browser.JOURNEY) leave them out of their flush; other
    transactional tests flush them, and the next test that asks for them reloads them."""
    from geo.models import Commune
    from geo.services import territories_load

    with django_db_blocker.unblock():
        if not Commune.objects.exists():
            territories_load(force=True, show_progress=False)


@pytest.fixture(autouse=True)
def _kept_territories(request: pytest.FixtureRequest, django_db_blocker) -> Iterator[None]:
    """A test whose flush keeps the territories (tests/transactional.py: every browser journey, every
    concurrency test) always runs on the real ones, so that its factories reuse their rows (the `world`
    codes are real ones), and must leave them as they were: rows it added would outlive it and be met by
    whichever test this worker runs next (a CI run once failed a journey that way, 8 synthetic régions
    left by an earlier test). Checked whether or not the test is a browser journey."""
    if not keeps_territories(request.node):
        yield
        return
    from geo.models import Commune, Departement, Region, TerritoryDataset

    request.getfixturevalue("territories")
    yield
    with django_db_blocker.unblock():
        loaded = TerritoryDataset.objects.get()
        counts = (Region.objects.count(), Departement.objects.count(), Commune.objects.count())
    assert counts == (loaded.regions, loaded.departements, loaded.communes), (
        "this test added or removed territories, which its flush keeps for the next tests: "
        "build its places on the real territories (the `world` fixture's codes)"
    )


@pytest.fixture
def page(page: Page, request: pytest.FixtureRequest) -> Page:
    """pytest-playwright's page, checked by axe-core on every document it shows (tests/browser.py)."""
    request.node.stash.setdefault(AXE_WATCHES, []).append(AxeWatch(page))
    return page


@pytest.fixture
def new_page(
    browser: Browser, browser_context_args: dict, request: pytest.FixtureRequest
) -> Iterator[Callable[[], Page]]:
    """Another person's browser (their own context), checked by axe-core like `page`."""
    contexts: list[BrowserContext] = []

    def make() -> Page:
        contexts.append(browser.new_context(**browser_context_args))
        other = contexts[-1].new_page()
        request.node.stash.setdefault(AXE_WATCHES, []).append(AxeWatch(other))
        return other

    yield make
    for context in contexts:
        context.close()


AXE_WATCHES = pytest.StashKey[list[AxeWatch]]()


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Generator[None, object, object]:
    """After a browser journey that passed, its pages' accessibility decides: a failure of the test itself."""
    result = yield
    for watch in pyfuncitem.stash.get(AXE_WATCHES, []):
        watch.finish()
    return result


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
    # Codes are those of the real territories: a browser journey, which has them loaded, reuses their rows.
    ara = RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    isere = DepartementFactory(code="38", name="Isère", region=ara)
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
def _no_playwright_loop_outside_browser_tests(request: pytest.FixtureRequest) -> Iterator[None]:
    """Once a browser test ran in a worker, Playwright's sync API leaves its event loop marked as running in
    the main thread, and every `async_to_sync` there fails (broadcasts on commit were only logged). Tests
    that drive no browser run without it, as the code does in production; browser tests keep it."""
    if request.node.get_closest_marker("browser") is not None or {"page", "context", "browser"} & set(
        request.fixturenames
    ):
        yield
        return
    loop = asyncio._get_running_loop()
    asyncio._set_running_loop(None)
    try:
        yield
    finally:
        asyncio._set_running_loop(loop)


@pytest.fixture(autouse=True)
def _french():
    """Every test starts in French: a request in English leaves its language active in the thread."""
    from django.utils import translation

    translation.activate("fr")
    yield
    translation.activate("fr")


@pytest.fixture(autouse=True)
def _close_live_connections() -> Iterator[None]:
    """The websocket's sends run on asynchronous connections of their event loop (marketplace.adb); each test
    has loops of its own: their connections are closed after it (the test database is dropped at the end)."""
    yield
    from marketplace import adb

    adb.close_all()
