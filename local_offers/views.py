"""Pages of local offers: the offers map (agents), a facility's page, the correspondent's list and editor.
Thin: FilterSet and selectors in, services out."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from geo.selectors import commune_from_label
from local_offers import selectors, services
from local_offers.agreements.selectors import active_agreements_for_facility
from local_offers.filters import FacilitySearchFilter, MyFacilitiesFilter
from local_offers.forms import FacilityForm, OfferSearchForm, PhotoForm, facility_initial, hour_slots
from local_offers.models import Facility, Weekday
from local_offers.vouchers import selectors as voucher_selectors
from local_offers.vouchers.forms import VoucherRequestForm
from marketplace import lists
from marketplace.accounts.models import User
from marketplace.errors import InvalidField
from marketplace.organisations.models import Organisation
from marketplace.web import form_action, post_action, posted_choice

SEARCH_LIMIT = 30


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _search_params(request: HttpRequest) -> tuple[QueryDict, str | None]:
    """The page's form as the FilterSet's parameters: a commune typed becomes `near` + `radius`."""
    params = QueryDict(mutable=True)
    error = None
    place = request.GET.get("place", "").strip()
    if place:
        commune = commune_from_label(place)
        if commune is None:
            error = _("Commune introuvable : choisissez-la dans la liste (nom et département).")
        else:
            params["near"] = f"{commune.point.x:.6f},{commune.point.y:.6f}"
            radius = request.GET.get("radius_km", "20")
            params["radius"] = (
                str(int(radius) * 1000) if radius.isdigit() and 1 <= int(radius) <= 200 else radius
            )
    for name in ("category", "open_on", "bbox", "cursor"):
        if request.GET.get(name):
            params[name] = request.GET[name]
    if request.GET.get("with_benefit"):
        params["covered"] = timezone.localdate().isoformat()
    accessibility = [v for v in request.GET.getlist("accessibility") if v]
    if accessibility:
        params["accessibility"] = ",".join(accessibility)
    return params, error


@login_required
def offers_map(request: HttpRequest) -> HttpResponse:
    """The offers map: filters, the nearest facilities in a list, every match on the map (tiles)."""
    params, place_error = _search_params(request)
    labels = {
        **{name: field.label for name, field in OfferSearchForm.base_fields.items()},
        "near": _("Près de (commune)"),
        "radius": _("Dans un rayon de"),
        "bbox": _("Zone de la carte"),
    }
    page, error = lists.page_or_error(
        params,
        FacilitySearchFilter,
        selectors.facilities_searchable(),
        default_limit=SEARCH_LIMIT,
        labels=labels,
    )
    tile_params = params.copy()
    for name in ("bbox", "cursor"):
        tile_params.pop(name, None)
    next_query = None
    if page and page.next:
        following = request.GET.copy()
        following["cursor"] = page.next
        next_query = following.urlencode()
    context = {
        "form": OfferSearchForm(request.GET or None),
        "page": page,
        "error": place_error or error,
        "tile_query": tile_params.urlencode(),
        "next_query": next_query,
        "bbox": request.GET.get("bbox", ""),
        "centre": params.get("near", ""),
        # The card's short day names, in the page's language.
        "weekdays": ",".join(str(day.label)[:3] + "." for day in Weekday),
    }
    return render(
        request, "local_offers/offers_map.html", context, status=422 if (place_error or error) else 200
    )


@login_required
def facility_detail(request: HttpRequest, facility_id: int) -> HttpResponse:
    facility = selectors.facility_get_for_actor(actor=_user(request), facility_id=facility_id)
    manages = Facility.objects.managed_by(_user(request)).filter(pk=facility.pk).exists()
    benefits = active_agreements_for_facility(facility)
    offers = voucher_selectors.offers_for_agent(actor=_user(request), facility=facility)
    context = {
        "facility": facility,
        "manages": manages,
        "benefits": benefits,
        "offers": offers,
        # The swap pages link here with the stay's dates (?du=…&au=…): the form starts with them.
        "form": VoucherRequestForm(
            initial={"facility_id": facility.pk, **voucher_selectors.stay_dates(request.GET)}
        ),
    }
    return render(request, "local_offers/facility_detail.html", context)


def _managed_organisation(request: HttpRequest) -> tuple[Organisation, list[Organisation]]:
    managed = list(selectors.organisations_managed(_user(request)))
    wanted = request.GET.get("organisation") or request.POST.get("organisation")
    if wanted:
        if not wanted.isdigit():
            raise Http404
        organisation = selectors.organisation_managed(actor=_user(request), organisation_id=int(wanted))
    elif managed:
        organisation = managed[0]
    else:
        raise Http404
    return organisation, managed


@login_required
def manage_list(request: HttpRequest) -> HttpResponse:
    """The correspondent's facilities, every status, with the exports."""
    organisation, managed = _managed_organisation(request)
    params = request.GET.copy()
    params.pop("organisation", None)
    page, error = lists.page_or_error(
        params, MyFacilitiesFilter, selectors.facilities_of_organisation(organisation), default_limit=50
    )
    return render(
        request,
        "local_offers/manage_list.html",
        {"organisation": organisation, "managed": managed, "page": page, "error": error},
    )


