"""From a read `Table` and a column mapping to normalised facility rows, in WGS 84, and rejections.

Geometries are repaired (`make_valid`) or rejected; polygons and lines become their representative point;
points are reprojected to EPSG:4326 with pyproj, vectorised. Whether a point is in France (not at sea) is the
database's question, asked for all rows at once by the service (`geo.selectors.communes_locate`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext as _
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from local_offers.imports import exceptions as e
from local_offers.imports.mapping import COORDINATES, FIELDS, REQUIRED, category_of
from local_offers.imports.reading import CSV, Table
from local_offers.models import FacilityCategory

TEXT_LIMITS = {
    "name": 200,
    "address": 300,
    "description": 5000,
    "website": 300,
    "phone": 20,
    "email": 254,
    "external_id": 100,
}
BOOLEAN_FIELDS = ("access_motor", "access_visual", "access_hearing", "access_mental")
TRUE_WORDS = {"oui", "o", "yes", "y", "true", "vrai", "1", "x"}
FALSE_WORDS = {"non", "n", "no", "false", "faux", "0", ""}
# Every territory of the geo data fits in these boxes (lon min, lat min, lon max, lat max): metropolitan
# France and Corsica, the Antilles, Guiana, Réunion, Mayotte. A file none of whose points falls in them was
# read in the wrong CRS.
FRANCE_BOXES = (
    (-5.8, 41.2, 10.0, 51.3),
    (-63.2, 14.3, -60.7, 18.2),
    (-54.7, 2.0, -51.5, 6.0),
    (55.1, -21.5, 56.0, -20.8),
    (44.9, -13.1, 45.4, -12.5),
)
_URL = URLValidator(schemes=["http", "https"])
_EMAIL = EmailValidator()
_PHONE = re.compile(r"^\+?[0-9]{6,15}$")


@dataclass(frozen=True)
class Rejection:
    row: int
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "code": self.code, "message": self.message}


@dataclass
class Prepared:
    """Rows ready for the database, by column: `row` (the number people see in the file), `lon`, `lat` and
    each mapped field, one value per accepted row, in file order."""

    columns: dict[str, list[Any]]
    rejections: list[Rejection]
    mapped: list[str]
    merged: list[tuple[int, int]] = field(
        default_factory=list
    )  # (row, into row): same identifier in the file

    @property
    def count(self) -> int:
        return len(self.columns["row"])

    @property
    def rows(self) -> list[dict[str, Any]]:
        """One dict per accepted row (for reading them one by one)."""
        names = list(self.columns)
        return [dict(zip(names, values, strict=True)) for values in zip(*self.columns.values(), strict=True)]


def check_mapping(table: Table, mapping: dict[str, str], crs: int | None) -> dict[str, str]:
    """The mapping, checked against the file's columns. Raises MappingInvalid, ColumnsMissing, CrsUnknown."""
    unknown_fields = sorted(set(mapping) - set(FIELDS))
    if unknown_fields:
        raise e.MappingInvalid(
            _("Champs inconnus : %(fields)s.") % {"fields": ", ".join(unknown_fields)},
            detail={"field": "mapping", "fields": unknown_fields},
        )
    mapping = {k: v for k, v in mapping.items() if v}
    absent = sorted(c for c in mapping.values() if c not in table.columns)
    if absent:
        raise e.MappingInvalid(
            _("Ces colonnes ne sont pas dans le fichier : %(columns)s.") % {"columns": ", ".join(absent)},
            detail={"field": "mapping", "columns": absent},
        )
    used = list(mapping.values())
    if len(set(used)) != len(used):
        raise e.MappingInvalid(_("Une colonne est associée à deux champs."), detail={"field": "mapping"})
    needed = list(REQUIRED) + (list(COORDINATES) if not table.spatial else [])
    missing = [f for f in needed if f not in mapping]
    if missing:
        labels = ", ".join(str(FIELDS[f]) for f in missing)
        raise e.ColumnsMissing(
            _("Colonnes obligatoires manquantes : %(fields)s. Associez-les à une colonne du fichier.")
            % {"fields": labels},
            detail={"field": "mapping", "missing": missing, "columns": table.columns},
        )
    if not table.spatial:
        source_crs(crs)
    return mapping


