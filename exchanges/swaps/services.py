"""Writes on swap proposals and reviews: one transaction each, the proposal row locked, permission and
eligibility re-checked, every transition an audit event (transition_run), a system message in the
proposal's conversation and an event to every party, after commit.

Idempotence under retries: a creation carries the client's Idempotency-Key (the same key returns the
proposal created the first time); the transitions are idempotent by nature (accepting, declining,
confirming or cancelling again what the actor already did returns the proposal unchanged, with no event).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.backends.postgresql.psycopg_any import DateRange
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from exchanges.exceptions import HomeNotFound, HomeWrongState, NotEligible
from exchanges.models import AvailabilityMode, AvailabilityPeriod, Home, HomeStatus
from exchanges.nights import services as nights
from exchanges.nights.exceptions import NightsInsufficient
from exchanges.swaps.events import ProposalChanged
from exchanges.swaps.exceptions import (
    HomeUnavailable,
    IdempotencyKeyReused,
    NotAParty,
    PartyNotEligible,
    ProposalNotFound,
    ProposalWrongState,
    ReviewAlreadyWritten,
    ReviewNotOpen,
    StayOverlap,
    TooManyUnanswered,
)
from exchanges.swaps.models import (
    MAX_HOMES,
    MIN_HOMES,
    OPEN,
    PENDING,
    REVIEW_MAX_CHARS,
    AddressReveal,
    ProposalParty,
    ProposalStatus,
    Review,
    ReviewSide,
    Stay,
    SwapProposal,
)
from exchanges.swaps.selectors import party_of, unanswered_count
from marketplace.accounts.models import User
from marketplace.audit.services import audit_record
from marketplace.errors import InvalidField
from marketplace.events import publish
from marketplace.inputs import InputError, clean_multiline, clean_text
from marketplace.messaging.services import conversation_for_subject, message_send_system
from marketplace.organisations.selectors import agent_eligibility
from marketplace.workflows import transition_run

ANSWER_DAYS = 5  # a proposal expires after 5 days without an answer…
REMIND_HOURS = 24  # …with a reminder the day before
MAX_UNANSWERED = 5  # a party with this many proposals waiting for their answer sends no new one
MAX_NIGHTS = 60
SUBJECT = "swap_proposal"


@dataclass(frozen=True)
class StayIn:
    """One stay asked for: the household of `guest_home` in `host_home` from `start` to `end` (exclusive)."""

    guest_home: int
    host_home: int
    start: dt.date
    end: dt.date
    guests: int


@dataclass(frozen=True)
class StayDates:
    """A counter-proposal's new dates for one stay of the proposal."""

    stay: int
    start: dt.date
    end: dt.date


# ---- Checks ------------------------------------------------------------------------------------------------


def _check_dates(index: int, start: dt.date, end: dt.date, today: dt.date) -> None:
    if end <= start:
        raise InvalidField(f"stays[{index}].end", _("La fin doit être après le début (une nuit au moins)."))
    if start < today:
        raise InvalidField(f"stays[{index}].start", _("Un séjour ne commence pas dans le passé."))
    if (end - start).days > MAX_NIGHTS:
        raise InvalidField(
            f"stays[{index}].end", _("Un séjour dure au plus %(n)s nuits.") % {"n": MAX_NIGHTS}
        )


def _check_eligible(user: User, today: dt.date, *, actor: User | None) -> None:
    """The actor's own loss of eligibility is a 403 (NotEligible); another party's a 409."""
    eligibility = agent_eligibility(user, today)
    if eligibility.eligible:
        return
    if actor is not None and user.pk == actor.pk:
        raise NotEligible(detail={"reason": eligibility.reason_code, "message": eligibility.message})
    raise PartyNotEligible(detail={"user": user.pk, "reason": eligibility.reason_code})


