"""Reading an uploaded facilities file into a `Table`, refusing hostile files before any heavy work.

The format is told by the content (magic numbers, the first characters), never by the name: a zip (a
Shapefile with its .prj, or one GeoPackage, GeoJSON or CSV inside), a GeoPackage (SQLite with the GPKG
application id), GeoJSON, or CSV (`;`, `,` or tab, UTF-8 or Windows-1252). Archives are checked entry by
entry from their directory before one byte is inflated (absolute or climbing paths, symlinks, entry count,
declared sizes and ratio), then inflated with the bytes counted. Spatial files are read by pyogrio as WKB:
their vertex counts are bounded from the WKB lengths before shapely parses anything.
"""

from __future__ import annotations

import csv
import io
import re
import stat
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pyarrow as pa
import pyogrio
import pyogrio.raw
import shapely
from django.conf import settings
from django.utils.translation import gettext as _
from pyproj import CRS
from pyproj.exceptions import CRSError

from local_offers.imports import exceptions as e

CSV, GEOJSON, GPKG, SHAPEFILE = "csv", "geojson", "gpkg", "shapefile"
FORMATS = {CSV: "CSV", GEOJSON: "GeoJSON", GPKG: "GeoPackage", SHAPEFILE: "Shapefile"}
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
SQLITE_MAGIC = b"SQLite format 3\x00"
SHP_MAGIC = b"\x00\x00\x27\x0a"
GPKG_APPLICATION_IDS = (b"GPKG", b"GP10", b"GP11")
SHAPEFILE_PARTS = {".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".xml", ".qmd"}
DATASET_SUFFIXES = {".gpkg", ".geojson", ".json", ".csv", ".txt"}
ARCHIVE_MAX_ENTRIES = 20
ARCHIVE_MAX_RATIO = 100  # deflate reaches ~1000:1 on zeros; real geodata stays far below 20:1
WKB_BYTES_PER_VERTEX = 16  # read as 2D
TEXT_CHECKED_ROWS = 2000  # the rows whose text is checked for mojibake (the upload reads only theirs)
# Windows-1252 decoding of UTF-8 accents: "Ã©" (é), "Ã¨" (è), "Ã " (à), "Ã§" (ç), "â€™" (’)…
_MOJIBAKE = re.compile("Ã[\u00a0-\u00bf]|â€")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def max_bytes() -> int:
    return int(settings.FACILITY_IMPORT_MAX_BYTES)


def max_rows() -> int:
    return int(settings.FACILITY_IMPORT_MAX_ROWS)


@dataclass
class Table:
    """A file's rows, before any mapping: text columns (empty strings for nothing), and for spatial files one
    geometry per row (as read: `wkb`) with the file's CRS. `problems` holds rows already refused by the reading
    (row → reason)."""

    format: str
    columns: list[str]
    values: dict[str, list[str]]
    wkb: np.ndarray[Any, Any] | None = None  # spatial files: each row's geometry as read, 2D WKB
    crs: CRS | None = None
    encoding: str = "utf-8"
    first_row: int = 1  # the number people see for the first data row: 2 in a CSV (the header is line 1)
    # False when only the first TEXT_CHECKED_ROWS rows' attributes were read (`read_table(..., checks_only=True)`:
    # the upload's checks); the geometries are then still every row's.
    complete: bool = True
    problems: dict[int, tuple[str, str]] = field(default_factory=dict)
    # The x and y of every row when each geometry is a point with finite coordinates (the common case), read
    # straight from the WKB: no geometry object is made for them.
    points: tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]] | None = None
    _parsed: np.ndarray[Any, Any] | None = field(default=None, repr=False)
    # A spatial file opened with `opened_table`: how its attributes are read, once (`read_values`).
    _deferred: Callable[[list[str]], dict[str, list[str]]] | None = field(default=None, repr=False)

    def read_values(self, columns: list[str] | None = None) -> None:
        """Fills `values` when the reading left the attributes for later (`opened_table`), with `columns` only
        if given (a mapping's: the others are not read), once: only inside its `with`, while the file is
        there. Raises what reading them raises (FileUnreadable, EncodingMixed)."""
        if self._deferred is not None:
            read, self._deferred = self._deferred, None
            self.values = read(self.columns if columns is None else [c for c in self.columns if c in columns])

    @property
    def spatial(self) -> bool:
        return self.wkb is not None

    @property
    def geometries(self) -> np.ndarray[Any, Any] | None:
        """One shapely geometry per row (None for a CSV); made from the WKB when first asked for if the
        reading did not need them (points)."""
        if self.wkb is None:
            return None
        if self._parsed is None:
            self._parsed = _parsed(self.wkb)
        return self._parsed

    @property
    def length(self) -> int:
        if self.wkb is not None:
            return len(self.wkb)
        return len(next(iter(self.values.values()), []))

    def row_number(self, index: int) -> int:
        return index + self.first_row


