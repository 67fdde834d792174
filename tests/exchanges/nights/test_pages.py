"""Pages: the one-way request form on a home open to any request, the proposal's cost in nights, my balance
and history (the notice wherever a balance is), the officers' statistics (no cell under 5 agents, CSV), the
administrator's correction form (reason required)."""

from django.urls import reverse

from exchanges.nights import services as nights
from exchanges.nights.models import AccountKind, MovementKind, NightMovement
from exchanges.swaps import services
from exchanges.swaps.models import SwapProposal
from geo.models import Departement
from tests.exchanges.nights.conftest import after
from tests.factories.accounts import UserFactory
from tests.factories.exchanges import in_days
from tests.factories.organisations import OfficerTerritoryFactory
from tests.helpers import assert_nothing_written
from tests.hostile.conftest import logged

NOTICE = "Les nuits ne s'achètent pas, ne se vendent pas, ne se donnent pas."


def form(start=15, end=22, *, my_home):
    return {
        "request-start": in_days(start).isoformat(),
        "request-end": in_days(end).isoformat(),
        "request-guests": 2,
        "request-my_home": my_home,
    }


def test_a_one_way_request_from_the_home_page_to_the_history(open_trio):
    alice, bruno = logged(open_trio.alice), logged(open_trio.bruno)
    page = alice.get(reverse("exchanges:detail", args=[open_trio.quimper.pk])).content.decode()
    assert "Demander un séjour (nuits solidaires)" in page
    assert "Votre solde : 7 nuits solidaires." in page
    assert NOTICE in page
    url = reverse("swaps:request", args=[open_trio.quimper.pk])
    with assert_nothing_written():
        refused = alice.post(url, form(end=24, my_home=open_trio.grenoble.pk))
    assert refused.status_code == 303  # back to the page, with the refusal
    assert "Solde de nuits solidaires insuffisant" in alice.get(refused["Location"]).content.decode()
    with assert_nothing_written():
        bad = alice.post(url, form(my_home=open_trio.quimper.pk))  # not her home
    assert bad.status_code == 303
    assert "Mon foyer (mon logement)" in alice.get(bad["Location"]).content.decode()
    assert not SwapProposal.objects.exists()
    sent = alice.post(url, form(my_home=open_trio.grenoble.pk))
    assert sent.status_code == 303
    proposal = SwapProposal.objects.get()
    detail = alice.get(sent["Location"]).content.decode()
    assert "Ce séjour vous coûte 7 nuits." in detail
    assert "Votre solde : 7 ; après le séjour : 0." in detail
    host_view = bruno.get(sent["Location"]).content.decode()
    assert "Accueillir ce foyer vous rapporte 7 nuits, une fois le séjour terminé." in host_view
    services.proposal_accept(actor=open_trio.bruno, proposal=proposal)
    services.proposal_confirm(actor=open_trio.bruno, proposal=proposal)
    services.proposals_tick(now=after(30))
    history = alice.get(reverse("nights:mine")).content.decode()
    assert 'id="nights-balance">0<' in history
    assert NOTICE in history
    assert "Nuits réservées pour un séjour" in history
    assert f'href="{reverse("swaps:detail", args=[proposal.pk])}"' in history
    assert 'id="nights-balance">14<' in bruno.get(reverse("nights:mine")).content.decode()


def test_a_reciprocal_only_home_shows_no_request_form(open_trio, territories):
    from tests.exchanges.swaps.conftest import RENNES, publish_home

    home = publish_home(open_trio.outsider, *RENNES, title="Réciproque seulement")
    alice = logged(open_trio.alice)
    page = alice.get(reverse("exchanges:detail", args=[home.pk])).content.decode()
    assert "Demander un séjour" not in page
    with assert_nothing_written():
        response = alice.post(reverse("swaps:request", args=[home.pk]), form(my_home=open_trio.grenoble.pk))
    assert response.status_code == 303
    assert "ne reçoit pas de demande à sens unique" in alice.get(response["Location"]).content.decode()


