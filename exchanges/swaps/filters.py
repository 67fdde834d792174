"""The list of my proposals (keyset pages, marketplace/lists.py)."""

from django.utils.translation import gettext_lazy as _
from django_filters import ChoiceFilter

from exchanges.swaps.models import ProposalStatus
from marketplace.lists import ListFilterSet


class ProposalFilter(ListFilterSet):
    """GET /api/v1/proposals and the inbox: the newest first, or the nearest deadline first."""

    status = ChoiceFilter(choices=ProposalStatus.choices, label=_("État"))
    sorts = {"-created_at": ("-created_at", "-id"), "expires_at": ("expires_at", "id")}
