"""Two people in a direct conversation, and an outsider."""

from dataclasses import dataclass

import pytest
from django.core.cache import cache

from marketplace.accounts.models import User
from marketplace.messaging import services
from marketplace.messaging.models import Conversation
from tests.factories.accounts import UserFactory


@dataclass
class Chat:
    alice: User
    bob: User
    outsider: User
    conversation: Conversation


@pytest.fixture
def chat(db) -> Chat:
    alice, bob, outsider = UserFactory(), UserFactory(), UserFactory()
    conversation, _created = services.conversation_open_direct(actor=alice, other=bob.pk)
    return Chat(alice=alice, bob=bob, outsider=outsider, conversation=conversation)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_pool(request):
    """Socket tests (transactional) leave connections of the database pool checked out: the sockets'
    database work runs on executor threads of the scenario's own event loop, and their connections are not
    all given back (cause not found yet). A new pool after each, or the next tests of the worker wait for a
    connection and time out."""
    yield
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction")
    ):
        from django.db import connection

        connection.close()
        connection.close_pool()  # type: ignore[attr-defined]  # PostgreSQL backend, Django >= 5.1
