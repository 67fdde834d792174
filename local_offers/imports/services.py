"""Writes of the bulk import: upload (the file checked and stored privately), preview (the plan, rolled
back), confirm (a job for the worker), run (one transaction: everything or nothing)."""

from __future__ import annotations

import logging
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from local_offers.imports import plan as planning
from local_offers.imports.exceptions import ImportWrongState
from local_offers.imports.mapping import suggested
from local_offers.imports.models import FacilityImport, ImportStatus
from local_offers.imports.reading import Table, copy_upload, max_bytes, opened_table, read_table, too_large
from local_offers.imports.rows import mapped_fields, suggested_crs
from local_offers.imports.selectors import mapping_remembered, organisation_for_import
from marketplace.accounts.models import User
from marketplace.errors import DomainError
from marketplace.messaging.attachments import display_name

logger = logging.getLogger(__name__)


def facility_import_upload(*, actor: User, organisation_id: int, upload: UploadedFile) -> FacilityImport:
    """Reads the file (refusing hostile ones: an ImportFileError or FileTooLarge naming the problem, nothing
    stored), keeps it privately and suggests a mapping (the employer's last one, then French synonyms)."""
    organisation = organisation_for_import(actor=actor, organisation_id=organisation_id)
    planning.drop_stale_stages()
    record = FacilityImport(
        organisation=organisation, created_by=actor, file_name=display_name(upload.name or "")
    )
    try:
        with _received(upload, record) as path:
            table = read_table(path, checks_only=True)  # the preview reads every row's attributes
        mapping = suggested(table.columns, remembered=mapping_remembered(organisation))
        record.format, record.encoding, record.rows_read = table.format, table.encoding, table.length
        record.columns, record.mapping, record.crs = table.columns, mapping, suggested_crs(table, mapping)
        with transaction.atomic():
            record.save()
    except BaseException:
        if record.file:
            record.file.delete(save=False)  # a refused or unsaved upload leaves no file behind
        raise
    return record


def _kept_in_a_local_folder(record: FacilityImport) -> bool:
    """Whether the import's file is kept in a folder of this machine (the filesystem storage of development
    and production): then it is read where it is kept, never copied for reading."""
    return isinstance(record.file.storage, FileSystemStorage)


@contextmanager
def _received(upload: UploadedFile, record: FacilityImport) -> Iterator[Path]:
    """The uploaded file at a path of this machine for the checks, and kept in `record.file` (with its
    `size`). A storage that is a local folder keeps it first, once (moved there when the upload is already a
    temporary file), and it is read where it is kept: the caller deletes it if the checks refuse it. Any other
    storage: a private copy, its bytes counted as they come, kept once the checks passed."""
    name = f"{uuid.uuid4().hex}.bin"
    if _kept_in_a_local_folder(record) and upload.size is not None:
        if upload.size > max_bytes():
            raise too_large()
        record.size = upload.size
        record.file.save(name, upload, save=False)
        yield Path(record.file.path)
        return
    with tempfile.TemporaryDirectory(prefix="facility-upload-") as folder:
        path = Path(folder) / "upload"
        record.size = copy_upload(upload, path)
        yield path
        with path.open("rb") as handle:
            record.file.save(name, File(handle), save=False)


@contextmanager
def _opened(record: FacilityImport) -> Iterator[Table]:
    """The import's stored file, opened (`reading.opened_table`): its attributes are read when `prepare` asks,
    once the database works on the points. Read where it is kept when the storage is a local folder (no copy
    of tens of megabytes), else from a private copy."""
    if _kept_in_a_local_folder(record):
        with opened_table(Path(record.file.path)) as table:
            yield table
        return
    with tempfile.TemporaryDirectory(prefix="facility-import-") as folder:
        path = Path(folder) / "file"
        with record.file.open("rb") as source:
            copy_upload(source, path)
        with opened_table(path) as table:
            yield table


def facility_import_preview(
    *,
    actor: User,
    facility_import: FacilityImport,
    mapping: dict[str, str] | None = None,
    crs: int | None = None,
) -> FacilityImport:
    """What the import would create, update and reject, each rejection with its row and reason; nothing is
    written but the preview and the import's staged rows (kept for its run). Raises ColumnsMissing,
    MappingInvalid, CrsUnknown, CrsMismatch, ImportWrongState."""
    organisation_for_import(actor=actor, organisation_id=facility_import.organisation_id)
    if facility_import.status not in (ImportStatus.UPLOADED, ImportStatus.PREVIEWED):
        raise ImportWrongState(detail={"status": facility_import.status})
    mapping = {k: v for k, v in (mapping if mapping is not None else facility_import.mapping).items() if v}
    crs = crs if crs is not None else facility_import.crs
    with _opened(facility_import) as table, transaction.atomic():
        record = FacilityImport.objects.select_for_update().get(pk=facility_import.pk)
        if record.status not in (ImportStatus.UPLOADED, ImportStatus.PREVIEWED):
            raise ImportWrongState(detail={"status": record.status})
        _prepared, plan = planning.prepare_and_build(
            table, mapping, crs, record.organisation_id, planning.stage_table(record.pk)
        )
        record.mapping = mapping
        record.crs = crs if not table.spatial else None
        record.status = ImportStatus.PREVIEWED
        _counts(record, plan)
        record.preview = plan.preview()
        record.save()
    return record