def _check_available(
    index: int, host: Home, start: dt.date, end: dt.date, guest_homes: set[int], *, proposal: int | None
) -> None:
    """The host home is free over the whole stay (one of its periods, in a mode that fits) and no confirmed
    stay of another proposal takes it then (the exclusion constraint has the last word at confirmation)."""
    dates = DateRange(start, end)
    period = AvailabilityPeriod.objects.filter(home=host, period__contains=dates).first()
    if period is None:
        raise HomeUnavailable(detail={"stay": index, "home": host.pk})
    if period.mode == AvailabilityMode.RECIPROCAL and host.pk not in guest_homes:
        raise HomeUnavailable(
            _("Ce logement ne s'échange qu'en réciproque : son foyer doit aussi séjourner dans l'échange."),
            detail={"stay": index, "home": host.pk, "mode": period.mode},
        )
    taken = Stay.objects.filter(host_home=host, confirmed=True, period__overlap=dates)
    if proposal is not None:
        taken = taken.exclude(proposal_id=proposal)
    if taken.exists():
        raise HomeUnavailable(detail={"stay": index, "home": host.pk})


def _check_still_valid(proposal: SwapProposal, *, actor: User | None, today: dt.date, dates: bool) -> None:
    """At every step: every party eligible, every home still published; `dates`: each stay still ahead and
    its host home still free."""
    for party in proposal.parties.all():
        _check_eligible(party.user, today, actor=actor)
        if party.home.status != HomeStatus.PUBLISHED:
            raise HomeWrongState(
                _("Un des logements n'est plus publié."),
                detail={"home": party.home_id, "state": party.home.status},
            )
    if dates:
        stays = list(proposal.stays.all())
        guest_homes = {s.guest_home_id for s in stays}
        for index, stay in enumerate(stays):
            if stay.period.lower < today:
                raise InvalidField(f"stays[{index}].start", _("Un séjour ne commence pas dans le passé."))
            _check_available(
                index, stay.host_home, stay.period.lower, stay.period.upper, guest_homes, proposal=proposal.pk
            )


def _check_nights(stays: Sequence[StayIn], homes: dict[int, Home]) -> None:
    """A one-way request (some home hosts without travelling, or travels without hosting) costs each guest
    its nights: beyond their balance, a 409 naming the cost and the balance, before anything is written."""
    if {s.guest_home for s in stays} == {s.host_home for s in stays}:
        return
    cost: dict[int, int] = {}
    for stay in stays:
        guest = homes[stay.guest_home].owner
        cost[guest.pk] = cost.get(guest.pk, 0) + nights.stay_cost((stay.end - stay.start).days, stay.guests)
    for stay in stays:
        guest = homes[stay.guest_home].owner
        balance = nights.balance_of(guest)
        if cost[guest.pk] > balance:
            raise NightsInsufficient(detail={"guest": guest.pk, "cost": cost[guest.pk], "balance": balance})


# ---- Side effects ------------------------------------------------------------------------------------------

_SYSTEM_TEXTS = {
    "propose": lambda who: _("%(who)s propose cet échange.") % {"who": who},
    "accept": lambda who: _("%(who)s accepte la proposition.") % {"who": who},
    "accept_all": lambda who: (
        _("%(who)s accepte : tout le monde a accepté, l'échange peut être confirmé.") % {"who": who}
    ),
    "counter": lambda who: _("%(who)s propose d'autres dates.") % {"who": who},
    "decline": lambda who: _("%(who)s refuse la proposition.") % {"who": who},
    "confirm": lambda who: (
        _("%(who)s confirme l'échange : chaque voyageur voit désormais l'adresse de son hôte.") % {"who": who}
    ),
    "cancel": lambda who: _("%(who)s annule l'échange.") % {"who": who},
    "cancel_eligibility": lambda who: _("Échange annulé : une des parties n'est plus éligible."),
    "expire": lambda who: (
        _("Proposition expirée faute de réponse dans les %(n)s jours.") % {"n": ANSWER_DAYS}
    ),
    "begin": lambda who: _("Le premier séjour commence."),
    "complete": lambda who: _("Les séjours sont terminés : chacun peut donner son avis."),
    "remind": lambda who: _("Rappel : cette proposition expire bientôt."),
}


