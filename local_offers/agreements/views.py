"""Agreement pages. Correspondent: list, editor, signed document, submit, follow the review, renew. Officer:
the review queue of their départements (filters, waiting times, late reviews flagged), the review page
(document, facilities on a map, history, decision with a comment). Thin: selectors in, services out."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from local_offers import selectors as facility_selectors
from local_offers.agreements import api, selectors, services
from local_offers.agreements.forms import AgreementForm, CommentForm, DocumentForm
from local_offers.agreements.schemas import TRANSITIONS
from local_offers.models import EDITABLE, IN_FORCE, Agreement, AgreementStatus, FacilityStatus
from local_offers.permissions import is_correspondent_of_provider
from marketplace.accounts.models import User
from marketplace.audit.models import AuditEvent
from marketplace.audit.services import audit_history
from marketplace.organisations.models import OfficerTerritory, Organisation
from marketplace.web import form_action, post_action, posted_choice
from marketplace.workflows import transition_allowed

_DONE = {
    "submit": lambda: _("Convention soumise au chargé de développement."),
    "withdraw": lambda: _("Convention retirée."),
    "resubmit": lambda: _("Convention soumise à nouveau."),
    "start_review": lambda: _("Instruction commencée."),
    "request_changes": lambda: _("Modifications demandées."),
    "approve": lambda: _("Convention approuvée."),
    "reject": lambda: _("Convention refusée."),
    "suspend": lambda: _("Convention suspendue."),
    "reinstate": lambda: _("Convention remise en vigueur."),
    "terminate": lambda: _("Convention résiliée."),
}
_SERVICES: dict[str, Any] = {
    "submit": lambda actor, pk, comment: services.agreement_submit(actor=actor, agreement=pk),
    "withdraw": lambda actor, pk, comment: services.agreement_withdraw(
        actor=actor, agreement=pk, reason=comment
    ),
    "resubmit": lambda actor, pk, comment: services.agreement_resubmit(
        actor=actor, agreement=pk, comment=comment
    ),
    "start_review": lambda actor, pk, comment: services.agreement_start_review(actor=actor, agreement=pk),
    "request_changes": lambda actor, pk, comment: services.agreement_request_changes(
        actor=actor, agreement=pk, comment=comment
    ),
    "approve": lambda actor, pk, comment: services.agreement_approve(
        actor=actor, agreement=pk, comment=comment
    ),
    "reject": lambda actor, pk, comment: services.agreement_reject(
        actor=actor, agreement=pk, comment=comment
    ),
    "suspend": lambda actor, pk, comment: services.agreement_suspend(
        actor=actor, agreement=pk, comment=comment
    ),
    "reinstate": lambda actor, pk, comment: services.agreement_reinstate(
        actor=actor, agreement=pk, comment=comment
    ),
    "terminate": lambda actor, pk, comment: services.agreement_terminate(
        actor=actor, agreement=pk, comment=comment
    ),
}


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _detail(agreement_id: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("agreements:detail", args=[agreement_id]), status=303)


@login_required
def agreement_list(request: HttpRequest) -> HttpResponse:
    """A correspondent's agreements (per employer), and an officer's review queue with its late reviews."""
    user = _user(request)
    managed = list(facility_selectors.organisations_managed(user))
    mine = selectors.agreements_visible(user).filter(organisation__in=managed) if managed else []
    territories = list(
        OfficerTerritory.objects.filter(officer=user).select_related("departement").order_by("departement_id")
    )
    queue: list[Agreement] = []
    late: list[Agreement] = []
    status = request.GET.get("status", "")
    departement = request.GET.get("departement", "")
    if territories:
        rows = selectors.review_queue(user)
        if status in AgreementStatus.values:
            rows = rows.filter(status=status)
        if departement:
            rows = rows.filter(covered__facility__departement_id=departement).distinct()
        queue = list(rows[:200])
        late = selectors.late_reviews(user)
    if not managed and not territories:
        raise Http404
    context = {
        "managed": managed,
        "mine": mine,
        "territories": territories,
        "queue": [(a, selectors.waiting_days(a), selectors.is_late(a)) for a in queue],
        "late": late,
        "status": status,
        "departement": departement,
        "statuses": AgreementStatus.choices,
    }
    return render(request, "local_offers/agreements/list.html", context)


def _facilities_for(organisation: Organisation) -> list[Any]:
    return list(
        facility_selectors.facilities_of_organisation(organisation)
        .exclude(status=FacilityStatus.ARCHIVED)
        .order_by("name")
    )


def _editor(
    request: HttpRequest, organisation: Organisation, form: AgreementForm, agreement: Agreement | None
) -> HttpResponse:
    context = {"organisation": organisation, "form": form, "agreement": agreement}
    return render(request, "local_offers/agreements/editor.html", context, status=422 if form.errors else 200)


@login_required
def agreement_new(request: HttpRequest, organisation_id: int) -> HttpResponse:
    user = _user(request)
    organisation = facility_selectors.organisation_managed(actor=user, organisation_id=organisation_id)
    facilities = _facilities_for(organisation)
    if request.method != "POST":
        return _editor(request, organisation, AgreementForm(facilities=facilities), None)
    form = AgreementForm(request.POST, facilities=facilities)
    created: list[Agreement] = []
    if form.is_valid() and form_action(
        form,
        lambda data: created.append(
            services.agreement_create(actor=user, organisation_id=organisation.pk, **form.service_data())
        ),
    ):
        return _detail(created[0].pk)
    return _editor(request, organisation, form, None)


def _initial(agreement: Agreement) -> dict[str, Any]:
    import datetime as dt

    return {
        "facilities": [str(row.facility_id) for row in agreement.covered.all()],
        "benefit_kind": agreement.benefit_kind,
        "benefit_value": agreement.benefit_value,
        "conditions": agreement.conditions,
        "party_min": agreement.party_min,
        "party_max": agreement.party_max,
        "audience_all": agreement.audience_all,
        "audience_regions": [r.code for r in agreement.audience_regions.all()],
        "audience_departements": [d.code for d in agreement.audience_departements.all()],
        "quota_per_agent": agreement.quota_per_agent,
        "quota_total": agreement.quota_total,
        "valid_from": agreement.validity.lower,
        "valid_until": agreement.validity.upper - dt.timedelta(days=1),
    }


@login_required
def agreement_edit(request: HttpRequest, agreement_id: int) -> HttpResponse:
    user = _user(request)
    agreement = selectors.agreement_get(actor=user, agreement_id=agreement_id)
    if not is_correspondent_of_provider(user, agreement) or agreement.status not in EDITABLE:
        return _detail(agreement.pk)
    facilities = _facilities_for(agreement.organisation)
    if request.method != "POST":
        return _editor(
            request,
            agreement.organisation,
            AgreementForm(initial=_initial(agreement), facilities=facilities),
            agreement,
        )
    form = AgreementForm(request.POST, facilities=facilities)
    if form.is_valid() and form_action(
        form,
        lambda data: services.agreement_update(actor=user, agreement=agreement.pk, **form.service_data()),
    ):
        return _detail(agreement.pk)
    return _editor(request, agreement.organisation, form, agreement)


def _history(agreement: Agreement) -> list[AuditEvent]:
    return list(audit_history(agreement))


@login_required
def agreement_detail(
    request: HttpRequest, agreement_id: int, *, document_form: DocumentForm | None = None
) -> HttpResponse:
    user = _user(request)
    agreement = selectors.agreement_get(actor=user, agreement_id=agreement_id)
    is_provider = is_correspondent_of_provider(user, agreement) or user.is_superuser
    allowed = [name for name in TRANSITIONS if transition_allowed(agreement, name, user)]
    context = {
        "agreement": agreement,
        "covered": [row.facility for row in agreement.covered.all()],
        "history": _history(agreement),
        "allowed": allowed,
        "needs_comment": [n for n in allowed if n in ("request_changes", "reject", "suspend", "terminate")],
        "is_provider": is_provider,
        "editable": is_provider and agreement.status in EDITABLE,
        "renewable": is_provider
        and agreement.status in (*IN_FORCE, AgreementStatus.EXPIRED)
        and not Agreement.objects.filter(previous=agreement).exists(),
        "waiting_days": selectors.waiting_days(agreement),
        "late": selectors.is_late(agreement),
        "comment_form": CommentForm(),
        "document_form": document_form or DocumentForm(),
    }
    return render(
        request,
        "local_offers/agreements/detail.html",
        context,
        status=422 if document_form and document_form.errors else 200,
    )


@login_required
def agreement_document(request: HttpRequest, agreement_id: int) -> FileResponse:
    return api.document_response(selectors.agreement_get(actor=_user(request), agreement_id=agreement_id))


@login_required
@require_POST
def agreement_document_upload(request: HttpRequest, agreement_id: int) -> HttpResponse:
    user = _user(request)
    agreement = selectors.agreement_get(actor=user, agreement_id=agreement_id)
    form = DocumentForm(request.POST, request.FILES)
    service_fields = {"document": "document"}
    form.service_fields = service_fields  # type: ignore[attr-defined]
    if form_action(
        form,
        lambda data: services.agreement_document_upload(
            actor=user, agreement=agreement.pk, upload=data["document"]
        ),
    ):
        return _detail(agreement.pk)
    return agreement_detail(request, agreement_id, document_form=form)


@login_required
@require_POST
def agreement_act(request: HttpRequest, agreement_id: int) -> HttpResponse:
    user = _user(request)
    agreement = selectors.agreement_get(actor=user, agreement_id=agreement_id)
    name = posted_choice(request, "transition", TRANSITIONS)
    comment = request.POST.get("comment", "")
    return post_action(
        request,
        lambda: _SERVICES[name](user, agreement.pk, comment),
        success=_DONE[name](),
        next_default=reverse("agreements:detail", args=[agreement.pk]),
    )


@login_required
@require_POST
def agreement_renew(request: HttpRequest, agreement_id: int) -> HttpResponse:
    user = _user(request)
    agreement = selectors.agreement_get(actor=user, agreement_id=agreement_id)
    renewed = services.agreement_renew(actor=user, agreement=agreement.pk)
    return HttpResponseRedirect(reverse("agreements:edit", args=[renewed.pk]), status=303)
