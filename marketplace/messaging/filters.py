"""The lists of the messaging (keyset pages, marketplace/lists.py)."""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _
from django_filters import NumberFilter

from marketplace.lists import ListFilterSet


class ConversationFilter(ListFilterSet):
    """GET /api/v1/conversations: the actor's conversations, the most recently active first."""

    sorts = {"-last_activity_at": ("-conversation__last_activity_at", "-id")}


class MessageFilter(ListFilterSet):
    """GET /api/v1/conversations/{id}/messages: history (newest first) or, with after_id, catch-up (in
    id order)."""

    after_id = NumberFilter(field_name="id", lookup_expr="gt", min_value=0, label=_("Après le message"))
    before_id = NumberFilter(field_name="id", lookup_expr="lt", min_value=0, label=_("Avant le message"))
    sorts = {"-id": ("-id",), "id": ("id",)}

    @classmethod
    def default_sort(cls, params: Mapping[str, Any]) -> str:
        return "id" if params.get("after_id") not in (None, "") else "-id"