def _tell(proposal: SwapProposal, what: str, *, actor: User | None, event: str | None = None) -> None:
    """A system message in the proposal's conversation (in French, the platform's language) and an event to
    every party but the actor, after commit."""
    parties = [p.user for p in proposal.parties.all()]
    who = str(actor) if actor is not None else _("Réciproque")
    with translation.override("fr"):
        text = _SYSTEM_TEXTS[what](who)
    conversation = conversation_for_subject(actor=parties[0], subject_type=SUBJECT, subject_id=proposal.pk)
    message_send_system(conversation=conversation, text=text)
    publish(
        ProposalChanged(proposal=proposal.pk, transition=event or what, status=proposal.status),
        to=[u.pk for u in parties if actor is None or u.pk != actor.pk],
    )


def _locked(actor: User | None, proposal: SwapProposal | int) -> SwapProposal:
    """The proposal row locked (a party's, or any for the platform), its parties and stays fresh."""
    pk = proposal if isinstance(proposal, int) else proposal.pk
    rows = SwapProposal.objects.all() if actor is None else SwapProposal.objects.visible_to(actor)
    locked = rows.select_for_update(of=("self",)).filter(pk=pk).first()
    if locked is None:
        raise ProposalNotFound()
    return SwapProposal.objects.prefetch_related("parties__user", "parties__home", "stays__host_home").get(
        pk=locked.pk
    )


def _party(proposal: SwapProposal, actor: User) -> ProposalParty:
    party = party_of(proposal, actor)
    if party is None:
        raise NotAParty()
    return party


def _run(
    proposal: SwapProposal, name: str, *, actor: User | None, comment: str = "", **kwargs: object
) -> None:
    transition_run(
        proposal,
        name,
        actor=actor,
        comment=comment,
        refused=NotAParty,
        wrong_state=ProposalWrongState,
        **kwargs,
    )


# ---- Creation ----------------------------------------------------------------------------------------------


def _homes_of(actor: User, stays: Sequence[StayIn]) -> dict[int, Home]:
    ids = {s.guest_home for s in stays} | {s.host_home for s in stays}
    homes = {h.pk: h for h in Home.objects.visible_to(actor).select_related("owner").filter(pk__in=ids)}
    missing = sorted(ids - set(homes))
    if missing:
        raise HomeNotFound(detail={"home": missing[0]})
    return homes


def _check_shape(actor: User, stays: Sequence[StayIn], homes: dict[int, Home]) -> None:
    if not 1 <= len(stays) <= MAX_HOMES:
        raise InvalidField("stays", _("De 1 à %(n)s séjours.") % {"n": MAX_HOMES})
    hosts = [s.host_home for s in stays]
    guests = [s.guest_home for s in stays]
    for index, stay in enumerate(stays):
        if stay.guest_home == stay.host_home:
            raise InvalidField(
                f"stays[{index}].host_home", _("Un foyer ne séjourne pas dans son propre logement.")
            )
        if hosts.count(stay.host_home) > 1 or guests.count(stay.guest_home) > 1:
            raise InvalidField(
                f"stays[{index}]",
                _(
                    "Un logement figure deux fois dans l'échange : une fois comme hôte, une fois comme voyageur au plus."
                ),
            )
        if not 1 <= stay.guests <= homes[stay.host_home].sleeps:
            raise InvalidField(
                f"stays[{index}].guests",
                _("De 1 à %(n)s voyageurs : les couchages du logement.")
                % {"n": homes[stay.host_home].sleeps},
            )
    if not MIN_HOMES <= len(homes) <= MAX_HOMES:
        raise InvalidField(
            "stays",
            _("Un échange réunit de %(min)s à %(max)s logements.") % {"min": MIN_HOMES, "max": MAX_HOMES},
        )
    owners = [h.owner_id for h in homes.values()]
    if len(set(owners)) != len(owners):
        raise InvalidField("stays", _("Chaque logement de l'échange appartient à une personne différente."))
    if actor.pk not in owners:
        raise InvalidField("stays", _("Votre logement doit faire partie de l'échange."))
    for home in homes.values():
        if home.status != HomeStatus.PUBLISHED:
            raise HomeWrongState(
                _("Votre logement doit être publié pour proposer un échange."), detail={"home": home.pk}
            )


