"""The swap journey through the API: the cycle found by /api/v1/homes/{id}/matches, proposed with
POST /api/v1/proposals, accepted by the two others, confirmed; retries give the same answer; someone else's
home or proposal is a 404 on every path; bad stays are a 422 naming the field; the exact address and phone of
the Grenoble home (the sentinel) appear in no response before confirmation, and after it only in its guest's."""

import datetime as dt

import pytest
from django.utils import timezone

from exchanges.swaps import services
from exchanges.swaps.models import AddressReveal, ProposalStatus, SwapProposal
from marketplace.audit.services import audit_history
from marketplace.notifications.models import Notification
from marketplace.organisations.models import Employment, EmploymentStatus
from tests.exchanges.conftest import SENTINEL, SENTINEL_ADDRESS
from tests.exchanges.swaps.conftest import SENTINEL_PHONE
from tests.factories.exchanges import in_days, make_home
from tests.helpers import assert_nothing_written
from tests.hostile.conftest import logged
from tests.organisations.test_api import client_for, post

pytestmark = pytest.mark.django_db

SECRETS = (SENTINEL_ADDRESS, "SENTINELLE", SENTINEL_PHONE, f"{SENTINEL[0]:.5f}", f"{SENTINEL[1]:.5f}")


def stays_of(match: dict) -> list[dict]:
    """The stays of a match: the household of homes[i] at homes[i + 1], the last at the first."""
    ids = [h["id"] for h in match["homes"]]
    return [
        {
            "guest_home": ids[i],
            "host_home": ids[(i + 1) % len(ids)],
            "start": match["start"],
            "end": match["end"],
            "guests": 2,
        }
        for i in range(len(ids))
    ]


def create(client, stays, key=""):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(
        "/api/v1/proposals",
        {"stays": stays},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
        **headers,
    )


def assert_no_secret(client, urls):
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        for secret in SECRETS:
            assert secret not in text, (url, secret)


def test_the_cycle_found_proposed_accepted_and_confirmed_through_the_api(ring):
    alice, bruno, chloe = client_for(ring.alice), client_for(ring.bruno), client_for(ring.chloe)
    matches = alice.get(f"/api/v1/homes/{ring.grenoble.pk}/matches").json()
    (cycle,) = [m for m in matches if m["kind"] == "cycle"]
    assert [h["id"] for h in cycle["homes"]] == [ring.grenoble.pk, ring.quimper.pk, ring.toulouse.pk]
    assert cycle["start"] == str(in_days(15))
    assert cycle["end"] == str(in_days(22))
    assert cycle["text"].startswith("Boucle à 3 logements")

    response = create(alice, stays_of(cycle), key="cycle-1")
    assert response.status_code == 201, response.content
    proposal = response.json()
    assert proposal["status"] == "proposed"
    assert len(proposal["stays"]) == 3
    again = create(alice, stays_of(cycle), key="cycle-1")  # a retry: the same proposal
    assert again.status_code == 200
    assert again.json()["id"] == proposal["id"]
    url = f"/api/v1/proposals/{proposal['id']}"
    urls = ["/api/v1/proposals", url]
    pages = ["/propositions/", f"/propositions/{proposal['id']}/"]
    for client in (alice, bruno, chloe):  # before confirmation: no secret anywhere
        assert_no_secret(client, urls + pages)

    assert post(bruno, f"{url}/accept").json()["status"] == "proposed"  # all or nothing
    retried = post(bruno, f"{url}/accept")  # a retry: the same answer, nothing more recorded
    assert retried.status_code == 200
    assert retried.json()["status"] == "proposed"
    assert post(chloe, f"{url}/accept").json()["status"] == "accepted"
    for client in (alice, bruno, chloe):
        assert_no_secret(client, urls + pages)
    confirmed = post(chloe, f"{url}/confirm")
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "confirmed"
    assert post(alice, f"{url}/confirm").json()["status"] == "confirmed"  # idempotent
    assert [e.transition for e in audit_history(SwapProposal.objects.get())] == [
        "propose",
        "accept",
        "accept",
        "confirm",
    ]

    # Chloé's household (Toulouse) stays at Alice's in Grenoble: hers alone is the address and the phone.
    (to_grenoble,) = [s for s in chloe.get(url).json()["stays"] if s["host_home"] == ring.grenoble.pk]
    assert to_grenoble["host_contact"] == {"address": SENTINEL_ADDRESS, "phone": SENTINEL_PHONE}
    assert SENTINEL_ADDRESS in chloe.get(f"/propositions/{proposal['id']}/").content.decode()
    for client in (alice, bruno):  # the host herself and Bruno, who goes to Quimper
        assert_no_secret(client, urls + pages)
    assert client_for(ring.outsider).get(url).status_code == 404
    assert list(AddressReveal.objects.values_list("viewer_id", flat=True).order_by("viewer_id")) == sorted(
        [ring.alice.pk, ring.bruno.pk, ring.chloe.pk]
    )
    # Every party was told of each step taken by someone else.
    assert Notification.objects.filter(user=ring.alice, topic="proposal").count() == 3


