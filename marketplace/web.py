"""The one path for errors on HTML pages, and the two helpers every page uses to write.

- `HtmlErrorMiddleware` turns what a service raises into what a person sees, as `marketplace/api.py` does
  for the API: an invisible object is a 404 page; any other domain error (and a registered database
  constraint, such as a duplicate) is a message on the page the person comes back to (POST) or an error
  page with the error's status (GET). Views never catch domain errors themselves.
- `post_action(request, action, ...)`: a button that runs one service, then goes back where it came from.
  The `next` address is validated before anything is written, so a bad one can neither open a redirect to
  another site nor fail after the write.
- `form_action(form, action)`: a form whose service may refuse a field: the service's InvalidField lands on
  that field (or the one the form's `service_fields` names for it), any other domain error above the form;
  nothing is written.
- `htmx_partial(request)`: the page asked for one of its parts by htmx (the search's results), rather than
  the whole page.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_htmx.middleware import HtmxDetails

from marketplace.errors import Conflict, DomainError, InvalidField, NotFound, constraint_message


def _as_domain_error(exception: Exception) -> DomainError | None:
    if isinstance(exception, DomainError):
        return exception
    if isinstance(exception, IntegrityError):
        name = getattr(getattr(exception.__cause__, "diag", None), "constraint_name", None)
        message = constraint_message(name)
        if message is not None:
            return Conflict(message, detail={"constraint": name})
    return None


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` address of the request when it stays on this site, else `default` (a URL or a URL name)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path of this site ("/correspondant/?org=3"): not "abc", not "//evil.example", not "javascript:".
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(default)


def _back(request: HttpRequest) -> str:
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return "/"


class HtmlErrorMiddleware:
    """HTML pages: NotFound → 404 page; another domain error → message and back (POST) or error page (GET)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        error = _as_domain_error(exception)
        if error is None:
            return None  # a bug, not the person's doing: Django's 500 (and the log) take it
        if isinstance(error, NotFound):
            raise Http404(error.message) from exception
        if request.method == "POST":
            # A refused field says what is wrong with it, not only its name.
            messages.error(request, error.field_message if isinstance(error, InvalidField) else error.message)
            return HttpResponseRedirect(_back(request), status=303)
        return render(
            request,
            "frontend/error.html",
            {"error": error, "status": error.http_status},
            status=error.http_status,
        )


def htmx_partial(request: HttpRequest) -> bool:
    """An htmx request for a part of the page; not htmx restoring a whole page from its history, which
    needs the whole page. The response must then vary on HX-Request (a cache must not mix them up)."""
    details: HtmxDetails | None = getattr(request, "htmx", None)
    return details is not None and bool(details) and not details.history_restore_request


def posted_choice(request: HttpRequest, name: str, choices: tuple[str, ...]) -> str:
    """The value of a button (`decision`, `action`…) among those the page offers; anything else is an
    InvalidField (a message, nothing written), never a silent default."""
    value = request.POST.get(name, "")
    if value not in choices:
        raise InvalidField(name, _("Choix inconnu : %(choices)s.") % {"choices": ", ".join(choices)})
    return value


def post_action(
    request: HttpRequest, action: Callable[[], Any], *, success: str, next_default: str
) -> HttpResponse:
    """Run one service for a button, then redirect to the validated `next` (or `next_default`) with a
    success message. A domain error goes to HtmlErrorMiddleware (message, back to the page)."""
    target = safe_next(request, next_default)
    action()
    messages.success(request, success)
    return HttpResponseRedirect(target, status=303)


def form_action(form: forms.Form, action: Callable[[dict[str, Any]], Any]) -> bool:
    """Validate `form`, run `action(cleaned_data)`; True when it succeeded. A refusal of the service is put
    on the form (on its field for InvalidField), so the page shows it beside what the person typed. A form
    whose fields are not named as the service's arguments maps them in `service_fields` (argument → field)."""
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except InvalidField as error:
        field = getattr(form, "service_fields", {}).get(error.field, error.field)
        form.add_error(field if field in form.fields else None, error.field_message)
        return False
    except NotFound:
        raise
    except DomainError as error:
        form.add_error(None, error.message)
        return False
    return True
