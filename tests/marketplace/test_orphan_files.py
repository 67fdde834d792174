"""The nightly sweep of files no row names (marketplace.core.storage) reaches every FileField."""

import datetime as dt

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils import timezone
from procrastinate.contrib.django import app

from marketplace.core.storage import _folder, file_fields, orphan_files_sweep, storage_of
from marketplace.core.tasks import orphan_files_sweep_task


def test_every_file_field_writes_under_a_folder_the_sweep_walks():
    fields = file_fields()
    assert len(fields) >= 6  # photos of homes and facilities, avatars, attachments, agreements, imports
    assert [f"{m.__name__}.{f.name}" for m, f in fields if not _folder(f)] == []


def test_only_old_unnamed_files_go_in_every_storage(db):
    later = timezone.now() + dt.timedelta(days=2)
    written = {
        (alias, _folder(field)): storages[alias].save(f"{_folder(field)}/orphan.bin", ContentFile(b"x"))
        for alias in ("default", "private")
        for _, field in file_fields()
        if storage_of(field) is storages[alias]
    }
    assert {alias for alias, _ in written} == {"default", "private"}
    assert orphan_files_sweep(now=later) >= len(written)  # with earlier tests' rolled-back files
    assert not any(storages[alias].exists(name) for (alias, _), name in written.items())


def test_the_worker_runs_it_every_night():
    periodic = {key[1]: task for key, task in app.periodic_registry.periodic_tasks.items()}
    assert periodic["orphan_files_sweep"].task is orphan_files_sweep_task