def _earned(host, guest, *, dep="29", region="53", guest_dep="38", guest_region="84", nights_=7):
    reserved = nights.system_account(AccountKind.RESERVED)
    NightMovement.objects.create(
        kind=MovementKind.EARN,
        debit=reserved,
        credit=nights.account_for(host),
        guest_account=nights.account_for(guest),
        nights=nights_,
        region_code=region,
        departement_code=dep,
        guest_region_code=guest_region,
        guest_departement_code=guest_dep,
    )


def test_statistics_for_officers_and_administrators_only_with_no_cell_under_five(open_trio, territories):
    hosts, guests = UserFactory.create_batch(5), UserFactory.create_batch(5)
    for host, guest in zip(hosts, guests, strict=True):
        _earned(host, guest)
    _earned(open_trio.bruno, open_trio.alice, dep="35", guest_dep="35", region="53", guest_region="53")
    url = reverse("nights:statistics")
    assert logged(open_trio.alice).get(url).status_code == 403
    officer = UserFactory()
    OfficerTerritoryFactory(officer=officer, departement=Departement.objects.get(code="38"))
    page = logged(officer).get(url).content.decode()
    assert "<td>53</td><td>29</td><td>35</td><td>—</td>" in page  # 5 hosts in the Finistère
    assert "<td>84</td><td>38</td><td>—</td><td>35</td>" in page  # 5 guests from the Isère
    assert page.count("<tr><td>") == 2  # one host and one guest in Ille-et-Vilaine: no row
    csv = logged(officer).get(url + "?format=csv").content.decode().splitlines()
    assert csv[0] == "mois,region,departement,nuits_gagnees,nuits_depensees"
    assert sorted(line.split(",", 1)[1] for line in csv[1:]) == ["53,29,35,", "84,38,,35"]
    admin = UserFactory(is_superuser=True, is_staff=True)
    assert logged(admin).get(url).status_code == 200


def test_the_correction_form_for_administrators_only_reason_required(open_trio):
    url = reverse("nights:correction")
    assert logged(open_trio.bruno).get(url).status_code == 403
    admin = logged(UserFactory(is_superuser=True, is_staff=True))
    with assert_nothing_written():
        response = admin.post(url, {"email": open_trio.alice.email, "nights": 3, "reason": "   "})
    assert response.status_code == 422
    assert 'id="id_reason"' in response.content.decode()
    assert "obligatoire" in response.content.decode().split('id="id_reason"')[1]
    with assert_nothing_written():
        unknown = admin.post(url, {"email": "nobody@example.org", "nights": 3, "reason": "Erreur"})
    assert "Aucun compte avec cette adresse." in unknown.content.decode()
    done = admin.post(url, {"email": open_trio.alice.email, "nights": 3, "reason": "Séjour écourté"})
    assert done.status_code == 303
    assert nights.balance_of(open_trio.alice) == 10


def test_every_nights_page_for_every_actor(open_trio, client):
    """Anonymous: to the login page; an agent: their own page only; an officer: the statistics; an
    administrator: all three."""
    officer = UserFactory()
    OfficerTerritoryFactory(officer=officer, departement=Departement.objects.get(code="38"))
    admin = UserFactory(is_superuser=True, is_staff=True)
    expected = {
        "nights:mine": {"anonymous": 302, "agent": 200, "officer": 200, "admin": 200},
        "nights:statistics": {"anonymous": 302, "agent": 403, "officer": 200, "admin": 200},
        "nights:correction": {"anonymous": 302, "agent": 403, "officer": 403, "admin": 200},
    }
    actors = {
        "anonymous": client,
        "agent": logged(open_trio.alice),
        "officer": logged(officer),
        "admin": logged(admin),
    }
    for name, statuses in expected.items():
        for actor, status in statuses.items():
            response = actors[actor].get(reverse(name))
            assert response.status_code == status, (name, actor, response.status_code)
    with assert_nothing_written():
        refused = actors["officer"].post(
            reverse("nights:correction"), {"email": open_trio.alice.email, "nights": 5, "reason": "Moi"}
        )
    assert refused.status_code in (303, 403)
