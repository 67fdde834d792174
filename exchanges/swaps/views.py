"""Pages of the swaps: the proposals inbox, a proposal (stays, timeline, buttons, counter-proposal,
conversation, reviews), the proposal form of a home's page. Writes go through the services."""

import datetime as dt
import json
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from exchanges import selectors as home_selectors
from exchanges.matching import selectors as matching_selectors
from exchanges.models import AvailabilityMode, Home
from exchanges.nights.services import balance_of
from exchanges.swaps import selectors, services
from exchanges.swaps.filters import ProposalFilter
from exchanges.swaps.forms import ProposeForm, RequestForm, ReviewForm
from exchanges.swaps.models import PENDING, ReviewSide, SwapProposal
from marketplace import lists
from marketplace.accounts.models import User
from marketplace.errors import InvalidField
from marketplace.messaging.views import thread_context
from marketplace.web import post_action, posted_choice

SUCCESS = {
    "accept": lambda: _("Proposition acceptée."),
    "decline": lambda: _("Proposition refusée."),
    "confirm": lambda: _("Échange confirmé."),
    "cancel": lambda: _("Échange annulé."),
}


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def propose_form(user: User, home: Home) -> ProposeForm | None:
    """The proposal form of another's home page, when the viewer has a published home to offer."""
    mine = [(h.pk, h.title) for h in Home.objects.published().filter(owner=user).order_by("pk")]
    if home.owner_id == user.pk or not mine:
        return None
    return ProposeForm(homes=mine, initial={"idempotency_key": uuid.uuid4().hex})


def request_form(user: User, home: Home) -> RequestForm | None:
    """The one-way request form of another's home page, when the home has a period open to any request
    and the viewer a published home (their household)."""
    if home.owner_id == user.pk or not home.periods.filter(mode=AvailabilityMode.OPEN).exists():
        return None
    mine = [(h.pk, h.title) for h in Home.objects.published().filter(owner=user).order_by("pk")]
    if not mine:
        return None
    return RequestForm(homes=mine, initial={"idempotency_key": uuid.uuid4().hex})


def request_context(user: User, home: Home) -> dict[str, object]:
    form = request_form(user, home)
    return {"request_form": form, "nights_balance": balance_of(user) if form is not None else None}


@login_required
@require_POST
def request_stay(request: HttpRequest, home_id: int) -> HttpResponse:
    """A one-way stay request (my household at their home), paid in solidarity nights once completed."""
    user = _user(request)
    home = home_selectors.home_get_for_actor(actor=user, home_id=home_id)
    form = request_form(user, home)
    if form is None:
        raise InvalidField(
            "my_home",
            _("Ce logement ne reçoit pas de demande à sens unique, ou vous n'avez pas de logement publié."),
        )
    form = RequestForm(request.POST, homes=list(form.fields["my_home"].choices))  # type: ignore[attr-defined]
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise InvalidField(
            field,
            f"{form.fields[field].label if field in form.fields else field} : {' '.join(str(e) for e in errors)}",
        )
    data = form.cleaned_data
    proposal, _created = services.proposal_create(
        actor=user,
        stays=[
            services.StayIn(
                guest_home=data["my_home"],
                host_home=home.pk,
                start=data["start"],
                end=data["end"],
                guests=data["guests"],
            )
        ],
        idempotency_key=data["idempotency_key"] or "",
    )
    messages.success(request, _("Demande envoyée : elle attend la réponse de l'hôte."))
    return HttpResponseRedirect(reverse("swaps:detail", args=[proposal.pk]), status=303)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    page = lists.paginate(request.GET, ProposalFilter, selectors.proposals_of(user))
    rows = [
        {
            "proposal": p,
            "out": selectors.proposal_out(p, user),
            "waiting": _waiting_for(p, user),
            "waiting_on": selectors.waiting_on(p),
        }
        for p in page.items
    ]
    return render(request, "swaps/inbox.html", {"rows": rows, "next": page.next, "pending": PENDING})


