"""The schema's b-tree indexes, read from the migrated test database: none is a leading part of another on the
same table (every write paid for an index nothing needs: Django indexes each foreign key by itself, and a
composite index or unique constraint that starts with that column already serves its lookups and the
cascades), and every foreign key of our models still leads an index (a delete of the row it references must
not scan the table)."""

import pytest
from django.apps import apps
from django.db import connection, models

pytestmark = pytest.mark.django_db

# Our models' tables (not those of Django's auth, allauth or pghistory, nor the many-to-many tables Django
# makes itself).
OURS = [
    m
    for m in apps.get_models()
    if m.__module__.split(".")[0] in {"marketplace", "exchanges", "local_offers", "geo"} and m._meta.managed
]

LEADING_PARTS_SQL = """
SELECT a.indrelid::regclass::text, a.indexrelid::regclass::text, b.indexrelid::regclass::text
FROM pg_index a
JOIN pg_index b ON b.indrelid = a.indrelid AND b.indexrelid <> a.indexrelid
JOIN pg_class ca ON ca.oid = a.indexrelid
JOIN pg_class cb ON cb.oid = b.indexrelid
JOIN pg_am ama ON ama.oid = ca.relam
JOIN pg_am amb ON amb.oid = cb.relam
WHERE a.indrelid = ANY(%s::regclass[]) AND ama.amname = 'btree' AND amb.amname = 'btree'
  AND NOT a.indisunique AND a.indpred IS NULL AND b.indpred IS NULL
  AND a.indexprs IS NULL AND b.indexprs IS NULL
  -- a's columns, with their operator classes, are the first columns of b
  AND (array_to_string(b.indkey::int2[], ' ') || ' ') LIKE (array_to_string(a.indkey::int2[], ' ') || ' %%')
  AND (array_to_string(b.indclass::oid[], ' ') || ' ') LIKE (array_to_string(a.indclass::oid[], ' ') || ' %%')
  AND (array_length(a.indkey::int2[], 1) < array_length(b.indkey::int2[], 1) OR a.indexrelid > b.indexrelid)
ORDER BY 1, 2
"""

LED_COLUMNS_SQL = """
SELECT i.indrelid::regclass::text, attname
FROM pg_index i
JOIN pg_attribute ON attrelid = i.indrelid AND attnum = (i.indkey::int2[])[0]
WHERE i.indrelid = ANY(%s::regclass[])
  AND (i.indpred IS NULL OR pg_get_expr(i.indpred, i.indrelid) = '(' || quote_ident(attname) || ' IS NOT NULL)')
"""


def test_no_index_is_a_leading_part_of_another():
    with connection.cursor() as cursor:
        cursor.execute(LEADING_PARTS_SQL, [[m._meta.db_table for m in OURS]])
        found = cursor.fetchall()
    assert found == [], "\n".join(
        f"{table}: {index} is a leading part of {wider}" for table, index, wider in found
    )


# Foreign keys that lead no index of their own, each with the lookup that serves it instead (a bulk import pays
# every index on each row it writes). A facility's commune and région are parts of its territory, one composite
# key in the database (`facility_territory_fk`: commune, département, région → the commune's own triple): its
# checks look up all three, through `facility_territory_status` (département, commune, status); communes and
# régions are never deleted (the territory data moves a commune with ON UPDATE CASCADE), and searches reach a
# commune with its département and a région through its départements (`FacilitySearchFilter`).
_FACILITY_TERRITORY = "SELECT 1 FROM local_offers_facility WHERE commune_id = '01001' AND departement_id = '01' AND region_id = '84'"
SERVED_BY_A_COMPOSITE = {
    ("local_offers_facility", "commune_id"): _FACILITY_TERRITORY,
    ("local_offers_facility", "region_id"): _FACILITY_TERRITORY,
}


def test_every_foreign_key_leads_an_index():
    with connection.cursor() as cursor:
        cursor.execute(LED_COLUMNS_SQL, [[m._meta.db_table for m in OURS]])
        led = set(cursor.fetchall())
    keys = [
        (m._meta.db_table, f.column)
        for m in OURS
        for f in m._meta.local_concrete_fields
        if isinstance(f, models.ForeignKey)
    ]
    assert len(keys) > 40
    assert [key for key in keys if key not in led and key not in SERVED_BY_A_COMPOSITE] == []
    # An exception that now leads an index of its own is no longer one: the list stays what it says.
    assert [key for key in SERVED_BY_A_COMPOSITE if key in led] == []


@pytest.mark.parametrize("key", sorted(SERVED_BY_A_COMPOSITE))
def test_a_foreign_key_served_by_a_composite_is_found_through_an_index(key):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {SERVED_BY_A_COMPOSITE[key]}")
        plan = cursor.fetchone()[0][0]["Plan"]
    scan = plan["Plans"][0] if plan["Node Type"] == "Bitmap Heap Scan" else plan
    # The index searched by the key's columns (not read whole with the columns as a filter).
    assert scan["Node Type"] in {"Index Scan", "Index Only Scan", "Bitmap Index Scan"}, plan
    assert "commune_id" in scan.get("Index Cond", ""), plan
