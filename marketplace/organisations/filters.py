"""The FilterSets of the employer lists, shared by the API (api.py) and the pages (views.py)."""

from django.utils.translation import gettext_lazy as _
from django_filters import CharFilter, ChoiceFilter

from marketplace.lists import ListFilterSet
from marketplace.organisations import selectors
from marketplace.organisations.models import (
    EmploymentStatus,
    OrganisationQuerySet,
    StaffRoleKind,
)


class OrganisationFilter(ListFilterSet):
    """GET /api/v1/organisations and the search form of /employeur/."""

    q = CharFilter(
        method="search",
        required=True,
        min_length=2,
        max_length=100,
        label=_("Nom, commune ou SIREN"),
    )
    sorts = {"name": ("name", "id"), "-name": ("-name", "-id")}

    def search(self, queryset: OrganisationQuerySet, name: str, value: str) -> OrganisationQuerySet:
        return selectors.organisation_search(query=value, within=queryset)


class MyEmploymentFilter(ListFilterSet):
    """GET /api/v1/employments/mine."""

    status = ChoiceFilter(choices=EmploymentStatus.choices)
    sorts = {"-requested_at": ("-requested_at", "-id"), "requested_at": ("requested_at", "id")}


class EmploymentToDecideFilter(ListFilterSet):
    """GET /api/v1/organisations/{id}/employments: the requests waiting for a correspondent, oldest first."""

    sorts = {"requested_at": ("requested_at", "id"), "-requested_at": ("-requested_at", "-id")}


class StaffFilter(ListFilterSet):
    """GET /api/v1/organisations/{id}/staff."""

    role = ChoiceFilter(choices=StaffRoleKind.choices)
    sorts = {"role": ("role", "user__email", "id")}
