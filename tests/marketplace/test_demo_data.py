import pytest
from django.core.management import call_command

from marketplace.accounts.models import User
from marketplace.organisations.models import (
    Employment,
    OfficerTerritory,
    Organisation,
    OrganisationStatus,
    StaffRole,
)
from marketplace.organisations.selectors import agent_eligibility


@pytest.mark.django_db
def test_demo_data_is_complete_and_idempotent(territories, capsys):
    from django.utils import timezone

    call_command("load_demo")
    call_command("load_demo")
    assert "déjà chargée" in capsys.readouterr().out
    validated = Organisation.objects.filter(status=OrganisationStatus.VALIDATED)
    assert validated.count() == 40
    assert validated.values("seat_commune__region").distinct().count() >= 8
    assert OfficerTerritory.objects.values("officer").distinct().count() == 18
    assert OfficerTerritory.objects.count() == 101
    assert (
        StaffRole.objects.filter(role="correspondent", status="active")
        .values("organisation")
        .distinct()
        .count()
        == 40
    )
    assert StaffRole.objects.filter(role="desk", status="active").count() == 40
    assert Employment.objects.filter(status="confirmed").count() == 300
    assert Employment.objects.filter(status="pending").count() >= 3
    today = timezone.localdate()
    assert validated.count() - validated.active_members(today).count() == 1  # one lapsed last month
    for email in ("agent", "correspondant", "accueil", "charge", "admin"):
        user = User.objects.get(email=f"{email}@demo.reciproque.fr")
        assert user.check_password("demo-reciproque")
        assert user.emailaddress_set.get().verified
    assert agent_eligibility(User.objects.get(email="agent@demo.reciproque.fr"), today).eligible
    assert_the_swap_story()
    assert_the_suggestions_page()
    assert_the_proposals_waiting()
    assert_the_agreements()


def assert_the_proposals_waiting():
    """The README's Propositions: the Quimper agent's proposal waits for agent@demo's answer, beside the
    monthly clearing's proposal (whichever demo loader runs first)."""
    from exchanges.swaps.models import SwapProposal

    waiting = SwapProposal.objects.filter(parties__user__email="agent@demo.reciproque.fr", status="proposed")
    assert waiting.filter(parties__home__commune_id="29232").exclude(created_by=None).exists()
    assert waiting.filter(created_by=None).exists()


def assert_the_agreements() -> None:
    """Demo agreements in various states; charge@demo has one waiting for review in its queue."""
    from local_offers.agreements.selectors import review_queue
    from local_offers.models import Agreement

    states = set(Agreement.objects.values_list("status", flat=True))
    assert {"draft", "submitted", "changes_requested", "active"} <= states
    charge = User.objects.get(email="charge@demo.reciproque.fr")
    assert review_queue(charge).filter(status="submitted", officer=charge).exists()


def assert_the_suggestions_page() -> None:
    """agent@demo's "Suggestions pour mon logement" lists a pair and a three-home cycle, computed on the spot
    and as the refresh stores them (what the README tells to try)."""
    from django.test import Client

    from exchanges.matching.services import suggestions_refresh
    from exchanges.models import Home

    mine = Home.objects.get(owner__email="agent@demo.reciproque.fr", status="published")
    client = Client()
    client.force_login(mine.owner)
    for stored in (False, True):
        if stored:
            suggestions_refresh(home_ids=[mine.pk])
        html = client.get(f"/mon-logement/{mine.pk}/suggestions/").content.decode()
        assert "Échange réciproque avec « " in html, stored
        assert "Boucle à 3 logements" in html, stored
        assert "Proposer l" in html, stored


def assert_the_swap_story() -> None:
    """agent@demo's home (Grenoble → Brittany) has ≥ 3 reciprocal candidates and lies on a 3-home cycle
    across three régions: what the swaps issue will show."""
    from django.db import connection

    from exchanges.models import Home

    published = Home.objects.filter(status="published")
    assert published.count() >= 200
    assert published.values("region").distinct().count() >= 12
    mine = published.get(owner__email="agent@demo.reciproque.fr")
    assert mine.commune_id == "38185"
    # "a can host b": a's place is in one of b's wishes, and a is free during those wished dates.
    can_host = """
        SELECT a.id AS host, b.id AS guest FROM exchanges_home a
        JOIN exchanges_availabilityperiod p ON p.home_id = a.id
        JOIN exchanges_destinationwish w ON ST_Contains(w.target, a.point) AND p.period && w.dates
        JOIN exchanges_home b ON b.id = w.home_id
        WHERE a.status = 'published' AND b.status = 'published' AND a.id <> b.id
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH h AS ({can_host}) SELECT count(*) FROM h x JOIN h y ON x.host = y.guest AND x.guest = y.host "
            "WHERE x.host = %s",
            [mine.pk],
        )
        assert cursor.fetchone()[0] >= 3
        cursor.execute(
            f"WITH h AS ({can_host}) SELECT count(*) FROM h x JOIN h y ON x.guest = y.host JOIN h z ON y.guest = z.host "
            "AND z.guest = x.host JOIN exchanges_home hx ON hx.id = x.host JOIN exchanges_home hy ON hy.id = y.host "
            "JOIN exchanges_home hz ON hz.id = z.host WHERE x.host = %s AND hx.region_id <> hy.region_id "
            "AND hy.region_id <> hz.region_id AND hz.region_id <> hx.region_id",
            [mine.pk],
        )
        assert cursor.fetchone()[0] >= 1
    # The matching engine finds them: pairs with the Breton homes, and the Grenoble → Brittany → Occitanie
    # cycle (the homes of the cycle are open to any request).
    from exchanges.matching.selectors import matches_for_home

    found = matches_for_home(mine)
    assert sum(1 for m in found if m.kind == "pair") >= 3
    cycles = [m for m in found if len(m.homes) == 3]
    assert cycles
    regions = dict(published.filter(pk__in=cycles[0].homes).values_list("pk", "region_id"))
    assert len(set(regions.values())) == 3
