"""Events of the employers' workflows, pushed to the people concerned (see marketplace/events.py)."""

from dataclasses import dataclass

from marketplace.events import Event, event


@event("organisation.decided")
@dataclass(frozen=True)
class OrganisationDecided(Event):
    organisation: int
    status: str


@event("employment.requested")
@dataclass(frozen=True)
class EmploymentRequested(Event):
    employment: int


@event("employment.decided")
@dataclass(frozen=True)
class EmploymentDecided(Event):
    employment: int
    status: str


@event("staff_role.decided")
@dataclass(frozen=True)
class StaffRoleDecided(Event):
    role: int
    status: str


@event("staff_role.requested")
@dataclass(frozen=True)
class StaffRoleRequested(Event):
    role: int


@event("staff_invitation.received")
@dataclass(frozen=True)
class StaffInvitationReceived(Event):
    invitation: int


@event("staff_invitation.answered")
@dataclass(frozen=True)
class StaffInvitationAnswered(Event):
    invitation: int
    status: str


@event("membership.lapsed")
@dataclass(frozen=True)
class MembershipLapsed(Event):
    organisation: int