def source_crs(code: int | None) -> CRS:
    if code is None:
        raise e.CrsUnknown(detail={"field": "crs"})
    try:
        return CRS.from_epsg(int(code))
    except (CRSError, ValueError, OverflowError) as error:
        raise e.CrsUnknown(detail={"field": "crs", "crs": code}) from error


def suggested_crs(table: Table, mapping: dict[str, str]) -> int | None:
    """For a CSV: 4326 when x/y read as longitudes/latitudes in France, 2154 when they read as Lambert-93."""
    if table.spatial:
        return table.crs.to_epsg() if table.crs else None
    if "x" not in mapping or "y" not in mapping:
        return None
    xs = _numbers(table.values[mapping["x"]][:200])
    ys = _numbers(table.values[mapping["y"]][:200])
    ok = ~(np.isnan(xs) | np.isnan(ys))
    if not ok.any():
        return None
    x, y = float(np.median(xs[ok])), float(np.median(ys[ok]))
    if _in_france(np.array([x]), np.array([y])).any():
        return 4326
    if 50_000 <= x <= 1_300_000 and 6_000_000 <= y <= 7_200_000:
        return 2154
    return None


def _numbers(values: list[str]) -> np.ndarray[Any, Any]:
    out = np.full(len(values), np.nan)
    for i, value in enumerate(values):
        text = value.replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            continue
        if math.isfinite(number):
            out[i] = number
    return out


def _in_france(lon: np.ndarray[Any, Any], lat: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    inside = np.zeros(len(lon), dtype=bool)
    for x0, y0, x1, y1 in FRANCE_BOXES:
        inside |= (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)
    return inside


# What `prepare` hands over as soon as the points are known: the row numbers, longitudes and latitudes of the
# rows not refused so far (the text columns, which may refuse more, come after).
PointsReady = Callable[[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]], None]


def prepare(
    table: Table, mapping: dict[str, str], *, crs: int | None = None, on_points: PointsReady | None = None
) -> Prepared:
    """Normalised rows and rejections. Raises ColumnsMissing/MappingInvalid/CrsUnknown for the mapping,
    CrsMismatch when no point falls in France once reprojected. `on_points` is called with the points as
    soon as they are known, before the attributes are read (`Table.read_values`: a table from `opened_table`
    reads them then) and the text columns normalised: the database may work on them meanwhile."""
    if not table.complete:
        raise ValueError("prepare needs every row's attributes: read_table(path) without checks_only")
    mapping = check_mapping(table, mapping, crs)
    n = table.length
    rejected: dict[int, Rejection] = {
        i: Rejection(table.row_number(i), code, message) for i, (code, message) in table.problems.items()
    }

    def reject(i: int, code: str, message: str) -> None:
        if i not in rejected:
            rejected[i] = Rejection(table.row_number(i), code, message)

    lon, lat = _points(table, mapping, crs, reject)
    located = ~(np.isnan(lon) | np.isnan(lat))
    coordinates_given = any(r.code == "coordinates_invalid" for r in rejected.values()) or located.any()
    if coordinates_given and not _in_france(lon[located], lat[located]).any():
        raise e.CrsMismatch(
            detail={"field": "crs" if table.format == CSV else "file", "crs": _crs_name(table, crs)}
        )
    for outside in np.flatnonzero(located & ~_in_france(lon, lat)):
        reject(
            int(outside),
            "point_outside_france",
            _("Ce point n'est dans aucune commune française (hors de France ou en mer)."),
        )

    if on_points is not None:
        pending = np.zeros(n, dtype=bool)
        pending[list(rejected)] = True
        at = np.flatnonzero(~pending)
        on_points(at + table.first_row, lon[at], lat[at])
    # A spatial file opened with its attributes left for now: the mapped ones read while the points stage.
    table.read_values([source for target, source in mapping.items() if target not in COORDINATES])
    columns = {
        target: table.values[source] for target, source in mapping.items() if target not in COORDINATES
    }
    values = _columns(columns, n, reject)
    first = table.first_row
    refused = np.zeros(n, dtype=bool)
    refused[list(rejected)] = True
    accepted: list[int] = np.flatnonzero(~refused).tolist()
    merged: list[tuple[int, int]] = []
    external_ids = values.get("external_id")
    if external_ids is not None:
        # The same identifier twice in the file: the later row updates (replaces) the earlier one.
        latest: dict[str, int] = {}
        replaced: set[int] = set()
        for i in accepted:
            external_id = external_ids[i]
            if not external_id:
                continue
            earlier = latest.get(external_id)
            if earlier is not None:
                merged.append((earlier + first, i + first))
                replaced.add(earlier)
            latest[external_id] = i
        if replaced:
            accepted = [i for i in accepted if i not in replaced]
    kept = np.asarray(accepted, dtype=np.int64)
    out: dict[str, list[Any]] = {
        "row": (kept + first).tolist(),
        "lon": lon[kept].astype(float).tolist(),
        "lat": lat[kept].astype(float).tolist(),
    }
    everyone = len(accepted) == n  # no row refused nor merged: the columns as they are
    for target, column in values.items():
        out[target] = column if everyone else [column[i] for i in accepted]
    return Prepared(
        columns=out,
        rejections=sorted(rejected.values(), key=lambda r: r.row),
        mapped=mapped_fields(mapping),
        merged=merged,
    )


