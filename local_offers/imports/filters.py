"""GET /api/v1/organisations/{id}/facility-imports: the employer's imports, newest first (keyset pages)."""

from marketplace.lists import ListFilterSet


class FacilityImportFilter(ListFilterSet):
    sorts = {"-created_at": ("-created_at", "-id")}
