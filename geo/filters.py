"""The FilterSets of the territory lists (geo/api.py), on the shared list pattern of marketplace.lists."""

from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import CharFilter

from geo.models import Commune
from marketplace.lists import ListFilterSet


class RegionFilter(ListFilterSet):
    """GET /api/v1/geo/regions."""

    sorts = {"name": ("name", "code"), "code": ("code",)}


class DepartementFilter(ListFilterSet):
    """GET /api/v1/geo/departements?region=."""

    region = CharFilter(
        field_name="region_id",
        max_length=3,
        validators=[RegexValidator(r"^\d{2}$", _("Un code INSEE de région : deux chiffres."))],
    )
    sorts = {"code": ("code",), "name": ("name", "code")}


class CommuneFilter(ListFilterSet):
    """GET /api/v1/geo/communes?q=: ranked by relevance (geo.selectors.commune_search), so `limit` only.

    A keyset needs a stable key to resume after; here the key would be the rank of the query (exact name,
    prefix and population, trigram similarity), recomputed for the cursor's row and full of ties. A search
    box wants the best few, not the 37th page: ask a longer query instead. `next` is always null.
    """

    q = CharFilter(
        method="ranked_elsewhere", required=True, min_length=2, max_length=80, label=_("Nom ou code postal")
    )
    sorts = {"relevance": ("code",)}

    def ranked_elsewhere(self, queryset: QuerySet[Commune], name: str, value: str) -> QuerySet[Commune]:
        return queryset
