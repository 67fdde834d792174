"""Back-office for administrators. Workflow statuses are read-only here: they change only through the
services (admin actions below call them), so every change checks its state and writes its event."""

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from marketplace.accounts.models import User
from marketplace.errors import DomainError
from marketplace.organisations import services
from marketplace.organisations.models import (
    Employment,
    MembershipPeriod,
    OfficerTerritory,
    Organisation,
    StaffInvitation,
    StaffRole,
)


def _run_each(
    request: HttpRequest, queryset: QuerySet[Any], service: Callable[[User, Any], object], done: str
) -> None:
    """Run a service on each selected row; report what succeeded and why the others were refused."""
    assert isinstance(request.user, User)
    succeeded = 0
    for obj in queryset:
        try:
            service(request.user, obj)
        except DomainError as error:
            messages.error(request, f"{obj}: {error.message}")
        else:
            succeeded += 1
    if succeeded:
        messages.success(request, f"{done} : {succeeded}")


class WorkflowAdmin(admin.ModelAdmin):
    """The status is shown, never edited (each subclass lists it in readonly_fields); rows are created by the
    services, not here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class MembershipPeriodInline(admin.TabularInline):
    model = MembershipPeriod
    extra = 0
    can_delete = False
    readonly_fields = ("period",)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # periods are added by an officer (membership_add_period), which audits them


@admin.register(Organisation)
class OrganisationAdmin(WorkflowAdmin):
    list_display = ("name", "kind", "siren", "seat_commune", "status")
    list_filter = ("status", "kind")
    search_fields = ("name", "siren")
    raw_id_fields = ("seat_commune", "created_by")
    readonly_fields = ("status", "siren", "seat_commune", "created_by")
    inlines = [MembershipPeriodInline]
    actions = ["validate", "reject"]

    @admin.action(description="Valider les employeurs sélectionnés")
    def validate(self, request: HttpRequest, queryset: QuerySet[Organisation]) -> None:
        _run_each(
            request,
            queryset,
            lambda actor, o: services.organisation_validate(actor=actor, organisation=o, comment="admin"),
            "Validés",
        )

    @admin.action(description="Refuser les employeurs sélectionnés")
    def reject(self, request: HttpRequest, queryset: QuerySet[Organisation]) -> None:
        _run_each(
            request,
            queryset,
            lambda actor, o: services.organisation_reject(
                actor=actor, organisation=o, comment="Refusé par l'administration nationale."
            ),
            "Refusés",
        )


@admin.register(Employment)
class EmploymentAdmin(WorkflowAdmin):
    list_display = ("agent", "organisation", "status", "requested_at")
    list_filter = ("status",)
    raw_id_fields = ("agent", "organisation")
    readonly_fields = ("status", "agent", "organisation", "decided_at", "ended_at")
    actions = ["confirm", "reject", "end"]

    @admin.action(description="Confirmer les emplois sélectionnés")
    def confirm(self, request: HttpRequest, queryset: QuerySet[Employment]) -> None:
        _run_each(
            request,
            queryset,
            lambda actor, e: services.employment_confirm(actor=actor, employment=e),
            "Confirmés",
        )

    @admin.action(description="Refuser les emplois sélectionnés")
    def reject(self, request: HttpRequest, queryset: QuerySet[Employment]) -> None:
        _run_each(
            request,
            queryset,
            lambda actor, e: services.employment_reject(actor=actor, employment=e, comment="admin"),
            "Refusés",
        )

    @admin.action(description="Mettre fin aux emplois sélectionnés")
    def end(self, request: HttpRequest, queryset: QuerySet[Employment]) -> None:
        _run_each(
            request, queryset, lambda actor, e: services.employment_end(actor=actor, employment=e), "Terminés"
        )


@admin.register(StaffRole)
class StaffRoleAdmin(WorkflowAdmin):
    list_display = ("user", "organisation", "role", "status")
    list_filter = ("role", "status")
    raw_id_fields = ("user", "organisation")
    readonly_fields = ("status", "user", "organisation", "role")
    actions = ["accept", "revoke"]

    @admin.action(description="Accepter les correspondants sélectionnés")
    def accept(self, request: HttpRequest, queryset: QuerySet[StaffRole]) -> None:
        _run_each(
            request,
            queryset,
            lambda actor, r: services.staff_role_decide(actor=actor, role=r, accept=True, comment="admin"),
            "Acceptés",
        )

    @admin.action(description="Retirer les rôles sélectionnés")
    def revoke(self, request: HttpRequest, queryset: QuerySet[StaffRole]) -> None:
        _run_each(request, queryset, lambda actor, r: services.staff_revoke(actor=actor, role=r), "Retirés")


@admin.register(StaffInvitation)
class StaffInvitationAdmin(WorkflowAdmin):
    list_display = ("email", "organisation", "role", "status", "created_at")
    list_filter = ("role", "status")
    readonly_fields = ("status", "email", "organisation", "role", "invited_by", "staff_role")


@admin.register(OfficerTerritory)
class OfficerTerritoryAdmin(admin.ModelAdmin):
    list_display = ("officer", "departement")
    raw_id_fields = ("officer",)
