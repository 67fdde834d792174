"""The ledger read-only: balances move through movements only, and a correction is made on /nuits/correction/
(`services.correction_record`: a new movement with its reason, audited)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from exchanges.nights.models import NightAccount, NightMovement


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(NightAccount)
class NightAccountAdmin(ReadOnly):
    list_display = ("pk", "kind", "user", "balance", "created_at")
    list_filter = ("kind",)


@admin.register(NightMovement)
class NightMovementAdmin(ReadOnly):
    list_display = ("pk", "kind", "debit", "credit", "nights", "proposal_id", "created_at")
    list_filter = ("kind",)
