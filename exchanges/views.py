"""Pages of the home swaps: the map search, a home's page, the owner's editor, favourites and saved searches.
Thin: FilterSet and selectors in, services out."""

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from exchanges import calendar, favourites, selectors, services
from exchanges.filters import HomeSearchFilter, open_to_any
from exchanges.forms import (
    HomeForm,
    PeriodForm,
    SavedSearchForm,
    SearchForm,
    Territories,
    WishForm,
    territory_choices,
)
from exchanges.models import Favourite, FavouriteList, Home
from exchanges.nights.services import stay_cost
from exchanges.swaps import selectors as swaps_selectors
from exchanges.swaps import views as swaps_views
from marketplace import lists
from marketplace.accounts.models import User
from marketplace.organisations.selectors import agent_eligibility
from marketplace.web import form_action, htmx_partial, post_action, posted_choice


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


# Fields of several values: the form repeats them (amenities=wifi&amenities=garden), the API joins them with
# commas (amenities=wifi,garden), as do the tiles and a saved search's query. The page reads both.
LIST_FIELDS = ("amenities", "accessibility")


def _form_params(request: HttpRequest) -> QueryDict:
    """The query string as the form writes it, without empty fields (an empty date is no filter)."""
    params = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        if key in LIST_FIELDS:
            values = [part for value in values for part in value.split(",")]
        values = [v for v in values if v]
        if values:
            params.setlist(key, values if key in LIST_FIELDS else values[-1:])
    return params


def _search_params(params: QueryDict) -> QueryDict:
    """The same parameters as the FilterSet (and the API, the tiles, a saved search) takes them."""
    joined = params.copy()
    for key in LIST_FIELDS:
        if key in joined:
            joined[key] = ",".join(joined.getlist(key))
    return joined


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """The map search. For htmx (a filter changed, the map moved, the next page), only the results and what
    follows them (the count, the saved search's query); without JavaScript, the whole page."""
    params = _form_params(request)
    page, error = lists.page_or_error(
        _search_params(params),
        HomeSearchFilter,
        selectors.homes_searchable(_user(request)),
        default_limit=30,
        request=request,
        labels=_search_labels(),
    )
    partial = htmx_partial(request)
    context = _search_context(request, params, page, error, partial=partial)
    template = "exchanges/_search_results.html" if partial else "exchanges/search.html"
    response = render(request, template, context, status=200 if error is None else 422)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _search_labels() -> dict[str, Any]:
    """A refused filter is named as the page names it (its label), the map's box too."""
    labels: dict[str, Any] = {name: field.label for name, field in SearchForm.base_fields.items()}
    return {**labels, "bbox": _("Zone de la carte")}


def _search_context(
    request: HttpRequest,
    params: QueryDict,
    page: lists.Page[Home] | None,
    error: str | None,
    *,
    partial: bool,
) -> dict[str, Any]:
    search = _without(params, "cursor")  # the search itself, whichever page of it is shown
    context: dict[str, Any] = {
        "page": page,
        "error": error,
        "partial": partial,
        "more": "cursor" in params,
        "query": _search_params(search).urlencode(),
        "url": f"{request.path}?{search.urlencode()}" if search else request.path,
        "next_query": _with(params, cursor=page.next) if page and page.next else None,
        "france_query": _without(search, "bbox").urlencode() if "bbox" in search else None,
        "bbox": params.get("bbox", ""),
    }
    context.update(_nights_on_cards(params, page))
    if not partial:  # the form is not part of the results: htmx leaves it as the person set it
        context["form"] = SearchForm(params or None)
    return context


def _nights_on_cards(params: QueryDict, page: lists.Page[Home] | None) -> dict[str, Any]:
    """For the dates searched, what a one-way stay costs in solidarity nights, and which homes of the page
    take one (a period open to any request holding the whole stay)."""
    try:
        start = dt.date.fromisoformat(params.get("start", ""))
        end = dt.date.fromisoformat(params.get("end", ""))
        guests = int(params.get("guests") or 1)
    except ValueError:
        return {}
    if page is None or not page.items or end <= start:
        return {}
    homes = Home.objects.filter(pk__in=[h.pk for h in page.items]).filter(open_to_any(start, end))
    return {
        "nights_cost": stay_cost((end - start).days, guests),
        "nights_homes": set(homes.values_list("pk", flat=True)),
    }


