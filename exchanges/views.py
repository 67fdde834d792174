"""Pages of the home swaps: the map search, a home's page, the owner's editor, favourites and saved searches.
Thin: FilterSet and selectors in, services out."""

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
from django.views.decorators.http import require_POST

from exchanges import favourites, selectors, services
from exchanges.filters import HomeSearchFilter
from exchanges.forms import HomeForm, PeriodForm, SavedSearchForm, SearchForm, WishForm
from exchanges.models import Favourite, FavouriteList, Home
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
    if not partial:  # the form is not part of the results: htmx leaves it as the person set it
        context["form"] = SearchForm(params or None)
    return context


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
    context = {"home": home, "own": home.owner_id == user.pk, "favourite": favourite}
    return render(request, "exchanges/home_detail.html", context)


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


def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link of an alert e-mail: a confirmation first (mail scanners follow links), then alerts off."""
    if request.method == "POST":
        saved = favourites.saved_search_unsubscribe(token=token)
        if saved is None:
            raise Http404
        return render(request, "exchanges/unsubscribe.html", {"saved": saved, "done": True})
    return render(request, "exchanges/unsubscribe.html", {"done": False})


@login_required
def my_homes(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    homes = list(selectors.homes_of_owner(user))
    form = HomeForm(request.POST or None, initial={"kind": "flat", "sleeps": 4})
    if request.method == "POST" and form_action(form, lambda data: services.home_create(actor=user, **data)):
        messages.success(
            request,
            _(
                "Logement enregistré (brouillon) : ajoutez ses disponibilités et vos souhaits, puis publiez-le."
            ),
        )
        return redirect("exchanges:mine")
    context = {
        "homes": homes,
        "form": form,
        "period_form": PeriodForm(),
        "wish_form": WishForm(),
        "eligibility": agent_eligibility(user, timezone.localdate()),
    }
    return render(request, "exchanges/my_homes.html", context, status=422 if form.errors else 200)


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
    form = PeriodForm(request.POST)
    if form_action(form, lambda data: services.availability_add(actor=user, home=home, **data)):
        messages.success(request, _("Disponibilité ajoutée."))
    else:
        messages.error(request, _("Disponibilité non ajoutée : %(errors)s") % {"errors": _errors(form)})
    return redirect("exchanges:mine")


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
    form = WishForm(request.POST)
    if form_action(form, lambda data: services.wish_add(actor=user, home=home, **data)):
        messages.success(request, _("Souhait ajouté."))
    else:
        messages.error(request, _("Souhait non ajouté : %(errors)s") % {"errors": _errors(form)})
    return redirect("exchanges:mine")


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