def mapped_fields(mapping: dict[str, str]) -> list[str]:
    """The facility fields a (checked) mapping fills, in FIELDS order: what an update may change."""
    return [f for f in FIELDS if mapping.get(f) and f not in COORDINATES]


def _crs_name(table: Table, crs: int | None) -> str:
    if not table.spatial:
        return f"EPSG:{crs}"
    if table.crs is None:
        return ""
    epsg = table.crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else table.crs.name


def _points(table: Table, mapping: dict[str, str], crs: int | None, reject: Any) -> tuple[Any, Any]:
    n = table.length
    if not table.spatial:
        x = _numbers(table.values[mapping["x"]])
        y = _numbers(table.values[mapping["y"]])
        source = source_crs(crs)
        for i in np.flatnonzero(np.isnan(x) | np.isnan(y)):
            reject(int(i), "coordinates_missing", _("Coordonnées absentes ou illisibles."))
    elif table.points is not None:
        # Every geometry a point with finite coordinates (read as numbers): present, valid, its own
        # representative point.
        x, y = (np.array(values, dtype=float) for values in table.points)
        source = table.crs or CRS.from_epsg(4326)
    else:
        geometries = table.geometries
        assert geometries is not None, "a spatial file has geometries"
        missing = shapely.is_missing(geometries) | shapely.is_empty(geometries)
        for i in np.flatnonzero(missing):
            reject(int(i), "geometry_missing", _("Géométrie absente ou vide."))
        valid = shapely.is_valid(geometries)
        broken = np.flatnonzero(~missing & ~valid)
        if len(broken):
            geometries = geometries.copy()
            repaired = shapely.make_valid(geometries[broken])
            geometries[broken] = repaired
            for i, geometry in zip(broken, repaired, strict=True):
                if geometry is None or geometry.is_empty or not geometry.is_valid:
                    reject(int(i), "geometry_invalid", _("Géométrie invalide et impossible à réparer."))
        usable = ~(shapely.is_missing(geometries) | shapely.is_empty(geometries))
        # Points are their own representative point (the common case: no new geometry per row); polygons,
        # lines and multi-geometries get theirs.
        single = usable & (shapely.get_type_id(geometries) == shapely.GeometryType.POINT)
        other = usable & ~single
        x = np.full(n, np.nan)
        y = np.full(n, np.nan)
        x[single] = shapely.get_x(geometries[single])
        y[single] = shapely.get_y(geometries[single])
        if other.any():
            points = shapely.point_on_surface(geometries[other])
            x[other] = shapely.get_x(points)
            y[other] = shapely.get_y(points)
        source = table.crs or CRS.from_epsg(4326)
    if source.to_epsg() == 4326:
        lon, lat = x, y
    else:
        transformer = Transformer.from_crs(source, 4326, always_xy=True)
        with np.errstate(invalid="ignore"):
            lon, lat = transformer.transform(x, y, errcheck=False)
    lon = np.where(np.isfinite(lon), lon, np.nan)
    lat = np.where(np.isfinite(lat), lat, np.nan)
    bad = np.isnan(lon) | np.isnan(lat) | (np.abs(lon) > 180) | (np.abs(lat) > 90)
    for i in np.flatnonzero(bad & ~(np.isnan(x) | np.isnan(y))):
        reject(int(i), "coordinates_invalid", _("Coordonnées impossibles dans ce système de coordonnées."))
    lon = np.where(bad, np.nan, lon)
    lat = np.where(bad, np.nan, lat)
    return lon, lat


