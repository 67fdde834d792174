"""/api/v1/notifications: the notification centre (list, unread count, mark read) and the e-mail
preferences. Session auth with CSRF; someone else's notification is a 404."""

from django.http import HttpRequest
from ninja import Query, Router
from ninja.security import django_auth

from marketplace import lists
from marketplace.accounts.models import User
from marketplace.lists import ListQuery, PageOut
from marketplace.notifications import selectors, services
from marketplace.notifications.filters import NotificationFilter
from marketplace.notifications.schemas import MarkedOut, NotificationOut, PreferencesIO, UnreadOut

router = Router(tags=["notifications"], auth=django_auth)


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@router.get(
    "", response=PageOut[NotificationOut], summary="Mes notifications ; tri : -id, id ; filtre unread"
)
def notification_list(
    request: HttpRequest, paging: Query[ListQuery], unread: bool | None = None
) -> dict[str, object]:
    page = lists.paginate(request.GET, NotificationFilter, selectors.notifications_of(_actor(request)))
    return {"items": [services.notification_data(n) for n in page.items], "next": page.next}


@router.get("/unread-count", response=UnreadOut, summary="Nombre de notifications non lues")
def notification_unread(request: HttpRequest) -> dict[str, int]:
    return {"unread": selectors.unread_count(_actor(request))}


@router.post("/read-all", response=MarkedOut, summary="Tout marquer comme lu")
def notification_read_all(request: HttpRequest) -> dict[str, int]:
    marked = services.notifications_mark_all_read(actor=_actor(request))
    return {"marked": marked, "unread": selectors.unread_count(_actor(request))}


@router.get("/preferences", response=PreferencesIO, summary="Mes choix d'e-mails par sujet")
def preferences_get(request: HttpRequest) -> dict[str, str]:
    return selectors.preferences_of(_actor(request))


@router.put(
    "/preferences", response=PreferencesIO, summary="Changer mes choix d'e-mails (sécurité : immediate)"
)
def preferences_put(request: HttpRequest, payload: PreferencesIO) -> dict[str, str]:
    chosen = {k: v for k, v in payload.dict().items() if v is not None}
    return services.preferences_set(actor=_actor(request), deliveries=chosen)


@router.get("/{notification_id}", response=NotificationOut, summary="Une de mes notifications")
def notification_detail(request: HttpRequest, notification_id: int) -> dict[str, object]:
    found = selectors.notification_get_for_actor(actor=_actor(request), notification_id=notification_id)
    return services.notification_data(found)


@router.post(
    "/{notification_id}/read", response=NotificationOut, summary="Marquer une notification comme lue"
)
def notification_read(request: HttpRequest, notification_id: int) -> dict[str, object]:
    found = selectors.notification_get_for_actor(actor=_actor(request), notification_id=notification_id)
    return services.notification_data(
        services.notification_mark_read(actor=_actor(request), notification=found)
    )
