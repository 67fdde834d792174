"""Assertions shared by every test module."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.apps import apps
from django.contrib.gis.db.models import GeometryField
from django.db import connection
from django.db.models import Model

# The project's apps (plus allauth's addresses, which the project writes): every table a failure must leave alone.
PROJECT_PACKAGES = ("marketplace", "geo", "exchanges", "local_offers", "allauth.account")


def project_models() -> list[type[Model]]:
    return [
        model
        for model in apps.get_models()
        if model.__module__.startswith(PROJECT_PACKAGES) and not model._meta.proxy and model._meta.managed
    ]


def _checksum_sql(model: type[Model]) -> str:
    # One number per table: the row count and a sum of row hashes, so an UPDATE that keeps the count is seen.
    # Geometries are left out of the hash (large, and written only by the territory loader).
    quote = connection.ops.quote_name
    columns = [
        f"t.{quote(f.column)}" for f in model._meta.concrete_fields if not isinstance(f, GeometryField)
    ]
    table = quote(model._meta.db_table)
    return (
        f"SELECT %s, count(*), coalesce(sum(hashtext(row({', '.join(columns)})::text)::bigint), 0) "
        f"FROM {table} t"
    )


def table_checksums() -> dict[str, tuple[int, int]]:
    """{table: (row count, checksum of the rows)} for every project table, in one query."""
    models = project_models()
    sql = " UNION ALL ".join(_checksum_sql(m) for m in models)
    with connection.cursor() as cursor:
        cursor.execute(sql, [m._meta.db_table for m in models])
        return {table: (count, checksum) for table, count, checksum in cursor.fetchall()}


@contextmanager
def assert_nothing_written() -> Iterator[None]:
    """Fails, naming the tables, if any project table (audit events included) changed inside the block.

    For failure paths: the refused or invalid request must leave the database as it found it.
    """
    before = table_checksums()
    yield
    after = table_checksums()
    changed = sorted(table for table in before if before[table] != after[table])
    assert not changed, f"written although the request failed: {', '.join(changed)}"


def run_deferred(task: Any) -> int:
    """Run, in this process as the worker would, the jobs of `task` (a Procrastinate task) deferred so far;
    returns how many. Procrastinate's job rows are read-only from Django: call it once per batch of jobs."""
    from procrastinate.contrib.django.models import ProcrastinateJob

    jobs = list(ProcrastinateJob.objects.filter(task_name=task.name, status="todo").order_by("id"))
    for job in jobs:
        task(**job.args)
    return len(jobs)
