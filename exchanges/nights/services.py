"""Writes on the ledger of solidarity nights. Every movement is one NightMovement row (a debit and a credit
of the same number of nights); the balances are moved by the database trigger, and an agent's balance below
zero is refused by the CHECK constraint on the account row (the 409 NightsInsufficient).

The swaps' services call `stays_reserve`, `stays_settle` and `stays_release` inside the transaction of the
proposal's transition (confirm, complete, cancel), so the ledger moves with the stay or not at all.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from exchanges.nights.events import LedgerUnbalanced
from exchanges.nights.exceptions import NightsInsufficient
from exchanges.nights.models import AccountKind, MovementKind, NightAccount, NightMovement
from marketplace.accounts.models import User
from marketplace.audit.services import audit_record
from marketplace.errors import Forbidden, InvalidField
from marketplace.events import publish
from marketplace.inputs import InputError, clean_multiline

if TYPE_CHECKING:
    from exchanges.swaps.models import Stay

logger = logging.getLogger(__name__)
MAX_CORRECTION = 365


def welcome_credit() -> int:
    return int(getattr(settings, "NIGHTS_WELCOME_CREDIT", 7))


def stay_cost(nights: int, guests: int) -> int:
    """N nights hosted earn N (whatever the household's size), unless NIGHTS_PER_PERSON says otherwise."""
    return nights * guests if getattr(settings, "NIGHTS_PER_PERSON", False) else nights


def stays_moving_nights(stays: Iterable[Stay]) -> list[Stay]:
    """A swap or a cycle (every home both hosts and travels) moves no nights; otherwise every stay of the
    proposal does: its guest spends, its host earns."""
    stays = list(stays)
    if {s.guest_home_id for s in stays} == {s.host_home_id for s in stays}:
        return []
    return stays


def _stay_nights(stay: Stay) -> int:
    return stay_cost((stay.period.upper - stay.period.lower).days, stay.guests)


def system_account(kind: AccountKind) -> NightAccount:
    account = NightAccount.objects.filter(kind=kind).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return NightAccount.objects.create(kind=kind)
    except IntegrityError:  # created by a concurrent transaction
        return NightAccount.objects.get(kind=kind)


def account_for(user: User) -> NightAccount:
    """The agent's account, opened on first use with the welcome credit (one movement from the system
    account 'welcome credit')."""
    account = NightAccount.objects.filter(user=user).first()
    if account is not None:
        return account
    welcome = system_account(AccountKind.WELCOME)
    try:
        with transaction.atomic():
            account = NightAccount.objects.create(kind=AccountKind.AGENT, user=user)
            if welcome_credit() > 0:
                NightMovement.objects.create(
                    kind=MovementKind.WELCOME, debit=welcome, credit=account, nights=welcome_credit()
                )
    except IntegrityError:  # opened by a concurrent transaction
        return NightAccount.objects.get(user=user)
    account.refresh_from_db(fields=["balance"])
    return account


def balance_of(user: User) -> int:
    """The nights the agent can spend (the welcome credit when no account is open yet)."""
    account = NightAccount.objects.filter(user=user).only("balance").first()
    return welcome_credit() if account is None else account.balance


def _move(
    kind: MovementKind,
    debit: NightAccount,
    credit: NightAccount,
    stay: Stay,
    nights: int,
    *,
    guest: NightAccount,
) -> NightMovement:
    return NightMovement.objects.create(
        kind=kind,
        debit=debit,
        credit=credit,
        nights=nights,
        stay=stay,
        proposal_id=stay.proposal_id,
        period_start=stay.period.lower,
        period_end=stay.period.upper,
        region_code=stay.host_home.region_id,
        departement_code=stay.host_home.departement_id,
        guest_region_code=stay.guest_home.region_id,
        guest_departement_code=stay.guest_home.departement_id,
        guest_account=guest,
    )


def stays_reserve(stays: Iterable[Stay]) -> int:
    """At confirmation: each guest's nights go to the reserved account. Raises NightsInsufficient (409) when
    a guest's balance would go below zero; the database decides (CHECK on the locked account row), so of
    two confirmations spending the last nights of one agent exactly one commits."""
    reserved = system_account(AccountKind.RESERVED)
    moved = 0
    for stay in stays_moving_nights(stays):
        if NightMovement.objects.filter(stay=stay, kind=MovementKind.RESERVE).exists():
            continue
        guest = account_for(stay.guest)
        nights = _stay_nights(stay)
        try:
            with transaction.atomic():
                _move(MovementKind.RESERVE, guest, reserved, stay, nights, guest=guest)
        except IntegrityError as error:
            if "night_balance_not_negative" not in str(error):
                raise
            guest.refresh_from_db(fields=["balance"])
            raise NightsInsufficient(
                detail={"stay": stay.pk, "guest": stay.guest_id, "cost": nights, "balance": guest.balance}
            ) from error
        moved += nights
    return moved


def _open_reservations(stays: Iterable[Stay]) -> list[tuple[Stay, NightMovement]]:
    out = []
    for stay in stays:
        movements = {m.kind: m for m in NightMovement.objects.filter(stay=stay)}
        if MovementKind.RESERVE in movements and not (
            MovementKind.EARN in movements or MovementKind.RELEASE in movements
        ):
            out.append((stay, movements[MovementKind.RESERVE]))
    return out


def stays_settle(stays: Iterable[Stay]) -> int:
    """At completion: the reserved nights go to each host (earned by hosting)."""
    reserved = system_account(AccountKind.RESERVED)
    moved = 0
    for stay, reservation in _open_reservations(stays):
        _move(
            MovementKind.EARN,
            reserved,
            account_for(stay.host),
            stay,
            reservation.nights,
            guest=reservation.debit,
        )
        moved += reservation.nights
    return moved


def stays_release(stays: Iterable[Stay]) -> int:
    """At cancellation: the reserved nights go back to each guest (or to their anonymised account)."""
    reserved = system_account(AccountKind.RESERVED)
    moved = 0
    for stay, reservation in _open_reservations(stays):
        _move(
            MovementKind.RELEASE,
            reserved,
            reservation.debit,
            stay,
            reservation.nights,
            guest=reservation.debit,
        )
        moved += reservation.nights
    return moved


@transaction.atomic
def correction_record(*, actor: User, user: User, nights: int, reason: str) -> NightMovement:
    """An administrator's correction: `nights` (positive: credited to the agent, negative: debited) against
    the system account 'correction', with a reason; audited. Raises Forbidden, InvalidField, and
    NightsInsufficient when it would take the agent below zero."""
    if not actor.is_superuser:
        raise Forbidden(_("Seul un administrateur corrige un solde de nuits."))
    if not isinstance(nights, int) or nights == 0 or abs(nights) > MAX_CORRECTION:
        raise InvalidField(
            "nights",
            _("Un nombre de nuits non nul, d'au plus %(n)s en valeur absolue.") % {"n": MAX_CORRECTION},
        )
    try:
        reason = clean_multiline(reason, max_length=500)
    except InputError as error:
        raise InvalidField("reason", error.message) from error
    if not reason.strip():
        raise InvalidField("reason", _("Le motif de la correction est obligatoire."))
    account = account_for(user)
    correction = system_account(AccountKind.CORRECTION)
    debit, credit = (correction, account) if nights > 0 else (account, correction)
    try:
        with transaction.atomic():
            movement = NightMovement.objects.create(
                kind=MovementKind.CORRECTION, debit=debit, credit=credit, nights=abs(nights), reason=reason
            )
    except IntegrityError as error:
        if "night_balance_not_negative" not in str(error):
            raise
        account.refresh_from_db(fields=["balance"])
        raise NightsInsufficient(detail={"balance": account.balance, "nights": nights}) from error
    account.refresh_from_db(fields=["balance"])
    audit_record(
        actor=actor,
        obj=movement,
        from_state="",
        to_state=str(account.balance),
        transition="correction",
        # The reason is on the movement (blanked if the person is erased), not in the immutable history.
        comment=f"user {user.pk}: {nights:+d}",
    )
    return movement


def ledger_check() -> dict[str, int]:
    """The sum of all balances (0 when the ledger is sound) and the accounts whose balance differs from the
    recount of their movements. Logs an error and tells the administrators when it is not sound."""
    total = NightAccount.objects.aggregate(total=Sum("balance"))["total"] or 0
    debits = dict(
        NightMovement.objects.values_list("debit_id").annotate(n=Sum("nights")).values_list("debit_id", "n")
    )
    credits = dict(
        NightMovement.objects.values_list("credit_id").annotate(n=Sum("nights")).values_list("credit_id", "n")
    )
    drifted = sum(
        1
        for pk, balance in NightAccount.objects.values_list("pk", "balance")
        if balance != credits.get(pk, 0) - debits.get(pk, 0)
    )
    if total != 0 or drifted:
        logger.error("nights ledger unbalanced", extra={"total": total, "drifted": drifted})
        admins = list(
            User.objects.filter(Q(is_superuser=True) & Q(is_active=True)).values_list("pk", flat=True)
        )
        publish(LedgerUnbalanced(total=total, drifted=drifted), to=admins)
    return {"total": total, "drifted": drifted}