def test_someone_elses_proposal_is_a_404_on_every_path_with_nothing_written(ring):
    proposal, _ = services.proposal_create(
        actor=ring.alice,
        stays=[
            services.StayIn(ring.grenoble.pk, ring.quimper.pk, in_days(15), in_days(22), 2),
            services.StayIn(ring.quimper.pk, ring.toulouse.pk, in_days(15), in_days(22), 2),
            services.StayIn(ring.toulouse.pk, ring.grenoble.pk, in_days(15), in_days(22), 2),
        ],
    )
    stay = proposal.stays.get(host_home=ring.quimper)
    outsider, alice, anonymous = client_for(ring.outsider), client_for(ring.alice), logged()
    url = f"/api/v1/proposals/{proposal.pk}"
    with assert_nothing_written():
        assert outsider.get(url).status_code == 404
        assert outsider.get("/api/v1/proposals").json()["items"] == []
        for action, body in (
            ("accept", {}),
            ("decline", {}),
            ("confirm", {}),
            ("cancel", {}),
            ("counter", {"stays": [{"stay": stay.pk, "start": str(in_days(16)), "end": str(in_days(23))}]}),
            (f"stays/{stay.pk}/review", {"rating": 5, "text": "Très bien"}),
        ):
            response = post(outsider, f"{url}/{action}", body)
            assert response.status_code == 404, action
            assert response.json()["code"] == "proposal_not_found"
        assert post(alice, f"/api/v1/proposals/{proposal.pk + 1000}/accept").status_code == 404
        assert anonymous.get(url).status_code in (401, 403)


def test_a_home_of_someone_else_not_published_is_a_404_with_nothing_written(ring):
    draft = make_home(ring.bruno, title="Brouillon")
    alice = client_for(ring.alice)
    stays = [
        {
            "guest_home": ring.grenoble.pk,
            "host_home": draft.pk,
            "start": str(in_days(15)),
            "end": str(in_days(22)),
            "guests": 2,
        },
        {
            "guest_home": draft.pk,
            "host_home": ring.grenoble.pk,
            "start": str(in_days(15)),
            "end": str(in_days(22)),
            "guests": 2,
        },
    ]
    with assert_nothing_written():
        response = create(alice, stays)
    assert response.status_code == 404
    assert response.json()["code"] == "home_not_found"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({0: {"start": -3, "end": 4}}, "stays[0].start"),  # a stay in the past
        ({1: {"start": 22, "end": 15}}, "stays[1].end"),  # inverted dates
        ({2: {"host_home": "quimper"}}, "stays[0]"),  # a home twice in the cycle (Quimper hosts twice)
        ({0: {"guests": 0}}, "stays.0.guests"),  # the schema's own check
    ],
)
def test_bad_stays_are_a_422_naming_the_field_with_nothing_written(ring, change, field):
    homes = [ring.grenoble.pk, ring.quimper.pk, ring.toulouse.pk]
    stays = [
        {"guest_home": homes[i], "host_home": homes[(i + 1) % 3], "start": 15, "end": 22, "guests": 2}
        for i in range(3)
    ]
    for index, values in change.items():
        for key, value in values.items():
            stays[index][key] = getattr(ring, value).pk if key == "host_home" else value
    for stay in stays:
        stay["start"], stay["end"] = str(in_days(stay["start"])), str(in_days(stay["end"]))
    alice = client_for(ring.alice)
    with assert_nothing_written():
        response = create(alice, stays)
    assert response.status_code == 422, response.content
    assert [e["field"] for e in response.json()["detail"]["errors"]] == [field]


