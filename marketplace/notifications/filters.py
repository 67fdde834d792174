"""The notification centre's list (keyset pages, marketplace/lists.py)."""

from django.utils.translation import gettext_lazy as _
from django_filters import BooleanFilter

from marketplace.lists import ListFilterSet


class NotificationFilter(ListFilterSet):
    """GET /api/v1/notifications: the actor's notifications, newest first; `unread=true` for the unread."""

    unread = BooleanFilter(field_name="read_at", lookup_expr="isnull", label=_("Non lues"))
    sorts = {"-id": ("-id",), "id": ("id",)}
