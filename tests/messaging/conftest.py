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