_FAST_URL = re.compile(r"^https?://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(:\d{1,5})?(/[^\s<>\"]*)?$")
_FAST_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_SPACES = re.compile(r"\s+")
_PHONE_PUNCTUATION = re.compile(r"[\s.\-()/]")


def _columns(columns: dict[str, list[str]], n: int, reject: Any) -> dict[str, list[Any]]:
    """Every mapped column normalised as a whole (each distinct value checked once); a row's first problem
    rejects it."""
    out: dict[str, list[Any]] = {}
    for target, raw in columns.items():
        if target in _FREE_TEXT:
            out[target] = _free_text(target, raw, reject)
            continue
        if target in _CHECKED_TEXT:
            out[target] = _checked_text(target, raw, reject)
            continue
        seen: dict[str, tuple[Any, tuple[str, str] | None]] = {}
        normalised: list[Any] = [None] * n
        for i, value in enumerate(raw):
            result = seen.get(value)
            if result is None:
                result = seen[value] = _value(target, value)
            normalised[i], problem = result
            if problem is not None:
                reject(i, *problem)
        out[target] = normalised
    if "name" in out:
        for i, name in enumerate(out["name"]):
            if not name:
                reject(i, "name_missing", _("Le nom est vide."))
    if "category" not in out:
        out["category"] = [FacilityCategory.OTHER.value] * n
    return out


def _tidy(raw: list[str], *, collapse: bool) -> list[Any]:
    """The values with their spaces collapsed (`collapse`) or only stripped, in a new list: str.split/join and
    str.strip mapped in C over the column (a list comprehension calling them costs about half again), unless
    `_tidy_already` finds nothing to change (a copy then)."""
    if _tidy_already(raw):
        return list(raw)
    if collapse:
        return list(map(" ".join, map(str.split, raw)))
    return list(map(str.strip, raw))


def _tidy_already(raw: list[str]) -> bool:
    """Whether no value has a space to collapse or strip, told from the column's non-empty values joined by
    spaces, in a few passes in C (a quarter of the collapsing's time): printable, so that its only whitespace
    is the plain space (every other whitespace character is a control character or a separator); no space
    at either end; no two spaces together (a value's own, or one at its end beside the joining one). A column
    with two spaces in a value that only needs stripping (a description) just takes the long way."""
    text = " ".join(filter(None, raw))
    return text.isprintable() and "  " not in text and not text.startswith(" ") and not text.endswith(" ")


# Columns of free text, distinct on nearly every row: normalised in one pass (no cache of distinct values).
_FREE_TEXT = frozenset({"name", "address", "description", "external_id"})


def _free_text(target: str, raw: list[str], reject: Any) -> list[Any]:
    """What `_value` gives for a column of free text (spaces collapsed but in a description, stripped,
    length limited), in one pass; `_value` itself words the problem of a value too long."""
    values: list[Any] = _tidy(raw, collapse=target != "description")
    limit = TEXT_LIMITS[target]
    if max(map(len, values), default=0) <= limit:
        return values
    for i, value in enumerate(values):
        if len(value) > limit:
            values[i], problem = _value(target, raw[i])
            if problem is not None:
                reject(i, *problem)
    return values