def detect_format(head: bytes) -> str:
    """The format by content: "zip", GPKG, GEOJSON or CSV. Raises FormatUnknown, ShapefileNotZipped,
    EncodingInvalid."""
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head.startswith(SQLITE_MAGIC):
        if head[68:72] in GPKG_APPLICATION_IDS:
            return GPKG
        raise e.FormatUnknown()
    if head.startswith(SHP_MAGIC):
        raise e.ShapefileNotZipped()
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise e.EncodingInvalid(_("Le fichier est en UTF-16 : enregistrez-le en UTF-8."))
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if b"\x00" in head:
        raise e.FormatUnknown()
    if text.startswith(b"{"):
        if b'"type"' in text and (b"Feature" in text):
            return GEOJSON
        raise e.FormatUnknown()
    first_line = text.split(b"\n", 1)[0]
    if any(sep in first_line for sep in (b";", b",", b"\t")):
        return CSV
    raise e.FormatUnknown()


def read_table(path: Path, *, checks_only: bool = False) -> Table:
    """Reads the file at `path` (already within the size limit). Raises an ImportFileError naming the problem.

    `checks_only` (the upload): a spatial file's every geometry is read and checked as always, but its
    attributes only on the first TEXT_CHECKED_ROWS rows, the ones the text checks look at (the preview reads
    them all): a Table not `complete`, enough for the columns, the row count and the CRS."""
    with opened_table(path, checks_only=checks_only, deferred=False) as table:
        return table


@contextmanager
def opened_table(path: Path, *, checks_only: bool = False, deferred: bool = True) -> Iterator[Table]:
    """`read_table`'s Table, the file (or the archive's dataset) kept until the `with` ends. `deferred`: a
    spatial file's geometries are read and checked at once, its attributes only when `Table.read_values` is
    called (inside the `with`), so the database may stage the points while they are read."""
    size = path.stat().st_size
    if size == 0:
        raise e.FileEmpty()
    if size > max_bytes():
        raise too_large()
    with path.open("rb") as handle:
        head = handle.read(4096)
    kind = detect_format(head)
    with ExitStack() as kept:
        if kind == "zip":
            path = kept.enter_context(_extracted(path))
            kind = _dataset_kind(path)
        if kind == CSV:
            yield read_csv(path)
            return
        if kind != SHAPEFILE:
            path = kept.enter_context(_named(path, kind))
        yield _read_spatial(path, kind, checks_only, deferred=deferred and not checks_only)


@contextmanager
def _named(path: Path, kind: str) -> Iterator[Path]:
    """The file under the extension of the format its content showed: GDAL picks its driver by it."""
    suffix = {GPKG: ".gpkg", GEOJSON: ".geojson"}[kind]
    if path.suffix.lower() == suffix:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="facility-import-") as folder:
        link = Path(folder) / f"data{suffix}"
        link.symlink_to(path.resolve())
        yield link


