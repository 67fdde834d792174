"""RGPD: the export carries the person's balance and every movement of their account.

Erasure keeps the ledger balanced: the nights reserved by the person's open stays go back to their account
(before the swaps' eraser deletes the proposals), then the account is kept, detached from the person
(anonymised: no user, the reasons of its corrections blanked), never deleted, its balance unchanged.
"""

from typing import Any

import pgtrigger
from django.db.models import Q

from exchanges.nights.models import MovementKind, NightAccount, NightMovement
from exchanges.nights.services import stays_release
from marketplace.accounts.models import User


def export_nights(user: User) -> dict[str, Any]:
    account = NightAccount.objects.filter(user=user).first()
    if account is None:
        return {"balance": None, "movements": []}
    movements = NightMovement.objects.filter(Q(debit=account) | Q(credit=account)).order_by("pk")
    return {
        "balance": account.balance,
        "movements": [
            {
                "id": m.pk,
                "kind": m.kind,
                "nights": m.nights if m.credit_id == account.pk else -m.nights,
                "proposal": m.proposal_id,
                "stay": m.stay_id,
                "start": m.period_start.isoformat() if m.period_start else None,
                "end": m.period_end.isoformat() if m.period_end else None,
                "reason": m.reason,
                "created_at": m.created_at.isoformat(),
            }
            for m in movements
        ],
    }


def erase_nights(user: User) -> None:
    from exchanges.swaps.models import Stay

    account = NightAccount.objects.filter(user=user).first()
    if account is None:
        return
    # Open reservations of the proposals the swaps' eraser is about to delete, whoever the guest is.
    stays = Stay.objects.filter(Q(guest=user) | Q(host=user) | Q(proposal__parties__user=user)).distinct()
    stays_release(stays.select_related("host_home", "guest_home"))
    with pgtrigger.ignore("nights.NightMovement:protect_ledger"):
        NightMovement.objects.filter(
            Q(debit=account) | Q(credit=account), kind=MovementKind.CORRECTION
        ).update(reason="—")
    NightAccount.objects.filter(pk=account.pk).update(user=None)
