"""The vouchers API walked by every actor: the agent requests and sees theirs; an outsider, another agent or
another venue's desk get a 404; the venue's desk validates by session, the venue's system by API key (one
validation, or an offline batch); a wrong field is a 422 naming it, a quota or a second validation a 409,
and nothing is written on failure."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from local_offers.vouchers import services
from local_offers.vouchers.models import ValidationChannel, Voucher, VoucherStatus
from tests.helpers import assert_nothing_written
from tests.local_offers.vouchers.conftest import another_agent
from tests.organisations.test_api import client_for, post

pytestmark = pytest.mark.django_db

URL = "/api/v1/vouchers"


def _body(offer, **fields):
    today = timezone.localdate()
    return {
        "agreement_id": offer.agreement.pk,
        "facility_id": offer.facility.pk,
        "first_day": today.isoformat(),
        "last_day": (today + dt.timedelta(days=2)).isoformat(),
        "party_size": 3,
        **fields,
    }


def test_the_agent_requests_reads_and_lists(offer):
    agent = client_for(offer.cast.agent)
    created = post(agent, URL, _body(offer))
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "issued"
    assert body["party_size"] == 3
    assert body["token"].count(".") == 2
    assert body["code"][4] == "-"
    assert agent.get(f"{URL}/{body['id']}").json()["code"] == body["code"]
    assert [v["id"] for v in agent.get(URL).json()] == [body["id"]]
    # Someone else's list is their own (empty), their read of it a 404.
    assert client_for(offer.outsider).get(URL).json() == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"party_size": 9}, "party_size"),
        ({"first_day": "2001-01-01"}, "first_day"),
        ({"last_day": "hier"}, "last_day"),
        ({"facility_id": "x"}, "facility_id"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(offer, fields, field):
    agent = client_for(offer.cast.agent)
    with assert_nothing_written():
        response = post(agent, URL, _body(offer, **fields))
    assert response.status_code == 422, response.content
    assert field in {e["field"].split(".")[-1] for e in response.json()["detail"]["errors"]}


def test_quota_reached_is_a_409(offer):
    agent = client_for(offer.cast.agent)
    assert post(agent, URL, _body(offer)).status_code == 201
    assert post(agent, URL, _body(offer)).status_code == 201
    with assert_nothing_written():
        response = post(agent, URL, _body(offer))
    assert response.status_code == 409
    assert response.json()["code"] == "voucher_quota_reached"


def test_who_sees_a_voucher(offer):
    voucher = offer.request()
    url = f"{URL}/{voucher.pk}"
    assert client_for(offer.cast.agent).get(url).json()["token"]
    # The venue's staff see it (without the token); nobody else does: 404, like a voucher that does not exist.
    for staff in (offer.cast.desk, offer.cast.correspondent, offer.cast.admin):
        response = client_for(staff).get(url)
        assert response.status_code == 200, staff
        assert response.json()["token"] is None
    for stranger in (offer.outsider, offer.other_desk, offer.cast.officer, another_agent()):
        client = client_for(stranger)
        with assert_nothing_written():
            assert client.get(url).status_code == 404
            assert post(client, f"{url}/cancel").status_code == 404
    assert Client().get(url).status_code == 401
    assert client_for(offer.cast.agent).get(f"{URL}/999999").status_code == 404


def test_the_desk_validates_once_another_venue_cannot(offer):
    voucher = offer.request()
    other = client_for(offer.other_desk)
    with assert_nothing_written():
        refused = post(other, f"{URL}/validate", {"code": voucher.code})
    assert refused.status_code == 404
    desk = client_for(offer.cast.desk)
    done = post(desk, f"{URL}/validate", {"code": voucher.display_code})
    assert done.status_code == 200, done.content
    assert done.json()["voucher"]["status"] == "used"
    assert done.json()["voucher"]["holder_name"] == str(offer.cast.agent)
    with assert_nothing_written():
        again = post(desk, f"{URL}/validate", {"token": services.voucher_token(voucher)})
    assert again.status_code == 409
    assert again.json()["code"] == "voucher_already_used"
    first_time = Voucher.objects.get(pk=voucher.pk).validated_at
    assert dt.datetime.fromisoformat(again.json()["detail"]["validated_at"]) == first_time
    assert timezone.localtime(first_time).strftime("%H:%M") in again.json()["message"]


def test_the_agent_cannot_validate_their_own_voucher(offer):
    voucher = offer.request()
    agent = client_for(offer.cast.agent)
    with assert_nothing_written():
        response = post(agent, f"{URL}/validate", {"code": voucher.code})
    assert response.status_code == 404


def test_a_venue_api_key_validates_and_uploads_offline_validations(offer):
    first, second = offer.request(), offer.request()
    _key, secret = services.venue_api_key_create(
        actor=offer.cast.correspondent, facility_id=offer.facility.pk, name="Billetterie"
    )
    machine = Client(enforce_csrf_checks=True)  # no session, no CSRF: the key alone
    headers = {"X-Api-Key": secret}
    one = machine.post(
        f"{URL}/validate", {"code": first.code}, content_type="application/json", headers=headers
    )
    assert one.status_code == 200, one.content
    assert Voucher.objects.get(pk=first.pk).validated_via == ValidationChannel.API_KEY
    now = timezone.now()
    batch = {
        "batch": [
            {
                "code": second.code,
                "validated_at": (now - dt.timedelta(hours=1)).isoformat(),
                "device": "caisse 1",
            },
            {
                "code": second.code,
                "validated_at": (now - dt.timedelta(minutes=50)).isoformat(),
                "device": "caisse 2",
            },
            {"code": first.code, "validated_at": (now - dt.timedelta(minutes=40)).isoformat()},
        ]
    }
    synced = machine.post(f"{URL}/validate", batch, content_type="application/json", headers=headers)
    assert synced.status_code == 200, synced.content
    assert [r["result"] for r in synced.json()["results"]] == ["validated", "flagged", "flagged"]
    assert Voucher.objects.get(pk=second.pk).double_validation
    # A wrong or revoked key is no key at all.
    with assert_nothing_written():
        bad = machine.post(
            f"{URL}/validate",
            {"code": first.code},
            content_type="application/json",
            HTTP_X_API_KEY="rcq_00000000_nope",
        )
    # Neither a key nor a session with its CSRF token: refused before anything is read.
    assert bad.status_code in (401, 403), bad.content
    assert bad.json()["code"] in ("not_authenticated", "http_403")


def test_an_api_key_only_reaches_its_own_venue(offer):
    from tests.factories.local_offers import make_facility

    pool = make_facility(offer.cast.correspondent, offer.cast.grenoble, name="Piscine", publish=True)
    voucher = offer.request()
    _key, secret = services.venue_api_key_create(
        actor=offer.cast.correspondent, facility_id=pool.pk, name="Piscine"
    )
    with assert_nothing_written():
        response = Client().post(
            f"{URL}/validate", {"code": voucher.code}, content_type="application/json", HTTP_X_API_KEY=secret
        )
    assert response.status_code == 404
    key = services.venue_api_key_revoke(actor=offer.cast.correspondent, key_id=_key.pk)
    assert key.revoked_at is not None
    assert services.venue_api_key_authenticate(secret) is None


def test_the_public_key_is_public(offer):
    response = Client().get(f"{URL}/public-key")
    assert response.status_code == 200
    assert response.json()["keys"][0]["crv"] == "Ed25519"


def test_the_holder_cancels(offer):
    voucher = offer.request()
    response = post(client_for(offer.cast.agent), f"{URL}/{voucher.pk}/cancel")
    assert response.status_code == 200
    assert Voucher.objects.get(pk=voucher.pk).status == VoucherStatus.CANCELLED
    agent = client_for(offer.cast.agent)
    with assert_nothing_written():
        assert post(agent, f"{URL}/{voucher.pk}/cancel").status_code == 409
