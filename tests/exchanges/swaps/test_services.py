"""Proposals through their services: the workflow, counter-proposals, idempotence, bad input with nothing
written, the address reveal, deadlines and eligibility."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from exchanges.exceptions import HomeNotFound, HomeWrongState, NotEligible
from exchanges.swaps import selectors, services
from exchanges.swaps.exceptions import (
    HomeUnavailable,
    IdempotencyKeyReused,
    NotAParty,
    ProposalNotFound,
    ProposalWrongState,
    TooManyUnanswered,
)
from exchanges.swaps.models import AddressReveal, ProposalStatus, Stay, SwapProposal
from marketplace.audit.services import audit_history
from marketplace.errors import InvalidField
from marketplace.messaging.models import Conversation, Message
from marketplace.organisations.models import Employment, EmploymentStatus
from tests.exchanges.conftest import SENTINEL_ADDRESS
from tests.exchanges.swaps.conftest import SENTINEL_PHONE, confirmed_pair, cycle, pair, propose_pair
from tests.factories.exchanges import in_days, make_home
from tests.helpers import assert_nothing_written

pytestmark = pytest.mark.django_db


def system_texts(proposal):
    conversation = Conversation.objects.get(subject_type="swap_proposal", subject_id=proposal.pk)
    return list(
        Message.objects.filter(conversation=conversation, kind="system")
        .order_by("id")
        .values_list("text", flat=True)
    )


class TestWorkflow:
    def test_a_cycle_of_three_is_proposed_accepted_by_all_then_confirmed(self, trio):
        proposal, created = services.proposal_create(actor=trio.alice, stays=cycle(trio))
        assert created
        assert proposal.status == ProposalStatus.PROPOSED
        assert sorted(selectors.party_ids(proposal.pk)) == sorted(
            [trio.alice.pk, trio.bruno.pk, trio.chloe.pk]
        )
        services.proposal_accept(actor=trio.bruno, proposal=proposal)
        proposal.refresh_from_db()
        assert proposal.status == ProposalStatus.PROPOSED  # all-or-nothing: Chloé has not answered
        with pytest.raises(ProposalWrongState):
            services.proposal_confirm(actor=trio.bruno, proposal=proposal)
        services.proposal_accept(actor=trio.chloe, proposal=proposal)
        proposal.refresh_from_db()
        assert proposal.status == ProposalStatus.ACCEPTED
        services.proposal_confirm(actor=trio.chloe, proposal=proposal)
        proposal.refresh_from_db()
        assert proposal.status == ProposalStatus.CONFIRMED
        assert Stay.objects.filter(proposal=proposal, confirmed=True).count() == 3
        # Every step an audit event and a system message in the proposal's conversation.
        assert [e.transition for e in audit_history(proposal)] == ["propose", "accept", "accept", "confirm"]
        assert [(e.from_state, e.to_state) for e in audit_history(proposal)][-2:] == [
            ("proposed", "accepted"),
            ("accepted", "confirmed"),
        ]
        texts = system_texts(proposal)
        assert len(texts) == 4
        assert "propose" in texts[0]
        assert "confirme" in texts[-1]

    def test_decline_ends_it_for_everyone_and_twice_is_the_same_answer(self, trio):
        proposal = propose_pair(trio)
        services.proposal_decline(actor=trio.bruno, proposal=proposal, reason="Pas ces dates")
        again = services.proposal_decline(actor=trio.bruno, proposal=proposal)
        assert again.status == ProposalStatus.DECLINED
        assert [e.transition for e in audit_history(proposal)] == ["propose", "decline"]
        with pytest.raises(ProposalWrongState):
            services.proposal_accept(actor=trio.bruno, proposal=proposal)

    def test_retries_of_each_transition_are_the_same_answer(self, trio):
        proposal = propose_pair(trio)
        services.proposal_accept(actor=trio.bruno, proposal=proposal)
        services.proposal_accept(actor=trio.bruno, proposal=proposal)
        services.proposal_confirm(actor=trio.alice, proposal=proposal)
        services.proposal_confirm(actor=trio.bruno, proposal=proposal)
        services.proposal_cancel(actor=trio.bruno, proposal=proposal)
        done = services.proposal_cancel(actor=trio.alice, proposal=proposal)
        assert done.status == ProposalStatus.CANCELLED
        assert [e.transition for e in audit_history(proposal)] == ["propose", "accept", "confirm", "cancel"]
        assert not Stay.objects.filter(proposal=proposal, confirmed=True).exists()  # the home is free again

    def test_the_same_idempotency_key_returns_the_first_proposal(self, trio):
        first, created = services.proposal_create(actor=trio.alice, stays=pair(trio), idempotency_key="k-1")
        with assert_nothing_written():
            again, created_again = services.proposal_create(
                actor=trio.alice, stays=pair(trio), idempotency_key="k-1"
            )
        assert created
        assert not created_again
        assert again.pk == first.pk
        with assert_nothing_written(), pytest.raises(IdempotencyKeyReused):
            services.proposal_create(actor=trio.alice, stays=pair(trio, end=23), idempotency_key="k-1")

    def test_outsiders_get_a_404_and_parties_only_act(self, trio):
        proposal = propose_pair(trio)
        with assert_nothing_written():
            with pytest.raises(ProposalNotFound):
                services.proposal_accept(actor=trio.outsider, proposal=proposal)
            with pytest.raises(ProposalNotFound):
                services.proposal_cancel(actor=trio.chloe, proposal=proposal)
            with pytest.raises(ProposalNotFound):
                selectors.proposal_get_for_actor(actor=trio.outsider, proposal_id=proposal.pk)

    def test_an_administrator_sees_it_but_is_not_a_party(self, trio):
        from tests.factories.accounts import UserFactory

        admin = UserFactory(is_superuser=True, is_staff=True)
        proposal = propose_pair(trio)
        assert selectors.proposal_get_for_actor(actor=admin, proposal_id=proposal.pk).pk == proposal.pk
        with assert_nothing_written(), pytest.raises(NotAParty):
            services.proposal_accept(actor=admin, proposal=proposal)


class TestCounterProposal:
    def test_other_dates_make_a_new_revision_everyone_answers_again(self, trio):
        proposal, _ = services.proposal_create(actor=trio.alice, stays=cycle(trio))
        services.proposal_accept(actor=trio.bruno, proposal=proposal)
        stays = list(proposal.stays.all())
        later = [services.StayDates(stay=s.pk, start=in_days(20), end=in_days(27)) for s in stays]
        with time_machine.travel(timezone.now() + dt.timedelta(days=3)):
            countered = services.proposal_counter(actor=trio.chloe, proposal=proposal, dates=later)
            assert countered.expires_at > timezone.now() + dt.timedelta(days=4)  # the deadline starts over
        assert countered.revision == 2
        assert countered.status == ProposalStatus.PROPOSED
        accepted = {p.user_id: p.accepted_revision == 2 for p in countered.parties.all()}
        assert accepted == {trio.alice.pk: False, trio.bruno.pk: False, trio.chloe.pk: True}
        assert {(s.period.lower, s.period.upper) for s in Stay.objects.filter(proposal=proposal)} == {
            (in_days(20), in_days(27))
        }
        # The same dates again by the same party: nothing new.
        with assert_nothing_written():
            services.proposal_counter(actor=trio.chloe, proposal=proposal, dates=later)
        services.proposal_accept(actor=trio.alice, proposal=proposal)
        services.proposal_accept(actor=trio.bruno, proposal=proposal)
        assert SwapProposal.objects.get(pk=proposal.pk).status == ProposalStatus.ACCEPTED
        counter = [e for e in audit_history(proposal) if e.transition == "counter"]
        assert len(counter) == 1
        assert f"⇒ {in_days(20)}→{in_days(27)}" in counter[0].comment

    @pytest.mark.parametrize(
        ("start", "end", "field"),
        [(-3, 5, "stays[0].start"), (25, 20, "stays[0].end"), (25, 25, "stays[0].end")],
    )
    def test_a_past_or_inverted_counter_is_refused_with_nothing_written(self, trio, start, end, field):
        proposal = propose_pair(trio)
        stay = proposal.stays.earliest("pk")
        with assert_nothing_written(), pytest.raises(InvalidField) as error:
            services.proposal_counter(
                actor=trio.bruno,
                proposal=proposal,
                dates=[services.StayDates(stay=stay.pk, start=in_days(start), end=in_days(end))],
            )
        assert error.value.field == field

    def test_a_stay_of_another_proposal_or_dates_outside_availability(self, trio):
        proposal = propose_pair(trio)
        other = propose_pair(trio, start=30, end=35)
        foreign = other.stays.earliest("pk")
        with assert_nothing_written():
            with pytest.raises(InvalidField):
                services.proposal_counter(
                    actor=trio.bruno,
                    proposal=proposal,
                    dates=[services.StayDates(stay=foreign.pk, start=in_days(16), end=in_days(20))],
                )
            with pytest.raises(HomeUnavailable):  # the homes are free from day 10 to day 40
                services.proposal_counter(
                    actor=trio.bruno,
                    proposal=proposal,
                    dates=[
                        services.StayDates(stay=s.pk, start=in_days(35), end=in_days(45))
                        for s in proposal.stays.all()
                    ],
                )


class TestBadInput:
    def stays(self, trio, **change):
        stays = pair(trio)
        values = {**stays[0].__dict__, **change}
        return [services.StayIn(**values), stays[1]]

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"start": in_days(-2), "end": in_days(3)}, "stays[0].start"),
            ({"start": in_days(22), "end": in_days(15)}, "stays[0].end"),
            ({"guests": 9}, "stays[0].guests"),
            ({"host_home": None}, "stays[0].host_home"),
        ],
    )
    def test_refused_with_the_field_named_and_nothing_written(self, trio, change, field):
        if change.get("host_home", 0) is None:
            change = {"host_home": trio.grenoble.pk}  # a household in its own home
        with assert_nothing_written(), pytest.raises(InvalidField) as error:
            services.proposal_create(actor=trio.alice, stays=self.stays(trio, **change))
        assert error.value.field == field

    def test_a_home_twice_in_a_cycle(self, trio):
        stays = cycle(trio)
        twice = [stays[0], services.StayIn(**{**stays[1].__dict__, "guest_home": trio.grenoble.pk}), stays[2]]
        with assert_nothing_written(), pytest.raises(InvalidField) as error:
            services.proposal_create(actor=trio.alice, stays=twice)
        assert "deux fois" in error.value.field_message

    def test_someone_elses_unpublished_home_is_a_404(self, trio):
        draft = make_home(trio.bruno, title="Brouillon")
        stays = [
            services.StayIn(
                guest_home=trio.grenoble.pk, host_home=draft.pk, start=in_days(15), end=in_days(20), guests=2
            )
        ]
        with assert_nothing_written(), pytest.raises(HomeNotFound):
            services.proposal_create(actor=trio.alice, stays=stays)

    def test_a_swap_of_other_peoples_homes_only(self, trio):
        stays = [
            services.StayIn(
                guest_home=trio.quimper.pk,
                host_home=trio.rennes.pk,
                start=in_days(15),
                end=in_days(20),
                guests=2,
            )
        ]
        with assert_nothing_written(), pytest.raises(InvalidField) as error:
            services.proposal_create(actor=trio.alice, stays=stays)
        assert error.value.field == "stays"

    def test_a_reciprocal_only_home_is_not_a_one_way_stay(self, trio):
        one_way = [
            services.StayIn(
                guest_home=trio.grenoble.pk,
                host_home=trio.quimper.pk,
                start=in_days(15),
                end=in_days(20),
                guests=2,
            )
        ]
        with assert_nothing_written(), pytest.raises(HomeUnavailable) as error:
            services.proposal_create(actor=trio.alice, stays=one_way)
        assert error.value.detail["mode"] == "reciprocal"

    def test_outside_the_hosts_availability(self, trio):
        with assert_nothing_written(), pytest.raises(HomeUnavailable):
            services.proposal_create(actor=trio.alice, stays=pair(trio, start=35, end=45))

    def test_an_ineligible_agent_proposes_nothing(self, trio):
        Employment.objects.filter(agent=trio.alice).update(status=EmploymentStatus.ENDED)
        with assert_nothing_written(), pytest.raises(NotEligible):
            services.proposal_create(actor=trio.alice, stays=pair(trio))

    def test_a_paused_home_cannot_be_offered(self, trio):
        from exchanges import services as home_services

        home_services.home_pause(actor=trio.alice, home=trio.grenoble)
        with assert_nothing_written(), pytest.raises(HomeWrongState):
            services.proposal_create(actor=trio.alice, stays=pair(trio))

    def test_too_many_unanswered_proposals(self, trio):
        # Bruno leaves five proposals from Alice unanswered (each on other dates)…
        for n in range(services.MAX_UNANSWERED):
            propose_pair(trio, start=10 + 6 * n, end=12 + 6 * n)
        # …and may not send a new one until he answers.
        bruno_to_chloe = [
            services.StayIn(
                guest_home=trio.quimper.pk,
                host_home=trio.rennes.pk,
                start=in_days(15),
                end=in_days(20),
                guests=2,
            ),
            services.StayIn(
                guest_home=trio.rennes.pk,
                host_home=trio.quimper.pk,
                start=in_days(15),
                end=in_days(20),
                guests=2,
            ),
        ]
        with assert_nothing_written(), pytest.raises(TooManyUnanswered):
            services.proposal_create(actor=trio.bruno, stays=bruno_to_chloe)
        services.proposal_decline(actor=trio.bruno, proposal=SwapProposal.objects.earliest("pk"))
        _proposal, created = services.proposal_create(actor=trio.bruno, stays=bruno_to_chloe)
        assert created


class TestAddressReveal:
    def test_the_guest_of_a_confirmed_stay_alone_sees_the_address_and_phone(self, trio):
        proposal, _ = services.proposal_create(actor=trio.alice, stays=cycle(trio))
        to_grenoble = Stay.objects.get(proposal=proposal, host_home=trio.grenoble)
        for user in (trio.alice, trio.bruno, trio.chloe):
            out = selectors.proposal_out(
                selectors.proposal_get_for_actor(actor=user, proposal_id=proposal.pk), user
            )
            assert SENTINEL_ADDRESS not in str(out)
            assert SENTINEL_PHONE not in str(out)
        services.proposal_accept(actor=trio.bruno, proposal=proposal)
        services.proposal_accept(actor=trio.chloe, proposal=proposal)
        services.proposal_confirm(actor=trio.alice, proposal=proposal)
        # Chloé (Rennes) stays in Grenoble: she alone is shown its address and Alice's phone, and it is logged.
        seen = {}
        for user in (trio.alice, trio.bruno, trio.chloe):
            out = selectors.proposal_out(
                selectors.proposal_get_for_actor(actor=user, proposal_id=proposal.pk), user
            )
            seen[user.pk] = SENTINEL_ADDRESS in str(out) and SENTINEL_PHONE in str(out)
        assert seen == {trio.alice.pk: False, trio.bruno.pk: False, trio.chloe.pk: True}
        assert list(AddressReveal.objects.filter(stay=to_grenoble).values_list("viewer_id", flat=True)) == [
            trio.chloe.pk
        ]
        assert AddressReveal.objects.filter(stay__proposal=proposal).count() == 3
        services.proposal_cancel(actor=trio.bruno, proposal=proposal)
        out = selectors.proposal_out(
            selectors.proposal_get_for_actor(actor=trio.chloe, proposal_id=proposal.pk), trio.chloe
        )
        assert SENTINEL_ADDRESS not in str(out)


class TestDeadlinesAndEligibility:
    def test_a_reminder_the_day_before_then_expiry_after_five_days(self, trio):
        proposal = propose_pair(trio)
        start = timezone.now()
        assert services.proposals_tick(now=start + dt.timedelta(days=3))["remind"] == 0
        assert services.proposals_tick(now=start + dt.timedelta(days=4, hours=1))["remind"] == 1
        assert services.proposals_tick(now=start + dt.timedelta(days=4, hours=2))["remind"] == 0  # once
        proposal.refresh_from_db()
        assert proposal.status == ProposalStatus.PROPOSED
        assert proposal.reminded_at is not None
        counts = services.proposals_tick(now=start + dt.timedelta(days=5, minutes=1))
        assert counts["expire"] == 1
        proposal.refresh_from_db()
        assert proposal.status == ProposalStatus.EXPIRED
        assert [e.transition for e in audit_history(proposal)][-1] == "expire"
        last = audit_history(proposal).last()
        assert last is not None
        assert last.actor is None
        assert "expirée" in system_texts(proposal)[-1]
        with pytest.raises(ProposalWrongState):
            services.proposal_accept(actor=trio.bruno, proposal=proposal)

    def test_losing_eligibility_cancels_open_proposals_with_a_notice(self, trio):
        confirmed = confirmed_pair(trio)
        pending, _ = services.proposal_create(
            actor=trio.chloe,
            stays=[
                services.StayIn(
                    guest_home=trio.rennes.pk,
                    host_home=trio.quimper.pk,
                    start=in_days(30),
                    end=in_days(35),
                    guests=2,
                ),
                services.StayIn(
                    guest_home=trio.quimper.pk,
                    host_home=trio.rennes.pk,
                    start=in_days(30),
                    end=in_days(35),
                    guests=2,
                ),
            ],
        )
        untouched = services.proposal_create(
            actor=trio.alice,
            stays=[
                services.StayIn(
                    guest_home=trio.grenoble.pk,
                    host_home=trio.rennes.pk,
                    start=in_days(24),
                    end=in_days(28),
                    guests=2,
                ),
                services.StayIn(
                    guest_home=trio.rennes.pk,
                    host_home=trio.grenoble.pk,
                    start=in_days(24),
                    end=in_days(28),
                    guests=2,
                ),
            ],
        )[0]
        # At a step, another party's loss is refused (409) with nothing written…
        Employment.objects.filter(agent=trio.bruno).update(status=EmploymentStatus.ENDED)
        from exchanges.swaps.exceptions import PartyNotEligible

        later = [
            services.StayDates(stay=s.pk, start=in_days(31), end=in_days(36)) for s in pending.stays.all()
        ]
        with assert_nothing_written(), pytest.raises(PartyNotEligible):
            services.proposal_counter(actor=trio.chloe, proposal=pending, dates=later)
        with assert_nothing_written(), pytest.raises(NotEligible):
            services.proposal_accept(actor=trio.bruno, proposal=pending)
        # …and the sweep cancels every open proposal of Bruno's, with a notice in each conversation.
        assert services.proposals_tick()["eligibility"] == 2
        for proposal in (confirmed, pending):
            proposal.refresh_from_db()
            assert proposal.status == ProposalStatus.CANCELLED
            assert "plus éligible" in system_texts(proposal)[-1]
        assert not Stay.objects.filter(proposal=confirmed, confirmed=True).exists()
        untouched.refresh_from_db()
        assert untouched.status == ProposalStatus.PROPOSED

    def test_a_confirmed_swap_begins_then_completes(self, trio):
        proposal = confirmed_pair(trio, start=12, end=15)
        with time_machine.travel(timezone.now() + dt.timedelta(days=12, hours=1)):
            assert services.proposals_tick()["begin"] == 1
        proposal.refresh_from_db()
        assert proposal.status == ProposalStatus.IN_PROGRESS
        with time_machine.travel(timezone.now() + dt.timedelta(days=15, hours=1)):
            assert services.proposals_tick()["complete"] == 1
        proposal.refresh_from_db()
        assert proposal.status == ProposalStatus.COMPLETED
        assert [e.transition for e in audit_history(proposal)][-2:] == ["begin", "complete"]
