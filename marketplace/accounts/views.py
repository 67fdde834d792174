"""Account pages: profile, photo, data export and deletion. Thin: forms in, services out."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.accounts import services
from marketplace.accounts.api import export as api_export
from marketplace.accounts.exceptions import WrongPassword
from marketplace.accounts.forms import AvatarForm, DeleteAccountForm, ProfileForm
from marketplace.accounts.models import User
from marketplace.core.throttle import throttle
from marketplace.errors import InvalidField


def _page(request: HttpRequest, user: User, **forms: object) -> HttpResponse:
    context = {
        "profile_form": ProfileForm(
            initial={
                "display_name": user.display_name,
                "phone": user.phone,
                "preferred_language": user.preferred_language,
            }
        ),
        "avatar_form": AvatarForm(),
        "delete_form": DeleteAccountForm(),
        **forms,
    }
    return render(request, "accounts/profile.html", context, status=422 if forms else 200)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if request.method != "POST":
        return _page(request, user)
    form = ProfileForm(request.POST)
    if not form.is_valid():
        return _page(request, user, profile_form=form)
    services.user_update_profile(actor=user, **form.cleaned_data)
    messages.success(request, _("Profil enregistré."))
    return redirect("accounts:profile")


@login_required
@require_POST
@throttle("avatar")
def avatar(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = AvatarForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            return _page(request, user, avatar_form=form)
        services.user_set_avatar(actor=user, upload=form.cleaned_data["avatar"])
    except InvalidField as error:
        form.add_error("avatar", error.field_message)
        return _page(request, user, avatar_form=form)
    messages.success(request, _("Photo enregistrée."))
    return redirect("accounts:profile")


@login_required
def export(request: HttpRequest) -> HttpResponse:
    return api_export(request)


@login_required
@require_POST
@throttle("account_delete")
def delete(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = DeleteAccountForm(request.POST)
    try:
        if not form.is_valid():
            return _page(request, user, delete_form=form)
        services.user_delete(actor=user, password=form.cleaned_data["password"])
    except WrongPassword as error:
        form.add_error("password", error.message)
        return _page(request, user, delete_form=form)
    logout(request)
    messages.success(request, _("Votre compte et vos données ont été supprimés."))
    return redirect("frontend:home")
