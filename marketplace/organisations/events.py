"""Events of the employers' workflows, pushed to the people concerned (see marketplace/events.py). Each has the
`account` topic: it also becomes a notification (centre, e-mail per the recipient's preferences)."""

from dataclasses import dataclass
from typing import ClassVar

from django.urls import reverse
from django.utils.translation import gettext as _

from marketplace.events import Event, event


def _decision(status: str) -> str:
    return {
        "validated": _("validé"),
        "confirmed": _("confirmé"),
        "active": _("accepté"),
        "rejected": _("refusé"),
        "ended": _("terminé"),
        "revoked": _("retiré"),
        "accepted": _("acceptée"),
        "declined": _("déclinée"),
        "cancelled": _("annulée"),
    }.get(status, status)


class _AccountEvent(Event):
    topic: ClassVar[str] = "account"

    def link(self) -> str:
        return reverse("organisations:my_employer")


@event("organisation.decided")
@dataclass(frozen=True)
class OrganisationDecided(_AccountEvent):
    organisation: int
    status: str

    def text(self) -> str:
        return _("L'adhésion de votre employeur : %(decision)s.") % {"decision": _decision(self.status)}


@event("employment.requested")
@dataclass(frozen=True)
class EmploymentRequested(_AccountEvent):
    employment: int

    def text(self) -> str:
        return _("Un agent demande à être rattaché à votre employeur.")

    def link(self) -> str:
        return reverse("organisations:correspondent")


@event("employment.decided")
@dataclass(frozen=True)
class EmploymentDecided(_AccountEvent):
    employment: int
    status: str

    def text(self) -> str:
        return _("Votre emploi : %(decision)s par votre employeur.") % {"decision": _decision(self.status)}


@event("staff_role.decided")
@dataclass(frozen=True)
class StaffRoleDecided(_AccountEvent):
    role: int
    status: str

    def text(self) -> str:
        return _("Votre rôle dans l'équipe de votre employeur : %(decision)s.") % {
            "decision": _decision(self.status)
        }


@event("staff_role.requested")
@dataclass(frozen=True)
class StaffRoleRequested(_AccountEvent):
    role: int

    def text(self) -> str:
        return _("Une demande de rôle de correspondant attend votre décision.")


@event("staff_invitation.received")
@dataclass(frozen=True)
class StaffInvitationReceived(_AccountEvent):
    invitation: int

    def text(self) -> str:
        return _("Vous êtes invité dans l'équipe d'un employeur.")


@event("staff_invitation.answered")
@dataclass(frozen=True)
class StaffInvitationAnswered(_AccountEvent):
    invitation: int
    status: str

    def text(self) -> str:
        return _("Votre invitation dans l'équipe : %(decision)s.") % {"decision": _decision(self.status)}


@event("membership.lapsed")
@dataclass(frozen=True)
class MembershipLapsed(_AccountEvent):
    organisation: int

    def text(self) -> str:
        return _("L'adhésion de votre employeur a pris fin : ses agents ne peuvent plus échanger.")
