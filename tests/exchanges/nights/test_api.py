"""The one-way request through /api/v1/proposals (its cost in nights and the balance after) and
/api/v1/nights (my balance, my movements in keyset pages)."""

from exchanges.nights import services as nights
from exchanges.swaps import services
from tests.exchanges.nights.conftest import after
from tests.factories.exchanges import in_days
from tests.helpers import assert_nothing_written
from tests.hostile.conftest import logged


def body(trio, *, start=15, end=22, guests=2, host=None):
    return {
        "stays": [
            {
                "guest_home": trio.grenoble.pk,
                "host_home": (host or trio.quimper).pk,
                "start": in_days(start).isoformat(),
                "end": in_days(end).isoformat(),
                "guests": guests,
            }
        ]
    }


def test_a_one_way_request_shows_its_cost_and_moves_the_balances(open_trio):
    alice, bruno = logged(open_trio.alice), logged(open_trio.bruno)
    created = alice.post("/api/v1/proposals", body(open_trio), content_type="application/json")
    assert created.status_code == 201, created.json()
    proposal = created.json()
    assert proposal["nights"] == {"cost": 7, "earn": 0, "balance": 7, "balance_after": 0}
    seen = bruno.get(f"/api/v1/proposals/{proposal['id']}").json()
    assert seen["nights"] == {"cost": 0, "earn": 7, "balance": 7, "balance_after": 14}
    assert bruno.post(f"/api/v1/proposals/{proposal['id']}/accept").status_code == 200
    confirmed = bruno.post(f"/api/v1/proposals/{proposal['id']}/confirm")
    assert confirmed.status_code == 200
    mine = alice.get("/api/v1/nights").json()
    assert mine["balance"] == 0
    assert mine["reserved"] == 7
    assert "ne s'achètent pas" in mine["notice"]
    services.proposals_tick(now=after(30))
    assert bruno.get("/api/v1/nights").json() == {
        "balance": 14,
        "reserved": 0,
        "welcome_credit": 7,
        "notice": mine["notice"],
    }
    assert alice.get("/api/v1/nights").json()["reserved"] == 0
    page = alice.get("/api/v1/nights/movements?limit=1").json()
    assert [(m["kind"], m["nights"], m["proposal"]) for m in page["items"]] == [
        ("reserve", -7, proposal["id"])
    ]
    assert page["items"][0]["home_title"] == "Quimper"
    rest = alice.get(f"/api/v1/nights/movements?limit=1&cursor={page['next']}").json()
    assert [(m["kind"], m["nights"]) for m in rest["items"]] == [("welcome", 7)]
    assert rest["next"] is None
    earned = bruno.get("/api/v1/nights/movements?kind=earn").json()["items"]
    assert [(m["nights"], m["start"], m["end"]) for m in earned] == [
        (7, in_days(15).isoformat(), in_days(22).isoformat())
    ]


def test_a_request_beyond_the_balance_is_a_409_naming_it_with_nothing_written(open_trio):
    alice = logged(open_trio.alice)
    with assert_nothing_written():
        response = alice.post("/api/v1/proposals", body(open_trio, end=25), content_type="application/json")
    assert response.status_code == 409
    assert response.json()["code"] == "nights_insufficient"
    assert response.json()["detail"] == {"guest": open_trio.alice.pk, "cost": 10, "balance": 7}


def test_an_ineligible_guest_is_refused_with_nothing_written(open_trio, territories):
    from tests.exchanges.swaps.conftest import publish_home
    from tests.factories.accounts import UserFactory
    from tests.factories.exchanges import QUIMPER

    stranger = UserFactory()
    home = publish_home(open_trio.alice, *QUIMPER, title="second")  # a home to travel from
    client = logged(stranger)
    payload = body(open_trio)
    payload["stays"][0]["guest_home"] = home.pk
    with assert_nothing_written():
        response = client.post("/api/v1/proposals", payload, content_type="application/json")
    assert response.status_code in (403, 404)


def test_bad_movement_list_parameters_are_a_422_and_anonymous_a_401(open_trio, client):
    alice = logged(open_trio.alice)
    nights.account_for(open_trio.alice)
    response = alice.get("/api/v1/nights/movements?kind=gift")
    assert response.status_code == 422
    assert response.json()["detail"]["errors"][0]["field"] == "kind"
    assert alice.get("/api/v1/nights/movements?cursor=forged").status_code == 422
    assert client.get("/api/v1/nights").status_code == 401
    assert client.get("/api/v1/nights/movements").status_code == 401
