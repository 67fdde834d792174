"""The swaps tests' three homes whose wishes form a cycle (`ring`) and the pair set-up (`trio`), opted in."""

import pytest

from exchanges.clearing.models import ClearingOptIn
from tests.exchanges.swaps.conftest import Ring, ring, trio  # noqa: F401  (fixtures)


@pytest.fixture
def opted_ring(ring: Ring) -> Ring:  # noqa: F811
    for home in (ring.grenoble, ring.quimper, ring.toulouse):
        ClearingOptIn.objects.create(home=home)
    return ring
