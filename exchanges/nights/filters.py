"""My movements of nights (keyset pages, marketplace/lists.py)."""

from django.utils.translation import gettext_lazy as _
from django_filters import ChoiceFilter

from exchanges.nights.models import MovementKind
from marketplace.lists import ListFilterSet


class MovementFilter(ListFilterSet):
    """GET /api/v1/nights/movements and the history page: the newest first."""

    kind = ChoiceFilter(choices=MovementKind.choices, label=_("Mouvement"))
    sorts = {"-created_at": ("-created_at", "-id")}
