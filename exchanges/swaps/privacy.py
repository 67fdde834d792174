"""RGPD: the proposals a person took part in (stays, dates, state) and the reviews they wrote.

Erasure: a proposal goes with any of its parties (its stays, reveals and reviews cascade); a proposal still
open is cancelled for the others by that very deletion, and its conversation keeps only system messages.
"""

from typing import Any

from exchanges.swaps.models import ProposalParty, Review, Stay, SwapProposal
from marketplace.accounts.models import User


def export_swaps(user: User) -> dict[str, Any]:
    proposals = SwapProposal.objects.filter(parties__user=user).prefetch_related("stays").order_by("pk")
    return {
        "proposals": [
            {
                "id": p.pk,
                "status": p.status,
                "created_at": p.created_at.isoformat(),
                "stays": [
                    {
                        "guest_home": s.guest_home_id,
                        "host_home": s.host_home_id,
                        "start": s.period.lower.isoformat(),
                        "end": s.period.upper.isoformat(),
                        "guests": s.guests,
                    }
                    for s in p.stays.all()
                ],
            }
            for p in proposals
        ],
        "reviews": [
            {
                "stay": r.stay_id,
                "side": r.side,
                "rating": r.rating,
                "text": r.text,
                "private_note": r.private_note,
            }
            for r in Review.objects.filter(author=user).order_by("pk")
        ],
    }


def erase_swaps(user: User) -> None:
    ids = set(ProposalParty.objects.filter(user=user).values_list("proposal_id", flat=True))
    ids |= set(Stay.objects.filter(guest=user).values_list("proposal_id", flat=True))
    SwapProposal.objects.filter(pk__in=ids).delete()
    Review.objects.filter(author=user).delete()