@transaction.atomic
def proposal_create(
    *, actor: User, stays: Sequence[StayIn], idempotency_key: str = ""
) -> tuple[SwapProposal, bool]:
    """Propose a swap of 2–4 homes (from a match or from a home's page); the actor accepts it by proposing.
    The same `idempotency_key` returns the proposal created the first time, with False.

    Raises InvalidField (shape, dates, party size), HomeNotFound (a home the actor cannot see), HomeWrongState,
    NotEligible (the actor), PartyNotEligible, HomeUnavailable, TooManyUnanswered, IdempotencyKeyReused.
    """
    try:
        idempotency_key = clean_text(idempotency_key, max_length=64)
    except InputError as error:
        raise InvalidField("Idempotency-Key", error.message) from error
    fingerprint = sorted((s.guest_home, s.host_home, s.start, s.end, s.guests) for s in stays)
    if idempotency_key:
        existing = SwapProposal.objects.filter(created_by=actor, idempotency_key=idempotency_key).first()
        if existing is not None:
            return _retried(existing, fingerprint)
    today = timezone.localdate()
    _check_eligible(actor, today, actor=actor)
    if unanswered_count(actor) >= MAX_UNANSWERED:
        raise TooManyUnanswered(detail={"limit": MAX_UNANSWERED})
    for index, stay in enumerate(stays):
        _check_dates(index, stay.start, stay.end, today)
    homes = _homes_of(actor, stays)
    _check_shape(actor, stays, homes)
    for home in homes.values():
        _check_eligible(home.owner, today, actor=actor)
    guest_homes = {s.guest_home for s in stays}
    for index, stay in enumerate(stays):
        _check_available(index, homes[stay.host_home], stay.start, stay.end, guest_homes, proposal=None)
    _check_nights(stays, homes)
    now = timezone.now()
    try:
        with transaction.atomic():
            proposal = SwapProposal.objects.create(
                created_by=actor,
                idempotency_key=idempotency_key,
                expires_at=now + dt.timedelta(days=ANSWER_DAYS),
            )
    except IntegrityError:  # the same retry, racing on another connection, created it first
        return _retried(
            SwapProposal.objects.get(created_by=actor, idempotency_key=idempotency_key), fingerprint
        )
    ProposalParty.objects.bulk_create(
        [
            ProposalParty(
                proposal=proposal,
                user=home.owner,
                home=home,
                accepted_revision=1 if home.owner_id == actor.pk else None,
                answered_at=now if home.owner_id == actor.pk else None,
            )
            for home in sorted(homes.values(), key=lambda h: (h.owner_id != actor.pk, h.pk))
        ]
    )
    Stay.objects.bulk_create(
        [
            Stay(
                proposal=proposal,
                guest_home_id=s.guest_home,
                host_home_id=s.host_home,
                guest_id=homes[s.guest_home].owner_id,
                host_id=homes[s.host_home].owner_id,
                period=DateRange(s.start, s.end),
                guests=s.guests,
            )
            for s in stays
        ]
    )
    audit_record(actor=actor, obj=proposal, from_state="", to_state=proposal.status, transition="propose")
    proposal = _locked(actor, proposal)
    _tell(proposal, "propose", actor=actor)
    return proposal, True


def _retried(
    existing: SwapProposal, fingerprint: list[tuple[int, int, dt.date, dt.date, int]]
) -> tuple[SwapProposal, bool]:
    stays = sorted(
        (s.guest_home_id, s.host_home_id, s.period.lower, s.period.upper, s.guests)
        for s in existing.stays.all()
    )
    if stays != fingerprint:
        raise IdempotencyKeyReused()
    return existing, False


# ---- Transitions -------------------------------------------------------------------------------------------


