"""What local_graph reads on from a home's hosts and guests (graph.local_graph): a host and a guest whose open
stays share exactly MATCHING_MIN_NIGHTS still close a cycle, one night fewer and there is none."""

import pytest
from django.test import override_settings
from django.utils import timezone

from exchanges.matching.selectors import matches_for_home
from geo.models import Commune
from tests.exchanges.matching.test_engine_brute_force import MIN, _build
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

TOWNS = ["38185", "29232", "31555"]  # Grenoble → Quimper → Toulouse → Grenoble: three régions


def _cycle(first_nights: int):
    communes = [Commune.objects.get(code=c) for c in TOWNS]
    owners = [UserFactory() for _ in TOWNS]

    def spec(i: int, nights: int):
        wish = {"towns": {(i + 1) % 3}, "start": 0, "nights": nights, "flex": 0, "party": 2}
        return {
            "town": i,
            "owner": i,
            "sleeps": 2,
            "published": True,
            "periods": [(0, 10, "open")],
            "wishes": [wish],
        }

    return _build([spec(0, first_nights), spec(1, 10), spec(2, 10)], owners, communes, timezone.localdate())


@override_settings(MATCHING_MIN_NIGHTS=MIN, MATCHING_CROSS_REGION=True)
@pytest.mark.parametrize("beam", [None, 40])
def test_a_cycle_whose_first_and_last_stays_share_exactly_the_minimum(territories, beam):
    homes = _cycle(MIN)  # Grenoble's household travels MIN nights: the cycle's window
    for start in range(3):
        viewer = homes[start]
        (match,) = matches_for_home(viewer, beam=beam)
        assert match.homes == tuple(homes[(start + i) % 3].pk for i in range(3))
        assert match.window[1] - match.window[0] == MIN


@override_settings(MATCHING_MIN_NIGHTS=MIN, MATCHING_CROSS_REGION=True)
def test_one_night_fewer_and_there_is_no_cycle(territories):
    homes = _cycle(MIN - 1)
    assert [matches_for_home(home) for home in homes] == [[], [], []]
