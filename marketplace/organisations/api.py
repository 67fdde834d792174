"""Employers, employments, staff roles, officers' queue and eligibility. Session auth with CSRF."""

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router
from ninja.responses import Status
from ninja.security import django_auth

from marketplace import lists
from marketplace.accounts.models import User
from marketplace.core.throttle import throttle
from marketplace.lists import ListQuery, Page, PageOut
from marketplace.organisations import selectors, services
from marketplace.organisations.filters import (
    EmploymentToDecideFilter,
    MyEmploymentFilter,
    OrganisationFilter,
    StaffFilter,
)
from marketplace.organisations.models import (
    Employment,
    MembershipPeriod,
    Organisation,
    StaffInvitation,
    StaffRole,
)
from marketplace.organisations.schemas import (
    DecisionIn,
    EligibilityOut,
    EmploymentIn,
    EmploymentOut,
    OfficerQueueOut,
    OrganisationOut,
    OrganisationProfileIn,
    OrganisationRegisterIn,
    PeriodIn,
    PeriodOut,
    StaffInvitationOut,
    StaffInviteIn,
    StaffRoleOut,
)

organisations = Router(tags=["organisations"], auth=django_auth)
employments = Router(tags=["employments"], auth=django_auth)
staff = Router(tags=["staff"], auth=django_auth)
invitations = Router(tags=["staff"], auth=django_auth)
officer = Router(tags=["officer"], auth=django_auth)
eligibility = Router(tags=["eligibility"], auth=django_auth)


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _organisation(request: HttpRequest, organisation_id: int) -> Organisation:
    return selectors.organisation_get_for_actor(actor=_actor(request), organisation_id=organisation_id)


@organisations.get(
    "",
    response=PageOut[OrganisationOut],
    summary="Chercher un employeur (nom, commune, SIREN) ; tri : name, -name",
)
def search(
    request: HttpRequest,
    q: Annotated[str, Query(min_length=2, max_length=100)],
    paging: Query[ListQuery],
) -> Page[Organisation]:
    return lists.paginate(request.GET, OrganisationFilter, selectors.organisations_validated())


@organisations.post("", response={201: OrganisationOut}, summary="Inscrire un nouvel employeur adhérent")
def register(request: HttpRequest, payload: OrganisationRegisterIn) -> Status[Organisation]:
    return Status(201, services.organisation_register(actor=_actor(request), **payload.dict()))


@organisations.get("/{organisation_id}", response=OrganisationOut, summary="Un employeur")
def detail(request: HttpRequest, organisation_id: int) -> Organisation:
    return _organisation(request, organisation_id)


@organisations.patch(
    "/{organisation_id}", response=OrganisationOut, summary="Mettre à jour le profil (correspondant)"
)
def update_profile(
    request: HttpRequest, organisation_id: int, payload: OrganisationProfileIn
) -> Organisation:
    organisation = _organisation(request, organisation_id)
    return services.organisation_update_profile(
        actor=_actor(request), organisation=organisation, **payload.dict(exclude_unset=True)
    )


@organisations.post("/{organisation_id}/validate", response=OrganisationOut, summary="Valider (chargé)")
def validate(request: HttpRequest, organisation_id: int, payload: DecisionIn) -> Organisation:
    organisation = _organisation(request, organisation_id)
    return services.organisation_validate(
        actor=_actor(request), organisation=organisation, comment=payload.comment
    )


@organisations.post("/{organisation_id}/reject", response=OrganisationOut, summary="Refuser (chargé)")
def reject(request: HttpRequest, organisation_id: int, payload: DecisionIn) -> Organisation:
    organisation = _organisation(request, organisation_id)
    return services.organisation_reject(
        actor=_actor(request), organisation=organisation, comment=payload.comment
    )


@organisations.post(
    "/{organisation_id}/join", response={201: StaffRoleOut}, summary="Demander à en être correspondant"
)
def join(request: HttpRequest, organisation_id: int) -> Status[StaffRole]:
    organisation = _organisation(request, organisation_id)
    return Status(201, services.organisation_request_join(actor=_actor(request), organisation=organisation))


@organisations.post(
    "/{organisation_id}/periods", response={201: PeriodOut}, summary="Ajouter une période d'adhésion"
)
def add_period(request: HttpRequest, organisation_id: int, payload: PeriodIn) -> Status[MembershipPeriod]:
    organisation = _organisation(request, organisation_id)
    period = services.membership_add_period(
        actor=_actor(request), organisation=organisation, **payload.dict()
    )
    return Status(201, period)


@organisations.get(
    "/{organisation_id}/staff", response=PageOut[StaffRoleOut], summary="Équipe (correspondants) ; tri : role"
)
def staff_list(
    request: HttpRequest, organisation_id: int, paging: Query[ListQuery], role: str | None = None
) -> Page[StaffRole]:
    organisation = _organisation(request, organisation_id)
    services.check_can_manage(_actor(request), organisation)
    return lists.paginate(request.GET, StaffFilter, selectors.staff_of(organisation))


@organisations.post(
    "/{organisation_id}/staff",
    response={201: StaffInvitationOut},
    summary="Inviter quelqu'un dans l'équipe (il accepte ; un correspondant est ensuite validé par le chargé)",
)
@throttle("staff_invite")
def staff_invite(
    request: HttpRequest, organisation_id: int, payload: StaffInviteIn
) -> Status[StaffInvitation]:
    organisation = _organisation(request, organisation_id)
    return Status(
        201, services.staff_invite(actor=_actor(request), organisation=organisation, **payload.dict())
    )


