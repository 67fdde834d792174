"""The statistics' selectors against a recount, the anonymisation rule (a cell of 4 agents never leaks, not
even through a total), month boundaries in the site's time zone, and review times from the audit events."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from geo.models import Departement
from local_offers.agreements import services
from local_offers.models import Agreement, AgreementStatus
from local_offers.statistics import selectors, usage
from local_offers.statistics.anonymity import HIDDEN, Cell, difference, suppress, total
from local_offers.statistics.scope import period_of, territory_for
from local_offers.vouchers.models import Voucher, VoucherStatus
from marketplace.audit.models import AuditEvent
from tests.factories.local_offers import make_facility
from tests.local_offers.agreements.conftest import signed_pdf, terms
from tests.local_offers.statistics.conftest import mid_last_month

pytestmark = pytest.mark.django_db


def cells(*sizes: int) -> list[Cell]:
    start = 0
    out = []
    for n in sizes:
        out.append(Cell(uses=n * 3, persons=n * 3, agents=frozenset(range(start, start + n))))
        start += n
    return out


def figures(value: object) -> set[int]:
    """Every number a table shows (uses, persons, agents, balances), wherever it is nested."""
    if isinstance(value, dict):
        return set().union(*(figures(v) for k, v in value.items() if k not in ("agreement", "month")))
    if isinstance(value, list):
        return set().union(*(figures(v) for v in value))
    return {value} if isinstance(value, int) and not isinstance(value, bool) else set()


def test_a_cell_under_five_agents_is_hidden_with_a_complement_when_alone():
    four_alone = cells(6, 4)
    suppress(four_alone)
    assert [c.hidden for c in four_alone] == [True, True]  # 10 − 6 would give the 4-agent cell away
    assert total(four_alone).figures() == {"uses": 30, "persons": 30, "agents": 10}

    two_small = cells(6, 7, 4, 3)
    suppress(two_small)
    assert [c.hidden for c in two_small] == [False, False, True, True]  # together 7 agents: enough
    assert two_small[2].figures() == {"uses": HIDDEN, "persons": HIDDEN, "agents": HIDDEN}

    lone = cells(4)
    suppress(lone)
    assert total(lone).figures()["uses"] == HIDDEN
    assert difference(cells(5)[0], lone[0]) == HIDDEN


def test_the_same_agents_in_two_hidden_cells_are_counted_once():
    same = [Cell(uses=2, agents=frozenset({1, 2})), Cell(uses=3, agents=frozenset({1, 2, 3})), *cells(9)]
    suppress(same)
    # The two small cells share their agents: 3 distinct, so the 9-agent cell is hidden too.
    assert [c.hidden for c in same] == [True, True, True]


def test_usage_by_departement_counts_against_a_recount(stats):
    cast, when = stats.cast, mid_last_month()
    for agent in stats.agents(6):
        stats.use(agent, cast.chambery, stats.grenoble_agreement, when, party=2)
    for agent in stats.agents(4):
        stats.use(agent, cast.grenoble, stats.chambery_agreement, when)
    period = period_of(3)

    isere = usage.usage_by_departement(territory_for(actor=cast.officer), period)
    recount = Voucher.objects.filter(
        status=VoucherStatus.USED, facility__departement_id="38", validated_at__gte=period.since
    )
    assert isere["rows"] == [
        {"departement": "38", "name": "Isère", "uses": recount.count(), "persons": 12, "agents": 6}
    ]
    assert isere["total"] == {"uses": 6, "persons": 12, "agents": 6}

    # The officer of Savoie sees Savoie alone, and its 4 agents hidden, total included.
    savoie = usage.usage_by_departement(territory_for(actor=stats.savoie_officer), period)
    assert [r["departement"] for r in savoie["rows"]] == ["73"]
    assert savoie["rows"][0]["uses"] == HIDDEN
    assert savoie["total"]["uses"] == HIDDEN

    # Nationally the total (10 agents) is shown, so Isère is hidden too: total − Isère would be Savoie's 4.
    national = usage.usage_by_departement(territory_for(actor=cast.admin), period)
    assert {r["departement"]: r["uses"] for r in national["rows"]} == {"38": HIDDEN, "73": HIDDEN}
    assert national["total"] == {"uses": 10, "persons": 16, "agents": 10}


def test_months_follow_the_site_time_zone_and_the_period_starts_on_the_first(stats):
    cast = stats.cast
    first = timezone.localdate().replace(day=1)
    midnight = timezone.make_aware(dt.datetime.combine(first, dt.time.min))  # Europe/Paris
    late_last_month = midnight - dt.timedelta(minutes=1)  # 22:59 or 23:59 UTC: still last month in Paris
    early_this_month = midnight + dt.timedelta(minutes=30)
    for agent in stats.agents(5):
        stats.use(agent, cast.chambery, stats.grenoble_agreement, late_last_month)
    for agent in stats.agents(5):
        stats.use(agent, cast.chambery, stats.grenoble_agreement, early_this_month, party=3)
    previous = (first - dt.timedelta(days=1)).replace(day=1)

    two = usage.usage_by_month(territory_for(actor=cast.officer), period_of(2))
    assert [(r["month"], r["uses"], r["persons"]) for r in two["rows"]] == [(previous, 5, 5), (first, 5, 15)]

    this_month = usage.usage_by_month(territory_for(actor=cast.officer), period_of(1))
    assert [(r["month"], r["uses"]) for r in this_month["rows"]] == [(first, 5)]
    by_month = usage.solidarity_by_month(cast.grenoble, period_of(2))
    assert [(r["month"], r["given"]["uses"]) for r in by_month["rows"]] == [(previous, 5), (first, 5)]


def test_solidarity_balance_given_and_received_against_a_recount(stats):
    cast, when = stats.cast, mid_last_month()
    chambery_agents = stats.agents(5)
    for agent in chambery_agents:
        stats.use(agent, cast.chambery, stats.grenoble_agreement, when, party=2)
    stats.use(chambery_agents[0], cast.chambery, stats.grenoble_agreement, when, party=2)
    for agent in stats.agents(7):
        stats.use(agent, cast.grenoble, stats.chambery_agreement, when)
    # Neither given nor received: Grenoble's agents at Grenoble's museum, Chambéry's at Chambéry's pool.
    for agent in stats.agents(5):
        stats.use(agent, cast.grenoble, stats.grenoble_agreement, when)
        stats.use(agent, cast.chambery, stats.chambery_agreement, when)
    period = period_of(12)

    data = usage.solidarity_by_month(cast.grenoble, period)
    given = Voucher.objects.filter(agreement__organisation=cast.grenoble).exclude(employer=cast.grenoble)
    received = Voucher.objects.filter(employer=cast.grenoble).exclude(agreement__organisation=cast.grenoble)
    month = timezone.localtime(when).date().replace(day=1)
    assert data["rows"] == [
        {
            "month": month,
            "given": {"uses": given.count(), "persons": 12, "agents": 5},
            "received": {"uses": received.count(), "persons": 7, "agents": 7},
            "balance": 6 - 7,
        }
    ]
    assert data["total"]["balance"] == -1

    by_agreement = usage.solidarity_by_agreement(cast.grenoble, period)
    assert {(r["agreement"], r["side"], r["uses"]) for r in by_agreement["rows"]} == {
        (stats.grenoble_agreement.pk, "given", 6),
        (stats.chambery_agreement.pk, "received", 7),
    }
    # Chambéry's view is the mirror image.
    mirror = usage.solidarity_by_month(cast.chambery, period)["total"]
    assert (mirror["given"]["uses"], mirror["received"]["uses"]) == (7, 6)


def test_a_four_agent_cell_never_leaks_through_totals_or_balances(stats):
    """Month A: 6 Chambéry agents once each; month B: 4 agents three times each (12 uses, the secret)."""
    cast = stats.cast
    b = mid_last_month()
    a = b - dt.timedelta(days=31)
    for agent in stats.agents(6):
        stats.use(agent, cast.chambery, stats.grenoble_agreement, a)
    for agent in stats.agents(4):
        for _ in range(3):
            stats.use(agent, cast.chambery, stats.grenoble_agreement, b)
    period = period_of(6)

    data = selectors.solidarity_statistics(actor=cast.correspondent, months=6)
    rows = data["by_month"]["rows"]
    assert [r["given"]["uses"] for r in rows] == [HIDDEN, HIDDEN]  # B, and A with it
    assert all(r["balance"] == HIDDEN for r in rows)
    total_given = data["by_month"]["total"]["given"]
    assert total_given["uses"] == 18
    shown = sum(r["given"]["uses"] for r in rows if isinstance(r["given"]["uses"], int))
    assert total_given["uses"] - shown != 12  # the total minus what is shown is never B alone
    by_agreement = data["by_agreement"]["rows"]
    assert [r["uses"] for r in by_agreement] == [18]  # one agreement: the same total, nothing more

    territory = usage.usage_by_month(territory_for(actor=cast.officer), period)
    assert 12 not in figures(data["by_month"]) | figures(data["by_agreement"]) | figures(territory)


def test_agreements_by_state_count_against_a_recount(stats):
    cast = stats.cast
    second = make_facility(
        cast.correspondent, cast.grenoble, name="Bibliothèque", category="library", publish=True
    )
    draft = services.agreement_create(
        actor=cast.correspondent, organisation_id=cast.grenoble.pk, **terms([second])
    )
    services.agreement_document_upload(actor=cast.correspondent, agreement=draft, upload=signed_pdf())
    services.agreement_submit(actor=cast.correspondent, agreement=draft)
    services.agreement_create(
        actor=cast.correspondent,
        organisation_id=cast.grenoble.pk,
        **terms([stats.museum, second], benefit_kind="free", benefit_value=None),
    )

    rows = selectors.agreements_by_status(territory_for(actor=cast.admin))
    recount: dict[str, dict[str, int]] = {}
    for agreement in Agreement.objects.all():
        for code in set(agreement.covered.values_list("facility__departement_id", flat=True)):
            recount.setdefault(code, {}).setdefault(agreement.status, 0)
            recount[code][agreement.status] += 1
    by_dep = {r["departement"]: {k: v for k, v in r["counts"].items() if v} for r in rows}
    whole = by_dep.pop(None)
    assert by_dep == recount
    assert whole == {"active": 2, "submitted": 1, "draft": 1}
    assert rows[-1]["total"] == Agreement.objects.count()

    # The officer of Savoie counts only Chambéry's agreement.
    savoie = selectors.agreements_by_status(territory_for(actor=stats.savoie_officer))
    assert [(r["departement"], r["total"]) for r in savoie] == [("73", 1), (None, 1)]


def test_review_times_from_submission_to_decision(cast):
    museum = make_facility(cast.correspondent, cast.grenoble, publish=True)
    library = make_facility(
        cast.correspondent, cast.grenoble, name="Bibliothèque", category="library", publish=True
    )
    start = timezone.now().replace(microsecond=0) - dt.timedelta(days=20)

    def at(days: float):
        return time_machine.travel(start + dt.timedelta(days=days), tick=False)

    with at(0):
        a = services.agreement_create(
            actor=cast.correspondent, organisation_id=cast.grenoble.pk, **terms([museum])
        )
        services.agreement_document_upload(actor=cast.correspondent, agreement=a, upload=signed_pdf())
        services.agreement_submit(actor=cast.correspondent, agreement=a)
        b = services.agreement_create(
            actor=cast.correspondent, organisation_id=cast.grenoble.pk, **terms([library])
        )
        services.agreement_document_upload(actor=cast.correspondent, agreement=b, upload=signed_pdf())
        services.agreement_submit(actor=cast.correspondent, agreement=b)
    with at(2):
        services.agreement_start_review(actor=cast.officer, agreement=a)
        services.agreement_request_changes(actor=cast.officer, agreement=a, comment="Deux personnes au plus.")
    with at(5):
        services.agreement_resubmit(actor=cast.correspondent, agreement=a, comment="Fait.")
    with at(6):
        services.agreement_approve(actor=cast.officer, agreement=a, comment="Conforme.")
    with at(10):
        services.agreement_start_review(actor=cast.officer, agreement=b)
        services.agreement_reject(actor=cast.officer, agreement=b, comment="Hors champ.")

    reviews = selectors.review_times(territory_for(actor=cast.officer), period_of(3))
    decisions = AuditEvent.objects.filter(
        object_type="local_offers.agreement", transition__in=["request_changes", "approve", "reject"]
    )
    # Rounds: a 2 days (changes requested), a 1 day (approved after resubmission), b 10 days (rejected).
    assert reviews["overall"] == {"decisions": decisions.count(), "median_days": 2.0, "p90_days": 8.4}
    assert sum(m["decisions"] for m in reviews["months"]) == 3
    assert Agreement.objects.get(pk=a.pk).status == AgreementStatus.ACTIVE

    # Outside the territory, nothing: the officer of Savoie has no decision to time.
    from tests.factories.organisations import OfficerTerritoryFactory

    savoie = OfficerTerritoryFactory(departement=Departement.objects.get(code="73")).officer
    assert selectors.review_times(territory_for(actor=savoie), period_of(3))["overall"]["decisions"] == 0


def test_vouchers_requested_and_validated_through_the_services_are_counted(stats):
    """The issue's path: Chambéry's agents get a voucher for Grenoble's museum and its desk validates it."""
    from local_offers.vouchers import services as vouchers
    from tests.factories.organisations import EmploymentFactory

    cast = stats.cast
    today = timezone.localdate()
    agents = [cast.agent, *(EmploymentFactory(organisation=cast.chambery).agent for _ in range(4))]
    for agent in agents:
        voucher = vouchers.voucher_request(
            actor=agent,
            agreement_id=stats.grenoble_agreement.pk,
            facility_id=stats.museum.pk,
            first_day=today,
            last_day=today,
            party_size=2,
        )
        vouchers.voucher_validate(venue=vouchers.Venue(user=cast.desk), code=voucher.code)
    # One more voucher issued but never validated: not a use.
    vouchers.voucher_request(
        actor=agents[0],
        agreement_id=stats.grenoble_agreement.pk,
        facility_id=stats.museum.pk,
        first_day=today,
        last_day=today,
        party_size=1,
    )

    data = selectors.solidarity_statistics(actor=cast.correspondent, months=1)
    assert data["by_month"]["total"]["given"] == {"uses": 5, "persons": 10, "agents": 5}
    assert data["by_month"]["total"]["received"]["uses"] == 0
    mirror = selectors.solidarity_statistics(actor=cast.other_correspondent, months=1)
    assert mirror["by_month"]["total"]["received"] == {"uses": 5, "persons": 10, "agents": 5}
    territory = selectors.territory_statistics(actor=cast.officer, months=1)
    assert territory["usage_by_departement"]["rows"][0]["uses"] == 5