@transaction.atomic
def proposal_accept(*, actor: User, proposal: SwapProposal) -> SwapProposal:
    """A party accepts the current revision; the last acceptance makes the proposal accepted (all-or-nothing).
    Accepting again is answered with the proposal as it is. Raises ProposalNotFound, NotAParty,
    ProposalWrongState, NotEligible, PartyNotEligible, HomeWrongState, HomeUnavailable."""
    proposal = _locked(actor, proposal)
    party = _party(proposal, actor)
    if party.accepted_revision == proposal.revision and proposal.status in (
        *PENDING,
        ProposalStatus.CONFIRMED,
    ):
        return proposal
    if proposal.status == ProposalStatus.PROPOSED:
        _check_still_valid(proposal, actor=actor, today=timezone.localdate(), dates=True)
    party.accepted_revision = proposal.revision
    party.answered_at = timezone.now()
    everyone = all(p.accepted_revision == proposal.revision for p in proposal.parties.all())
    _run(proposal, "accept", actor=actor, comment=f"revision {proposal.revision}", everyone=everyone)
    party.save(update_fields=["accepted_revision", "answered_at"])
    _tell(proposal, "accept_all" if everyone else "accept", actor=actor)
    return proposal


@transaction.atomic
def proposal_counter(*, actor: User, proposal: SwapProposal, dates: Sequence[StayDates]) -> SwapProposal:
    """A party proposes other dates for some stays: a new revision, accepted by the actor, that every other
    party answers again (the deadline starts over). The same dates again: the proposal as it is.
    Raises InvalidField, ProposalNotFound, NotAParty, ProposalWrongState, eligibility and availability errors."""
    proposal = _locked(actor, proposal)
    party = _party(proposal, actor)
    stays = {s.pk: s for s in proposal.stays.all()}
    if not 1 <= len(dates) <= len(stays):
        raise InvalidField("stays", _("De 1 à %(n)s séjours.") % {"n": len(stays)})
    today = timezone.localdate()
    changed = []
    for index, change in enumerate(dates):
        if change.stay not in stays or [d.stay for d in dates].count(change.stay) > 1:
            raise InvalidField(
                f"stays[{index}].stay", _("Ce séjour ne fait pas partie de la proposition (ou deux fois).")
            )
        _check_dates(index, change.start, change.end, today)
        stay = stays[change.stay]
        if (stay.period.lower, stay.period.upper) != (change.start, change.end):
            changed.append((stay, change))
    if not changed and party.accepted_revision == proposal.revision and proposal.status in PENDING:
        return proposal
    if proposal.status not in PENDING:
        raise ProposalWrongState(detail={"state": proposal.status, "transition": "counter"})
    before = {s.pk: (s.period.lower, s.period.upper) for s, _c in changed}
    for stay, change in changed:
        stay.period = DateRange(change.start, change.end)
    _check_still_valid(proposal, actor=actor, today=today, dates=True)
    for stay, _change in changed:
        stay.save(update_fields=["period"])
    comment = "; ".join(
        f"stay {s.pk}: {before[s.pk][0]}→{before[s.pk][1]} ⇒ {c.start}→{c.end}" for s, c in changed
    )
    _run(proposal, "counter", actor=actor, comment=comment)
    proposal.expires_at = timezone.now() + dt.timedelta(days=ANSWER_DAYS)
    proposal.reminded_at = None
    proposal.save(update_fields=["expires_at", "reminded_at"])
    party.accepted_revision = proposal.revision
    party.answered_at = timezone.now()
    party.save(update_fields=["accepted_revision", "answered_at"])
    _tell(proposal, "counter", actor=actor)
    return proposal


@transaction.atomic
def proposal_decline(*, actor: User, proposal: SwapProposal, reason: str = "") -> SwapProposal:
    """A party declines: the proposal ends for everyone. Declining again: the proposal as it is.
    Raises ProposalNotFound, NotAParty, ProposalWrongState, InvalidField (reason)."""
    proposal = _locked(actor, proposal)
    _party(proposal, actor)
    if proposal.status == ProposalStatus.DECLINED:
        return proposal
    _run(proposal, "decline", actor=actor, comment=_reason(reason))
    _tell(proposal, "decline", actor=actor)
    return proposal


def _reason(reason: str) -> str:
    try:
        return clean_multiline(reason, max_length=500)
    except InputError as error:
        raise InvalidField("reason", error.message) from error


