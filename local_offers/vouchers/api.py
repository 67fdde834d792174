"""/api/v1/vouchers: mine and request (agent, session), one voucher (its holder, the venue's staff), validate
(desk session or a venue's API key in `X-Api-Key`; one now, or a batch made offline), and the public keys as
a JWK set (anyone: a venue verifies QR codes offline with them). Invisible → 404, bad field → 422 naming it,
quota or double validation → 409; nothing is written on failure."""

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status
from ninja.security import APIKeyHeader, django_auth

from local_offers.vouchers import selectors, services, signing
from local_offers.vouchers.models import VenueApiKey, Voucher
from local_offers.vouchers.schemas import JwksOut, ValidateIn, ValidateOut, VoucherIn, VoucherOut, voucher_out
from marketplace.accounts.models import User

router = Router(tags=["vouchers"])


class VenueKeyAuth(APIKeyHeader):
    """A venue's system: `X-Api-Key: rcq_…` (created by the facility's correspondents)."""

    param_name = "X-Api-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> VenueApiKey | None:
        return services.venue_api_key_authenticate(key) if key else None


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _mine(request: HttpRequest, voucher: Voucher) -> dict[str, Any]:
    token = services.voucher_token(voucher) if voucher.agent_id == request.user.pk else None
    return voucher_out(voucher, token=token)


@router.get("", url_name="voucher_list", auth=django_auth, response=list[VoucherOut], summary="Mes bons")
def voucher_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_mine(request, v) for v in selectors.vouchers_of(_actor(request))[:200]]


@router.post(
    "", url_name="voucher_request", auth=django_auth, response={201: VoucherOut}, summary="Demander un bon"
)
def voucher_request(request: HttpRequest, payload: VoucherIn) -> Status[dict[str, Any]]:
    voucher = services.voucher_request(actor=_actor(request), **payload.dict())
    return Status(201, _mine(request, selectors.voucher_get(actor=_actor(request), voucher_id=voucher.pk)))


@router.get(
    "/public-key",
    url_name="voucher_public_keys",
    auth=None,
    response=JwksOut,
    summary="Clés publiques (JWK Set, Ed25519) qui vérifient les QR codes hors ligne",
)
def voucher_public_keys(request: HttpRequest) -> dict[str, Any]:
    return signing.public_jwks()


@router.post(
    "/validate",
    url_name="voucher_validate",
    auth=[VenueKeyAuth(), django_auth],
    response=ValidateOut,
    summary="Valider un bon (accueil ou clé d'API du site), ou envoyer des validations faites hors ligne",
)
def voucher_validate(request: HttpRequest, payload: ValidateIn) -> dict[str, Any]:
    auth = request.auth  # type: ignore[attr-defined]
    venue = (
        services.Venue(api_key=auth)
        if isinstance(auth, VenueApiKey)
        else services.Venue(user=_actor(request))
    )
    if payload.batch is not None:
        items = [item.dict() for item in payload.batch]
        return {"results": [r.__dict__ for r in services.voucher_validations_sync(venue=venue, items=items)]}
    voucher = services.voucher_validate(venue=venue, code=payload.code, token=payload.token)
    return {"voucher": voucher_out(voucher)}


@router.get("/{voucher_id}", url_name="voucher_read", auth=django_auth, response=VoucherOut, summary="Un bon")
def voucher_read(request: HttpRequest, voucher_id: int) -> dict[str, Any]:
    return _mine(request, selectors.voucher_get(actor=_actor(request), voucher_id=voucher_id))


@router.post(
    "/{voucher_id}/cancel",
    url_name="voucher_cancel",
    auth=django_auth,
    response=VoucherOut,
    summary="Annuler mon bon",
)
def voucher_cancel(request: HttpRequest, voucher_id: int) -> dict[str, Any]:
    services.voucher_cancel(actor=_actor(request), voucher_id=voucher_id)
    return _mine(request, selectors.voucher_get(actor=_actor(request), voucher_id=voucher_id))