def _waiting_for(proposal: SwapProposal, user: User) -> bool:
    party = selectors.party_of(proposal, user)
    return proposal.status in PENDING and party is not None and party.accepted_revision != proposal.revision


@login_required
def detail(request: HttpRequest, proposal_id: int) -> HttpResponse:
    user = _user(request)
    proposal = selectors.proposal_get_for_actor(actor=user, proposal_id=proposal_id)
    out = selectors.proposal_out(proposal, user)
    today = timezone.localdate()
    reviews = selectors.reviews_of_proposal(proposal, viewer=user, today=today)
    written = {(r.stay_id, r.side) for r in reviews if r.author_id == user.pk}
    to_review = [
        s
        for s in proposal.stays.all()
        if user.pk in (s.guest_id, s.host_id)
        and s.period.upper <= today
        and proposal.status in ("in_progress", "completed")
        and (s.pk, ReviewSide.GUEST if s.guest_id == user.pk else ReviewSide.HOST) not in written
    ]
    context = {
        **messages_of_conversation(user, out["conversation"]),
        "proposal": proposal,
        "out": out,
        "timeline": selectors.timeline(proposal),
        "reviews": reviews,
        "to_review": to_review,
        "review_form": ReviewForm(),
        "waiting": _waiting_for(proposal, user),
    }
    return render(request, "swaps/detail.html", context)


def messages_of_conversation(user: User, conversation_id: Any) -> dict[str, Any]:
    """The live thread of the proposal's conversation (messaging/_thread.html), read through the messaging's
    selectors: only its participants see it (ConversationNotFound, a 404, for anyone else)."""
    if conversation_id is None:
        return {}
    return thread_context(user, int(conversation_id))


@login_required
@require_POST
def act(request: HttpRequest, proposal_id: int) -> HttpResponse:
    user = _user(request)
    proposal = selectors.proposal_get_for_actor(actor=user, proposal_id=proposal_id)
    action = posted_choice(request, "action", ("accept", "decline", "confirm", "cancel"))
    run = {
        "accept": lambda: services.proposal_accept(actor=user, proposal=proposal),
        "decline": lambda: services.proposal_decline(actor=user, proposal=proposal),
        "confirm": lambda: services.proposal_confirm(actor=user, proposal=proposal),
        "cancel": lambda: services.proposal_cancel(actor=user, proposal=proposal),
    }[action]
    return post_action(
        request, run, success=SUCCESS[action](), next_default=reverse("swaps:detail", args=[proposal.pk])
    )


def _date(request: HttpRequest, name: str) -> dt.date:
    raw = request.POST.get(name, "")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as error:
        raise InvalidField(name, _("Une date (AAAA-MM-JJ).")) from error


@login_required
@require_POST
def counter(request: HttpRequest, proposal_id: int) -> HttpResponse:
    user = _user(request)
    proposal = selectors.proposal_get_for_actor(actor=user, proposal_id=proposal_id)
    dates = [
        services.StayDates(
            stay=s.pk, start=_date(request, f"start_{s.pk}"), end=_date(request, f"end_{s.pk}")
        )
        for s in proposal.stays.all()
    ]
    return post_action(
        request,
        lambda: services.proposal_counter(actor=user, proposal=proposal, dates=dates),
        success=_("Nouvelles dates proposées."),
        next_default=reverse("swaps:detail", args=[proposal.pk]),
    )