def _counts(record: FacilityImport, plan: planning.Plan) -> None:
    record.created_count = plan.created
    record.updated_count = plan.updated
    record.unchanged_count = plan.unchanged
    record.rejected_count = plan.rejected
    record.merged_count = plan.merged_count


def facility_import_confirm(
    *, actor: User, facility_import: FacilityImport, publish: bool = False
) -> FacilityImport:
    """Queues the previewed import for the worker. Raises ImportWrongState (409) unless previewed."""
    from local_offers.tasks import facility_import_task

    organisation_for_import(actor=actor, organisation_id=facility_import.organisation_id)
    with transaction.atomic():
        record = FacilityImport.objects.select_for_update().get(pk=facility_import.pk)
        if record.status != ImportStatus.PREVIEWED:
            raise ImportWrongState(detail={"status": record.status})
        record.status = ImportStatus.RUNNING
        record.publish = publish
        record.progress = 0
        record.started_at = timezone.now()
        record.save()
        transaction.on_commit(
            lambda: facility_import_task.configure(queueing_lock=f"facility_import_{record.pk}").defer(
                import_id=record.pk
            )
        )
    return record


class _Progress:
    """Writes the import's progress on a connection of its own, committed at once: the page follows it while
    the import's own transaction is still open (and would roll everything back on failure)."""

    def __init__(self, import_id: int) -> None:
        self.import_id = import_id
        self.last = -1
        self.side = connections.create_connection(DEFAULT_DB_ALIAS)

    def __call__(self, percent: int) -> None:
        if percent <= self.last:
            return
        self.last = percent
        with self.side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {FacilityImport._meta.db_table} SET progress = %s WHERE id = %s",  # noqa: S608
                [percent, self.import_id],
            )

    def close(self) -> None:
        self.side.close()


@contextmanager
def _progress(import_id: int) -> Iterator[_Progress]:
    progress = _Progress(import_id)
    try:
        yield progress
    finally:
        progress.close()


def facility_import_run(*, import_id: int) -> FacilityImport:
    """Runs a confirmed import in ONE transaction: every facility created and updated, or none (the import is
    then `failed`, with the reason). Running it again once done does nothing. The rows its preview staged are
    reused (only the match against the employer's facilities is done again); without them (cleaned up, lost in
    a crash) the file is read and staged again."""
    record = FacilityImport.objects.get(pk=import_id)
    if record.status != ImportStatus.RUNNING:
        return record
    try:
        with _progress(import_id) as progress, transaction.atomic():
            # One import at a time per employer: duplicates are judged against what the other one wrote.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7313, record.organisation_id])
            progress(5)
            stage = planning.stage_table(record.pk)
            mapped = mapped_fields(record.mapping)
            if planning.stage_exists(stage):
                plan = planning.replan(stage, record.organisation_id, mapped, record)
            else:
                with _opened(record) as table:
                    progress(15)
                    prepared, plan = planning.prepare_and_build(
                        table, record.mapping, record.crs, record.organisation_id, stage, progress
                    )
                mapped = prepared.mapped
            progress(75)
            created, updated = planning.write(
                table=stage,
                organisation_id=record.organisation_id,
                actor_id=record.created_by_id,
                mapped=mapped,
                publish=record.publish,
                updates=plan.updated > 0,
            )
            planning.drop_stage(stage)
            progress(95)
            plan.created, plan.updated = created, updated
            _counts(record, plan)
            record.preview = plan.preview()
            record.status = ImportStatus.DONE
            record.progress = 100
            record.finished_at = timezone.now()
            record.save()
    except Exception as error:
        _failed(import_id, error)
        if not isinstance(error, DomainError):
            raise
        record.refresh_from_db()
    logger.info(
        "facility import",
        extra={
            "status": record.status,
            "facilities_created": record.created_count,
            "facilities_updated": record.updated_count,
        },
    )
    return record


def _failed(import_id: int, error: Exception) -> None:
    detail: dict[str, Any] = (
        error.as_dict() if isinstance(error, DomainError) else {"code": "internal_error", "message": ""}
    )
    FacilityImport.objects.filter(pk=import_id).update(
        status=ImportStatus.FAILED, error=detail, finished_at=timezone.now()
    )
    planning.drop_stage(planning.stage_table(import_id))  # a failed import is not run again
