"""/api/v1/agreements: list (scoped to the actor), create, read, edit while editable, one POST per transition,
the signed document (upload, download). Session auth with CSRF. An agreement the actor may not see is a 404;
a wrong field a 422 naming it; a wrong state a 409; nothing is written on failure."""

from collections.abc import Callable
from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import File, Router, UploadedFile
from ninja.responses import Status
from ninja.security import django_auth

from local_offers.agreements import selectors, services
from local_offers.agreements.schemas import AgreementEdit, AgreementIn, AgreementOut, AssignIn, CommentIn
from local_offers.exceptions import AgreementDocumentNotFound
from local_offers.models import Agreement
from marketplace.accounts.models import User

router = Router(tags=["agreements"], auth=django_auth)


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _read(request: HttpRequest, agreement_id: int) -> Agreement:
    return selectors.agreement_get(actor=_actor(request), agreement_id=agreement_id)


@router.get("", url_name="agreement_list", response=list[AgreementOut], summary="Les conventions que je vois")
def agreement_list(request: HttpRequest, status: str = "") -> list[Agreement]:
    rows = selectors.agreements_visible(_actor(request))
    if status:
        rows = rows.filter(status=status)
    return list(rows[:200])


@router.post(
    "",
    url_name="agreement_create",
    response={201: AgreementOut},
    summary="Proposer une convention (brouillon)",
)
def agreement_create(request: HttpRequest, payload: AgreementIn) -> Status[Agreement]:
    data = payload.dict()
    organisation_id = data.pop("organisation_id")
    agreement = services.agreement_create(actor=_actor(request), organisation_id=organisation_id, **data)
    return Status(201, _read(request, agreement.pk))


@router.get("/{agreement_id}", url_name="agreement_read", response=AgreementOut, summary="Une convention")
def agreement_read(request: HttpRequest, agreement_id: int) -> Agreement:
    return _read(request, agreement_id)


@router.put(
    "/{agreement_id}",
    url_name="agreement_update",
    response=AgreementOut,
    summary="Modifier un brouillon ou une convention à modifier (correspondant)",
)
def agreement_update(request: HttpRequest, agreement_id: int, payload: AgreementEdit) -> Agreement:
    services.agreement_update(actor=_actor(request), agreement=agreement_id, **payload.dict())
    return _read(request, agreement_id)


def _comment_step(name: str, service: Callable[..., Agreement], summary: str) -> None:
    def step(request: HttpRequest, agreement_id: int, payload: CommentIn) -> Agreement:
        _read(request, agreement_id)  # 404 first for the invisible
        service(actor=_actor(request), agreement=agreement_id, comment=payload.comment)
        return _read(request, agreement_id)

    step.__name__ = f"agreement_{name.replace('-', '_')}"
    router.post(f"/{{agreement_id}}/{name}", url_name=step.__name__, response=AgreementOut, summary=summary)(
        step
    )


def _plain_step(name: str, service: Callable[..., Agreement], summary: str) -> None:
    def step(request: HttpRequest, agreement_id: int) -> Agreement:
        _read(request, agreement_id)
        service(actor=_actor(request), agreement=agreement_id)
        return _read(request, agreement_id)

    step.__name__ = f"agreement_{name.replace('-', '_')}"
    router.post(f"/{{agreement_id}}/{name}", url_name=step.__name__, response=AgreementOut, summary=summary)(
        step
    )


def _withdraw(*, actor: User, agreement: int, comment: str) -> Agreement:
    return services.agreement_withdraw(actor=actor, agreement=agreement, reason=comment)


_plain_step("submit", services.agreement_submit, "Soumettre (correspondant ; document signé requis)")
_comment_step("withdraw", _withdraw, "Retirer (correspondant)")
_comment_step(
    "resubmit", services.agreement_resubmit, "Soumettre à nouveau après modifications (correspondant)"
)
_plain_step("start-review", services.agreement_start_review, "Prendre en instruction (chargé du territoire)")
_comment_step(
    "request-changes", services.agreement_request_changes, "Demander des modifications (commentaire)"
)
_comment_step("approve", services.agreement_approve, "Approuver (chargé du territoire)")
_comment_step("reject", services.agreement_reject, "Refuser (commentaire requis)")
_comment_step("suspend", services.agreement_suspend, "Suspendre une convention en vigueur (motif requis)")
_comment_step("reinstate", services.agreement_reinstate, "Remettre en vigueur une convention suspendue")
_comment_step("terminate", services.agreement_terminate, "Résilier (motif requis)")


@router.post(
    "/{agreement_id}/assign",
    url_name="agreement_assign",
    response=AgreementOut,
    summary="Confier à un autre chargé",
)
def agreement_assign(request: HttpRequest, agreement_id: int, payload: AssignIn) -> Agreement:
    _read(request, agreement_id)
    services.agreement_assign(actor=_actor(request), agreement=agreement_id, officer_id=payload.officer_id)
    return _read(request, agreement_id)


@router.post(
    "/{agreement_id}/renew",
    url_name="agreement_renew",
    response={201: AgreementOut},
    summary="Renouveler : une nouvelle version (brouillon) liée à celle-ci",
)
def agreement_renew(request: HttpRequest, agreement_id: int) -> Status[Agreement]:
    _read(request, agreement_id)
    renewed = services.agreement_renew(actor=_actor(request), agreement=agreement_id)
    return Status(201, _read(request, renewed.pk))


@router.post(
    "/{agreement_id}/document",
    url_name="agreement_document_upload",
    response=AgreementOut,
    summary="Déposer la convention signée (PDF, 5 Mo au plus)",
)
def agreement_document_upload(
    request: HttpRequest, agreement_id: int, document: File[UploadedFile]
) -> Agreement:
    _read(request, agreement_id)
    services.agreement_document_upload(actor=_actor(request), agreement=agreement_id, upload=document)
    return _read(request, agreement_id)


@router.get(
    "/{agreement_id}/document",
    url_name="agreement_document",
    response={200: Any},
    summary="Télécharger la convention signée",
)
def agreement_document(request: HttpRequest, agreement_id: int) -> FileResponse:
    return document_response(_read(request, agreement_id))


def document_response(agreement: Agreement) -> FileResponse:
    """The stored PDF, downloaded, never sniffed, able to run nothing (CSP sandbox)."""
    if not agreement.document:
        raise AgreementDocumentNotFound()
    response = FileResponse(
        agreement.document.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=agreement.document_name or f"convention-{agreement.pk}.pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
