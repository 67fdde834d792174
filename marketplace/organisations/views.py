"""Pages of the three roles around an employer: agent, correspondent, officer. Thin: selectors in, services out.

Buttons go through `post_action`, forms through `form_action` (marketplace/web.py); domain errors are shown
by HtmlErrorMiddleware, never caught here.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace import lists
from marketplace.accounts.models import User
from marketplace.core.throttle import throttle
from marketplace.organisations import selectors, services
from marketplace.organisations.filters import OrganisationFilter
from marketplace.organisations.forms import (
    DecisionForm,
    InviteForm,
    OrganisationProfileForm,
    OrganisationRegisterForm,
)
from marketplace.organisations.models import OfficerTerritory, OrganisationStatus
from marketplace.organisations.permissions import is_admin, is_officer
from marketplace.web import form_action, post_action, posted_choice


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _correspondent_page(organisation_id: int) -> str:
    return f"{reverse('organisations:correspondent')}?org={organisation_id}"


@login_required
def my_employer(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    # The same list as GET /api/v1/organisations: one FilterSet, the same errors, the same cursor.
    results, search_error = (
        lists.page_or_error(request.GET, OrganisationFilter, selectors.organisations_validated())
        if request.GET
        else (None, None)
    )
    context = {
        "eligibility": selectors.agent_eligibility(user, timezone.localdate()),
        "employments": selectors.employments_of_agent(user),
        "invitations": selectors.invitations_received(user),
        "query": request.GET.get("q", "").strip(),
        "results": results,
        "search_error": search_error,
    }
    return render(request, "organisations/my_employer.html", context, status=422 if search_error else 200)


@login_required
@require_POST
def employment_request(request: HttpRequest, organisation_id: int) -> HttpResponse:
    user = _user(request)
    organisation = selectors.organisation_get_for_actor(actor=user, organisation_id=organisation_id)
    return post_action(
        request,
        lambda: services.employment_request(actor=user, organisation=organisation),
        success=_("Demande envoyée à votre employeur."),
        next_default="organisations:my_employer",
    )


@login_required
@require_POST
def employment_end(request: HttpRequest, employment_id: int) -> HttpResponse:
    user = _user(request)
    employment = selectors.employment_get_for_actor(actor=user, employment_id=employment_id)
    return post_action(
        request,
        lambda: services.employment_end(actor=user, employment=employment),
        success=_("Rattachement terminé."),
        next_default="organisations:my_employer",
    )


@login_required
@require_POST
def correspondent_request(request: HttpRequest, organisation_id: int) -> HttpResponse:
    user = _user(request)
    organisation = selectors.organisation_get_for_actor(actor=user, organisation_id=organisation_id)
    return post_action(
        request,
        lambda: services.organisation_request_join(actor=user, organisation=organisation),
        success=_("Demande envoyée au chargé de développement du territoire."),
        next_default="organisations:my_employer",
    )


@login_required
def register(request: HttpRequest) -> HttpResponse:
    form = OrganisationRegisterForm(request.POST or None)
    if request.method == "POST":
        if form_action(form, lambda data: services.organisation_register(actor=_user(request), **data)):
            messages.success(request, _("Inscription envoyée : un chargé de développement va l'examiner."))
            return redirect("organisations:my_employer")
        return render(request, "organisations/register.html", {"form": form}, status=422)
    return render(request, "organisations/register.html", {"form": form})


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
        # The correspondent's own request is decided by another correspondent or the officer.
        "pending": selectors.employments_to_decide(current).exclude(agent=user),
        "own_pending": selectors.employments_to_decide(current).filter(agent=user).exists(),
        "staff": selectors.staff_of(current),
        "invitations": selectors.invitations_sent(current),
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
    if form_action(
        form,
        lambda data: services.organisation_update_profile(actor=user, organisation=organisation, **data),
    ):
        messages.success(request, _("Profil de l'employeur enregistré."))
    else:
        messages.error(request, _("Profil non enregistré : %(errors)s") % {"errors": form.errors.as_text()})
    return redirect(_correspondent_page(organisation.pk))


@login_required
@require_POST
def employment_decide(request: HttpRequest, employment_id: int) -> HttpResponse:
    user = _user(request)
    employment = selectors.employment_get_for_actor(actor=user, employment_id=employment_id)
    back = _correspondent_page(employment.organisation_id)
    if posted_choice(request, "decision", ("confirm", "reject")) == "confirm":
        return post_action(
            request,
            lambda: services.employment_confirm(actor=user, employment=employment),
            success=_("Emploi confirmé."),
            next_default=back,
        )
    comment = request.POST.get("comment", "")
    return post_action(
        request,
        lambda: services.employment_reject(actor=user, employment=employment, comment=comment),
        success=_("Demande refusée."),
        next_default=back,
    )


@login_required
@require_POST
@throttle("staff_invite")
def staff_invite(request: HttpRequest, organisation_id: int) -> HttpResponse:
    user = _user(request)
    organisation = selectors.organisation_get_for_actor(actor=user, organisation_id=organisation_id)
    form = InviteForm(request.POST)
    if form_action(form, lambda data: services.staff_invite(actor=user, organisation=organisation, **data)):
        messages.success(
            request,
            _("Invitation envoyée à %(email)s : la personne l'acceptera depuis son compte Réciproque.")
            % {"email": form.cleaned_data["email"]},
        )
    else:
        messages.error(request, _("Invitation non envoyée : %(errors)s") % {"errors": form.errors.as_text()})
    return redirect(_correspondent_page(organisation.pk))


@login_required
@require_POST
def invitation_cancel(request: HttpRequest, invitation_id: int) -> HttpResponse:
    user = _user(request)
    invitation = selectors.invitation_get_for_manager(actor=user, invitation_id=invitation_id)
    return post_action(
        request,
        lambda: services.staff_invitation_cancel(actor=user, invitation=invitation),
        success=_("Invitation annulée."),
        next_default=_correspondent_page(invitation.organisation_id),
    )


@login_required
@require_POST
def invitation_answer(request: HttpRequest, invitation_id: int) -> HttpResponse:
    user = _user(request)
    invitation = selectors.invitation_get_for_invitee(actor=user, invitation_id=invitation_id)
    if posted_choice(request, "answer", ("accept", "decline")) == "accept":
        return post_action(
            request,
            lambda: services.staff_invitation_accept(actor=user, invitation=invitation),
            success=_("Invitation acceptée."),
            next_default="organisations:my_employer",
        )
    return post_action(
        request,
        lambda: services.staff_invitation_decline(actor=user, invitation=invitation),
        success=_("Invitation déclinée."),
        next_default="organisations:my_employer",
    )


@login_required
@require_POST
def staff_revoke(request: HttpRequest, role_id: int) -> HttpResponse:
    user = _user(request)
    role = selectors.staff_role_get_for_actor(actor=user, role_id=role_id)
    return post_action(
        request,
        lambda: services.staff_revoke(actor=user, role=role),
        success=_("Rôle retiré."),
        next_default=_correspondent_page(role.organisation_id),
    )


@login_required
def officer_space(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not (is_officer(user) or is_admin(user)):
        messages.info(request, _("Cet espace est réservé aux chargés de développement."))
        return redirect("frontend:home")
    organisations = selectors.organisations_visible_to(user).exclude(status=OrganisationStatus.PENDING)
    context = {
        "queue": selectors.officer_queue(user),
        "history": selectors.decision_history(user),
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
    if posted_choice(request, "decision", ("validate", "reject")) == "validate":
        return post_action(
            request,
            lambda: services.organisation_validate(actor=user, organisation=organisation, comment=comment),
            success=_("Employeur validé."),
            next_default="organisations:officer",
        )
    return post_action(
        request,
        lambda: services.organisation_reject(actor=user, organisation=organisation, comment=comment),
        success=_("Employeur refusé."),
        next_default="organisations:officer",
    )


@login_required
@require_POST
def staff_role_decide(request: HttpRequest, role_id: int) -> HttpResponse:
    user = _user(request)
    role = selectors.staff_role_get_for_actor(actor=user, role_id=role_id)
    accept = posted_choice(request, "decision", ("validate", "reject")) == "validate"
    comment = request.POST.get("comment", "")
    return post_action(
        request,
        lambda: services.staff_role_decide(actor=user, role=role, accept=accept, comment=comment),
        success=_("Décision enregistrée."),
        next_default="organisations:officer",
    )
