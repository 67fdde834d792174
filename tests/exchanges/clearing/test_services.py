"""A clearing run on real homes: it proposes the ring's cycle through the swaps workflow with its reason;
who is left out of the pool (opted out, ineligible, waiting for another answer, taken by a confirmed stay);
the fairness terms; the memory of declined and expired stays; who may launch a run or switch an opt-in."""

import datetime as dt

import pytest
from django.db.backends.postgresql.psycopg_any import DateRange
from django.utils import timezone

from exchanges.clearing import services, solver
from exchanges.clearing.exceptions import NotAllowed
from exchanges.clearing.models import ClearingCycle, ClearingOptIn, ClearingRun, FailedEdge, Trigger
from exchanges.exceptions import HomeNotFound
from exchanges.matching.engine import Edge, Graph
from exchanges.swaps import services as swaps
from exchanges.swaps.models import ProposalParty, ProposalStatus, Stay, SwapProposal
from marketplace.messaging.models import Message
from marketplace.organisations.models import Employment
from tests.factories.accounts import UserFactory
from tests.factories.exchanges import in_days, make_home
from tests.helpers import assert_nothing_written

pytestmark = pytest.mark.django_db


def test_a_run_proposes_the_ring_cycle_to_every_party_with_its_reason(opted_ring):
    ring = opted_ring
    run = services.clearing_run(actor=None)
    assert run.trigger == Trigger.MONTHLY
    assert (run.pool_size, run.households, run.greedy_households, run.lp_bound, run.gap) == (
        3,
        3,
        3,
        3.0,
        0.0,
    )
    assert (run.proposals_created, run.proposals_failed, run.capped) == (1, 0, False)
    cycle = ClearingCycle.objects.get(run=run)
    assert sorted(cycle.homes) == sorted([ring.grenoble.pk, ring.quimper.pk, ring.toulouse.pk])
    assert (cycle.start, cycle.end) == (in_days(15), in_days(22))
    proposal = cycle.proposal
    assert proposal is not None
    assert proposal.status == ProposalStatus.PROPOSED
    assert proposal.created_by is None
    parties = ProposalParty.objects.filter(proposal=proposal)
    assert {p.user_id for p in parties} == {ring.alice.pk, ring.bruno.pk, ring.chloe.pk}
    assert all(p.accepted_revision is None for p in parties)  # nobody accepted on their behalf
    stays = {(s.guest_home_id, s.host_home_id) for s in Stay.objects.filter(proposal=proposal)}
    assert stays == {
        (ring.grenoble.pk, ring.quimper.pk),
        (ring.quimper.pk, ring.toulouse.pk),
        (ring.toulouse.pk, ring.grenoble.pk),
    }
    texts = list(Message.objects.filter(conversation__subject_id=proposal.pk).values_list("text", flat=True))
    assert any(
        t.startswith("Proposition du mois : Boucle à 3 logements : dates en commun : 7 nuits") for t in texts
    )
    assert set(run.entries.values_list("offered", flat=True)) == {True}
    # All-or-nothing: the three accept, then one confirms.
    for user in (ring.alice, ring.bruno, ring.chloe):
        proposal = swaps.proposal_accept(actor=user, proposal=proposal)
    assert proposal.status == ProposalStatus.ACCEPTED
    # A second run: these homes now wait for no answer but hold an accepted proposal — still out of the pool.
    again = services.clearing_run(actor=None)
    assert (again.pool_size, again.households) == (0, 0)


def test_an_opted_out_home_takes_no_part(opted_ring):
    services.clearing_opt_in_set(actor=opted_ring.chloe, home=opted_ring.toulouse.pk, on=False)
    run = services.clearing_run(actor=None)
    assert (run.pool_size, run.households) == (2, 0)
    assert not SwapProposal.objects.exists()
    assert set(run.entries.values_list("offered", flat=True)) == {False}


def test_an_ineligible_agent_takes_no_part(opted_ring):
    Employment.objects.filter(agent=opted_ring.chloe).update(status="ended")
    run = services.clearing_run(actor=None)
    assert (run.pool_size, run.households) == (2, 0)
    assert not SwapProposal.objects.exists()


def _confirmed_stay_at(host, start: int, end: int) -> None:
    guest_owner = UserFactory()
    guest_home = make_home(guest_owner)
    proposal = SwapProposal.objects.create(expires_at=timezone.now())
    SwapProposal.objects.filter(pk=proposal.pk).update(status=ProposalStatus.CONFIRMED)
    Stay.objects.create(
        proposal=proposal,
        guest_home=guest_home,
        host_home=host,
        guest=guest_owner,
        host=host.owner,
        period=DateRange(in_days(start), in_days(end)),
        guests=2,
        confirmed=True,
    )


def test_a_home_taken_by_a_confirmed_stay_over_the_window_is_not_proposed(opted_ring):
    _confirmed_stay_at(opted_ring.quimper, 14, 19)
    run = services.clearing_run(actor=None)
    assert run.pool_size == 3
    assert run.households == 0  # 19–22 is 3 nights, below MATCHING_MIN_NIGHTS
    assert not ClearingCycle.objects.exists()


