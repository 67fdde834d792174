"""Pages of the three roles around an employer: agent, correspondent, officer. Thin: selectors in, services out."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.accounts.models import User
from marketplace.errors import DomainError, InvalidField
from marketplace.organisations import selectors, services
from marketplace.organisations.forms import (
    DecisionForm,
    InviteForm,
    OrganisationProfileForm,
    OrganisationRegisterForm,
)
from marketplace.organisations.models import OfficerTerritory
from marketplace.organisations.permissions import is_admin, is_officer


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _act(request: HttpRequest, action: Callable[[], object], success: str, to: str) -> HttpResponse:
    """Run a service; its domain error, if any, becomes a message on the page the user comes back to."""
    try:
        action()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect(to)


@login_required
def my_employer(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    query = request.GET.get("q", "").strip()
    context = {
        "eligibility": selectors.agent_eligibility(user, timezone.localdate()),
        "employments": selectors.employments_of_agent(user),
        "query": query,
        "results": selectors.organisation_search(query=query) if len(query) >= 2 else None,
    }
    return render(request, "organisations/my_employer.html", context)


@login_required
@require_POST
def employment_request(request: HttpRequest, organisation_id: int) -> HttpResponse:
    user = _user(request)
    organisation = selectors.organisation_get_for_actor(actor=user, organisation_id=organisation_id)
    return _act(
        request,
        lambda: services.employment_request(actor=user, organisation=organisation),
        _("Demande envoyée à votre employeur."),
        "organisations:my_employer",
    )


@login_required
@require_POST
def employment_end(request: HttpRequest, employment_id: int) -> HttpResponse:
    user = _user(request)
    employment = selectors.employment_get_for_actor(actor=user, employment_id=employment_id)
    return _act(
        request,
        lambda: services.employment_end(actor=user, employment=employment),
        _("Rattachement terminé."),
        request.POST.get("next") or "organisations:my_employer",
    )


@login_required
@require_POST
def correspondent_request(request: HttpRequest, organisation_id: int) -> HttpResponse:
    user = _user(request)
    organisation = selectors.organisation_get_for_actor(actor=user, organisation_id=organisation_id)
    return _act(
        request,
        lambda: services.organisation_request_join(actor=user, organisation=organisation),
        _("Demande envoyée au chargé de développement du territoire."),
        "organisations:my_employer",
    )


@login_required
def register(request: HttpRequest) -> HttpResponse:
    form = OrganisationRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_register(actor=_user(request), **form.cleaned_data)
        except InvalidField as error:
            form.add_error(error.field if error.field in form.fields else None, error.field_message)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Inscription envoyée : un chargé de développement va l'examiner."))
            return redirect("organisations:my_employer")
    status = 422 if request.method == "POST" else 200
    return render(request, "organisations/register.html", {"form": form}, status=status)


@login_required
def correspondent_space(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    managed = list(selectors.organisations_managed_by(user))
    if not managed:
        messages.info(request, _("Vous n'êtes correspondant d'aucun employeur validé."))
        return redirect("organisations:my_employer")
    current = next((o for o in managed if str(o.pk) == request.GET.get("org")), managed[0])
    context = {
        "managed": managed,
        "organisation": current,
        "pending": selectors.employments_to_decide(current),
        "staff": selectors.staff_of(current),
        "invite_form": InviteForm(),
        "decision_form": DecisionForm(),
        "profile_form": OrganisationProfileForm(
            initial={
                "agents_count": current.agents_count,
                "contact_email": current.contact_email,
                "contact_phone": current.contact_phone,
            }
        ),
    }
    return render(request, "organisations/correspondent.html", context)


@login_required
@require_POST
def organisation_profile(request: HttpRequest, organisation_id: int) -> HttpResponse:
    user = _user(request)
    organisation = selectors.organisation_get_for_actor(actor=user, organisation_id=organisation_id)
    form = OrganisationProfileForm(request.POST)
    back = f"/correspondant/?org={organisation.pk}"
    if not form.is_valid():
        messages.error(request, _("Profil non enregistré : %(errors)s") % {"errors": form.errors.as_text()})
        return redirect(back)
    return _act(
        request,
        lambda: services.organisation_update_profile(
            actor=user, organisation=organisation, **form.cleaned_data
        ),
        _("Profil de l'employeur enregistré."),
        back,
    )


@login_required
@require_POST
def employment_decide(request: HttpRequest, employment_id: int) -> HttpResponse:
    user = _user(request)
    employment = selectors.employment_get_for_actor(actor=user, employment_id=employment_id)
    back = f"/correspondant/?org={employment.organisation_id}"
    if request.POST.get("decision") == "confirm":
        return _act(
            request,
            lambda: services.employment_confirm(actor=user, employment=employment),
            _("Emploi confirmé."),
            back,
        )
    comment = request.POST.get("comment", "")
    return _act(
        request,
        lambda: services.employment_reject(actor=user, employment=employment, comment=comment),
        _("Demande refusée."),
        back,
    )


@login_required
@require_POST
def staff_invite(request: HttpRequest, organisation_id: int) -> HttpResponse:
    user = _user(request)
    organisation = selectors.organisation_get_for_actor(actor=user, organisation_id=organisation_id)
    form = InviteForm(request.POST)
    back = f"/correspondant/?org={organisation.pk}"
    if not form.is_valid():
        messages.error(request, _("Adresse e-mail ou rôle invalide."))
        return redirect(back)
    return _act(
        request,
        lambda: services.staff_invite(actor=user, organisation=organisation, **form.cleaned_data),
        _("Rôle attribué."),
        back,
    )


@login_required
@require_POST
def staff_revoke(request: HttpRequest, role_id: int) -> HttpResponse:
    user = _user(request)
    role = selectors.staff_role_get_for_actor(actor=user, role_id=role_id)
    return _act(
        request,
        lambda: services.staff_revoke(actor=user, role=role),
        _("Rôle retiré."),
        f"/correspondant/?org={role.organisation_id}",
    )


@login_required
def officer_space(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not (is_officer(user) or is_admin(user)):
        messages.info(request, _("Cet espace est réservé aux chargés de développement."))
        return redirect("frontend:home")
    organisations = selectors.organisations_visible_to(user).exclude(status="pending")
    history = selectors.decision_history(user)
    context = {
        "queue": selectors.officer_queue(user),
        "history": history,
        "decision_form": DecisionForm(),
        "territories": OfficerTerritory.objects.filter(officer=user)
        .select_related("departement")
        .order_by("departement_id"),
        "decided_count": organisations.count(),
    }
    return render(request, "organisations/officer.html", context)


@login_required
@require_POST
def organisation_decide(request: HttpRequest, organisation_id: int) -> HttpResponse:
    user = _user(request)
    organisation = selectors.organisation_get_for_actor(actor=user, organisation_id=organisation_id)
    comment = request.POST.get("comment", "")
    if request.POST.get("decision") == "validate":
        return _act(
            request,
            lambda: services.organisation_validate(actor=user, organisation=organisation, comment=comment),
            _("Employeur validé."),
            "organisations:officer",
        )
    return _act(
        request,
        lambda: services.organisation_reject(actor=user, organisation=organisation, comment=comment),
        _("Employeur refusé."),
        "organisations:officer",
    )


@login_required
@require_POST
def staff_role_decide(request: HttpRequest, role_id: int) -> HttpResponse:
    user = _user(request)
    role = selectors.staff_role_get_for_actor(actor=user, role_id=role_id)
    accept = request.POST.get("decision") == "validate"
    comment = request.POST.get("comment", "")
    return _act(
        request,
        lambda: services.staff_role_decide(actor=user, role=role, accept=accept, comment=comment),
        _("Décision enregistrée."),
        "organisations:officer",
    )
