"""Lists, one way for the API and the pages: a django-filter FilterSet per list, and keyset pagination.

    page = lists.paginate(request.GET, OrganisationFilter, queryset)

reads the FilterSet's fields, `sort` (one of the FilterSet's `sorts`, the first by default), `limit` and
`cursor` from the query string, and returns a `Page`:
the rows after the cursor and the cursor of the next page (None on the last one). The API answers it as
`{"items": [...], "next": "<cursor>|null"}` (`PageOut[ItemOut]`); a page renders `page.items`.

The cursor is the sort key of the last row (its sort fields, ending with the primary key), signed: a client
cannot forge one to skip the filters, and a changed or stale cursor is a 422 naming `cursor`. Keyset, not
OFFSET: each page costs the same however deep, and rows inserted meanwhile do not shift the next pages.
The sort fields must be non-null columns, the last one unique (the primary key).
"""

import copy
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import FilterSet
from ninja import Schema
from pydantic import Field

from marketplace.errors import ValidationFailed

T = TypeVar("T")
M = TypeVar("M", bound=Model)

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
RESERVED = ("cursor", "limit", "sort")
_SALT = "marketplace.lists.cursor"


class ListParamsInvalid(ValidationFailed):
    """Unknown filter, bad filter value, unknown sort, bad limit or cursor: 422 naming every field."""

    default_message = gettext_lazy("Paramètres de liste invalides.")

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(
            _("Données invalides : %(fields)s.") % {"fields": ", ".join(errors)},
            detail={
                "errors": [
                    {"field": field, "message": message, "type": "invalid"}
                    for field, message in errors.items()
                ]
            },
        )
        self.errors = dict(errors)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next: str | None


class ListFilterSet(FilterSet):
    """A list's FilterSet also names the orders a client may ask for (`sort`), the first being the default;
    each is a list of non-null fields ("-" for descending) ending with a unique one."""

    sorts: dict[str, tuple[str, ...]] = {}
    # Sorts whose first field an index delivers in order (a KNN distance) but only alone: the query orders by
    # that field only, and the page is put in the full order (the primary key breaking ties) in Python.
    # Their fields are ascending.
    index_ordered_sorts: frozenset[str] = frozenset()

    # Built once per class (django-filter builds a Form class per request, from fresh copies of every field).
    _form_classes: dict[type, type] = {}

    def __init__(
        self,
        data: QueryDict | None = None,
        queryset: QuerySet[Any] | None = None,
        *,
        request: Any = None,
        prefix: str | None = None,
    ) -> None:
        # As django-filter's BaseFilterSet.__init__, which deep-copies every filter of the class per request
        # (its form field, choices and validators: about a third of a millisecond for the facility search, on
        # every list); a filter's own state is its model and parent, so a shallow copy is enough, its method
        # re-bound to the copy.
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {}
        for name, base in self.base_filters.items():
            filter_ = copy.copy(base)
            if filter_.method is not None:
                filter_.method = filter_.method  # a FilterMethod of this copy, resolved on this FilterSet
            filter_.model = queryset.model
            filter_.parent = self
            self.filters[name] = filter_

    def get_form_class(self) -> type:
        cls = type(self)
        form_class = ListFilterSet._form_classes.get(cls)
        if form_class is None:
            form_class = ListFilterSet._form_classes[cls] = super().get_form_class()
        return form_class

    @classmethod
    def default_sort(cls, params: Mapping[str, Any]) -> str:
        """The order of a list that names none: the first of `sorts`, unless the parameters call for another."""
        return next(iter(cls.sorts))


class ListQuery(Schema):
    """The paging parameters of every list endpoint (documented in OpenAPI; checked by `paginate`)."""

    cursor: str | None = Field(None, max_length=2000, description="`next` de la page précédente")
    limit: int | None = Field(None, ge=1, description="Nombre de lignes par page")
    sort: str | None = Field(None, max_length=40, description="Ordre (voir la description de la liste)")


class PageOut(Schema, Generic[T]):
    """The API envelope of every list: `next` is the `cursor` of the following page, null on the last."""

    items: list[T]
    next: str | None


def check_params(
    params: QueryDict, filterset_class: type[FilterSet], *, allowed: Sequence[str] = RESERVED
) -> None:
    """Refuses query parameters that are neither a filter of the list nor one of `allowed`."""
    known = set(filterset_class.base_filters) | set(allowed)
    unknown = [key for key in params if key not in known]
    if unknown:
        names = ", ".join(sorted(known)) or "—"
        raise ListParamsInvalid(
            {key: _("Paramètre inconnu (possibles : %(names)s).") % {"names": names} for key in unknown}
        )


