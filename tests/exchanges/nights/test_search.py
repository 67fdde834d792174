"""Search: the filter 'accepte les nuits solidaires' (a period open to any request holding the dates) in the
API and on the page, and each card's cost in nights for the dates searched."""

from django.urls import reverse

from tests.exchanges.swaps.conftest import RENNES, publish_home
from tests.factories.exchanges import in_days
from tests.hostile.conftest import logged


def test_the_solidarity_filter_and_the_cost_on_the_cards(open_trio):
    reciprocal = publish_home(open_trio.outsider, *RENNES, title="Réciproque seulement")
    alice = logged(open_trio.alice)
    dates = f"start={in_days(15).isoformat()}&end={in_days(20).isoformat()}"
    found = alice.get(f"/api/v1/homes/search?solidarity=true&{dates}").json()["items"]
    ids = {h["id"] for h in found}
    assert {open_trio.quimper.pk, open_trio.rennes.pk} <= ids
    assert reciprocal.pk not in ids
    everything = {h["id"] for h in alice.get(f"/api/v1/homes/search?{dates}").json()["items"]}
    assert reciprocal.pk in everything
    late = alice.get(
        f"/api/v1/homes/search?solidarity=true&start={in_days(38).isoformat()}&end={in_days(45).isoformat()}"
    ).json()["items"]
    assert late == []  # the open periods end on day 40
    assert alice.get("/api/v1/homes/search?solidarity=maybe").status_code == 422
    page = alice.get(f"{reverse('exchanges:search')}?solidarity=true&{dates}").content.decode()
    assert "Accepte les nuits solidaires" in page
    assert page.count("Séjour à sens unique : 5 nuits solidaires") == len(ids)
    assert "Réciproque seulement" not in page
    mixed = alice.get(f"{reverse('exchanges:search')}?{dates}").content.decode()
    card = mixed.split(f'data-id="{reciprocal.pk}"')[1].split("</li>")[0]
    assert "nuits solidaires" not in card
