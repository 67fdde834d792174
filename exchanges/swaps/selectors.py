"""Reads on proposals and reviews: one proposal for an actor (404 otherwise), my proposals, what a party
sees of a stay (the exact address to its guest only, once confirmed), the public reviews of a home."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from exchanges.models import Home
from exchanges.nights.selectors import quote
from exchanges.swaps.exceptions import ProposalNotFound, StayNotFound
from exchanges.swaps.models import (
    OPEN,
    PENDING,
    REVEALED,
    AddressReveal,
    ProposalParty,
    ProposalQuerySet,
    ProposalStatus,
    Review,
    ReviewSide,
    Stay,
    SwapProposal,
)
from marketplace.accounts.models import User
from marketplace.audit.services import audit_history

REVIEWS_BLIND_DAYS = 14


def party_ids(proposal_id: int) -> list[int]:
    """The users taking part (the conversation's participants; empty when the proposal does not exist)."""
    return list(
        ProposalParty.objects.filter(proposal_id=proposal_id).order_by("pk").values_list("user_id", flat=True)
    )


def _proposals() -> ProposalQuerySet:
    from marketplace.messaging.models import Conversation

    conversation = Conversation.objects.filter(
        kind=Conversation.Kind.SUBJECT, subject_type="swap_proposal", subject_id=OuterRef("pk")
    ).values("pk")[:1]
    return SwapProposal.objects.prefetch_related(
        "parties__user", "parties__home", "stays__guest_home", "stays__host_home", "stays__host"
    ).annotate(conversation_pk=Subquery(conversation))


def proposals_of(actor: User) -> ProposalQuerySet:
    return _proposals().visible_to(actor)


def proposal_get_for_actor(*, actor: User, proposal_id: int) -> SwapProposal:
    """A proposal the actor takes part in (administrators: any). Raises ProposalNotFound otherwise."""
    proposal = proposals_of(actor).filter(pk=proposal_id).first()
    if proposal is None:
        raise ProposalNotFound()
    return proposal


def stay_get_for_actor(*, actor: User, proposal: SwapProposal, stay_id: int) -> Stay:
    stay = next((s for s in proposal.stays.all() if s.pk == stay_id), None)
    if stay is None or actor.pk not in (stay.guest_id, stay.host_id):
        raise StayNotFound()
    return stay


def party_of(proposal: SwapProposal, user: User) -> ProposalParty | None:
    return next((p for p in proposal.parties.all() if p.user_id == user.pk), None)


def host_contact(stay: Stay, viewer: User, status: str) -> dict[str, str] | None:
    """The exact address and phone of the host home, for the stay's guest once confirmed, else None."""
    if status not in REVEALED or stay.guest_id != viewer.pk:
        return None
    return {"address": stay.host_home.address, "phone": stay.host.phone}


# What each transition of the audit trail reads as on the proposal's page (gettext at render time).
_TRANSITION_LABELS = {
    "propose": lambda: _("propose l'échange"),
    "accept": lambda: _("accepte"),
    "counter": lambda: _("propose d'autres dates"),
    "decline": lambda: _("refuse"),
    "confirm": lambda: _("confirme l'échange"),
    "cancel": lambda: _("annule"),
    "expire": lambda: _("expiration faute de réponse"),
    "begin": lambda: _("début des séjours"),
    "complete": lambda: _("fin des séjours"),
}


@dataclass(frozen=True)
class TimelineEntry:
    """One transition of the proposal (its immutable audit event), in the reader's language."""

    created_at: dt.datetime
    actor: User | None  # None: the platform (expiry, eligibility, start and end of the stays)
    transition: str
    from_state: str
    to_state: str


def _state_label(state: str) -> str:
    return str(ProposalStatus(state).label) if state in ProposalStatus.values else state


def timeline(proposal: SwapProposal) -> list[TimelineEntry]:
    """The transitions of a proposal, oldest first: who did what, from which state to which."""
    return [
        TimelineEntry(
            event.created_at,
            event.actor,
            _TRANSITION_LABELS[event.transition]()
            if event.transition in _TRANSITION_LABELS
            else event.transition,
            _state_label(event.from_state),
            _state_label(event.to_state),
        )
        for event in audit_history(proposal).select_related("actor")
    ]


def waiting_on(proposal: SwapProposal) -> list[str]:
    """Who still has to answer: the parties that have not accepted the current revision (while it waits)."""
    if proposal.status != ProposalStatus.PROPOSED:
        return []
    return [str(p.user) for p in proposal.parties.all() if p.accepted_revision != proposal.revision]


def unanswered_count(user: User) -> int:
    """Proposals waiting for this user's answer (they are a party, have not accepted the current revision)."""
    return (
        ProposalParty.objects.filter(user=user, proposal__status__in=PENDING)
        .exclude(accepted_revision=F("proposal__revision"))
        .count()
    )


def reveals_of(stay: Stay) -> QuerySet[AddressReveal]:
    return AddressReveal.objects.filter(stay=stay).order_by("pk")


def review_is_public(review: Review, *, today: dt.date, sides_written: int) -> bool:
    """Double-blind: public once both sides wrote, or REVIEWS_BLIND_DAYS after the stay ended."""
    return sides_written >= 2 or today >= review.stay.period.upper + dt.timedelta(days=REVIEWS_BLIND_DAYS)


def reviews_public_for_home(home: Home, *, today: dt.date) -> dict[str, list[Review]]:
    """The public reviews of a home: by its guests (about the home) and by its hosts (about its household)."""
    rows = (
        Review.objects.filter(
            Q(side=ReviewSide.GUEST, stay__host_home=home) | Q(side=ReviewSide.HOST, stay__guest_home=home)
        )
        .select_related("stay", "author")
        .order_by("-created_at", "-pk")
    )
    reviews = list(rows)
    written = _sides_written([r.stay_id for r in reviews])
    public = [r for r in reviews if review_is_public(r, today=today, sides_written=written.get(r.stay_id, 0))]
    return {
        "about_home": [r for r in public if r.side == ReviewSide.GUEST],
        "about_guests": [r for r in public if r.side == ReviewSide.HOST],
    }


def _sides_written(stay_ids: list[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for stay_id in Review.objects.filter(stay_id__in=stay_ids).values_list("stay_id", flat=True):
        counts[stay_id] = counts.get(stay_id, 0) + 1
    return counts


def reviews_of_proposal(proposal: SwapProposal, *, viewer: User, today: dt.date) -> list[Review]:
    """The reviews of the proposal's stays that the viewer may read: their own, and the public ones."""
    reviews = list(
        Review.objects.filter(stay__proposal=proposal).select_related("stay", "author").order_by("pk")
    )
    written = _sides_written([r.stay_id for r in reviews])
    return [
        r
        for r in reviews
        if r.author_id == viewer.pk
        or review_is_public(r, today=today, sides_written=written.get(r.stay_id, 0))
    ]


def conversation_id(proposal: SwapProposal) -> int | None:
    """The proposal's conversation: read with the proposal by the selectors here (a list pays no query per
    proposal), else looked up."""
    from marketplace.messaging.models import Conversation

    if hasattr(proposal, "conversation_pk"):
        return proposal.conversation_pk
    return (
        Conversation.objects.filter(
            kind=Conversation.Kind.SUBJECT, subject_type="swap_proposal", subject_id=proposal.pk
        )
        .values_list("pk", flat=True)
        .first()
    )


ACTIONS = ("accept", "counter", "decline", "confirm", "cancel")


def actions_for(proposal: SwapProposal, viewer: User) -> list[str]:
    """What the viewer may ask for now: the page's buttons and the API's `actions`."""
    from marketplace.workflows import transition_allowed

    party = party_of(proposal, viewer)
    if party is None:
        return []
    allowed = [name for name in ACTIONS if transition_allowed(proposal, name, viewer)]
    if party.accepted_revision == proposal.revision and "accept" in allowed:
        allowed.remove("accept")
    return allowed


def proposal_out(proposal: SwapProposal, viewer: User) -> dict[str, object]:
    return {
        "id": proposal.pk,
        "status": proposal.status,
        "revision": proposal.revision,
        "expires_at": proposal.expires_at,
        "created_at": proposal.created_at,
        "conversation": conversation_id(proposal),
        "parties": [
            {
                "user": p.user_id,
                "name": str(p.user),
                "home": p.home_id,
                "home_title": p.home.title,
                "accepted": p.accepted_revision == proposal.revision,
            }
            for p in proposal.parties.all()
        ],
        "stays": [
            {
                "id": s.pk,
                "guest_home": s.guest_home_id,
                "host_home": s.host_home_id,
                "host_home_title": s.host_home.title,
                "guest": s.guest_id,
                "host": s.host_id,
                "start": s.period.lower,
                "end": s.period.upper,
                "guests": s.guests,
                "confirmed": s.confirmed,
                "host_contact": host_contact(s, viewer, proposal.status),
            }
            for s in proposal.stays.all()
        ],
        "actions": actions_for(proposal, viewer),
        "nights": nights_quote(proposal.stays.all(), viewer),
    }


def nights_quote(stays: Iterable[Stay], viewer: User) -> dict[str, int] | None:
    """A one-way request's cost and earnings in solidarity nights for the viewer (None: a swap)."""
    found = quote(stays, viewer)
    return None if found is None else asdict(found)


def open_proposals_by_homes(user: User) -> dict[frozenset[int], int]:
    """The user's open proposals (waiting, accepted or confirmed) by the set of their homes: what the
    suggestions page says was already proposed."""
    found: dict[frozenset[int], int] = {}
    rows = ProposalParty.objects.filter(
        proposal__in=SwapProposal.objects.visible_to(user).filter(status__in=OPEN)
    ).values_list("proposal_id", "home_id")
    homes: dict[int, set[int]] = {}
    for proposal_id, home_id in rows:
        homes.setdefault(proposal_id, set()).add(home_id)
    for proposal_id in sorted(homes):
        found[frozenset(homes[proposal_id])] = proposal_id
    return found