def filtered(
    params: QueryDict, filterset_class: type[FilterSet], queryset: QuerySet[M], *, request: Any = None
) -> QuerySet[M]:
    """The queryset filtered by the list's FilterSet (which may read `request`, e.g. its user); invalid
    values are a 422 naming their field."""
    filterset = filterset_class(params, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise ListParamsInvalid({field: " ".join(errors) for field, errors in filterset.errors.items()})
    return filterset.qs


def cleaned(
    params: QueryDict,
    filterset_class: type[FilterSet],
    queryset: QuerySet[M],
    *,
    allowed: Sequence[str] = ("limit",),
) -> dict[str, Any]:
    """The validated filter values, for a list that a selector computes itself (a ranked search)."""
    check_params(params, filterset_class, allowed=allowed)
    filterset = filterset_class(params, queryset=queryset)
    if not filterset.is_valid():
        raise ListParamsInvalid({field: " ".join(errors) for field, errors in filterset.errors.items()})
    return dict(filterset.form.cleaned_data)


def limit_from(params: QueryDict, *, default: int = DEFAULT_LIMIT, maximum: int = MAX_LIMIT) -> int:
    raw = params.get("limit")
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise ListParamsInvalid({"limit": _("Un nombre de 1 à %(max)s.") % {"max": maximum}})
    return int(raw)


def paginate(
    params: QueryDict,
    filterset_class: type[ListFilterSet],
    queryset: QuerySet[M],
    *,
    default_limit: int = DEFAULT_LIMIT,
    max_limit: int = MAX_LIMIT,
    request: Any = None,
) -> Page[M]:
    """One page of the filtered list, in the order `sort` names among the FilterSet's `sorts`, after `cursor`.
    Raises ListParamsInvalid."""
    sorts = filterset_class.sorts
    check_params(params, filterset_class)
    sort = params.get("sort") or filterset_class.default_sort(params)
    if sort not in sorts:
        raise ListParamsInvalid(
            {"sort": _("Tri inconnu (possibles : %(names)s).") % {"names": ", ".join(sorts)}}
        )
    limit = limit_from(params, default=default_limit, maximum=max_limit)
    ordering = list(sorts[sort])
    rows = filtered(params, filterset_class, queryset, request=request).order_by(*ordering)
    cursor = params.get("cursor")
    if cursor:
        values = _decode(cursor, sort, len(ordering))
        try:  # a value of the wrong type for its column (only a cursor we did not write)
            rows = rows.filter(_after(ordering, values))
        except (TypeError, ValueError, ValidationError) as error:
            raise _invalid_cursor() from error
    if sort in filterset_class.index_ordered_sorts:
        found = _index_ordered(rows, ordering, limit)
    else:
        found = list(rows[: limit + 1])
    more = len(found) > limit
    items = found[:limit]
    return Page(items, _encode(sort, [_value(items[-1], f) for f in ordering]) if more else None)


def _index_ordered(rows: QuerySet[M], ordering: Sequence[str], limit: int) -> list[M]:
    """The first limit + 1 rows in the full order, reading the rows in the order of the first field only.
    Rows tied on that field may come in any order: when a tie reaches the end of what was read, read more,
    so that every row tied with the page's last one is there to be put in order."""
    first = ordering[0]
    fetch = limit + 1
    while True:
        found = sorted(rows.order_by(first)[:fetch], key=lambda row: [_value(row, f) for f in ordering])
        if len(found) < fetch or _value(found[-1], first) != _value(found[min(limit, len(found)) - 1], first):
            return found[: limit + 1]
        fetch *= 2


def _value(row: Model, field: str) -> Any:
    value: Any = row
    for part in field.lstrip("-").split("__"):
        value = getattr(value, part)
    return value


def _after(ordering: Sequence[str], values: Sequence[Any]) -> Q:
    """Rows strictly after `values` in this ordering: (a > x) or (a = x and b > y) or …, per direction."""
    condition = Q()
    for i, field in enumerate(ordering):
        name = field.lstrip("-")
        step = Q(**{f"{name}__{'lt' if field.startswith('-') else 'gt'}": values[i]})
        for previous, value in zip(ordering[:i], values[:i], strict=True):
            step &= Q(**{previous.lstrip("-"): value})
        condition |= step
    return condition


def _encode(sort: str, values: Sequence[Any]) -> str:
    tagged = [
        ["t", v.isoformat()]
        if isinstance(v, dt.datetime)
        else ["d", v.isoformat()]
        if isinstance(v, dt.date)
        else ["v", v]
        for v in values
    ]
    return signing.dumps({"s": sort, "k": tagged}, salt=_SALT, compress=True)


def _invalid_cursor() -> ListParamsInvalid:
    return ListParamsInvalid({"cursor": _("Curseur invalide : reprenez la liste depuis le début.")})


def _decode(cursor: str, sort: str, length: int) -> list[Any]:
    invalid = _invalid_cursor()
    try:
        data = signing.loads(cursor, salt=_SALT)
        if data["s"] != sort or len(data["k"]) != length:
            raise invalid
        return [
            dt.datetime.fromisoformat(v) if tag == "t" else dt.date.fromisoformat(v) if tag == "d" else v
            for tag, v in data["k"]
        ]
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise invalid from error


def page_or_error(
    params: QueryDict,
    filterset_class: type[ListFilterSet],
    queryset: QuerySet[M],
    *,
    default_limit: int = DEFAULT_LIMIT,
    request: Any = None,
    labels: Mapping[str, Any] | None = None,
) -> tuple[Page[M] | None, str | None]:
    """For a page: the same list, or the message to show beside the search form instead of an error page,
    each refused field named by its label on the page (`labels`) when it has one."""
    try:
        return paginate(params, filterset_class, queryset, default_limit=default_limit, request=request), None
    except ListParamsInvalid as error:
        labels = labels or {}
        return None, " ".join(
            _("%(field)s : %(message)s") % {"field": labels.get(field, field), "message": message}
            for field, message in error.errors.items()
        )
