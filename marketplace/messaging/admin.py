"""Moderation: the reported messages, with their text as reported. Read-only; handling one goes through the
service."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from marketplace.accounts.models import User
from marketplace.errors import DomainError
from marketplace.messaging import services
from marketplace.messaging.models import Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("created_at", "status", "message", "reporter", "short_text")
    list_filter = ("status",)
    ordering = ("-created_at",)
    readonly_fields = (
        "message",
        "reporter",
        "reason",
        "text_as_reported",
        "status",
        "created_at",
        "handled_at",
    )
    actions = ("mark_handled",)

    @admin.display(description="texte signalé")
    def short_text(self, report: Report) -> str:
        return report.text_as_reported[:80]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Marquer comme traités")
    def mark_handled(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        assert isinstance(request.user, User)
        done = 0
        for report in queryset:
            try:
                services.report_handle(actor=request.user, report=report)
            except DomainError as error:
                messages.error(request, f"{report}: {error.message}")
            else:
                done += 1
        if done:
            messages.success(request, f"Signalements traités : {done}")