def too_large() -> e.FileTooLarge:
    return e.FileTooLarge(
        _("Le fichier dépasse %(mb)d Mo.") % {"mb": max_bytes() // (1024 * 1024)},
        detail={"field": "file", "max_bytes": max_bytes()},
    )


def _dataset_kind(path: Path) -> str:
    """The format of an archive's one dataset, told by its content too (a Shapefile by its .shp)."""
    if path.suffix.lower() == ".shp":
        return SHAPEFILE
    with path.open("rb") as handle:
        kind = detect_format(handle.read(4096))
    if kind == "zip":
        raise e.ArchiveContent(_("Une archive dans l'archive n'est pas acceptée."))
    return kind


# ---- Archives ------------------------------------------------------------------------------------------


def _unsafe(name: str) -> bool:
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return True
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return ".." in parts


@contextmanager
def _extracted(path: Path) -> Iterator[Path]:
    """The dataset inside a zip, extracted to a private temporary folder removed afterwards."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise e.FileUnreadable() from error
    with archive, tempfile.TemporaryDirectory(prefix="facility-import-") as folder:
        members = _checked_members(archive, path.stat().st_size)
        budget = max_bytes()
        root = Path(folder)
        for info in members:
            target = root / PurePosixPath(info.filename).name
            try:
                with archive.open(info) as source, target.open("wb") as sink:
                    # Counted while inflating: the declared sizes of a forged directory are not believed.
                    while chunk := source.read(1 << 20):
                        budget -= len(chunk)
                        if budget < 0:
                            raise e.ArchiveTooLarge()
                        sink.write(chunk)
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as error:
                raise e.FileUnreadable() from error
        yield _dataset_in(root, [PurePosixPath(m.filename).name for m in members])


def _checked_members(archive: zipfile.ZipFile, compressed_size: int) -> list[zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > ARCHIVE_MAX_ENTRIES:
        raise e.ArchiveTooManyEntries(
            _("L'archive contient %(n)d fichiers (%(max)d au plus).")
            % {"n": len(infos), "max": ARCHIVE_MAX_ENTRIES}
        )
    total = 0
    members = []
    for info in infos:
        if _unsafe(info.filename):
            raise e.ArchiveUnsafePath(detail={"field": "file", "entry": info.filename[:200]})
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise e.ArchiveSymlink(detail={"field": "file", "entry": info.filename[:200]})
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            raise e.ArchiveContent(_("Les archives chiffrées ne sont pas acceptées."))
        total += info.file_size
        if total > max_bytes():
            raise e.ArchiveTooLarge(detail={"field": "file", "max_bytes": max_bytes()})
        if info.file_size > ARCHIVE_MAX_RATIO * max(info.compress_size, 1) and info.file_size > 1 << 20:
            raise e.ArchiveRatio(detail={"field": "file", "entry": info.filename[:200]})
        name = PurePosixPath(info.filename).name
        if name.startswith(".") or "__MACOSX" in info.filename:
            continue  # macOS resource forks and hidden files: ignored, not extracted
        members.append(info)
    if total > ARCHIVE_MAX_RATIO * max(compressed_size, 1) and total > 1 << 20:
        raise e.ArchiveRatio()
    names = [PurePosixPath(m.filename).name.lower() for m in members]
    if len(set(names)) != len(names):
        raise e.ArchiveContent()
    return members


def _dataset_in(root: Path, names: list[str]) -> Path:
    suffixes = [Path(n).suffix.lower() for n in names]
    shps = [n for n, s in zip(names, suffixes, strict=True) if s == ".shp"]
    if len(shps) == 1:
        stem = Path(shps[0]).stem
        present = {Path(n).suffix.lower() for n in names if Path(n).stem == stem}
        missing = [part for part in (".shx", ".dbf") if part not in present]
        if missing:
            raise e.ArchiveContent(
                _("Le Shapefile est incomplet : il manque %(parts)s.") % {"parts": ", ".join(missing)}
            )
        if ".prj" not in present:
            raise e.CrsMissing()
        if any(s not in SHAPEFILE_PARTS for s in suffixes):
            raise e.ArchiveContent()
        return root / shps[0]
    datasets = [n for n, s in zip(names, suffixes, strict=True) if s in DATASET_SUFFIXES | {".gpkg"}]
    if len(shps) > 1 or len(datasets) != 1 or len(names) != 1:
        raise e.ArchiveContent()
    return root / datasets[0]


# ---- Spatial formats -----------------------------------------------------------------------------------


def _read_spatial(path: Path, kind: str, checks_only: bool = False, *, deferred: bool = False) -> Table:
    field_data: Any = None
    try:
        layers = pyogrio.list_layers(path)
        if len(layers) == 0:
            raise e.NoRows()
        layer = next((str(name) for name, geometry in layers if geometry), None)
        if layer is None:
            raise e.ColumnsMissing(_("Le fichier n'a pas de géométries."))
        info = pyogrio.read_info(path, layer=layer)
        count = int(info["features"])
        if count > max_rows():
            raise _too_many(count)
        if info["crs"] is None and kind != GEOJSON:
            raise e.CrsMissing()
        if checks_only:
            # Every geometry (its vertices bounded, parsed), the attributes of the rows the text checks see.
            _meta, _fids, wkb, _none = pyogrio.raw.read(path, layer=layer, force_2d=True, columns=[])
            meta, _fids, _geometries, field_data = pyogrio.raw.read(
                path, layer=layer, read_geometry=False, max_features=TEXT_CHECKED_ROWS
            )
        elif deferred:
            # The geometries alone (a fifth of the reading); the attributes when asked for (`_attributes`).
            meta, _fids, wkb, _none = pyogrio.raw.read(path, layer=layer, force_2d=True, columns=[])
        else:
            meta, _fids, wkb, field_data = pyogrio.raw.read(path, layer=layer, force_2d=True)
    except e.ImportFileError:
        raise
    except _UNREADABLE as error:
        raise e.FileUnreadable() from error
    if len(wkb) == 0:
        raise e.NoRows()
    sizes = _check_vertices(wkb)
    points = _finite_points(wkb, sizes)
    # Any other geometry parsed now (a file GEOS cannot read is refused here); points need no parsing.
    geometries = _parsed(wkb) if points is None else None
    try:
        crs = CRS.from_user_input(meta["crs"] or "EPSG:4326")
    except CRSError as error:
        raise e.CrsUnknown() from error
    if deferred:
        columns = [str(c) for c in info["fields"]]
        table = Table(
            format=kind, columns=columns, values={}, wkb=wkb, crs=crs, points=points, _parsed=geometries
        )
        encoding = meta.get("encoding")
        table._deferred = lambda wanted: _attributes(path, layer, wanted, len(wkb), encoding)
    else:
        columns = [str(c) for c in meta["fields"]]
        values = {name: _texts(data) for name, data in zip(columns, field_data, strict=True)}
        table = Table(
            format=kind,
            columns=columns,
            values=values,
            wkb=wkb,
            crs=crs,
            complete=not checks_only,
            points=points,
            _parsed=geometries,
        )
        _check_texts(table.values)
    table.encoding = str(meta.get("encoding") or "utf-8").lower()
    return table


_UNREADABLE = (
    pyogrio.errors.DataSourceError,
    pyogrio.errors.DataLayerError,
    pyogrio.errors.FieldError,
    pyogrio.errors.FeatureError,
    pyogrio.errors.GeometryError,
    pyogrio.errors.CRSError,
    OSError,
    RuntimeError,
    ValueError,
)


def _attributes(
    path: Path, layer: str, columns: list[str], count: int, encoding: str | None
) -> dict[str, list[str]]:
    """Every row's `columns` of a spatial file whose geometries were read before (`opened_table`), checked as
    `_read_spatial` checks them: the same columns, one value per geometry, the same texts. `encoding`: the
    one that reading found. UTF-8 is what GDAL gives when it recodes itself (a GeoPackage, a GeoJSON, a
    Shapefile with its .cpg): the Arrow read is left to do the same. Anything else (a Shapefile without its
    .cpg: ISO-8859-1) is given to the Arrow read, which would otherwise take the bytes for UTF-8 and refuse
    them (and given when GDAL recodes, it would stop it: hence not always).

    Read as Arrow (GDAL's columnar stream: a third of the time of a feature-by-feature read, and without
    Python's lock, so the database's work on the points meanwhile is not held up). The text columns, nearly
    all of what collectivités publish, are taken from it; any other (numbers, dates, booleans) is read again
    the usual way, so that its values become the same texts as in `_read_spatial` (Arrow keeps an integer
    with gaps an integer and a time zone on a timestamp, where the usual way gives a float and none)."""
    try:
        meta, arrow = pyogrio.raw.read_arrow(
            path, layer=layer, read_geometry=False, columns=columns, encoding=_not_recoded(encoding)
        )
        if [str(c) for c in meta["fields"]] != columns or arrow.num_rows != count:
            raise e.FileUnreadable()  # the file changed between the two readings
        read = {
            name: arrow.column(name).to_pylist() for name in columns if _is_text(arrow.schema.field(name))
        }
        others = [name for name in columns if name not in read]
        if others:
            meta, _fids, _geometries, field_data = pyogrio.raw.read(
                path, layer=layer, read_geometry=False, columns=others
            )
            if [str(c) for c in meta["fields"]] != others or any(len(data) != count for data in field_data):
                raise e.FileUnreadable()
            read.update(zip(others, field_data, strict=True))
    except (*_UNREADABLE, pa.ArrowException) as error:
        raise e.FileUnreadable() from error
    values = {name: _texts(read[name]) for name in columns}
    _check_texts(values)
    return values


def _not_recoded(encoding: str | None) -> str | None:
    """The encoding to give an Arrow read: none when GDAL recodes the texts to UTF-8 itself."""
    if encoding is None or encoding.upper().replace("-", "").replace("_", "") == "UTF8":
        return None
    return encoding


def _is_text(column: pa.Field) -> bool:
    return bool(pa.types.is_string(column.type) or pa.types.is_large_string(column.type))


def _parsed(wkb: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    try:
        return np.asarray(shapely.from_wkb(wkb, on_invalid="ignore"))
    except shapely.errors.GEOSException as error:
        raise e.FileUnreadable() from error


# A 2D point in little-endian WKB: byte order 1, type 1, x, y (21 bytes).
_WKB_POINT = np.dtype([("order", "u1"), ("type", "<u4"), ("x", "<f8"), ("y", "<f8")])


def _finite_points(
    wkb: np.ndarray[Any, Any], sizes: np.ndarray[Any, Any]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]] | None:
    """Every row's x and y when each geometry is a little-endian 2D WKB point with finite coordinates (what
    GDAL gives for a file of points), read as numbers; None otherwise (the geometries are then parsed)."""
    if not len(wkb) or not (sizes == _WKB_POINT.itemsize).all():
        return None
    read = np.frombuffer(b"".join(wkb), dtype=_WKB_POINT)
    if not ((read["order"] == 1).all() and (read["type"] == 1).all()):
        return None
    x, y = read["x"].copy(), read["y"].copy()
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        return None
    return x, y


def _check_vertices(wkb: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """The WKB sizes, checked: no geometry nor the whole file beyond the vertex limits."""
    sizes = np.fromiter((len(g) if g is not None else 0 for g in wkb), dtype=np.int64, count=len(wkb))
    per_feature = int(settings.FACILITY_IMPORT_MAX_VERTICES)
    biggest = int(sizes.max(initial=0)) // WKB_BYTES_PER_VERTEX
    if biggest > per_feature:
        row = int(sizes.argmax()) + 1
        raise e.GeometryTooComplex(
            _("La géométrie de la ligne %(row)d a environ %(n)d sommets (%(max)d au plus).")
            % {"row": row, "n": biggest, "max": per_feature},
            detail={"field": "file", "row": row, "vertices": biggest, "max": per_feature},
        )
    total = int(sizes.sum()) // WKB_BYTES_PER_VERTEX
    if total > 20 * per_feature:
        raise e.GeometryTooComplex(
            _("Les géométries du fichier ont environ %(n)d sommets en tout (%(max)d au plus).")
            % {"n": total, "max": 20 * per_feature},
            detail={"field": "file", "vertices": total, "max": 20 * per_feature},
        )
    return sizes


def _texts(data: Any) -> list[str]:
    values = data.tolist() if hasattr(data, "tolist") else list(data)
    if set(map(type, values)) <= {str, type(None)}:  # a text column: the common case, in one pass (in C)
        if None in values:
            values = ["" if v is None else v for v in values]
        return list(map(str.strip, values))  # mapped in C: no Python call per value
    return [_text(v) for v in values]


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an identifier read as a number: 12.0 → "12"
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value).strip()


def _check_texts(columns: dict[str, list[str]]) -> None:
    """Text decoded from a spatial file: no UTF-8 read as Windows-1252 hiding in it, no control characters."""
    for values in list(columns.values())[:40]:
        for value in values[:TEXT_CHECKED_ROWS]:
            if _MOJIBAKE.search(value):
                raise e.EncodingMixed()


def _too_many(count: int) -> e.TooManyRows:
    return e.TooManyRows(
        _("Le fichier a %(n)d lignes (%(max)d au plus).") % {"n": count, "max": max_rows()},
        detail={"field": "file", "rows": count, "max": max_rows()},
    )


# ---- CSV -----------------------------------------------------------------------------------------------


def decode(raw: bytes) -> tuple[str, str]:
    """The text and its encoding: UTF-8 (BOM or not), else Windows-1252. Raises EncodingInvalid, EncodingMixed."""
    try:
        text = raw.decode("utf-8-sig")
        encoding = "utf-8"
    except UnicodeDecodeError:
        text, encoding = _windows_1252(raw), "windows-1252"
    if _CONTROL.search(text):
        raise e.EncodingInvalid(
            _("Le fichier contient des caractères de contrôle : ce n'est pas un CSV texte.")
        )
    return text, encoding


def _windows_1252(raw: bytes) -> str:
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError as error:
        raise e.EncodingInvalid(detail={"field": "file", "byte_offset": error.start}) from error
    if _MOJIBAKE.search(text):
        raise e.EncodingMixed()
    return text


def read_csv(path: Path) -> Table:
    text, encoding = decode(path.read_bytes())
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    csv.field_size_limit(1 << 20)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as error:
        raise e.NoRows() from error
    columns = _unique([h.strip() or f"colonne_{i + 1}" for i, h in enumerate(header)])
    values: dict[str, list[str]] = {c: [] for c in columns}
    problems: dict[int, tuple[str, str]] = {}
    index = 0
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue  # blank lines
            if index >= max_rows():
                raise _too_many(index + 1)
            if len(record) != len(columns):
                problems[index] = (
                    "row_fields",
                    _("La ligne a %(n)d champs, l'en-tête en a %(m)d.")
                    % {"n": len(record), "m": len(columns)},
                )
            for i, column in enumerate(columns):
                values[column].append(record[i].strip() if i < len(record) else "")
            index += 1
    except csv.Error as error:
        raise e.FileUnreadable(_("CSV mal formé : %(error)s.") % {"error": error}) from error
    if index == 0:
        raise e.NoRows()
    return Table(
        format=CSV, columns=columns, values=values, encoding=encoding, first_row=2, problems=problems
    )


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        count = seen.get(name, 0)
        seen[name] = count + 1
        out.append(name if count == 0 else f"{name} ({count + 1})")
    return out


def copy_upload(source: Any, target: Path) -> int:
    """Copies an uploaded file to `target` with the bytes counted, refusing beyond the size limit."""
    written = 0
    limit = max_bytes()
    with target.open("wb") as sink:
        for chunk in (
            source.chunks() if hasattr(source, "chunks") else iter(lambda: source.read(1 << 20), b"")
        ):
            written += len(chunk)
            if written > limit:
                raise too_large()
            sink.write(chunk)
    return written


__all__ = ["FORMATS", "Table", "copy_upload", "decode", "detect_format", "opened_table", "read_table"]
