"""/api/v1/nights: my balance, and my movements (keyset pages). Session auth."""

from django.http import HttpRequest
from ninja import Query, Router
from ninja.security import django_auth

from exchanges.nights import selectors
from exchanges.nights.filters import MovementFilter
from exchanges.nights.models import NOTICE
from exchanges.nights.schemas import BalanceOut, MovementOut
from exchanges.nights.services import balance_of, welcome_credit
from marketplace import lists
from marketplace.accounts.models import User
from marketplace.lists import ListQuery, PageOut

router = Router(tags=["nights"], auth=django_auth)


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@router.get("", response=BalanceOut, summary="Mon solde de nuits solidaires")
def nights_balance(request: HttpRequest) -> dict[str, object]:
    actor = _actor(request)
    return {
        "balance": balance_of(actor),
        "reserved": selectors.reserved_of(actor),
        "welcome_credit": welcome_credit(),
        "notice": str(NOTICE),
    }


@router.get(
    "/movements", response=PageOut[MovementOut], summary="Mes mouvements de nuits, les plus récents d'abord"
)
def nights_movements(
    request: HttpRequest, paging: Query[ListQuery], kind: str | None = None
) -> dict[str, object]:
    page = lists.paginate(request.GET, MovementFilter, selectors.movements_of(_actor(request)))
    return {"items": [selectors.movement_out(m) for m in page.items], "next": page.next}
