"""Database types Django does not ship: a date multirange (PostgreSQL 14+), with the lookups and the one
expression the home search needs."""

from typing import Any

from django.contrib.postgres.lookups import PostgresOperatorLookup  # type: ignore[attr-defined]
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.sql.compiler import SQLCompiler


class DateMultiRangeField(models.Field):
    """A `datemultirange`: a set of disjoint half-open date ranges, read as psycopg's Multirange. Filled by
    the database (a trigger), so never edited through a form."""

    description = "date multirange"

    def db_type(self, connection: BaseDatabaseWrapper) -> str:
        return "datemultirange"


class _RangeOperand(PostgresOperatorLookup):
    """`multirange <op> daterange`: the right side is a DateRange, cast so that PostgreSQL picks the
    multirange–range operator (indexed by the GiST multirange opclass)."""

    prepare_rhs = False

    def process_rhs(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, Any]:
        sql, params = super().process_rhs(compiler, connection)
        return f"{sql}::daterange", params


@DateMultiRangeField.register_lookup
class Overlaps(_RangeOperand):
    lookup_name = "overlap"
    postgres_operator = "&&"


@DateMultiRangeField.register_lookup
class ContainsRange(_RangeOperand):
    lookup_name = "contains"
    postgres_operator = "@>"


class FreeNights(models.Func):
    """The longest run of nights that one range of a multirange leaves free inside a window:
    max over its ranges r of upper(r ∩ window) − lower(r ∩ window) (0 when none overlaps)."""

    output_field = models.IntegerField()

    def __init__(self, multirange: Any, window: Any) -> None:
        super().__init__(multirange, window)

    def as_sql(  # type: ignore[override]
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, list[Any]]:
        multirange, window = self.get_source_expressions()
        lhs, lhs_params = compiler.compile(multirange)
        rhs, rhs_params = compiler.compile(window)
        sql = (  # compiled expressions, their values kept in the parameters
            f"(SELECT coalesce(max(upper(r * {rhs}::daterange) - lower(r * {rhs}::daterange)), 0)"  # noqa: S608
            f" FROM unnest({lhs}) r)"
        )
        return sql, [*lhs_params, *rhs_params, *rhs_params]
