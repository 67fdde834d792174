"""Voucher pages. Agent: request from the offer page, "Mes bons" (QR shown large, printable), cancel. Desk:
type the code or scan the QR with the camera, see the holder and party, validate. Correspondent: the venue's
API keys. Thin: selectors in, services out."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from local_offers import selectors as facility_selectors
from local_offers.models import Facility
from local_offers.vouchers import selectors, services
from local_offers.vouchers.forms import ApiKeyForm, DeskLookupForm, VoucherRequestForm
from local_offers.vouchers.models import VenueApiKey, Voucher, VoucherStatus
from marketplace.accounts.models import User
from marketplace.web import form_action, post_action, posted_choice


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
@require_POST
def voucher_request(request: HttpRequest) -> HttpResponse:
    """From the offer page's form; a refused field goes back to the offer page with its message."""
    form = VoucherRequestForm(request.POST)
    created: list[Voucher] = []
    if form_action(form, lambda data: created.append(services.voucher_request(actor=_user(request), **data))):
        return HttpResponseRedirect(reverse("vouchers:detail", args=[created[0].pk]), status=303)
    facility_id = form.cleaned_data.get("facility_id") if hasattr(form, "cleaned_data") else None
    if not facility_id:
        raise Http404
    facility = facility_selectors.facility_get_for_actor(actor=_user(request), facility_id=facility_id)
    offers = selectors.offers_for_agent(actor=_user(request), facility=facility)
    context = {"facility": facility, "offers": offers, "form": form}
    return render(request, "local_offers/vouchers/request.html", context, status=422)


@login_required
def voucher_list(request: HttpRequest) -> HttpResponse:
    vouchers = list(selectors.vouchers_of(_user(request))[:200])
    return render(request, "local_offers/vouchers/list.html", {"vouchers": vouchers})


@login_required
def voucher_detail(request: HttpRequest, voucher_id: int) -> HttpResponse:
    voucher = selectors.voucher_get(actor=_user(request), voucher_id=voucher_id)
    if voucher.agent_id != request.user.pk:
        raise Http404  # the venue's staff see vouchers through the desk page; the QR is the holder's
    qr = selectors.qr_svg(services.voucher_token(voucher)) if voucher.status == VoucherStatus.ISSUED else ""
    return render(request, "local_offers/vouchers/detail.html", {"voucher": voucher, "qr": qr})


@login_required
@require_POST
def voucher_cancel(request: HttpRequest, voucher_id: int) -> HttpResponse:
    return post_action(
        request,
        lambda: services.voucher_cancel(actor=_user(request), voucher_id=voucher_id),
        success=_("Bon annulé."),
        next_default="vouchers:list",
    )


def _desk_or_404(request: HttpRequest) -> services.Venue:
    if not request.user.has_perm("local_offers.access_desk"):
        raise Http404
    return services.Venue(user=_user(request))


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    """Look a voucher up (typed code or scanned QR), then validate it with the button shown beside it."""
    venue = _desk_or_404(request)
    found: list[Voucher | None] = []
    form = DeskLookupForm(request.POST or None)
    if request.method == "POST":
        if posted_choice(request, "action", ("lookup", "validate")) == "validate":
            return post_action(
                request,
                lambda: services.voucher_validate(
                    venue=venue, code=request.POST.get("code", ""), token=request.POST.get("token", "")
                ),
                success=_("Bon validé."),
                next_default="vouchers:desk",
            )
        form_action(
            form,
            lambda data: found.append(
                selectors.voucher_find_for_venue(venue=venue, code=data["code"], token=data["token"])
            ),
        )
    context = {"form": form, "looked_up": bool(found), "voucher": found[0] if found else None}
    return render(request, "local_offers/vouchers/desk.html", context)


@login_required
def api_keys(request: HttpRequest, facility_id: int) -> HttpResponse:
    """The facility's API keys (its employer's correspondents): create one (shown once), revoke."""
    facility = Facility.objects.managed_by(_user(request)).filter(pk=facility_id).first()
    if facility is None:
        raise Http404
    form = ApiKeyForm(request.POST or None)
    created: list[tuple[VenueApiKey, str]] = []
    if request.method == "POST":
        form_action(
            form,
            lambda data: created.append(
                services.venue_api_key_create(
                    actor=_user(request), facility_id=facility.pk, name=data["name"]
                )
            ),
        )
    keys = list(VenueApiKey.objects.filter(facility=facility))
    context = {
        "facility": facility,
        "form": ApiKeyForm() if created else form,
        "keys": keys,
        "secret": created[0][1] if created else "",
    }
    return render(request, "local_offers/vouchers/api_keys.html", context)


@login_required
@require_POST
def api_key_revoke(request: HttpRequest, facility_id: int, key_id: int) -> HttpResponse:
    return post_action(
        request,
        lambda: services.venue_api_key_revoke(actor=_user(request), key_id=key_id),
        success=_("Clé révoquée."),
        next_default=reverse("vouchers:api_keys", args=[facility_id]),
    )
