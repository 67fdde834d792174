"""Pages: the notification centre, the e-mail preferences, the one-click unsubscribe landing."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from marketplace import lists
from marketplace.accounts.models import User
from marketplace.notifications import selectors, services
from marketplace.notifications.filters import NotificationFilter
from marketplace.notifications.forms import PreferencesForm
from marketplace.notifications.models import Topic
from marketplace.web import form_action, post_action


@login_required
def centre(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    page = lists.paginate(request.GET, NotificationFilter, selectors.notifications_of(request.user))
    rows = [services.notification_data(n) for n in page.items]
    return render(request, "notifications/centre.html", {"rows": rows, "next": page.next})


@login_required
@require_http_methods(["POST"])
def read_all(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    user = request.user
    return post_action(
        request,
        lambda: services.notifications_mark_all_read(actor=user),
        success=_("Toutes les notifications sont lues."),
        next_default="notifications:centre",
    )


@login_required
@require_http_methods(["POST"])
def open_one(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one read, then follow its link."""
    assert isinstance(request.user, User)
    found = selectors.notification_get_for_actor(actor=request.user, notification_id=notification_id)
    services.notification_mark_read(actor=request.user, notification=found)
    return redirect(
        found.link
        if found.link.startswith("/") and not found.link.startswith("//")
        else "notifications:centre"
    )


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    user = request.user
    form = PreferencesForm(request.POST or None, initial=selectors.preferences_of(user))
    if request.method == "POST" and form_action(
        form, lambda data: services.preferences_set(actor=user, deliveries=data)
    ):
        return post_action(
            request,
            lambda: None,
            success=_("Préférences enregistrées."),
            next_default="notifications:preferences",
        )
    return render(request, "notifications/preferences.html", {"form": form})


@csrf_exempt  # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" without a session; the token is signed
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (mail scanners follow links); POST (the button or the one-click) switches off."""
    if request.method == "POST":
        done = services.preference_unsubscribe(token=token)
        if done is None:
            raise Http404
        return render(
            request, "notifications/unsubscribe.html", {"done": True, "topic": Topic(done[1]).label}
        )
    return render(request, "notifications/unsubscribe.html", {"done": False})
