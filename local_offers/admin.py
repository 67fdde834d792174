"""Back-office for administrators: facilities and subsidised structures are read here; they change through
the services (the actions below, or the correspondents' pages), so territories, hours and events stay right."""

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from local_offers import services
from local_offers.imports.models import FacilityImport
from local_offers.models import (
    Facility,
    FacilityClosure,
    FacilityOpeningHours,
    SubsidisedStructure,
    VenueApiKey,
    Voucher,
    VoucherValidation,
)
from local_offers.vouchers import services as voucher_services
from marketplace.accounts.models import User
from marketplace.errors import DomainError


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        return [f.name for f in self.model._meta.concrete_fields]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class HoursInline(ReadOnlyInline):
    model = FacilityOpeningHours
    readonly_fields = ("weekday", "minutes")


class ClosureInline(ReadOnlyInline):
    model = FacilityClosure
    readonly_fields = ("dates", "reason")


def _run_each(
    request: HttpRequest, queryset: QuerySet[Facility], service: Callable[..., Any], done: str
) -> None:
    assert isinstance(request.user, User)
    succeeded = 0
    for facility in queryset:
        try:
            service(actor=request.user, facility=facility)
        except DomainError as error:
            messages.error(request, f"{facility}: {error.message}")
        else:
            succeeded += 1
    if succeeded:
        messages.success(request, f"{done} : {succeeded}")


@admin.register(Facility)
class FacilityAdmin(ReadOnlyAdmin):
    list_display = ("name", "category", "organisation", "commune", "status")
    list_filter = ("status", "category")
    search_fields = ("name", "external_id", "organisation__name")
    list_select_related = ("organisation", "commune")
    inlines = [HoursInline, ClosureInline]
    actions = ["publish", "unpublish", "archive"]

    @admin.action(description="Publier les équipements sélectionnés")
    def publish(self, request: HttpRequest, queryset: QuerySet[Facility]) -> None:
        _run_each(request, queryset, services.facility_publish, "Publiés")

    @admin.action(description="Retirer de la carte les équipements sélectionnés")
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Facility]) -> None:
        _run_each(request, queryset, services.facility_unpublish, "Retirés")

    @admin.action(description="Archiver les équipements sélectionnés")
    def archive(self, request: HttpRequest, queryset: QuerySet[Facility]) -> None:
        _run_each(request, queryset, services.facility_archive, "Archivés")


@admin.register(SubsidisedStructure)
class SubsidisedStructureAdmin(ReadOnlyAdmin):
    list_display = ("name", "siret", "organisation")
    search_fields = ("name", "siret", "organisation__name")


@admin.register(FacilityImport)
class FacilityImportAdmin(ReadOnlyAdmin):
    """Imports are read here (who sent what, the report); they are made and run from the employer's pages."""

    list_display = (
        "file_name",
        "organisation",
        "created_by",
        "created_at",
        "status",
        "created_count",
        "rejected_count",
    )
    list_filter = ("status", "format")
    search_fields = ("file_name", "organisation__name")
    list_select_related = ("organisation", "created_by")

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        # The file is kept privately and served to nobody: not even a link here.
        return [name for name in super().get_readonly_fields(request, obj) if name != "file"]

    def get_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        return self.get_readonly_fields(request, obj)


# ---- Vouchers (statuses read-only; the API keys are created by the correspondents' page or the action) ---------


class ValidationInline(ReadOnlyInline):
    model = VoucherValidation
    fields = readonly_fields = (
        "validated_at",
        "received_at",
        "channel",
        "user",
        "api_key",
        "device",
        "accepted",
    )


@admin.register(Voucher)
class VoucherAdmin(ReadOnlyAdmin):
    list_display = ("code", "facility", "agent", "party_size", "window", "status", "double_validation")
    list_filter = ("status", "double_validation", "validated_via")
    search_fields = ("code", "facility__name", "agent__email")
    list_select_related = ("facility", "agent")
    raw_id_fields = ("agent", "employer", "agreement", "facility", "validated_by")
    inlines = [ValidationInline]


@admin.register(VenueApiKey)
class VenueApiKeyAdmin(ReadOnlyAdmin):
    list_display = ("name", "prefix", "facility", "created_at", "last_used_at", "revoked_at")
    search_fields = ("name", "prefix", "facility__name")
    list_select_related = ("facility",)
    actions = ["revoke"]

    @admin.action(description="Révoquer les clés sélectionnées")
    def revoke(self, request: HttpRequest, queryset: QuerySet[VenueApiKey]) -> None:
        assert isinstance(request.user, User)
        for key in queryset:
            voucher_services.venue_api_key_revoke(actor=request.user, key_id=key.pk)
        messages.success(request, f"Révoquées : {queryset.count()}")