def test_too_many_unanswered_proposals_is_a_409_with_nothing_written(ring):
    # Bruno leaves five proposals unanswered (Alice's pairs would be refused: a cycle each, on other dates).
    homes = [ring.grenoble.pk, ring.quimper.pk, ring.toulouse.pk]
    for n in range(services.MAX_UNANSWERED):
        services.proposal_create_from_match(
            actor=ring.alice, homes=homes, start=in_days(10 + 5 * n), end=in_days(12 + 5 * n)
        )
    bruno = client_for(ring.bruno)
    with assert_nothing_written():
        response = create(
            bruno,
            [
                {
                    "guest_home": ring.quimper.pk,
                    "host_home": ring.toulouse.pk,
                    "start": str(in_days(15)),
                    "end": str(in_days(20)),
                    "guests": 2,
                },
                {
                    "guest_home": ring.toulouse.pk,
                    "host_home": ring.grenoble.pk,
                    "start": str(in_days(15)),
                    "end": str(in_days(20)),
                    "guests": 2,
                },
                {
                    "guest_home": ring.grenoble.pk,
                    "host_home": ring.quimper.pk,
                    "start": str(in_days(15)),
                    "end": str(in_days(20)),
                    "guests": 2,
                },
            ],
        )
    assert response.status_code == 409
    assert response.json()["code"] == "too_many_unanswered"


def test_losing_eligibility_cancels_open_proposals_and_tells_every_party(ring):
    homes = [ring.grenoble.pk, ring.quimper.pk, ring.toulouse.pk]
    proposal, _ = services.proposal_create_from_match(
        actor=ring.alice, homes=homes, start=in_days(15), end=in_days(22)
    )
    Employment.objects.filter(agent=ring.chloe).update(status=EmploymentStatus.ENDED)
    assert services.proposals_tick()["eligibility"] == 1
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CANCELLED
    for user in (ring.alice, ring.bruno, ring.chloe):
        last = Notification.objects.filter(user=user, topic="proposal").latest("pk")
        assert last.payload["transition"] == "cancel"
    assert post(client_for(ring.alice), f"/api/v1/proposals/{proposal.pk}/confirm").status_code == 409


def test_an_unanswered_proposal_is_reminded_then_expires_after_five_days(ring):
    homes = [ring.grenoble.pk, ring.quimper.pk, ring.toulouse.pk]
    proposal, _ = services.proposal_create_from_match(
        actor=ring.alice, homes=homes, start=in_days(15), end=in_days(22)
    )
    now = timezone.now()
    assert proposal.expires_at - now > dt.timedelta(days=4, hours=23)
    assert services.proposals_tick(now=now + dt.timedelta(days=4, hours=1))["remind"] == 1
    reminded = Notification.objects.filter(user=ring.bruno, topic="proposal").latest("pk")
    assert reminded.payload["transition"] == "remind"
    assert services.proposals_tick(now=now + dt.timedelta(days=5, minutes=1))["expire"] == 1
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.EXPIRED
    bruno = client_for(ring.bruno)
    with assert_nothing_written():
        response = post(bruno, f"/api/v1/proposals/{proposal.pk}/accept")
    assert response.status_code == 409
