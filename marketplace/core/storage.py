"""Files that no row names any more, removed by the worker.

A file is written before its row is committed (a photo, an attachment, a signed agreement): when the
transaction then rolls back, or when the removal a deletion queued for after its commit does not run (the
process stopped), the file stays with nothing pointing at it. Rather than a guard at each of the places
that store files, the sweep below finds them all: every FileField of every model, every name under its
folder that no row names, once older than a day (a younger one may belong to a transaction still running).
"""

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.core.files.storage import Storage, default_storage, storages
from django.db.models import FileField
from django.utils import timezone

GRACE = dt.timedelta(days=1)


def file_fields() -> list[tuple[Any, FileField]]:
    """Every (model, FileField) of the project, ImageField included."""
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, FileField)
    ]


def storage_of(field: FileField) -> Storage:
    """The storage itself (the default one is a lazy proxy, not the object `storages["default"]` gives)."""
    return storages["default"] if field.storage is default_storage else field.storage


def _folder(field: FileField) -> str | None:
    """The fixed folder a field writes under (`homes/` → `homes`), None when it is decided per file."""
    if not isinstance(field.upload_to, str):
        return None
    return field.upload_to.split("%", 1)[0].rsplit("/", 1)[0].strip("/")


def _names(storage: Storage, folder: str) -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for sub in folders:
        yield from _names(storage, f"{folder}/{sub}" if folder else sub)


def orphan_files_sweep(*, older_than: dt.timedelta = GRACE, now: dt.datetime | None = None) -> int:
    """Removes the files under the folders of the FileFields that no row names and that are older than
    `older_than`; returns how many. A storage's names are compared with the rows of every field writing to
    it, so two fields sharing a folder keep each other's files."""
    cutoff = (now or timezone.now()) - older_than
    by_storage: dict[int, tuple[Storage, set[str], set[str]]] = {}
    for model, field in file_fields():
        storage, named, folders = by_storage.setdefault(
            id(storage_of(field)), (storage_of(field), set(), set())
        )
        named.update(model._base_manager.exclude(**{field.name: ""}).values_list(field.name, flat=True))
        folder = _folder(field)
        if folder is not None:
            folders.add(folder)
    removed = 0
    for storage, named, folders in by_storage.values():
        for folder in sorted(folders):
            if any(folder.startswith(f"{other}/") for other in folders if other != folder):
                continue  # walked with its parent
            for name in list(_names(storage, folder)):
                if name not in named and storage.get_modified_time(name) < cutoff:
                    storage.delete(name)
                    removed += 1
    return removed
