"""/api/v1/proposals: my proposals, one proposal, one POST per transition, reviews. Session auth with CSRF.

Retries: POST /proposals takes an `Idempotency-Key` header (the same key returns the proposal created the
first time, 200 instead of 201); the transitions are idempotent by nature (the same answer again).
A proposal the user takes no part in is a 404 on every path.
"""

from django.http import HttpRequest
from ninja import Header, Query, Router
from ninja.responses import Status
from ninja.security import django_auth

from exchanges.swaps import selectors, services
from exchanges.swaps.filters import ProposalFilter
from exchanges.swaps.models import ProposalStatus, Review, SwapProposal
from exchanges.swaps.schemas import CounterIn, ProposalIn, ProposalOut, ReasonIn, ReviewIn, ReviewOut
from marketplace import lists
from marketplace.accounts.models import User
from marketplace.core.throttle import throttle
from marketplace.lists import ListQuery, PageOut

proposals = Router(tags=["swaps"], auth=django_auth)


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _get(request: HttpRequest, proposal_id: int) -> SwapProposal:
    return selectors.proposal_get_for_actor(actor=_actor(request), proposal_id=proposal_id)


def _out(request: HttpRequest, proposal: SwapProposal) -> dict[str, object]:
    return selectors.proposal_out(_get(request, proposal.pk), _actor(request))


@proposals.get("", response=PageOut[ProposalOut], summary="Mes propositions ; tri : -created_at, expires_at")
def proposal_list(
    request: HttpRequest, paging: Query[ListQuery], status: ProposalStatus | None = None
) -> dict[str, object]:
    page = lists.paginate(request.GET, ProposalFilter, selectors.proposals_of(_actor(request)))
    return {"items": [selectors.proposal_out(p, _actor(request)) for p in page.items], "next": page.next}


@proposals.post(
    "",
    response={200: ProposalOut, 201: ProposalOut},
    summary="Proposer un échange (201) ; renvoyé avec la même Idempotency-Key : la proposition déjà créée (200)",
)
@throttle("messaging")
def proposal_create(
    request: HttpRequest, payload: ProposalIn, idempotency_key: str = Header("", alias="Idempotency-Key")
) -> Status[dict[str, object]]:
    stays = [services.StayIn(**s.model_dump()) for s in payload.stays]
    proposal, created = services.proposal_create(
        actor=_actor(request), stays=stays, idempotency_key=idempotency_key
    )
    return Status(201 if created else 200, _out(request, proposal))


@proposals.get("/{proposal_id}", response=ProposalOut, summary="Une de mes propositions")
def proposal_detail(request: HttpRequest, proposal_id: int) -> dict[str, object]:
    return selectors.proposal_out(_get(request, proposal_id), _actor(request))


@proposals.post("/{proposal_id}/accept", response=ProposalOut, summary="Accepter (tous acceptent : acceptée)")
@throttle("messaging")
def proposal_accept(request: HttpRequest, proposal_id: int) -> dict[str, object]:
    proposal = services.proposal_accept(actor=_actor(request), proposal=_get(request, proposal_id))
    return _out(request, proposal)


@proposals.post("/{proposal_id}/counter", response=ProposalOut, summary="Proposer d'autres dates")
@throttle("messaging")
def proposal_counter(request: HttpRequest, proposal_id: int, payload: CounterIn) -> dict[str, object]:
    dates = [services.StayDates(**s.model_dump()) for s in payload.stays]
    proposal = services.proposal_counter(
        actor=_actor(request), proposal=_get(request, proposal_id), dates=dates
    )
    return _out(request, proposal)


@proposals.post("/{proposal_id}/decline", response=ProposalOut, summary="Refuser")
@throttle("messaging")
def proposal_decline(request: HttpRequest, proposal_id: int, payload: ReasonIn) -> dict[str, object]:
    proposal = services.proposal_decline(
        actor=_actor(request), proposal=_get(request, proposal_id), reason=payload.reason
    )
    return _out(request, proposal)


@proposals.post(
    "/{proposal_id}/confirm",
    response=ProposalOut,
    summary="Confirmer (409 si une autre proposition a pris le logement)",
)
@throttle("messaging")
def proposal_confirm(request: HttpRequest, proposal_id: int) -> dict[str, object]:
    proposal = services.proposal_confirm(actor=_actor(request), proposal=_get(request, proposal_id))
    return _out(request, proposal)


@proposals.post("/{proposal_id}/cancel", response=ProposalOut, summary="Annuler")
@throttle("messaging")
def proposal_cancel(request: HttpRequest, proposal_id: int, payload: ReasonIn) -> dict[str, object]:
    proposal = services.proposal_cancel(
        actor=_actor(request), proposal=_get(request, proposal_id), reason=payload.reason
    )
    return _out(request, proposal)


@proposals.post(
    "/{proposal_id}/stays/{stay_id}/review",
    response={201: ReviewOut},
    summary="Donner mon avis sur un séjour",
)
@throttle("messaging")
def review_write(request: HttpRequest, proposal_id: int, stay_id: int, payload: ReviewIn) -> Status[Review]:
    stay = selectors.stay_get_for_actor(
        actor=_actor(request), proposal=_get(request, proposal_id), stay_id=stay_id
    )
    review = services.review_write(actor=_actor(request), stay=stay, **payload.model_dump())
    return Status(201, review)
