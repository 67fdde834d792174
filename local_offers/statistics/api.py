"""/api/v1/statistics: the horizontal-solidarity balance of an employer (its correspondents) and the figures
of a territory (its officers). Session auth. Someone neither correspondent nor officer gets a 403; an
employer or a département outside the actor's scope a 404; a wrong `months` a 422 naming it."""

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.security import django_auth

from local_offers.statistics import selectors
from local_offers.statistics.schemas import SolidarityOut, TerritoryOut
from marketplace.accounts.models import User

router = Router(tags=["statistics"], auth=django_auth)


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@router.get(
    "/solidarity",
    url_name="statistics_solidarity",
    response=SolidarityOut,
    summary="Solidarité horizontale d'un employeur, par mois et par convention (anonymisée)",
)
def solidarity(
    request: HttpRequest, organisation: int | None = None, months: str | None = None
) -> dict[str, Any]:
    data = selectors.solidarity_statistics(actor=_actor(request), organisation_id=organisation, months=months)
    org = data["organisation"]
    return {
        "organisation": {"id": org.pk, "name": org.name},
        "since": data["period"].since.date(),
        "months": data["period"].months,
        "threshold": data["threshold"],
        "by_month": data["by_month"]["rows"],
        "total": data["by_month"]["total"],
        "by_agreement": data["by_agreement"]["rows"],
    }


@router.get(
    "/agreements",
    url_name="statistics_agreements",
    response=TerritoryOut,
    summary="Conventions par état, délais d'instruction et utilisations d'un territoire (anonymisées)",
)
def territory(
    request: HttpRequest, departement: str | None = None, months: str | None = None
) -> dict[str, Any]:
    data = selectors.territory_statistics(actor=_actor(request), departement=departement, months=months)
    territory = data["territory"]
    return {
        "departements": [{"code": c, "name": territory.names[c]} for c in territory.codes],
        "national": territory.national,
        "since": data["period"].since.date(),
        "months": data["period"].months,
        "threshold": data["threshold"],
        "agreements_by_status": data["by_status"],
        "review_times": data["reviews"],
        "usage_by_departement": data["usage_by_departement"],
        "usage_by_month": data["usage_by_month"],
    }
