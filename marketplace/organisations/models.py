"""Member employers, their membership periods, their agents' employments, their staff, officers' territories.

Each workflow (employer, employment, staff role, staff invitation) is declared here once, as django-fsm-2
transitions on a protected status field: the source states and the permission of every transition. Services
run them through `marketplace.workflows.transition_run`, which also writes the immutable event.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django_fsm import FSMField, FSMModelMixin, transition

from marketplace.organisations.validators import validate_siren


class OrganisationKind(models.TextChoices):
    COMMUNE = "commune", "Commune"
    DEPARTEMENT = "departement", "Département"
    REGION = "region", "Région"
    EPCI = "epci", "EPCI (intercommunalité)"
    CCAS = "ccas", "CCAS / CIAS"
    SDIS = "sdis", "SDIS"
    CDG = "cdg", "Centre de gestion"
    COS = "cos", "Association / COS"
    OTHER = "other", "Autre"


class OrganisationStatus(models.TextChoices):
    PENDING = "pending", "En attente de validation"
    VALIDATED = "validated", "Validé"
    REJECTED = "rejected", "Refusé"


def _departements_of(officer: Any) -> models.QuerySet[OfficerTerritory, Any]:
    """The départements an officer covers, as a subquery (`departement_id__in=…`)."""
    return OfficerTerritory.objects.filter(officer=officer).values("departement")


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _superuser(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False))


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def visible_to(self, actor: Any) -> OrganisationQuerySet:
        """Validated employers for everyone; pending or rejected ones only to their staff, their officers,
        administrators."""
        if _superuser(actor):
            return self.all()
        if not _authenticated(actor):
            return self.filter(status=OrganisationStatus.VALIDATED)
        staff = StaffRole.objects.filter(organisation=OuterRef("pk"), user=actor)
        return self.filter(
            Q(status=OrganisationStatus.VALIDATED)
            | Q(Exists(staff))
            | Q(seat_commune__departement__in=_departements_of(actor))
        )

    def managed_by(self, user: Any) -> OrganisationQuerySet:
        """Employers the user is an active correspondent of."""
        if not _authenticated(user):
            return self.none()
        return self.filter(
            pk__in=StaffRole.objects.active_correspondents().filter(user=user).values("organisation")
        )

    def in_territory_of(self, officer: Any) -> OrganisationQuerySet:
        """Employers seated in the départements the officer covers (all of them for an administrator)."""
        if _superuser(officer):
            return self.all()
        if not _authenticated(officer):
            return self.none()
        return self.filter(seat_commune__departement__in=_departements_of(officer))

    def active_members(self, on: datetime.date) -> OrganisationQuerySet:
        """Validated employers whose membership covers the date."""
        return self.filter(status=OrganisationStatus.VALIDATED).filter(
            Exists(MembershipPeriod.objects.filter(organisation=OuterRef("pk"), period__contains=on))
        )


class Organisation(FSMModelMixin, models.Model):
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type", max_length=20, choices=OrganisationKind.choices)
    siren = models.CharField("SIREN", max_length=9, unique=True, validators=[validate_siren])
    seat_commune = models.ForeignKey(
        "geo.Commune", on_delete=models.PROTECT, related_name="+", verbose_name="commune du siège"
    )
    agents_count = models.PositiveIntegerField("nombre d'agents", default=0)
    contact_email = models.EmailField("e-mail de contact", blank=True)
    contact_phone = models.CharField("téléphone de contact", max_length=20, blank=True)
    status = FSMField(
        "statut",
        max_length=20,
        choices=OrganisationStatus.choices,
        default=OrganisationStatus.PENDING,
        protected=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = "employeur adhérent"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(siren__regex=r"^\d{9}$"), name="organisation_siren_9_digits"),
            models.CheckConstraint(
                condition=Q(status__in=OrganisationStatus.values), name="organisation_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    # An officer of the seat's département decides; nobody decides on an employer they registered.
    @transition(
        field=status,
        source=OrganisationStatus.PENDING,
        target=OrganisationStatus.VALIDATED,
        permission="organisations.decide_organisation",
    )
    def validate(self) -> None:
        """Only the status changes (transition_run writes the event)."""

    @transition(
        field=status,
        source=OrganisationStatus.PENDING,
        target=OrganisationStatus.REJECTED,
        permission="organisations.decide_organisation",
    )
    def reject(self) -> None:
        """Only the status changes (transition_run writes the event)."""


class MembershipPeriod(models.Model):
    """A paid-up membership, as a half-open date range [start, end). Periods of one employer never overlap."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="periods")
    period = DateRangeField("période")

    class Meta:
        verbose_name = "période d'adhésion"
        constraints = [
            ExclusionConstraint(
                name="membership_period_no_overlap",
                expressions=[("organisation", RangeOperators.EQUAL), ("period", RangeOperators.OVERLAPS)],
            ),
            models.CheckConstraint(condition=~Q(period__isempty=True), name="membership_period_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.period}"


class EmploymentStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    CONFIRMED = "confirmed", "Confirmé"
    REJECTED = "rejected", "Refusé"
    ENDED = "ended", "Terminé"


OPEN_EMPLOYMENT = [EmploymentStatus.PENDING, EmploymentStatus.CONFIRMED]


class EmploymentQuerySet(models.QuerySet["Employment"]):
    def open(self) -> EmploymentQuerySet:
        return self.filter(status__in=OPEN_EMPLOYMENT)

    def visible_to(self, actor: Any) -> EmploymentQuerySet:
        """The agent's own; those of the employers the actor is correspondent of; those of the employers of an
        officer's territory (a correspondent's own request goes there too); all for an administrator."""
        if _superuser(actor):
            return self.all()
        if not _authenticated(actor):
            return self.none()
        return self.filter(
            Q(agent=actor)
            | Q(organisation__in=Organisation.objects.managed_by(actor).values("pk"))
            | Q(organisation__seat_commune__departement__in=_departements_of(actor))
        )

    def with_active_membership(self, on: datetime.date) -> EmploymentQuerySet:
        """Annotates `member_on`: the employer is a validated member on that date (one query for a list)."""
        return self.annotate(
            member_on=Q(organisation__status=OrganisationStatus.VALIDATED)
            & Exists(
                MembershipPeriod.objects.filter(organisation=OuterRef("organisation"), period__contains=on)
            )
        )


class Employment(FSMModelMixin, models.Model):
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="employments")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="employments")
    status = FSMField(
        max_length=20, choices=EmploymentStatus.choices, default=EmploymentStatus.PENDING, protected=True
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = EmploymentQuerySet.as_manager()

    class Meta:
        verbose_name = "emploi"
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "organisation"],
                condition=Q(status__in=OPEN_EMPLOYMENT),
                name="employment_one_open_per_employer",
            ),
            models.CheckConstraint(
                condition=Q(status__in=EmploymentStatus.values), name="employment_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} @ {self.organisation_id} ({self.status})"

    # A correspondent of the employer, or an officer of its territory, decides; never the agent themself
    # (a correspondent's own employment goes to another correspondent or to the officer).
    @transition(
        field=status,
        source=EmploymentStatus.PENDING,
        target=EmploymentStatus.CONFIRMED,
        permission="organisations.decide_employment",
    )
    def confirm(self, *, at: datetime.datetime) -> None:
        self.decided_at = at

    @transition(
        field=status,
        source=EmploymentStatus.PENDING,
        target=EmploymentStatus.REJECTED,
        permission="organisations.decide_employment",
    )
    def reject(self, *, at: datetime.datetime) -> None:
        self.decided_at = at

    # The agent (a job change) or a correspondent of the employer.
    @transition(
        field=status,
        source=OPEN_EMPLOYMENT,
        target=EmploymentStatus.ENDED,
        permission="organisations.end_employment",
    )
    def end(self, *, at: datetime.datetime) -> None:
        self.ended_at = at


class StaffRoleKind(models.TextChoices):
    CORRESPONDENT = "correspondent", "Correspondant"
    DESK = "desk", "Agent d'accueil"


class StaffRoleStatus(models.TextChoices):
    PENDING = "pending", "En attente de validation"
    ACTIVE = "active", "Actif"
    REJECTED = "rejected", "Refusé"
    REVOKED = "revoked", "Retiré"


OPEN_STAFF_ROLE = [StaffRoleStatus.PENDING, StaffRoleStatus.ACTIVE]


class StaffRoleQuerySet(models.QuerySet["StaffRole"]):
    def active(self) -> StaffRoleQuerySet:
        return self.filter(status=StaffRoleStatus.ACTIVE)

    def open(self) -> StaffRoleQuerySet:
        return self.filter(status__in=OPEN_STAFF_ROLE)

    def active_correspondents(self) -> StaffRoleQuerySet:
        return self.filter(role=StaffRoleKind.CORRESPONDENT, status=StaffRoleStatus.ACTIVE)

    def visible_to(self, actor: Any) -> StaffRoleQuerySet:
        """Roles of the employers the actor manages or whose territory the officer covers; the actor's own."""
        if _superuser(actor):
            return self.all()
        if not _authenticated(actor):
            return self.none()
        return self.filter(
            Q(user=actor)
            | Q(organisation__in=Organisation.objects.managed_by(actor).values("pk"))
            | Q(organisation__seat_commune__departement__in=_departements_of(actor))
        )


class StaffRole(FSMModelMixin, models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="staff_roles")
    role = models.CharField(max_length=20, choices=StaffRoleKind.choices)
    status = FSMField(
        max_length=20, choices=StaffRoleStatus.choices, default=StaffRoleStatus.PENDING, protected=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StaffRoleQuerySet.as_manager()

    class Meta:
        verbose_name = "rôle dans un employeur"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                condition=Q(status__in=[StaffRoleStatus.PENDING, StaffRoleStatus.ACTIVE]),
                name="staff_role_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} @ {self.organisation_id} ({self.status})"

    # A pending role (a join request, an accepted invitation) is the officer's decision, never the person's own.
    @transition(
        field=status,
        source=StaffRoleStatus.PENDING,
        target=StaffRoleStatus.ACTIVE,
        permission="organisations.decide_staff_role",
    )
    def accept(self) -> None:
        """Only the status changes (transition_run writes the event)."""

    @transition(
        field=status,
        source=StaffRoleStatus.PENDING,
        target=StaffRoleStatus.REJECTED,
        permission="organisations.decide_staff_role",
    )
    def refuse(self) -> None:
        """Only the status changes (transition_run writes the event)."""

    # Only an active role is revoked: a pending one waits for the officer, a revoked one stays revoked.
    @transition(
        field=status,
        source=StaffRoleStatus.ACTIVE,
        target=StaffRoleStatus.REVOKED,
        permission="organisations.revoke_staff_role",
    )
    def revoke(self) -> None:
        """Only the status changes (transition_run writes the event)."""


class InvitationStatus(models.TextChoices):
    SENT = "sent", "Envoyée"
    ACCEPTED = "accepted", "Acceptée"
    DECLINED = "declined", "Déclinée"
    CANCELLED = "cancelled", "Annulée"


class StaffInvitationQuerySet(models.QuerySet["StaffInvitation"]):
    def addressed_to(self, user: Any) -> StaffInvitationQuerySet:
        """Invitations sent to one of the user's verified e-mail addresses."""
        from allauth.account.models import EmailAddress

        if not _authenticated(user):
            return self.none()
        verified = EmailAddress.objects.filter(user=user, verified=True).annotate(lower=Lower("email"))
        return self.filter(email__in=verified.values("lower"))


class StaffInvitation(FSMModelMixin, models.Model):
    """A correspondent invites someone, by e-mail, to a role. The address need not have an account yet (the
    inviter is never told whether it has one); the person accepts once signed in with that verified address."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField("e-mail invité")  # stored lower-cased
    role = models.CharField(max_length=20, choices=StaffRoleKind.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = FSMField(
        max_length=20, choices=InvitationStatus.choices, default=InvitationStatus.SENT, protected=True
    )
    staff_role = models.ForeignKey(
        StaffRole, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StaffInvitationQuerySet.as_manager()

    class Meta:
        verbose_name = "invitation dans l'équipe"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email", "role"],
                condition=Q(status="sent"),
                name="staff_invitation_one_sent",
            ),
            models.CheckConstraint(condition=Q(email=Lower("email")), name="staff_invitation_email_lower"),
        ]

    def __str__(self) -> str:
        return f"{self.role} @ {self.organisation_id} ({self.status})"

    @transition(
        field=status,
        source=InvitationStatus.SENT,
        target=InvitationStatus.ACCEPTED,
        permission="organisations.answer_invitation",
    )
    def accept(self, *, staff_role: StaffRole) -> None:
        self.staff_role = staff_role

    @transition(
        field=status,
        source=InvitationStatus.SENT,
        target=InvitationStatus.DECLINED,
        permission="organisations.answer_invitation",
    )
    def decline(self) -> None:
        """Only the status changes (transition_run writes the event)."""

    @transition(
        field=status,
        source=InvitationStatus.SENT,
        target=InvitationStatus.CANCELLED,
        permission="organisations.cancel_invitation",
    )
    def cancel(self) -> None:
        """Only the status changes (transition_run writes the event)."""


class OfficerTerritory(models.Model):
    """The départements an officer covers (set by an administrator)."""

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="territories",
        db_index=False,
    )
    departement = models.ForeignKey("geo.Departement", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "territoire de chargé de développement"
        constraints = [
            models.UniqueConstraint(fields=["officer", "departement"], name="officer_territory_unique")
        ]

    def __str__(self) -> str:
        return f"{self.officer_id} → {self.departement_id}"