# Contact columns, distinct on nearly every row: the common valid value is accepted in one pass; any other goes
# through `_value`, which gives the same result and words the problem.
_CHECKED_TEXT = {"website": _FAST_URL, "email": _FAST_EMAIL, "phone": _PHONE}
_PHONE_PUNCTUATION_CHARS = str.maketrans("", "", " .-()/")


def _checked_text(target: str, raw: list[str], reject: Any) -> list[Any]:
    values: list[Any] = _tidy(raw, collapse=True)
    limit, fast = TEXT_LIMITS[target], _CHECKED_TEXT[target]
    if target == "phone":
        # `_PHONE_PUNCTUATION` removed from the whole column in one call: once collapsed, a value's only
        # space left is " ".
        values = "\n".join(values).translate(_PHONE_PUNCTUATION_CHARS).split("\n") if values else values
    # Whether each value matched, as booleans (the match objects, kept, would wake the garbage collector).
    matched = list(map(bool, map(fast.match, values)))
    if target == "website" and matched.count(False) != values.count(""):
        # Some address without its scheme (the fast pattern wants "http://" or "https://", lower case: a
        # value it matched needs none): "https://" added where missing, and the values matched again.
        values = [
            v if not v or v.lower().startswith(("http://", "https://")) else "https://" + v for v in values
        ]
        matched = list(map(bool, map(fast.match, values)))
    # The common column, each value valid or empty, told in C: no pattern matches an empty value, so that is
    # when the values missed are exactly the empty ones.
    if matched.count(False) == values.count("") and max(map(len, values), default=0) <= limit:
        return values
    for i, (value, ok) in enumerate(zip(values, matched, strict=True)):
        if value and (len(value) > limit or not ok):
            values[i], problem = _value(target, raw[i])
            if problem is not None:
                reject(i, *problem)
    return values


def _value(target: str, raw: str) -> tuple[Any, tuple[str, str] | None]:
    """One cell normalised, or the problem that rejects its row."""
    value = _SPACES.sub(" ", raw).strip() if target != "description" else raw.strip()
    if target in BOOLEAN_FIELDS:
        word = value.lower()
        if word in TRUE_WORDS:
            return True, None
        if word in FALSE_WORDS:
            return False, None
        return None, (
            "value_invalid",
            _("« %(value)s » n'est ni oui ni non (%(field)s).")
            % {"value": value[:50], "field": FIELDS[target]},
        )
    if target == "category":
        category = category_of(value)
        if category is None:
            known = " ; ".join(str(c.label) for c in FacilityCategory)
            return None, (
                "category_unknown",
                _("Catégorie inconnue : « %(value)s ». Catégories reconnues : %(known)s.")
                % {"value": value[:80], "known": known},
            )
        return category, None
    original = value
    if target == "website" and value and not value.lower().startswith(("http://", "https://")):
        value = "https://" + value
    if target == "phone":
        value = _PHONE_PUNCTUATION.sub("", value)
    limit = TEXT_LIMITS.get(target)
    if limit and len(value) > limit:
        return None, (
            "value_too_long",
            _("%(field)s : %(n)d caractères (%(max)d au plus).")
            % {"field": FIELDS[target], "n": len(value), "max": limit},
        )
    if value and target == "website" and not _FAST_URL.match(value):
        try:
            _URL(value)
        except ValidationError:
            return None, (
                "website_invalid",
                _("Adresse de site web invalide : « %(value)s ».") % {"value": original[:80]},
            )
    if value and target == "email" and not _FAST_EMAIL.match(value):
        try:
            _EMAIL(value)
        except ValidationError:
            return None, ("email_invalid", _("Courriel invalide : « %(value)s ».") % {"value": value[:80]})
    if value and target == "phone" and not _PHONE.match(value):
        return None, ("phone_invalid", _("Téléphone invalide : « %(value)s ».") % {"value": value[:30]})
    return value, None