def test_a_confirmed_stay_outside_the_window_does_not_matter(opted_ring):
    _confirmed_stay_at(opted_ring.quimper, 30, 35)
    assert services.clearing_run(actor=None).households == 3


def test_a_declined_cycle_is_not_proposed_again(opted_ring):
    run = services.clearing_run(actor=None)
    proposal = ClearingCycle.objects.get(run=run).proposal
    assert proposal is not None
    swaps.proposal_decline(actor=opted_ring.bruno, proposal=proposal)
    again = services.clearing_run(actor=None)
    assert again.pool_size == 3
    assert again.households == 0
    edges = set(FailedEdge.objects.values_list("guest_home_id", "host_home_id", "outcome"))
    ring = opted_ring
    assert edges == {
        (ring.grenoble.pk, ring.quimper.pk, "declined"),
        (ring.quimper.pk, ring.toulouse.pk, "declined"),
        (ring.toulouse.pk, ring.grenoble.pk, "declined"),
    }
    assert services.clearing_remember_failures() == 0  # remembered once


def test_an_expired_cycle_is_remembered_too(opted_ring):
    run = services.clearing_run(actor=None)
    swaps.proposals_tick(now=timezone.now() + dt.timedelta(days=6))
    proposal = ClearingCycle.objects.get(run=run).proposal
    assert proposal is not None
    assert proposal.status == ProposalStatus.EXPIRED
    assert services.clearing_run(actor=None).households == 0
    assert set(FailedEdge.objects.values_list("outcome", flat=True)) == {"expired"}


def test_fairness_terms_count_never_swapped_and_runs_left_out(opted_ring):
    ring = opted_ring
    services.clearing_opt_in_set(actor=ring.chloe, home=ring.toulouse.pk, on=False)
    services.clearing_run(actor=None)
    services.clearing_run(actor=None)  # two runs with nothing for Grenoble and Quimper
    pool, _homes = services.build_pool(timezone.localdate(), max_length=3)
    expected = solver.bonus(True, 2)
    assert expected == solver.NEVER_SWAPPED + 2 * solver.LEFT_OUT
    assert pool.bonus == {ring.grenoble.pk: expected, ring.quimper.pk: expected}


def _graph(edges, owners):
    graph = Graph()
    graph.owner.update(owners)
    for g, h in edges:
        graph.add(Edge(g, h, ((10, 20),), ((10, 20),), 1, 100.0, 0))
    return graph


def test_fairness_decides_between_equal_swaps_and_households_come_first():
    # 1 ↔ 2 and 1 ↔ 3: the same households either way; 3 was left out of earlier runs, never swapped.
    graph = _graph([(1, 2), (2, 1), (1, 3), (3, 1)], {1: 1, 2: 2, 3: 3})
    pool = solver.Pool(graph=graph, bonus={3: solver.bonus(True, 3)}, min_nights=5)
    chosen = solver.solve(solver.candidates(pool)[0]).chosen
    assert [c.homes for c in chosen] == [(1, 3)]
    # A 3-cycle 1 → 2 → 4 → 1 without any bonus beats the favoured pair 1 ↔ 3: one more household.
    graph = _graph([(1, 2), (2, 4), (4, 1), (1, 3), (3, 1)], {1: 1, 2: 2, 3: 3, 4: 4})
    pool = solver.Pool(graph=graph, bonus={3: solver.MAX_BONUS}, min_nights=5)
    chosen = solver.solve(solver.candidates(pool)[0]).chosen
    assert [c.homes for c in chosen] == [(1, 2, 4)]


def test_only_an_administrator_launches_a_run(opted_ring, django_user_model):
    with assert_nothing_written(), pytest.raises(NotAllowed):
        services.clearing_run(actor=opted_ring.alice)
    admin = UserFactory(is_superuser=True, is_staff=True)
    run = services.clearing_run(actor=admin, max_length=2)
    assert (run.trigger, run.launched_by, run.max_length, run.households) == (Trigger.ADMIN, admin, 2, 0)
    assert ClearingRun.objects.count() == 1


def test_the_opt_in_switch_is_the_owners_only(opted_ring):
    with assert_nothing_written():
        with pytest.raises(HomeNotFound):
            services.clearing_opt_in_set(actor=opted_ring.alice, home=opted_ring.quimper.pk, on=False)
        with pytest.raises(HomeNotFound):
            services.clearing_opt_in_set(actor=opted_ring.alice, home=10**9, on=True)
    assert services.clearing_opt_in_set(actor=opted_ring.bruno, home=opted_ring.quimper.pk, on=False) is False
    assert not ClearingOptIn.objects.filter(home=opted_ring.quimper).exists()


def test_the_monthly_task_runs_the_clearing_as_the_platform(opted_ring):
    from exchanges.clearing.tasks import clearing_monthly_task

    clearing_monthly_task(timestamp=0)
    run = ClearingRun.objects.get()
    assert (run.trigger, run.launched_by, run.households) == (Trigger.MONTHLY, None, 3)
