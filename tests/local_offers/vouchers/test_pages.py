"""Voucher pages without a browser: the offer page's form (a refused field comes back on it, nothing written),
"Mes bons" and the printable voucher (its QR drawn here as SVG), the desk page (404 for anyone without a desk
or correspondent role; unknown codes answered without revealing anything), the venue's API keys page."""

import datetime as dt

import pytest
from django.utils import timezone

from local_offers.vouchers import services
from local_offers.vouchers.models import VenueApiKey, Voucher, VoucherStatus
from tests.helpers import assert_nothing_written
from tests.organisations.test_api import client_for

pytestmark = pytest.mark.django_db


def _form(offer, **fields):
    today = timezone.localdate()
    return {
        "agreement_id": offer.agreement.pk,
        "facility_id": offer.facility.pk,
        "first_day": today.isoformat(),
        "last_day": today.isoformat(),
        "party_size": "2",
        **fields,
    }


def _post(client, url, data):
    return client.post(url, data, HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)


def test_the_offer_page_offers_a_voucher_to_eligible_agents_only(offer):
    page = client_for(offer.cast.agent).get(f"/offres/equipements/{offer.facility.pk}/")
    assert b'id="voucher-request"' in page.content
    assert b"Demander le bon" in page.content
    outsider = client_for(offer.outsider).get(f"/offres/equipements/{offer.facility.pk}/")
    assert b"Demander le bon" not in outsider.content


def test_request_then_my_vouchers_with_a_large_printable_qr(offer):
    agent = client_for(offer.cast.agent)
    response = _post(agent, "/offres/bons/demander/", _form(offer))
    assert response.status_code == 303
    voucher = Voucher.objects.get()
    assert response["Location"] == f"/offres/bons/{voucher.pk}/"
    detail = agent.get(response["Location"])
    assert b"<svg" in detail.content
    assert voucher.display_code.encode() in detail.content
    assert b"data-print" in detail.content
    assert voucher.display_code.encode() in agent.get("/offres/bons/").content
    # Nobody else opens the holder's page.
    assert client_for(offer.cast.desk).get(f"/offres/bons/{voucher.pk}/").status_code == 404
    assert client_for(offer.outsider).get(f"/offres/bons/{voucher.pk}/").status_code == 404


def test_a_refused_field_comes_back_on_the_form(offer):
    agent = client_for(offer.cast.agent)
    with assert_nothing_written():
        response = _post(agent, "/offres/bons/demander/", _form(offer, party_size="7"))
    assert response.status_code == 422
    assert "Cette convention vaut pour 1 à 4 personnes." in response.content.decode()
    with assert_nothing_written():
        response = _post(
            agent,
            "/offres/bons/demander/",
            _form(offer, last_day=(timezone.localdate() - dt.timedelta(days=1)).isoformat()),
        )
    assert "Le dernier jour vient après le premier." in response.content.decode()


def test_the_desk_page_is_for_desks_and_correspondents(offer):
    for user in (offer.cast.agent, offer.outsider, offer.cast.officer):
        assert client_for(user).get("/offres/accueil/").status_code == 404
    assert client_for(offer.cast.desk).get("/offres/accueil/").status_code == 200
    assert client_for(offer.cast.correspondent).get("/offres/accueil/").status_code == 200


def test_the_desk_looks_up_then_validates(offer):
    voucher = offer.request()
    desk = client_for(offer.cast.desk)
    found = _post(desk, "/offres/accueil/", {"action": "lookup", "code": voucher.display_code})
    assert str(offer.cast.agent) in found.content.decode()
    assert b'id="validate"' in found.content
    done = _post(desk, "/offres/accueil/", {"action": "validate", "code": voucher.code})
    assert done.status_code == 303
    assert Voucher.objects.get(pk=voucher.pk).status == VoucherStatus.USED
    # Another venue's desk: the same answer as an unknown code.
    other = client_for(offer.other_desk)
    with assert_nothing_written():
        missing = _post(other, "/offres/accueil/", {"action": "lookup", "code": voucher.code})
    assert "Aucun bon de vos sites ne porte ce code" in missing.content.decode()
    assert str(offer.cast.agent) not in missing.content.decode()
    with assert_nothing_written():
        bad = _post(desk, "/offres/accueil/", {"action": "lookup", "code": "12"})
    assert "Un code a 8 caractères" in bad.content.decode()


def test_api_keys_page_shows_the_key_once_and_revokes(offer):
    correspondent = client_for(offer.cast.correspondent)
    url = f"/offres/gerer/{offer.facility.pk}/cles/"
    created = _post(correspondent, url, {"name": "Billetterie"})
    key = VenueApiKey.objects.get()
    secret = created.content.decode().split('id="new-key">')[1].split("<")[0]
    assert secret.startswith(f"rcq_{key.prefix}_")
    assert key.key_hash == services.hash_key(secret)
    assert secret not in correspondent.get(url).content.decode()  # shown once
    assert client_for(offer.cast.desk).get(url).status_code == 404
    assert client_for(offer.cast.other_correspondent).get(url).status_code == 404
    _post(correspondent, f"{url}{key.pk}/revoquer/", {})
    assert VenueApiKey.objects.get().revoked_at is not None


def test_offers_near_a_stay_link_to_a_voucher_for_the_stay(offer):
    from local_offers.selectors import offers_near_stay

    start = timezone.localdate() + dt.timedelta(days=10)
    end = start + dt.timedelta(days=7)
    near = offers_near_stay(point=offer.facility.location, start=start, end=end, radius_m=5_000)
    assert [o.id for o in near] == [offer.facility.pk]
    last = end - dt.timedelta(days=1)
    assert near[0].voucher_url == (
        f"/offres/equipements/{offer.facility.pk}/?du={start.isoformat()}&au={last.isoformat()}#voucher-request"
    )
    page = client_for(offer.cast.agent).get(near[0].voucher_url).content.decode()
    assert f'value="{start.isoformat()}"' in page
    assert f'value="{last.isoformat()}"' in page
    # Before the agreement starts, nothing to offer.
    later = offer.agreement.validity.upper + dt.timedelta(days=5)
    far = offers_near_stay(
        point=offer.facility.location, start=later, end=later + dt.timedelta(days=3), radius_m=5_000
    )
    assert [o.voucher_url for o in far] == [""]
