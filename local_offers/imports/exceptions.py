"""Why an import file is refused as a whole: one stable code each, a message naming the problem, nothing
written. Row-level problems are not errors but rejections listed in the preview (`rows.Rejection`)."""

from django.utils.translation import gettext_lazy as _

from marketplace.errors import Conflict, DomainError, NotFound, ValidationFailed


class ImportFileError(ValidationFailed):
    """A file the import refuses; `detail.field` is "file" so forms and the API point at the upload."""

    code = "import_file_invalid"


class FileEmpty(ImportFileError):
    code = "file_empty"
    default_message = _("Le fichier est vide.")


class FileTooLarge(DomainError):
    code = "file_too_large"
    http_status = 413
    default_message = _("Le fichier dépasse la taille maximale acceptée.")


class FormatUnknown(ImportFileError):
    code = "format_unknown"
    default_message = _(
        "Format non reconnu : envoyez un CSV, un GeoJSON, un GeoPackage ou un Shapefile zippé "
        "(le format est lu dans le contenu du fichier, pas dans son extension)."
    )


class ShapefileNotZipped(ImportFileError):
    code = "shapefile_not_zipped"
    default_message = _(
        "Un Shapefile est fait de plusieurs fichiers (.shp, .shx, .dbf, .prj) : envoyez-les ensemble dans un zip."
    )


class FileUnreadable(ImportFileError):
    code = "file_unreadable"
    default_message = _("Le fichier est illisible ou tronqué.")


class ArchiveUnsafePath(ImportFileError):
    code = "archive_unsafe_path"
    default_message = _("L'archive contient un chemin absolu ou remontant (« .. ») : elle est refusée.")


class ArchiveSymlink(ImportFileError):
    code = "archive_symlink"
    default_message = _("L'archive contient un lien symbolique : elle est refusée.")


class ArchiveTooManyEntries(ImportFileError):
    code = "archive_too_many_entries"
    default_message = _("L'archive contient trop de fichiers.")


class ArchiveTooLarge(ImportFileError):
    code = "archive_too_large"
    default_message = _("Une fois décompressée, l'archive dépasse la taille maximale acceptée.")


class ArchiveRatio(ImportFileError):
    code = "archive_ratio"
    default_message = _(
        "L'archive se décompresse dans une proportion anormale (bombe de décompression) : elle est refusée."
    )


class ArchiveContent(ImportFileError):
    code = "archive_content"
    default_message = _(
        "L'archive doit contenir un seul jeu de données : un Shapefile (.shp, .shx, .dbf, .prj), "
        "un GeoPackage, un GeoJSON ou un CSV."
    )


class CrsMissing(ImportFileError):
    code = "crs_missing"
    default_message = _(
        "Le système de coordonnées n'est pas indiqué (Shapefile sans fichier .prj) : ajoutez le .prj au zip."
    )


class CrsMismatch(ImportFileError):
    code = "crs_mismatch"
    default_message = _(
        "Les coordonnées n'ont pas de sens dans le système déclaré : aucun point ne tombe en France."
    )


class CrsUnknown(ImportFileError):
    code = "crs_unknown"
    default_message = _(
        "Système de coordonnées inconnu : donnez un code EPSG (par exemple 2154 pour le Lambert-93)."
    )


class GeometryTooComplex(ImportFileError):
    code = "geometry_too_complex"
    default_message = _("Une géométrie a trop de sommets : simplifiez-la ou envoyez des points.")


class TooManyRows(ImportFileError):
    code = "too_many_rows"
    default_message = _("Le fichier a trop de lignes.")


class EncodingInvalid(ImportFileError):
    code = "encoding_invalid"
    default_message = _("L'encodage du fichier n'est ni UTF-8 ni Windows-1252 : enregistrez-le en UTF-8.")


class EncodingMixed(ImportFileError):
    code = "encoding_mixed"
    default_message = _(
        "Le fichier mélange deux encodages (des accents UTF-8 lus en Windows-1252, comme « Ã© ») : "
        "enregistrez-le en UTF-8."
    )


class ColumnsMissing(ImportFileError):
    code = "columns_missing"
    default_message = _("Des colonnes obligatoires manquent ou ne sont pas associées.")


class MappingInvalid(ImportFileError):
    code = "mapping_invalid"
    default_message = _("L'association des colonnes est invalide.")


class NoRows(ImportFileError):
    code = "file_no_rows"
    default_message = _("Le fichier ne contient aucune ligne.")


class ImportNotFound(NotFound):
    code = "facility_import_not_found"
    default_message = _("Import introuvable.")


class ImportWrongState(Conflict):
    code = "facility_import_wrong_state"
    default_message = _("Cet import n'est pas à l'étape demandée.")
