"""What the import's endpoints take and give."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from local_offers.imports.mapping import FIELDS
from local_offers.imports.models import FacilityImport
from local_offers.imports.reading import FORMATS


class RejectionOut(Schema):
    row: int
    code: str
    message: str


class MergeOut(Schema):
    row: int
    into: int


class SampleOut(Schema):
    row: int
    name: str
    category: str
    commune: str


class PreviewOut(Schema):
    created: int
    updated: int
    unchanged: int
    rejected: int
    merged: int
    rejections: list[RejectionOut]
    merges: list[MergeOut]
    samples: dict[str, list[SampleOut]]


class ImportOut(Schema):
    id: int
    organisation_id: int
    file_name: str
    size: int
    format: str
    format_label: str
    encoding: str
    rows_read: int
    columns: list[str]
    mapping: dict[str, str]
    fields: dict[str, str] = Field(description="Champs d'un équipement qu'une colonne peut alimenter")
    crs: int | None
    status: str
    progress: int
    publish: bool
    created: int
    updated: int
    unchanged: int
    rejected: int
    merged: int
    error: dict[str, Any]
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


class PreviewIn(Schema):
    mapping: dict[str, str] | None = Field(
        None, description="Champ → colonne du fichier ; absent : l'association proposée à l'envoi"
    )
    crs: int | None = Field(None, ge=1024, le=999_999, description="EPSG des colonnes x/y d'un CSV")


class ConfirmIn(Schema):
    publish: bool = Field(False, description="Publier les équipements créés (sinon : brouillons)")


def import_out(record: FacilityImport) -> dict[str, Any]:
    return {
        "id": record.pk,
        "organisation_id": record.organisation_id,
        "file_name": record.file_name,
        "size": record.size,
        "format": record.format,
        "format_label": FORMATS.get(record.format, record.format),
        "encoding": record.encoding,
        "rows_read": record.rows_read,
        "columns": record.columns,
        "mapping": record.mapping,
        "fields": {k: str(v) for k, v in FIELDS.items()},
        "crs": record.crs,
        "status": record.status,
        "progress": record.progress,
        "publish": record.publish,
        "created": record.created_count,
        "updated": record.updated_count,
        "unchanged": record.unchanged_count,
        "rejected": record.rejected_count,
        "merged": record.merged_count,
        "error": record.error,
        "created_at": record.created_at,
        "started_at": record.started_at,
        "finished_at": record.finished_at,
    }