@transaction.atomic
def proposal_confirm(*, actor: User, proposal: SwapProposal) -> SwapProposal:
    """A party confirms a proposal everyone accepted: its stays become confirmed (the exclusion constraint
    lets one of two rival proposals win), and each guest is shown the exact address and phone of their host
    home (logged). Confirming again: the proposal as it is. Raises ProposalNotFound, NotAParty,
    ProposalWrongState, StayOverlap (409: another proposal took the home first), eligibility errors."""
    proposal = _locked(actor, proposal)
    _party(proposal, actor)
    if proposal.status == ProposalStatus.CONFIRMED:
        return proposal
    if proposal.status != ProposalStatus.ACCEPTED:
        raise ProposalWrongState(detail={"state": proposal.status, "transition": "confirm"})
    _check_still_valid(proposal, actor=actor, today=timezone.localdate(), dates=True)
    try:
        with transaction.atomic():
            Stay.objects.filter(proposal=proposal).update(confirmed=True)
    except IntegrityError as error:
        raise StayOverlap(detail={"constraint": "stay_confirmed_no_overlap"}) from error
    # One-way stays: each guest's nights are reserved now (NightsInsufficient, 409, held by the database).
    nights.stays_reserve(proposal.stays.select_related("guest", "host_home", "guest_home"))
    _run(proposal, "confirm", actor=actor)
    AddressReveal.objects.bulk_create(
        [AddressReveal(stay=stay, viewer_id=stay.guest_id) for stay in proposal.stays.all()]
    )
    _tell(proposal, "confirm", actor=actor)
    return proposal


@transaction.atomic
def proposal_cancel(*, actor: User, proposal: SwapProposal, reason: str = "") -> SwapProposal:
    """A party cancels an open proposal (a confirmed one until its first stay begins); the home is free
    again and the addresses hidden. Cancelling again: the proposal as it is. Raises ProposalNotFound,
    NotAParty, ProposalWrongState, InvalidField (reason)."""
    proposal = _locked(actor, proposal)
    _party(proposal, actor)
    if proposal.status == ProposalStatus.CANCELLED:
        return proposal
    _run(proposal, "cancel", actor=actor, comment=_reason(reason))
    Stay.objects.filter(proposal=proposal).update(confirmed=False)
    nights.stays_release(proposal.stays.select_related("host_home", "guest_home"))
    _tell(proposal, "cancel", actor=actor)
    return proposal


# ---- The platform's own steps (periodic task) --------------------------------------------------------------


def _platform_step(proposal_id: int, step: str, now: dt.datetime) -> bool:
    """One proposal, in its own transaction and locked; re-checks the condition on the locked row."""
    with transaction.atomic():
        proposal = _locked(None, proposal_id)
        today = timezone.localdate(now)
        stays = list(proposal.stays.all())
        if step == "remind":
            if (
                proposal.status not in PENDING
                or proposal.reminded_at is not None
                or proposal.expires_at <= now
            ):
                return False
            proposal.reminded_at = now
            proposal.save(update_fields=["reminded_at"])
            _tell(proposal, "remind", actor=None)
            return True
        if step == "expire":
            if proposal.status not in PENDING or proposal.expires_at > now:
                return False
            _run(proposal, "expire", actor=None)
        elif step == "eligibility":
            if proposal.status not in OPEN:
                return False
            with translation.override("fr"):
                lost = [p for p in proposal.parties.all() if not agent_eligibility(p.user, today).eligible]
            if not lost:
                return False
            _run(proposal, "cancel", actor=None, comment=f"eligibility: user {lost[0].user_id}")
            Stay.objects.filter(proposal=proposal).update(confirmed=False)
            nights.stays_release(proposal.stays.select_related("host_home", "guest_home"))
            _tell(proposal, "cancel_eligibility", actor=None, event="cancel")
            return True
        elif step == "begin":
            if proposal.status != ProposalStatus.CONFIRMED or min(s.period.lower for s in stays) > today:
                return False
            _run(proposal, "begin", actor=None)
        elif step == "complete":
            if proposal.status not in (ProposalStatus.CONFIRMED, ProposalStatus.IN_PROGRESS):
                return False
            if max(s.period.upper for s in stays) > today:
                return False
            _run(proposal, "complete", actor=None)
            nights.stays_settle(proposal.stays.select_related("host", "host_home", "guest_home"))
        _tell(proposal, step, actor=None)
        return True


