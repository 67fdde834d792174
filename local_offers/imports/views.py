"""The import wizard of a correspondent: upload → mapping → preview → confirm → progress → report.
Thin: selectors in, services out; a refused file is shown on the form, never caught otherwise."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from local_offers.imports import selectors, services
from local_offers.imports.forms import ConfirmForm, MappingForm, UploadForm
from local_offers.imports.models import FacilityImport, ImportStatus
from marketplace.accounts.models import User
from marketplace.core.throttle import throttle
from marketplace.web import form_action

RECENT = 20


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _detail(record: FacilityImport, anchor: str = "") -> HttpResponse:
    url = reverse("facility_imports:detail", args=[record.organisation_id, record.pk])
    return HttpResponseRedirect(url + anchor, status=303)


def _list(request: HttpRequest, organisation_id: int, form: UploadForm) -> HttpResponse:
    organisation = selectors.organisation_for_import(actor=_user(request), organisation_id=organisation_id)
    imports = selectors.facility_imports_of(actor=_user(request), organisation_id=organisation.pk)[:RECENT]
    context = {"organisation": organisation, "form": form, "imports": imports}
    return render(request, "local_offers/imports/list.html", context, status=422 if form.errors else 200)


@login_required
def import_list(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """The employer's imports and the upload form."""
    return _list(request, organisation_id, UploadForm())


@login_required
@require_POST
@throttle("facility_import")
def import_upload(request: HttpRequest, organisation_id: int) -> HttpResponse:
    user = _user(request)
    organisation = selectors.organisation_for_import(actor=user, organisation_id=organisation_id)
    form = UploadForm(request.POST, request.FILES)
    created: list[FacilityImport] = []
    if form_action(
        form,
        lambda data: created.append(
            services.facility_import_upload(actor=user, organisation_id=organisation.pk, upload=data["file"])
        ),
    ):
        return _detail(created[0])
    return _list(request, organisation_id, form)


def _context(request: HttpRequest, record: FacilityImport) -> dict[str, object]:
    return {
        "organisation": record.organisation,
        "record": record,
        "mapping_form": MappingForm(record=record),
        "confirm_form": ConfirmForm(initial={"publish": record.publish}),
    }


@login_required
def import_detail(request: HttpRequest, organisation_id: int, import_id: int) -> HttpResponse:
    record = selectors.facility_import_get_for_actor(
        actor=_user(request), organisation_id=organisation_id, import_id=import_id
    )
    return render(request, "local_offers/imports/detail.html", _context(request, record))


@login_required
@require_POST
def import_preview(request: HttpRequest, organisation_id: int, import_id: int) -> HttpResponse:
    user = _user(request)
    record = selectors.facility_import_get_for_actor(
        actor=user, organisation_id=organisation_id, import_id=import_id
    )
    form = MappingForm(request.POST, record=record)
    if form_action(
        form,
        lambda data: services.facility_import_preview(
            actor=user, facility_import=record, mapping=form.mapping(), crs=data.get("crs") or None
        ),
    ):
        return _detail(record, "#apercu")
    context = {**_context(request, record), "mapping_form": form}
    return render(request, "local_offers/imports/detail.html", context, status=422)


@login_required
@require_POST
def import_confirm(request: HttpRequest, organisation_id: int, import_id: int) -> HttpResponse:
    user = _user(request)
    record = selectors.facility_import_get_for_actor(
        actor=user, organisation_id=organisation_id, import_id=import_id
    )
    form = ConfirmForm(request.POST)
    if form_action(
        form,
        lambda data: services.facility_import_confirm(
            actor=user, facility_import=record, publish=data["publish"]
        ),
    ):
        return _detail(record)
    context = {**_context(request, record), "confirm_form": form}
    return render(request, "local_offers/imports/detail.html", context, status=409)


@login_required
def import_progress(request: HttpRequest, organisation_id: int, import_id: int) -> HttpResponse:
    """The progress bar alone (htmx polls it every second while the worker runs), then the report."""
    record = selectors.facility_import_get_for_actor(
        actor=_user(request), organisation_id=organisation_id, import_id=import_id
    )
    response = render(
        request, "local_offers/imports/_progress.html", {"record": record, "RUNNING": ImportStatus.RUNNING}
    )
    response["Cache-Control"] = "no-store"
    return response