def _structures(organisation: Organisation) -> list[tuple[int, str]]:
    return [(s.pk, f"{s.name} (SIRET {s.siret})") for s in selectors.structures_of(organisation)]


@login_required
def facility_new(request: HttpRequest) -> HttpResponse:
    organisation, _managed = _managed_organisation(request)
    form = FacilityForm(request.POST or None, structures=_structures(organisation))
    created: list[Facility] = []
    if request.method == "POST" and form_action(
        form,
        lambda _data: created.append(
            services.facility_create(actor=_user(request), organisation=organisation, **form.service_data())
        ),
    ):
        return redirect("local_offers:edit", created[0].pk)
    return _editor(request, form, organisation, None)


@login_required
def facility_edit(request: HttpRequest, facility_id: int) -> HttpResponse:
    facility = selectors.facility_get_for_manager(actor=_user(request), facility_id=facility_id)
    form = FacilityForm(
        request.POST or None,
        initial=facility_initial(facility),
        structures=_structures(facility.organisation),
        closures_count=len(facility.closures.all()),
        hours_per_day=hour_slots(facility),
    )
    if request.method == "POST" and form_action(
        form,
        lambda _data: services.facility_update(
            actor=_user(request), facility=facility, **form.service_data()
        ),
    ):
        return redirect("local_offers:edit", facility.pk)
    return _editor(request, form, facility.organisation, facility)


def _editor(
    request: HttpRequest, form: FacilityForm, organisation: Organisation, facility: Facility | None
) -> HttpResponse:
    status = 422 if request.method == "POST" else 200
    context: dict[str, Any] = {
        "form": form,
        "organisation": organisation,
        "facility": facility,
        "photo_form": PhotoForm(),
    }
    return render(request, "local_offers/editor.html", context, status=status)


TRANSITIONS = {
    "publish": (services.facility_publish, _("Équipement publié : les agents le trouvent sur la carte.")),
    "unpublish": (services.facility_unpublish, _("Équipement retiré de la carte (brouillon).")),
    "archive": (services.facility_archive, _("Équipement archivé.")),
    "restore": (services.facility_restore, _("Équipement restauré (brouillon).")),
}


@login_required
@require_POST
def facility_status(request: HttpRequest, facility_id: int) -> HttpResponse:
    facility = selectors.facility_get_for_manager(actor=_user(request), facility_id=facility_id)
    transition = posted_choice(request, "transition", tuple(TRANSITIONS))
    run, success = TRANSITIONS[transition]
    return post_action(
        request,
        lambda: run(actor=_user(request), facility=facility),
        success=str(success),
        next_default=reverse("local_offers:edit", args=[facility.pk]),
    )


@login_required
@require_POST
def photo_add(request: HttpRequest, facility_id: int) -> HttpResponse:
    facility = selectors.facility_get_for_manager(actor=_user(request), facility_id=facility_id)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise InvalidField(field, " ".join(str(e) for e in errors))
    return post_action(
        request,
        lambda: services.photo_add(
            actor=_user(request),
            facility=facility,
            upload=form.cleaned_data["photo"],
            alt_text=form.cleaned_data["alt_text"],
        ),
        success=_("Photo ajoutée."),
        next_default=reverse("local_offers:edit", args=[facility.pk]),
    )


@login_required
@require_POST
def photo_delete(request: HttpRequest, facility_id: int, photo_id: int) -> HttpResponse:
    facility = selectors.facility_get_for_manager(actor=_user(request), facility_id=facility_id)
    photo = selectors.photo_get_for_manager(actor=_user(request), facility=facility, photo_id=photo_id)
    return post_action(
        request,
        lambda: services.photo_delete(actor=_user(request), photo=photo),
        success=_("Photo retirée."),
        next_default=reverse("local_offers:edit", args=[facility.pk]),
    )
