"""Proposals read-only (their status moves through the services); reviews with the private note to the
moderators."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from exchanges.swaps.models import Review, Stay, SwapProposal


class StayInline(admin.TabularInline):
    model = Stay
    fields = ("guest_home", "host_home", "period", "guests", "confirmed")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(SwapProposal)
class SwapProposalAdmin(admin.ModelAdmin):
    list_display = ("pk", "status", "revision", "expires_at", "created_at")
    list_filter = ("status",)
    readonly_fields = ("created_by", "status", "revision", "expires_at", "reminded_at", "idempotency_key")
    fields = readonly_fields
    inlines = [StayInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("stay", "side", "rating", "created_at")
    list_filter = ("side", "rating")
    readonly_fields = ("stay", "author", "side", "rating", "text", "private_note", "created_at")
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
