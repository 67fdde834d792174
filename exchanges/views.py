"""Pages of the home swaps: the map search and a home's page. Thin: FilterSet and selectors in."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from exchanges import selectors
from exchanges.filters import HomeSearchFilter
from exchanges.forms import SearchForm
from marketplace import lists
from marketplace.accounts.models import User


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _search_params(request: HttpRequest) -> QueryDict:
    """The query string without empty fields (an empty date is no filter) and with the list of amenities
    joined as the API takes it."""
    params = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        values = [v for v in values if v]
        if key == "amenities" and values:
            params[key] = ",".join(values)
        elif values:
            params[key] = values[-1]
    return params


@login_required
def search(request: HttpRequest) -> HttpResponse:
    params = _search_params(request)
    page, error = lists.page_or_error(
        params,
        HomeSearchFilter,
        selectors.homes_searchable(_user(request)),
        default_limit=30,
        request=request,
    )
    context = {
        "form": SearchForm(request.GET or None),
        "page": page,
        "error": error,
        "query": params.urlencode(),
        "next_query": _with(params, cursor=page.next) if page and page.next else None,
    }
    return render(request, "exchanges/search.html", context, status=200 if error is None else 422)


def _with(params: QueryDict, **values: str) -> str:
    copy = params.copy()
    for key, value in values.items():
        copy[key] = value
    return copy.urlencode()


@login_required
def home_detail(request: HttpRequest, home_id: int) -> HttpResponse:
    home = selectors.home_get_for_actor(actor=_user(request), home_id=home_id)
    return render(
        request, "exchanges/home_detail.html", {"home": home, "own": home.owner_id == request.user.pk}
    )
