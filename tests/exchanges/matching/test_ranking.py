"""The ranking's people signals: the reviews the other owners received (public ones only, double-blind) and
whether they already completed a swap (the fairness boost), read in bulk, scored, and said in the reason."""

import datetime as dt

import pytest
from django.db.backends.postgresql.psycopg_any import DateRange
from django.utils import timezone, translation

from exchanges.matching import graph as graphs
from exchanges.matching.engine import NEUTRAL_RATING, Edge, Graph, matches_for, reputation
from exchanges.matching.reasons import reason_text
from exchanges.matching.selectors import matches_for_home, pairs_for_home
from exchanges.models import Home
from exchanges.swaps.models import ProposalParty, ProposalStatus, Review, Stay, SwapProposal
from tests.factories.accounts import UserFactory
from tests.factories.exchanges import make_home

DAY = 740_000


def _graph_with_two_hosts() -> Graph:
    """Home 0 can swap with 1 and with 2, on equal terms (dates, places, size)."""
    graph = Graph()
    window = ((DAY, DAY + 10),)
    for other in (1, 2):
        graph.add(Edge(0, other, window, window, 1, 1000.0, 0))
        graph.add(Edge(other, 0, window, window, 1, 1000.0, 0))
    graph.owner.update({0: 100, 1: 101, 2: 102})
    return graph


class TestScore:
    def test_reputation_is_neutral_without_reviews_and_pulled_towards_neutral_with_few(self):
        assert reputation(None) == NEUTRAL_RATING
        assert NEUTRAL_RATING < reputation((5, 1)) < reputation((50, 10)) < 1
        assert reputation((1, 1)) < NEUTRAL_RATING

    def test_the_better_reviewed_owner_ranks_first(self):
        graph = _graph_with_two_hosts()
        graph.ratings.update({101: (2, 1), 102: (14, 3)})  # 2/5 once; 4.7/5 over three stays
        first, second = matches_for(graph, 0, min_nights=3)
        assert (first.homes, second.homes) == ((0, 2), (0, 1))
        assert (first.params["reviews"], first.params["rating"]) == (3, 47)
        assert (second.params["reviews"], second.params["rating"]) == (1, 20)

    def test_an_owner_who_never_swapped_ranks_first(self):
        graph = _graph_with_two_hosts()
        graph.swapped.add(101)
        first, second = matches_for(graph, 0, min_nights=3)
        assert (first.homes, first.params["newcomers"]) == ((0, 2), 1)
        assert (second.homes, second.params["newcomers"]) == ((0, 1), 0)

    def test_equal_owners_tie_on_the_other_criteria(self):
        graph = _graph_with_two_hosts()
        first, second = matches_for(graph, 0, min_nights=3)
        assert first.score == second.score
        assert (first.params["reviews"], first.params["newcomers"]) == (0, 1)


class TestReason:
    def test_reviews_and_newcomers_in_french_and_english(self):
        params = {"nights": 6, "wishes": 1, "theirs": 1, "spare": 0, "homes": 2, "response": 80}
        plain = reason_text("pair", params)
        assert "avis" not in plain
        assert "premier" not in plain
        full = {**params, "reviews": 3, "rating": 47, "newcomers": 1}
        with translation.override("fr"):
            text = reason_text("pair", full)
        assert text.endswith("avis : 4,7/5 (3 avis) · 1 foyer à son premier échange")
        with translation.override("en"):
            text = reason_text("cycle", {**full, "homes": 3, "newcomers": 2})
        assert text.endswith("reviews: 4.7/5 (3 reviews) · 2 households on their first swap")


def _stay(guest_home, host_home, *, status, ended_days_ago):
    today = timezone.localdate()
    proposal = SwapProposal.objects.create(status=status, expires_at=timezone.now())
    for home in (guest_home, host_home):
        ProposalParty.objects.create(proposal=proposal, user=home.owner, home=home)
    end = today - dt.timedelta(days=ended_days_ago)
    return Stay.objects.create(
        proposal=proposal,
        guest_home=guest_home,
        host_home=host_home,
        guest=guest_home.owner,
        host=host_home.owner,
        period=DateRange(end - dt.timedelta(days=7), end),
        guests=2,
    )


def _review(stay, side, rating):
    author = stay.guest if side == "guest" else stay.host
    return Review.objects.create(stay=stay, author=author, side=side, rating=rating, text="Très bien.")


@pytest.mark.django_db
class TestLoad:
    def test_public_reviews_and_completed_swaps_only_in_two_queries(
        self, territories, django_assert_num_queries
    ):
        ana, ben, cleo, dan, eve = (UserFactory() for _ in range(5))
        home = {u: make_home(u) for u in (ana, ben, cleo, dan, eve)}
        # Both sides wrote two days after the stay: public. Ana (host) got 5 from Ben, Ben (guest) got 3.
        both = _stay(home[ben], home[ana], status=ProposalStatus.COMPLETED, ended_days_ago=2)
        _review(both, "guest", 5)
        _review(both, "host", 3)
        # One side only, three days after: still blind, not counted (Dan's 1 about Cléo).
        blind = _stay(home[dan], home[cleo], status=ProposalStatus.COMPLETED, ended_days_ago=3)
        _review(blind, "guest", 1)
        # One side only, twenty days after: public (Eve, as host, about Dan's household: 4).
        late = _stay(home[dan], home[eve], status=ProposalStatus.IN_PROGRESS, ended_days_ago=20)
        _review(late, "host", 4)
        _stay(home[cleo], home[eve], status=ProposalStatus.CANCELLED, ended_days_ago=30)
        graph = Graph()
        with django_assert_num_queries(2):
            graphs.load_reputation(graph, [u.pk for u in (ana, ben, cleo, dan, eve)])
        assert graph.ratings == {ana.pk: (5, 1), ben.pk: (3, 1), dan.pk: (4, 1)}
        # Completed swaps only: Ana, Ben, Cléo and Dan (a blind review does not undo the swap); not Eve.
        assert graph.swapped == {ana.pk, ben.pk, cleo.pk, dan.pk}
        only = Graph()
        graphs.load_reputation(only, [ana.pk])
        assert (only.ratings, only.swapped) == ({ana.pk: (5, 1)}, {ana.pk})


@pytest.mark.django_db
def test_the_pair_says_the_hosts_reviews_and_first_swap(people, homes, settings):
    settings.MATCHING_MIN_NIGHTS = 3
    grenoble = Home.objects.get(pk=homes["grenoble"].pk)  # the fixture's instance predates its publication
    (pair,) = pairs_for_home(grenoble)
    assert (pair.params["reviews"], pair.params["newcomers"]) == (0, 1)
    before = pair.score
    # The Quimper owner hosted someone else, who reviewed the home 5/5, 20 days ago: public, and a swap done.
    guest = make_home(UserFactory())
    stay = _stay(guest, homes["quimper"], status=ProposalStatus.COMPLETED, ended_days_ago=20)
    _review(stay, "guest", 5)
    (pair,) = pairs_for_home(grenoble)
    assert (pair.params["reviews"], pair.params["rating"], pair.params["newcomers"]) == (1, 50, 0)
    with translation.override("fr"):
        assert "avis : 5,0/5 (1 avis)" in reason_text(pair.reason, pair.params)
    # The first-swap boost lost (0.5) outweighs one 5/5 review (+0.17 over a neutral owner).
    assert pair.score < before
    (same,) = [m for m in matches_for_home(grenoble) if len(m.homes) == 2]
    assert same.params == pair.params
