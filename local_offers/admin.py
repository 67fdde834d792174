"""Back-office for administrators: facilities and subsidised structures are read here; they change through
the services (the actions below, or the correspondents' pages), so territories, hours and events stay right."""

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from local_offers import services
from local_offers.imports.models import FacilityImport
from local_offers.models import Facility, FacilityClosure, FacilityOpeningHours, SubsidisedStructure
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
