"""Reads of the vouchers: every read goes through `Voucher.objects.visible_to(actor)` (the holder, the venue's
desk agents and correspondents, administrators), so a voucher the actor may not see is a 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

import segno
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from local_offers.exceptions import VoucherBadToken, VoucherNotFound
from local_offers.models import Agreement, AgreementFacility, AgreementStatus, Facility
from local_offers.vouchers import services
from local_offers.vouchers.models import Voucher
from local_offers.vouchers.services import Venue
from marketplace.accounts.models import User
from marketplace.organisations.selectors import agent_eligibility


def _detailed() -> QuerySet[Voucher]:
    return Voucher.objects.select_related("agent", "facility__commune", "agreement", "validated_by")


def vouchers_of(actor: User) -> QuerySet[Voucher]:
    """The agent's own vouchers, the most recent first."""
    return _detailed().filter(agent=actor).order_by("-issued_at", "-pk")


def voucher_get(*, actor: User, voucher_id: int) -> Voucher:
    """Raises VoucherNotFound, for a voucher the actor may not see too."""
    voucher = _detailed().filter(pk__in=Voucher.objects.visible_to(actor).values("pk"), pk=voucher_id).first()
    if voucher is None:
        raise VoucherNotFound()
    return voucher


def offers_for_agent(*, actor: User, facility: Facility, today: dt.date | None = None) -> list[Agreement]:
    """The agreements in force today at this facility whose audience takes the agent (none when the agent
    is not eligible): what the offer page lets them request a voucher for."""
    today = today or timezone.localdate()
    eligibility = agent_eligibility(actor, today)
    if not eligibility.eligible or eligibility.organisation is None:
        return []
    departement_id = eligibility.organisation.seat_commune.departement_id
    covers = AgreementFacility.objects.filter(agreement=OuterRef("pk"), facility=facility)
    rows = Agreement.objects.filter(Exists(covers), status=AgreementStatus.ACTIVE, validity__contains=today)
    return [
        a
        for a in rows.prefetch_related("audience_regions__departements", "audience_departements").order_by(
            "pk"
        )
        if a.audience_all
        or any(d.pk == departement_id for d in a.audience_departements.all())
        or any(d.pk == departement_id for r in a.audience_regions.all() for d in r.departements.all())
    ]


def qr_svg(token: str) -> str:
    """The token as an SVG QR code (drawn here: no third-party service), scalable for print."""
    return str(segno.make(token, error="m", micro=False).svg_inline(scale=6, border=4, omitsize=True))


def voucher_find_for_venue(*, venue: Venue, code: str = "", token: str = "") -> Voucher | None:
    """The voucher a typed code or a scanned token names among the venue's, or None (an unknown code, a bad
    signature, another venue's voucher: the desk is told only that no voucher of theirs matches). Raises
    InvalidField for a code that cannot be one."""
    try:
        return services.voucher_lookup(venue=venue, code=code, token=token)
    except (VoucherNotFound, VoucherBadToken):
        return None


def stay_dates(params: Any) -> dict[str, dt.date]:
    """`du`/`au` of a link from a swap page, as the request form's first and last day (ignored when not dates)."""
    dates: dict[str, dt.date] = {}
    for param, field in (("du", "first_day"), ("au", "last_day")):
        try:
            dates[field] = dt.date.fromisoformat(str(params.get(param, "")))
        except ValueError:
            continue
    return dates
