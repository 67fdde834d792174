"""Whose statistics an actor reads, and over which months: an officer their départements (an administrator
every one, or the one asked), a correspondent an employer they are an active correspondent of (an
administrator any). The visibility rule of the statistics, written once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from geo.models import Departement
from local_offers.exceptions import StatisticsForbidden, StatisticsNotFound
from marketplace.accounts.models import User
from marketplace.errors import InvalidField
from marketplace.organisations.models import OfficerTerritory, Organisation
from marketplace.organisations.permissions import is_admin

MONTHS_DEFAULT = 12
MONTHS_MAX = 36


@dataclass(frozen=True)
class Territory:
    """The départements an officer's statistics cover (every one for an administrator)."""

    codes: tuple[str, ...]
    names: dict[str, str]
    national: bool


@dataclass(frozen=True)
class Period:
    since: dt.datetime  # the first day of the first month, 00:00 in the site's time zone
    months: int


def period_of(months: object = None, *, today: dt.date | None = None) -> Period:
    """The last `months` calendar months, this one included. Raises InvalidField (422) naming `months`."""
    if months in (None, ""):
        count = MONTHS_DEFAULT
    else:
        try:
            count = int(str(months))
        except ValueError:
            raise InvalidField("months", _("Un nombre de mois entier est attendu.")) from None
        if not 1 <= count <= MONTHS_MAX:
            raise InvalidField("months", _("Entre 1 et %(max)d mois.") % {"max": MONTHS_MAX})
    today = today or timezone.localdate()
    index = today.year * 12 + today.month - 1 - (count - 1)
    first = dt.date(index // 12, index % 12 + 1, 1)
    return Period(since=timezone.make_aware(dt.datetime.combine(first, dt.time.min)), months=count)


def territory_for(*, actor: User, departement: str | None = None) -> Territory:
    """The officer's départements, or the one asked among them. Raises Forbidden (403) for anyone who is
    neither officer nor administrator, StatisticsNotFound (404) for a département outside the territory."""
    if is_admin(actor):
        rows = Departement.objects.all()
    else:
        rows = Departement.objects.filter(
            code__in=OfficerTerritory.objects.filter(officer=actor).values("departement")
        )
        if not rows.exists():
            raise StatisticsForbidden()
    if departement:
        rows = rows.filter(code=departement)
        if not rows.exists():
            raise StatisticsNotFound()
    names = dict(rows.order_by("code").values_list("code", "name"))
    return Territory(codes=tuple(names), names=names, national=is_admin(actor) and not departement)


def organisation_for(*, actor: User, organisation_id: int | None = None) -> Organisation:
    """The employer whose solidarity balance the actor reads: one they are an active correspondent of (the
    first when none is asked), any for an administrator. Raises Forbidden (403) for anyone else,
    StatisticsNotFound (404) for an employer they do not manage."""
    managed = Organisation.objects.all() if is_admin(actor) else Organisation.objects.managed_by(actor)
    if organisation_id is None:
        if is_admin(actor):
            raise InvalidField("organisation", _("Choisissez un employeur."))
        first = managed.order_by("name", "pk").first()
        if first is None:
            raise StatisticsForbidden()
        return first
    found = managed.filter(pk=organisation_id).first()
    if found is None:
        raise StatisticsNotFound()
    return found
