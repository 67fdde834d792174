"""Runs read-only, with an action that launches a run now (administrators: the service checks it)."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from exchanges.clearing.models import ClearingRun
from exchanges.clearing.services import clearing_run


@admin.register(ClearingRun)
class ClearingRunAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "started_at",
        "trigger",
        "pool_size",
        "households",
        "greedy_households",
        "lp_bound",
        "gap",
    )
    actions = ["launch"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in ClearingRun._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Lancer un tour de propositions maintenant")
    def launch(self, request: HttpRequest, queryset: QuerySet[ClearingRun]) -> None:
        run = clearing_run(actor=request.user)  # type: ignore[arg-type]
        self.message_user(
            request,
            f"Tour n°{run.pk} : {run.households} foyers, {run.proposals_created} propositions.",
            messages.SUCCESS,
        )