def _with(params: QueryDict, **values: str) -> str:
    copy = params.copy()
    for key, value in values.items():
        copy[key] = value
    return copy.urlencode()


def _without(params: QueryDict, *keys: str) -> QueryDict:
    copy = params.copy()
    for key in keys:
        copy.pop(key, None)
    return copy


@login_required
def home_detail(request: HttpRequest, home_id: int) -> HttpResponse:
    user = _user(request)
    home = selectors.home_get_for_actor(actor=user, home_id=home_id)
    favourite = Favourite.objects.filter(favourite_list__owner=user, home=home).exists()
    context = {
        "home": home,
        "own": home.owner_id == user.pk,
        "favourite": favourite,
        "calendar": _calendar(request, home, pick=False),
        "wishes_geojson": json.dumps(selectors.wishes_geojson(home)),
        "propose_form": swaps_views.propose_form(user, home),
        **swaps_views.request_context(user, home),
        "home_reviews": swaps_selectors.reviews_public_for_home(home, today=timezone.localdate()),
    }
    return render(request, "exchanges/home_detail.html", context)


@dataclass(frozen=True)
class CalendarBlock:
    """What exchanges/_calendar.html draws: the months, and where its arrows lead (page, or htmx fragment)."""

    home: Home
    window: calendar.Window
    pick: bool  # the owner's editor: the days are buttons that fill the period form
    page_url: str
    fragment_url: str


def _calendar(request: HttpRequest, home: Home, *, pick: bool) -> CalendarBlock:
    spans = [calendar.Span(p.period.lower, p.period.upper, p.mode) for p in home.periods.all()]
    window = calendar.window(spans, today=timezone.localdate(), requested=request.GET.get("mois"))
    if pick:
        urls = reverse("exchanges:mine"), reverse("exchanges:my_calendar", args=[home.pk])
    else:
        urls = reverse("exchanges:detail", args=[home.pk]), reverse("exchanges:calendar", args=[home.pk])
    return CalendarBlock(home, window, pick, *urls)


@login_required
def home_calendar(request: HttpRequest, home_id: int) -> HttpResponse:
    """A home's calendar alone, for its previous and next links (htmx)."""
    home = selectors.home_get_for_actor(actor=_user(request), home_id=home_id)
    return render(request, "exchanges/_calendar.html", {"calendar": _calendar(request, home, pick=False)})


@login_required
def my_home_calendar(request: HttpRequest, home_id: int) -> HttpResponse:
    """The editor's calendar of one home (days to pick), for its previous and next links (htmx)."""
    home = selectors.home_get_for_owner(actor=_user(request), home_id=home_id)
    return render(request, "exchanges/_calendar.html", {"calendar": _calendar(request, home, pick=True)})


@login_required
@require_POST
def favourite_toggle(request: HttpRequest, home_id: int) -> HttpResponse:
    user = _user(request)
    home = selectors.home_get_for_actor(actor=user, home_id=home_id)
    back = reverse("exchanges:detail", args=[home.pk])
    listed = Favourite.objects.filter(
        favourite_list__owner=user, favourite_list__name=favourites.DEFAULT_LIST, home=home
    )
    if listed.exists():
        default = FavouriteList.objects.get(owner=user, name=favourites.DEFAULT_LIST)
        return post_action(
            request,
            lambda: favourites.favourite_remove(actor=user, home=home, favourite_list=default),
            success=_("Retiré de vos favoris."),
            next_default=back,
        )
    return post_action(
        request,
        lambda: favourites.favourite_add(actor=user, home=home),
        success=_("Ajouté à vos favoris."),
        next_default=back,
    )