@organisations.get(
    "/{organisation_id}/invitations",
    response=list[StaffInvitationOut],
    summary="Invitations en attente de réponse (correspondant)",
)
def invitations_sent(request: HttpRequest, organisation_id: int) -> list[StaffInvitation]:
    organisation = _organisation(request, organisation_id)
    services.check_can_manage(_actor(request), organisation)
    return list(selectors.invitations_sent(organisation))


@organisations.get(
    "/{organisation_id}/employments",
    response=PageOut[EmploymentOut],
    summary="Demandes à confirmer ; tri : requested_at, -requested_at",
)
def pending_employments(
    request: HttpRequest, organisation_id: int, paging: Query[ListQuery]
) -> Page[Employment]:
    organisation = _organisation(request, organisation_id)
    services.check_can_manage(_actor(request), organisation)
    return lists.paginate(
        request.GET, EmploymentToDecideFilter, selectors.employments_to_decide(organisation)
    )


@employments.post("", response={201: EmploymentOut}, summary="Demander mon rattachement à un employeur")
def employment_request(request: HttpRequest, payload: EmploymentIn) -> Status[Employment]:
    organisation = _organisation(request, payload.organisation_id)
    return Status(201, services.employment_request(actor=_actor(request), organisation=organisation))


@employments.get(
    "/mine", response=PageOut[EmploymentOut], summary="Mes rattachements ; tri : -requested_at, requested_at"
)
def my_employments(
    request: HttpRequest, paging: Query[ListQuery], status: str | None = None
) -> Page[Employment]:
    return lists.paginate(request.GET, MyEmploymentFilter, selectors.employments_of_agent(_actor(request)))


def _employment(request: HttpRequest, employment_id: int) -> Employment:
    return selectors.employment_get_for_actor(actor=_actor(request), employment_id=employment_id)


@employments.post("/{employment_id}/confirm", response=EmploymentOut, summary="Confirmer (correspondant)")
def employment_confirm(request: HttpRequest, employment_id: int) -> Employment:
    return services.employment_confirm(actor=_actor(request), employment=_employment(request, employment_id))


@employments.post("/{employment_id}/reject", response=EmploymentOut, summary="Refuser (correspondant)")
def employment_reject(request: HttpRequest, employment_id: int, payload: DecisionIn) -> Employment:
    employment = _employment(request, employment_id)
    return services.employment_reject(actor=_actor(request), employment=employment, comment=payload.comment)


@employments.post(
    "/{employment_id}/end", response=EmploymentOut, summary="Mettre fin (agent ou correspondant)"
)
def employment_end(request: HttpRequest, employment_id: int) -> Employment:
    return services.employment_end(actor=_actor(request), employment=_employment(request, employment_id))


def _role(request: HttpRequest, role_id: int) -> StaffRole:
    return selectors.staff_role_get_for_actor(actor=_actor(request), role_id=role_id)


@staff.post("/{role_id}/revoke", response=StaffRoleOut, summary="Retirer un rôle (correspondant)")
def staff_revoke(request: HttpRequest, role_id: int) -> StaffRole:
    return services.staff_revoke(actor=_actor(request), role=_role(request, role_id))


@staff.post("/{role_id}/accept", response=StaffRoleOut, summary="Accepter un correspondant (chargé)")
def staff_accept(request: HttpRequest, role_id: int, payload: DecisionIn) -> StaffRole:
    role = _role(request, role_id)
    return services.staff_role_decide(actor=_actor(request), role=role, accept=True, comment=payload.comment)


@staff.post("/{role_id}/refuse", response=StaffRoleOut, summary="Refuser un correspondant (chargé)")
def staff_refuse(request: HttpRequest, role_id: int, payload: DecisionIn) -> StaffRole:
    role = _role(request, role_id)
    return services.staff_role_decide(actor=_actor(request), role=role, accept=False, comment=payload.comment)


@invitations.get("/mine", response=list[StaffInvitationOut], summary="Invitations reçues")
def invitations_received(request: HttpRequest) -> list[StaffInvitation]:
    return list(selectors.invitations_received(_actor(request)))


@invitations.post("/{invitation_id}/accept", response=StaffRoleOut, summary="Accepter une invitation")
def invitation_accept(request: HttpRequest, invitation_id: int) -> StaffRole:
    actor = _actor(request)
    invitation = selectors.invitation_get_for_invitee(actor=actor, invitation_id=invitation_id)
    return services.staff_invitation_accept(actor=actor, invitation=invitation)


@invitations.post("/{invitation_id}/decline", response=StaffInvitationOut, summary="Décliner une invitation")
def invitation_decline(request: HttpRequest, invitation_id: int) -> StaffInvitation:
    actor = _actor(request)
    invitation = selectors.invitation_get_for_invitee(actor=actor, invitation_id=invitation_id)
    return services.staff_invitation_decline(actor=actor, invitation=invitation)


@invitations.post(
    "/{invitation_id}/cancel", response=StaffInvitationOut, summary="Annuler une invitation (correspondant)"
)
def invitation_cancel(request: HttpRequest, invitation_id: int) -> StaffInvitation:
    actor = _actor(request)
    invitation = selectors.invitation_get_for_manager(actor=actor, invitation_id=invitation_id)
    return services.staff_invitation_cancel(actor=actor, invitation=invitation)


@officer.get("/queue", response=OfficerQueueOut, summary="Ce qui attend ma décision, dans mes départements")
def queue(request: HttpRequest) -> selectors.OfficerQueue:
    return selectors.officer_queue(_actor(request))


@eligibility.get("", response=EligibilityOut, summary="Puis-je publier, échanger, obtenir un bon ?")
def my_eligibility(request: HttpRequest, on: dt.date | None = None) -> selectors.Eligibility:
    return selectors.agent_eligibility(_actor(request), on or timezone.localdate())
