"""Reviews after a completed stay: each side reviews the other once (rating, text, private note to the
moderators), double-blind (public when both sides of the stay wrote, or 14 days after it ended), on the home
pages; refused before the stay ends, twice, or with bad input, with nothing written. Time is travelled
explicitly from today."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from exchanges.swaps import selectors, services
from exchanges.swaps.exceptions import ReviewAlreadyWritten, ReviewNotOpen, StayNotFound
from exchanges.swaps.models import ProposalStatus, Review, Stay
from marketplace.errors import InvalidField
from tests.exchanges.swaps.conftest import confirmed_pair
from tests.factories.exchanges import in_days
from tests.helpers import assert_nothing_written
from tests.hostile.conftest import logged
from tests.organisations.test_api import client_for, post

pytestmark = pytest.mark.django_db

PRIVATE = "NOTE-PRIVEE-AUX-MODERATEURS"


def at(day: int):
    """Noon, `day` days from today, frozen (the stays of the pair below run from day 12 to day 15)."""
    noon = dt.datetime.combine(in_days(day), dt.time(12), tzinfo=timezone.get_current_timezone())
    return time_machine.travel(noon, tick=False)


@pytest.fixture
def completed(trio):
    """Alice's household (Grenoble) in Quimper and Bruno's in Grenoble, days 12 to 15, then completed."""
    proposal = confirmed_pair(trio, start=12, end=15)
    with at(15):
        services.proposals_tick()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.COMPLETED
    return proposal


def stays(trio, proposal):
    return (
        Stay.objects.get(proposal=proposal, host_home=trio.quimper),  # Alice is its guest, Bruno its host
        Stay.objects.get(proposal=proposal, host_home=trio.grenoble),  # Bruno is its guest, Alice its host
    )


def test_no_review_before_the_stay_ends(trio):
    proposal = confirmed_pair(trio, start=12, end=15)
    stay, _ = stays(trio, proposal)
    with at(13), assert_nothing_written(), pytest.raises(ReviewNotOpen):
        services.review_write(actor=trio.alice, stay=stay, rating=5, text="Parfait")
    with at(13):
        alice = client_for(trio.alice)
    with at(13), assert_nothing_written():
        response = post(
            alice, f"/api/v1/proposals/{proposal.pk}/stays/{stay.pk}/review", {"rating": 5, "text": "x"}
        )
    assert response.status_code == 409
    assert response.json()["code"] == "review_not_open"


def test_double_blind_until_both_sides_wrote_then_on_the_home_pages(trio, completed):
    to_quimper, _ = stays(trio, completed)
    with at(16):
        alice, bruno, outsider = client_for(trio.alice), client_for(trio.bruno), logged(trio.outsider)
        response = post(
            alice,
            f"/api/v1/proposals/{completed.pk}/stays/{to_quimper.pk}/review",
            {"rating": 5, "text": "Maison accueillante à Quimper", "private_note": PRIVATE},
        )
        assert response.status_code == 201, response.content
        assert response.json()["side"] == "guest"
        assert PRIVATE not in response.content.decode()
        # Blind: neither the host nor a visitor reads it yet; its author does, on the proposal's page.
        for client in (bruno, outsider):
            assert "Maison accueillante" not in client.get(f"/logements/{trio.quimper.pk}/").content.decode()
        assert "Maison accueillante" not in bruno.get(f"/propositions/{completed.pk}/").content.decode()
        assert "Maison accueillante" in alice.get(f"/propositions/{completed.pk}/").content.decode()
        # One per side: a second one is refused, nothing written.
        with assert_nothing_written():
            again = post(
                alice,
                f"/api/v1/proposals/{completed.pk}/stays/{to_quimper.pk}/review",
                {"rating": 1, "text": "Autre avis"},
            )
        assert again.status_code == 409
        assert again.json()["code"] == "review_already_written"
        # The host writes his side (through the page's form): both are public, on both homes' pages.
        response = logged(trio.bruno).post(
            f"/propositions/{completed.pk}/sejours/{to_quimper.pk}/avis/",
            {"rating": 4, "text": "Foyer soigneux et ponctuel", "private_note": PRIVATE},
        )
        assert response.status_code == 303
        assert Review.objects.filter(stay=to_quimper).count() == 2
        quimper_page = outsider.get(f"/logements/{trio.quimper.pk}/").content.decode()
        assert "5/5 — Maison accueillante à Quimper" in quimper_page
        grenoble_page = outsider.get(f"/logements/{trio.grenoble.pk}/").content.decode()
        assert "4/5 — Foyer soigneux et ponctuel" in grenoble_page  # about the Grenoble household
        assert "Maison accueillante" in bruno.get(f"/propositions/{completed.pk}/").content.decode()
        for page in (
            quimper_page,
            grenoble_page,
            bruno.get(f"/propositions/{completed.pk}/").content.decode(),
        ):
            assert PRIVATE not in page  # the private note is for the moderators only (the admin)


def test_a_lone_review_is_public_fourteen_days_after_the_stay(trio, completed):
    _, to_grenoble = stays(trio, completed)  # Bruno's household stayed at Alice's
    with at(16):
        services.review_write(actor=trio.bruno, stay=to_grenoble, rating=5, text="Appartement lumineux")
    with at(15 + selectors.REVIEWS_BLIND_DAYS - 1):  # the day before the 14th day after the stay's end
        assert (
            "Appartement lumineux"
            not in logged(trio.outsider).get(f"/logements/{trio.grenoble.pk}/").content.decode()
        )
    with at(15 + selectors.REVIEWS_BLIND_DAYS):
        assert (
            "Appartement lumineux"
            in logged(trio.outsider).get(f"/logements/{trio.grenoble.pk}/").content.decode()
        )


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"rating": 0}, "rating"),
        ({"rating": 6}, "rating"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 2001}, "text"),
    ],
)
def test_bad_input_is_refused_naming_the_field_with_nothing_written(trio, completed, values, field):
    to_quimper, _ = stays(trio, completed)
    arguments = {"rating": 4, "text": "Bien", **values}
    with at(16), assert_nothing_written(), pytest.raises(InvalidField) as refused:
        services.review_write(actor=trio.alice, stay=to_quimper, **arguments)
    assert refused.value.field == field
    with at(16):
        alice = client_for(trio.alice)
    with at(16), assert_nothing_written():
        response = post(alice, f"/api/v1/proposals/{completed.pk}/stays/{to_quimper.pk}/review", arguments)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]["errors"]] == [field]


def test_only_the_two_sides_of_a_stay_review_it(trio):
    # A cycle: Alice → Quimper, Bruno → Rennes, Chloé → Grenoble. Bruno took no part in Chloé's stay.
    from tests.exchanges.swaps.conftest import cycle

    proposal, _ = services.proposal_create(actor=trio.alice, stays=cycle(trio, start=12, end=15))
    services.proposal_accept(actor=trio.bruno, proposal=proposal)
    services.proposal_accept(actor=trio.chloe, proposal=proposal)
    services.proposal_confirm(actor=trio.chloe, proposal=proposal)
    with at(15):
        services.proposals_tick()
    chloe_stay = Stay.objects.get(proposal=proposal, host_home=trio.grenoble)
    with at(16):
        bruno = client_for(trio.bruno)
    with at(16), assert_nothing_written():
        response = post(
            bruno, f"/api/v1/proposals/{proposal.pk}/stays/{chloe_stay.pk}/review", {"rating": 1, "text": "x"}
        )
        assert response.status_code == 404
        assert response.json()["code"] == "stay_not_found"
        with pytest.raises(StayNotFound):
            selectors.stay_get_for_actor(actor=trio.bruno, proposal=proposal, stay_id=chloe_stay.pk)


def test_twice_through_the_service_is_refused(trio, completed):
    to_quimper, _ = stays(trio, completed)
    with at(16):
        services.review_write(actor=trio.alice, stay=to_quimper, rating=5, text="Bien")
        with assert_nothing_written(), pytest.raises(ReviewAlreadyWritten):
            services.review_write(actor=trio.alice, stay=to_quimper, rating=3, text="Encore")
