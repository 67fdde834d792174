"""Favourites (named lists of homes) and saved searches with e-mail alerts. One transaction per write.

(A module of its own beside services.py, which holds the homes: each stays under ~500 lines.)
"""

import datetime as dt
import logging

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from exchanges.exceptions import NotHomeOwner
from exchanges.filters import HomeSearchFilter
from exchanges.models import Favourite, FavouriteList, Home, SavedSearch, SavedSearchAlert
from exchanges.selectors import homes_searchable
from marketplace import lists
from marketplace.accounts.models import User
from marketplace.errors import Conflict, InvalidField, ValidationFailed
from marketplace.notifications.mail import language_of, mail_send_on_commit

logger = logging.getLogger(__name__)
DEFAULT_LIST = "Mes favoris"
ALERT_MAX_HOMES = 20
_UNSUBSCRIBE_SALT = "exchanges.saved_search.unsubscribe"


class FavouriteListTaken(Conflict):
    code = "favourite_list_taken"


def _clean_name(name: str, field: str = "name") -> str:
    from marketplace.inputs import InputError, clean_text

    try:
        return clean_text(name, min_length=1, max_length=80)
    except InputError as error:
        raise InvalidField(field, error.message) from error


@transaction.atomic
def favourite_list_create(*, actor: User, name: str) -> FavouriteList:
    """Raises InvalidField (name, too many lists), FavouriteListTaken."""
    name = _clean_name(name)
    if FavouriteList.objects.filter(owner=actor).count() >= FavouriteList.MAX_PER_OWNER:
        raise InvalidField("name", _("Au plus %(n)s listes.") % {"n": FavouriteList.MAX_PER_OWNER})
    try:
        with transaction.atomic():
            return FavouriteList.objects.create(owner=actor, name=name)
    except IntegrityError as error:
        raise FavouriteListTaken(_("Vous avez déjà une liste de ce nom.")) from error


@transaction.atomic
def favourite_add(*, actor: User, home: Home, favourite_list: FavouriteList | None = None) -> Favourite:
    """Adds a visible home to one of the actor's lists (the default list, created when needed). Adding it
    twice changes nothing. Raises NotHomeOwner for someone else's list."""
    if favourite_list is None:
        favourite_list, _created = FavouriteList.objects.get_or_create(owner=actor, name=DEFAULT_LIST)
    elif favourite_list.owner_id != actor.pk:
        raise NotHomeOwner()
    favourite, _created = Favourite.objects.get_or_create(favourite_list=favourite_list, home=home)
    return favourite


@transaction.atomic
def favourite_remove(*, actor: User, home: Home, favourite_list: FavouriteList) -> None:
    if favourite_list.owner_id != actor.pk:
        raise NotHomeOwner()
    Favourite.objects.filter(favourite_list=favourite_list, home=home).delete()


def _checked_query(query: str) -> str:
    """The query string of a search, kept only if the search accepts it (422 naming the field otherwise)."""
    params = QueryDict(query, mutable=True)
    for key in ("cursor", "limit", "format"):
        params.pop(key, None)
    lists.check_params(params, HomeSearchFilter, allowed=("sort",))
    lists.filtered(params, HomeSearchFilter, Home.objects.none())
    return params.urlencode()


@transaction.atomic
def saved_search_create(*, actor: User, name: str, query: str, alerts: bool = True) -> SavedSearch:
    """Raises InvalidField (name, query: a parameter the search refuses; too many saved searches)."""
    name = _clean_name(name)
    if len(query) > 2000:
        raise InvalidField("query", _("Recherche trop longue."))
    if SavedSearch.objects.filter(owner=actor).count() >= SavedSearch.MAX_PER_OWNER:
        raise InvalidField(
            "name", _("Au plus %(n)s recherches enregistrées.") % {"n": SavedSearch.MAX_PER_OWNER}
        )
    return SavedSearch.objects.create(
        owner=actor, name=name, query=_checked_query(query), alerts=alerts, checked_at=timezone.now()
    )


@transaction.atomic
def saved_search_delete(*, actor: User, saved: SavedSearch) -> None:
    if saved.owner_id != actor.pk:
        raise NotHomeOwner()
    saved.delete()


def unsubscribe_token(saved: SavedSearch) -> str:
    return signing.dumps(saved.pk, salt=_UNSUBSCRIBE_SALT)


@transaction.atomic
def saved_search_unsubscribe(*, token: str) -> SavedSearch | None:
    """The link of an alert e-mail turns its alerts off (no sign-in needed). None for a bad token."""
    try:
        pk = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    saved = SavedSearch.objects.select_for_update().filter(pk=pk).first()
    if saved is not None and saved.alerts:
        saved.alerts = False
        saved.save(update_fields=["alerts"])
    return saved


def saved_search_alerts_send(*, now: dt.datetime | None = None) -> int:
    """Daily: for each saved search with alerts, the homes published since its last check that match it and
    were never announced for it, in one e-mail. Returns the number of e-mails sent."""
    now = now or timezone.now()
    sent = 0
    for saved in SavedSearch.objects.filter(alerts=True).select_related("owner"):
        with transaction.atomic():
            saved = (
                SavedSearch.objects.select_for_update(of=("self",)).select_related("owner").get(pk=saved.pk)
            )
            params = QueryDict(saved.query, mutable=True)
            params.pop("sort", None)
            try:
                matches = lists.filtered(params, HomeSearchFilter, homes_searchable(saved.owner))
            except ValidationFailed:
                logger.warning("saved search no longer valid", extra={"saved_search": saved.pk})
                continue
            new = list(
                matches.filter(published_at__gt=saved.checked_at, published_at__lte=now)
                .exclude(pk__in=saved.alerted.values("home"))
                .order_by("-published_at")[:ALERT_MAX_HOMES]
            )
            saved.checked_at = now
            saved.save(update_fields=["checked_at"])
            if not new:
                continue
            SavedSearchAlert.objects.bulk_create([SavedSearchAlert(saved_search=saved, home=h) for h in new])
            _mail_alert(saved, new)
            sent += 1
    return sent


def _mail_alert(saved: SavedSearch, homes: list[Home]) -> None:
    site = settings.SITE_URL.rstrip("/")
    unsubscribe = site + reverse("exchanges:unsubscribe", args=[unsubscribe_token(saved)])

    def body() -> str:
        lines = [
            f"- {h.title}, {h.commune.name} : {site}{reverse('exchanges:detail', args=[h.pk])}" for h in homes
        ]
        return _(
            "Bonjour,\n\nDe nouveaux logements correspondent à votre recherche « %(name)s » :\n\n%(homes)s\n\n"
            "Ne plus recevoir ces alertes : %(unsubscribe)s\n"
        ) % {"name": saved.name, "homes": "\n".join(lines), "unsubscribe": unsubscribe}

    mail_send_on_commit(
        to=saved.owner.email,
        subject=lambda: _("[Réciproque] Nouveaux logements : %(name)s") % {"name": saved.name},
        text=body,
        language=language_of(saved.owner),
        unsubscribe_url=unsubscribe,
    )