def proposals_tick(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The periodic sweep: remind the day before the deadline, expire unanswered proposals, cancel those whose
    party lost eligibility (with a notice), start and complete the confirmed swaps. Counts per step."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    pending = SwapProposal.objects.filter(status__in=PENDING)
    candidates = {
        "eligibility": SwapProposal.objects.filter(status__in=OPEN),
        "expire": pending.filter(expires_at__lte=now),
        "remind": pending.filter(
            reminded_at__isnull=True,
            expires_at__gt=now,
            expires_at__lte=now + dt.timedelta(hours=REMIND_HOURS),
        ),
        "begin": SwapProposal.objects.filter(
            status=ProposalStatus.CONFIRMED, stays__period__startswith__lte=today
        ),
        "complete": SwapProposal.objects.filter(
            status__in=(ProposalStatus.CONFIRMED, ProposalStatus.IN_PROGRESS)
        ).exclude(stays__period__endswith__gt=today),
    }
    counts = {}
    for step in ("eligibility", "expire", "remind", "begin", "complete"):
        ids = sorted(set(candidates[step].values_list("pk", flat=True)))
        counts[step] = sum(_platform_step(pk, step, now) for pk in ids)
    return counts


# ---- Reviews -----------------------------------------------------------------------------------------------


@transaction.atomic
def review_write(*, actor: User, stay: Stay, rating: int, text: str, private_note: str = "") -> Review:
    """After a stay ended, its guest reviews the home and its host the guests, once each (double-blind:
    see selectors.review_is_public). Raises StayNotFound (via the selector), ReviewNotOpen, InvalidField,
    ReviewAlreadyWritten."""
    proposal = _locked(actor, stay.proposal_id)
    if actor.pk not in (stay.guest_id, stay.host_id):
        raise NotAParty()
    if proposal.status not in (ProposalStatus.IN_PROGRESS, ProposalStatus.COMPLETED) or (
        stay.period.upper > timezone.localdate()
    ):
        raise ReviewNotOpen(detail={"state": proposal.status, "ends": stay.period.upper.isoformat()})
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise InvalidField("rating", _("Une note de 1 à 5."))
    try:
        text = clean_multiline(text, min_length=1, max_length=REVIEW_MAX_CHARS)
    except InputError as error:
        raise InvalidField("text", error.message) from error
    if not text.strip():  # spaces and line breaks only: no review
        raise InvalidField("text", _("Écrivez votre avis en quelques mots."))
    try:
        private_note = clean_multiline(private_note, max_length=REVIEW_MAX_CHARS)
    except InputError as error:
        raise InvalidField("private_note", error.message) from error
    side = ReviewSide.GUEST if actor.pk == stay.guest_id else ReviewSide.HOST
    try:
        with transaction.atomic():
            review = Review.objects.create(
                stay=stay, author=actor, side=side, rating=rating, text=text, private_note=private_note
            )
    except IntegrityError as error:
        raise ReviewAlreadyWritten() from error
    other = stay.host_id if side == ReviewSide.GUEST else stay.guest_id
    publish(ProposalChanged(proposal=proposal.pk, transition="review", status=proposal.status), to=[other])
    return review


# ---- A suggestion proposed as it stands ---------------------------------------------------------------------


def _party_size(guest_home: int, host: Home, start: dt.date, end: dt.date) -> int:
    """The household that travels: the largest party of the guest's wishes that the host home meets (its
    place, its dates, its beds); two (or the home's beds) when none says."""
    from exchanges.models import DestinationWish

    parties = [
        wish.adults + wish.children
        for wish in DestinationWish.objects.filter(
            home_id=guest_home, target__intersects=host.public_point, dates__overlap=DateRange(start, end)
        )
    ]
    fitting = [n for n in parties if n <= host.sleeps]
    return max(fitting) if fitting else min(2, host.sleeps)


@transaction.atomic
def proposal_create_from_match(
    *, actor: User, homes: Sequence[int], start: dt.date, end: dt.date, idempotency_key: str = ""
) -> tuple[SwapProposal, bool]:
    """Propose a suggested pair or cycle (matching) with every stay filled in: the household of homes[i] at
    homes[i + 1], the last at the first, all over [start, end), each party the size its wish gives.
    Raises InvalidField (`homes`: not 2 to 4 homes, or one twice), HomeNotFound, and what proposal_create
    raises."""
    if not MIN_HOMES <= len(homes) <= MAX_HOMES:
        raise InvalidField(
            "homes",
            _("Un échange réunit de %(min)s à %(max)s logements.") % {"min": MIN_HOMES, "max": MAX_HOMES},
        )
    if len(set(homes)) != len(homes):
        raise InvalidField("homes", _("Un logement figure deux fois dans l'échange."))
    _check_dates(0, start, end, timezone.localdate())
    visible = {h.pk: h for h in Home.objects.visible_to(actor).filter(pk__in=homes)}
    missing = [h for h in homes if h not in visible]
    if missing:
        raise HomeNotFound(detail={"home": missing[0]})
    count = len(homes)
    stays = [
        StayIn(
            guest_home=homes[i],
            host_home=homes[(i + 1) % count],
            start=start,
            end=end,
            guests=_party_size(homes[i], visible[homes[(i + 1) % count]], start, end),
        )
        for i in range(count)
    ]
    return proposal_create(actor=actor, stays=stays, idempotency_key=idempotency_key)


# ---- A pair or cycle proposed by the platform (the monthly clearing) -----------------------------------------


@transaction.atomic
def proposal_create_by_platform(
    *, homes: Sequence[int], start: dt.date, end: dt.date, note: str = ""
) -> SwapProposal:
    """Propose a pair or cycle on the platform's behalf: the household of homes[i] at homes[i + 1], the last
    at the first, over [start, end); nobody has accepted yet, every party answers (all-or-nothing, expiry
    after ANSWER_DAYS). The same checks as a party's proposal (shape, dates, eligibility of every owner,
    publication, availability); `note`, the one-line explanation, follows as a system message.
    Raises InvalidField, HomeNotFound, HomeWrongState, PartyNotEligible, HomeUnavailable."""
    if not MIN_HOMES <= len(homes) <= MAX_HOMES or len(set(homes)) != len(homes):
        raise InvalidField(
            "homes",
            _("Un échange réunit de %(min)s à %(max)s logements.") % {"min": MIN_HOMES, "max": MAX_HOMES},
        )
    today = timezone.localdate()
    _check_dates(0, start, end, today)
    found = {h.pk: h for h in Home.objects.select_related("owner").filter(pk__in=homes)}
    missing = [h for h in homes if h not in found]
    if missing:
        raise HomeNotFound(detail={"home": missing[0]})
    count = len(homes)
    stays = [
        StayIn(
            guest_home=homes[i],
            host_home=homes[(i + 1) % count],
            start=start,
            end=end,
            guests=_party_size(homes[i], found[homes[(i + 1) % count]], start, end),
        )
        for i in range(count)
    ]
    _check_shape(found[homes[0]].owner, stays, found)
    for home in found.values():
        _check_eligible(home.owner, today, actor=None)
    for index, stay in enumerate(stays):
        _check_available(index, found[stay.host_home], stay.start, stay.end, set(homes), proposal=None)
    proposal = SwapProposal.objects.create(
        created_by=None, expires_at=timezone.now() + dt.timedelta(days=ANSWER_DAYS)
    )
    ProposalParty.objects.bulk_create(
        [ProposalParty(proposal=proposal, user=found[h].owner, home=found[h]) for h in homes]
    )
    Stay.objects.bulk_create(
        [
            Stay(
                proposal=proposal,
                guest_home_id=s.guest_home,
                host_home_id=s.host_home,
                guest_id=found[s.guest_home].owner_id,
                host_id=found[s.host_home].owner_id,
                period=DateRange(s.start, s.end),
                guests=s.guests,
            )
            for s in stays
        ]
    )
    audit_record(actor=None, obj=proposal, from_state="", to_state=proposal.status, transition="propose")
    proposal = _locked(None, proposal)
    _tell(proposal, "propose", actor=None)
    if note:
        conversation = conversation_for_subject(
            actor=found[homes[0]].owner, subject_type=SUBJECT, subject_id=proposal.pk
        )
        message_send_system(conversation=conversation, text=note)
    return proposal