@login_required
def my_favourites(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = {"lists": selectors.favourite_lists_of(user), "searches": selectors.saved_searches_of(user)}
    return render(request, "exchanges/favourites.html", context)


@login_required
@require_POST
def saved_search_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = SavedSearchForm(request.POST)
    if form_action(form, lambda data: favourites.saved_search_create(actor=user, **data)):
        messages.success(
            request, _("Recherche enregistrée : un e-mail vous dira quand un nouveau logement y correspond.")
        )
        return redirect("exchanges:favourites")
    messages.error(request, _("Recherche non enregistrée : %(errors)s") % {"errors": _errors(form)})
    return redirect("exchanges:search")


@login_required
@require_POST
def saved_search_delete(request: HttpRequest, saved_id: int) -> HttpResponse:
    user = _user(request)
    saved = selectors.saved_search_get_for_owner(actor=user, saved_id=saved_id)
    return post_action(
        request,
        lambda: favourites.saved_search_delete(actor=user, saved=saved),
        success=_("Recherche supprimée."),
        next_default="exchanges:favourites",
    )


@csrf_exempt  # RFC 8058 one-click: the mail client POSTs without a session; the token is signed
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link of an alert e-mail: a confirmation first (mail scanners follow links), then alerts off."""
    if request.method == "POST":
        saved = favourites.saved_search_unsubscribe(token=token)
        if saved is None:
            raise Http404
        return render(request, "exchanges/unsubscribe.html", {"saved": saved, "done": True})
    return render(request, "exchanges/unsubscribe.html", {"done": False})


@dataclass(frozen=True)
class HomeEditor:
    """One home in the editor: its period and wish forms (bound after a refusal), calendar and wishes map."""

    home: Home
    period_form: PeriodForm
    wish_form: WishForm
    calendar: CalendarBlock
    wishes_geojson: str


# Each home has its own forms on the page: ids per home, so that every label points at its own field.
def _period_form(home: Home, data: QueryDict | None = None) -> PeriodForm:
    return PeriodForm(data, auto_id=f"period-{home.pk}-%s")


def _wish_form(home: Home, data: QueryDict | None = None, territories: Territories | None = None) -> WishForm:
    return WishForm(data, auto_id=f"wish-{home.pk}-%s", territories=territories)


def _editor_page(
    request: HttpRequest,
    *,
    home_form: HomeForm | None = None,
    refused: tuple[Home, PeriodForm | WishForm] | None = None,
) -> HttpResponse:
    """The editor, every home with its forms; `refused` is a home and its form the service refused, shown
    again with the person's input and the errors beside the fields (status 422)."""
    user = _user(request)
    editors = []
    territories = territory_choices()
    for home in selectors.homes_of_owner(user):
        bound = refused[1] if refused is not None and refused[0].pk == home.pk else None
        editors.append(
            HomeEditor(
                home=home,
                period_form=bound if isinstance(bound, PeriodForm) else _period_form(home),
                wish_form=bound if isinstance(bound, WishForm) else _wish_form(home, territories=territories),
                calendar=_calendar(request, home, pick=True),
                wishes_geojson=json.dumps(selectors.wishes_geojson(home)),
            )
        )
    home_form = home_form or HomeForm(initial=HOME_FORM_INITIAL)
    context = {
        "editors": editors,
        "form": home_form,
        "eligibility": agent_eligibility(user, timezone.localdate()),
    }
    status = 422 if home_form.errors or refused is not None else 200
    return render(request, "exchanges/my_homes.html", context, status=status)


HOME_FORM_INITIAL = {"kind": "flat", "sleeps": 4}


@login_required
def my_homes(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = HomeForm(request.POST or None, initial=HOME_FORM_INITIAL)
    if request.method == "POST" and form_action(form, lambda data: services.home_create(actor=user, **data)):
        messages.success(
            request,
            _(
                "Logement enregistré (brouillon) : ajoutez ses disponibilités et vos souhaits, puis publiez-le."
            ),
        )
        return redirect("exchanges:mine")
    return _editor_page(request, home_form=form)


@login_required
@require_POST
def home_status(request: HttpRequest, home_id: int) -> HttpResponse:
    user = _user(request)
    home = selectors.home_get_for_owner(actor=user, home_id=home_id)
    actions = {
        "publish": (services.home_publish, _("Logement publié : il apparaît sur la carte.")),
        "pause": (services.home_pause, _("Logement mis en pause.")),
        "archive": (services.home_archive, _("Logement retiré.")),
    }
    service, success = actions[posted_choice(request, "action", tuple(actions))]
    return post_action(
        request, lambda: service(actor=user, home=home), success=success, next_default="exchanges:mine"
    )


@login_required
@require_POST
def period_add(request: HttpRequest, home_id: int) -> HttpResponse:
    user = _user(request)
    home = selectors.home_get_for_owner(actor=user, home_id=home_id)
    form = _period_form(home, request.POST)
    if form_action(form, lambda data: services.availability_add(actor=user, home=home, **data)):
        messages.success(request, _("Disponibilité ajoutée."))
        return redirect("exchanges:mine")
    return _editor_page(request, refused=(home, form))


@login_required
@require_POST
def period_delete(request: HttpRequest, home_id: int, period_id: int) -> HttpResponse:
    user = _user(request)
    home = selectors.home_get_for_owner(actor=user, home_id=home_id)
    period = selectors.period_get_for_owner(actor=user, home=home, period_id=period_id)
    return post_action(
        request,
        lambda: services.availability_delete(actor=user, period=period),
        success=_("Disponibilité retirée."),
        next_default="exchanges:mine",
    )


@login_required
@require_POST
def wish_add(request: HttpRequest, home_id: int) -> HttpResponse:
    user = _user(request)
    home = selectors.home_get_for_owner(actor=user, home_id=home_id)
    form = _wish_form(home, request.POST)
    if form_action(form, lambda data: services.wish_add(actor=user, home=home, **data)):
        messages.success(request, _("Souhait ajouté."))
        if form.area_repaired():
            messages.info(
                request,
                _("La zone dessinée se croisait elle-même : elle a été corrigée, vérifiez-la sur la carte."),
            )
        return redirect("exchanges:mine")
    return _editor_page(request, refused=(home, form))


@login_required
@require_POST
def wish_delete(request: HttpRequest, home_id: int, wish_id: int) -> HttpResponse:
    user = _user(request)
    home = selectors.home_get_for_owner(actor=user, home_id=home_id)
    wish = selectors.wish_get_for_owner(actor=user, home=home, wish_id=wish_id)
    return post_action(
        request,
        lambda: services.wish_delete(actor=user, wish=wish),
        success=_("Souhait retiré."),
        next_default="exchanges:mine",
    )


@login_required
@require_POST
def photo_add(request: HttpRequest, home_id: int) -> HttpResponse:
    """Without JavaScript, the plain form posts here; with it, upload.js sends the file to the API and
    shows the progress."""
    user = _user(request)
    home = selectors.home_get_for_owner(actor=user, home_id=home_id)
    upload = request.FILES.get("photo")
    if upload is None:
        messages.error(request, _("Choisissez une photo."))
        return redirect("exchanges:mine")
    return post_action(
        request,
        lambda: services.photo_add(actor=user, home=home, upload=upload),
        success=_("Photo ajoutée."),
        next_default="exchanges:mine",
    )


@login_required
@require_POST
def photo_delete(request: HttpRequest, home_id: int, photo_id: int) -> HttpResponse:
    user = _user(request)
    home = selectors.home_get_for_owner(actor=user, home_id=home_id)
    photo = selectors.photo_get_for_owner(actor=user, home=home, photo_id=photo_id)
    return post_action(
        request,
        lambda: services.photo_delete(actor=user, photo=photo),
        success=_("Photo retirée."),
        next_default="exchanges:mine",
    )


def _errors(form: forms.Form) -> str:
    """The form's errors in one line, each after its field's label."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.append(
            f"{label} : {' '.join(str(e) for e in errors)}" if label else " ".join(str(e) for e in errors)
        )
    return " ".join(parts)
