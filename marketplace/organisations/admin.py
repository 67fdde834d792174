from django.contrib import admin

from marketplace.organisations.models import (
    Employment,
    MembershipPeriod,
    OfficerTerritory,
    Organisation,
    StaffRole,
)


class MembershipPeriodInline(admin.TabularInline):
    model = MembershipPeriod
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "siren", "seat_commune", "status")
    list_filter = ("status", "kind")
    search_fields = ("name", "siren")
    raw_id_fields = ("seat_commune", "created_by")
    inlines = [MembershipPeriodInline]


@admin.register(Employment)
class EmploymentAdmin(admin.ModelAdmin):
    list_display = ("agent", "organisation", "status", "requested_at")
    list_filter = ("status",)
    raw_id_fields = ("agent", "organisation")


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "role", "status")
    list_filter = ("role", "status")
    raw_id_fields = ("user", "organisation")


@admin.register(OfficerTerritory)
class OfficerTerritoryAdmin(admin.ModelAdmin):
    list_display = ("officer", "departement")
    raw_id_fields = ("officer",)