@login_required
@require_POST
def review(request: HttpRequest, proposal_id: int, stay_id: int) -> HttpResponse:
    user = _user(request)
    proposal = selectors.proposal_get_for_actor(actor=user, proposal_id=proposal_id)
    stay = selectors.stay_get_for_actor(actor=user, proposal=proposal, stay_id=stay_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise InvalidField(field, " ".join(str(e) for e in errors))
    return post_action(
        request,
        lambda: services.review_write(actor=user, stay=stay, **form.cleaned_data),
        success=_("Merci pour votre avis."),
        next_default=reverse("swaps:detail", args=[proposal.pk]),
    )


@login_required
@require_POST
def propose(request: HttpRequest, home_id: int) -> HttpResponse:
    """The form of a home's page: my household there, theirs at mine."""
    user = _user(request)
    home = home_selectors.home_get_for_actor(actor=user, home_id=home_id)
    form = propose_form(user, home)
    if form is None:
        raise InvalidField("my_home", _("Publiez d'abord votre logement pour proposer un échange."))
    form = ProposeForm(request.POST, homes=list(form.fields["my_home"].choices))  # type: ignore[attr-defined]
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise InvalidField(
            field,
            f"{form.fields[field].label if field in form.fields else field} : {' '.join(str(e) for e in errors)}",
        )
    data = form.cleaned_data
    proposal, _created = services.proposal_create(
        actor=user,
        stays=[
            services.StayIn(
                guest_home=data["my_home"],
                host_home=home.pk,
                start=data["start"],
                end=data["end"],
                guests=data["my_guests"],
            ),
            services.StayIn(
                guest_home=home.pk,
                host_home=data["my_home"],
                start=data["their_start"] or data["start"],
                end=data["their_end"] or data["end"],
                guests=data["their_guests"],
            ),
        ],
        idempotency_key=data["idempotency_key"] or "",
    )
    messages.success(request, _("Proposition envoyée : elle attend la réponse de l'autre partie."))
    return HttpResponseRedirect(reverse("swaps:detail", args=[proposal.pk]), status=303)


# ---- "Suggestions pour mon logement" -------------------------------------------------------------------------


def _proposed_dates(start: dt.date, end: dt.date, today: dt.date) -> tuple[dt.date, dt.date]:
    """The dates a suggestion proposes: its common window, from today at the earliest, at most MAX_NIGHTS."""
    start = max(start, today)
    return start, min(end, start + dt.timedelta(days=services.MAX_NIGHTS))


@login_required
def suggestions(request: HttpRequest, home_id: int) -> HttpResponse:
    """The pairs and cycles of one of my homes on a map (public points only) and in a list, each with its
    stays, its dates, its one-line reason and a button that proposes it."""
    user = _user(request)
    found = matching_selectors.suggestions_page(actor=user, home_id=home_id)
    home = home_selectors.home_get_for_owner(actor=user, home_id=home_id)
    today = timezone.localdate()
    proposed = selectors.open_proposals_by_homes(user)
    rows = []
    for view in found:
        start, end = _proposed_dates(view.start, view.end, today)
        stays = [(view.homes[i], view.homes[(i + 1) % len(view.homes)]) for i in range(len(view.homes))]
        already = proposed.get(frozenset(h.id for h in view.homes))
        rows.append({"view": view, "start": start, "end": end, "stays": stays, "proposed": already})
    context = {
        "home": home,
        "rows": rows,
        "geojson": json.dumps(matching_selectors.suggestions_geojson(found)),
        "idempotency_key": uuid.uuid4().hex,
    }
    return render(request, "swaps/suggestions.html", context)


@login_required
@require_POST
def propose_match(request: HttpRequest, home_id: int) -> HttpResponse:
    """The "Proposer" button of a suggestion: its homes in order and its dates, every stay filled in."""
    user = _user(request)
    home = home_selectors.home_get_for_owner(actor=user, home_id=home_id)
    homes = []
    for index, raw in enumerate(request.POST.getlist("homes")):
        try:
            number = int(raw)
        except ValueError as error:
            raise InvalidField(f"homes[{index}]", _("Un numéro de logement.")) from error
        if not 1 <= number < 2**63:
            raise InvalidField(f"homes[{index}]", _("Un numéro de logement."))
        homes.append(number)
    if not homes or homes[0] != home.pk:
        raise InvalidField("homes", _("La suggestion commence par votre logement."))
    proposal, _created = services.proposal_create_from_match(
        actor=user,
        homes=homes,
        start=_date(request, "start"),
        end=_date(request, "end"),
        idempotency_key=request.POST.get("idempotency_key", ""),
    )
    messages.success(request, _("Proposition envoyée : elle attend la réponse des autres parties."))
    return HttpResponseRedirect(reverse("swaps:detail", args=[proposal.pk]), status=303)
