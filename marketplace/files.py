"""Files people send, checked by their content before anything is written: a PDF (a conversation's
attachment, an agreement's signed document) is kept as sent only once it passed every check below.

The magic number at its start and an end-of-file marker near its end, a size limit, a parse by pypdf (object
streams and escaped names included), no encryption (its content could not be checked), at least one page, and
none of the objects reachable from its trailer carries JavaScript, an opening, launch or import action,
embedded files or an XFA form. Anything else raises InvalidField(field) naming the problem.
"""

import re
import unicodedata
import uuid
from pathlib import PurePath
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from marketplace.errors import InvalidField

MAX_PDF_BYTES = 10 * 1024 * 1024
MAX_PDF_OBJECTS = 20_000  # beyond, the walk would cost more than a file is worth
# Keys and action types by which a PDF runs code or carries other files.
FORBIDDEN_KEYS = {"/JS", "/JavaScript", "/EmbeddedFile", "/EmbeddedFiles", "/XFA", "/RichMedia"}
FORBIDDEN_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/RichMediaExecute", "/SubmitForm"}


def checked_pdf(upload: UploadedFile, *, field: str = "file", max_bytes: int = MAX_PDF_BYTES) -> ContentFile:
    """The PDF as it will be stored (under a random name), or InvalidField(field) naming the problem."""
    if not upload.size:
        raise InvalidField(field, _("Le fichier est vide."))
    if upload.size > max_bytes:
        raise InvalidField(field, _("Le PDF dépasse %(mb)d Mo.") % {"mb": max_bytes // (1024 * 1024)})
    upload.seek(0)
    data = upload.read()
    if not data.startswith(b"%PDF-"):
        raise InvalidField(field, _("Ce fichier n'est pas un PDF."))
    if b"%%EOF" not in data[-1024:]:
        raise InvalidField(field, _("Ce PDF est incomplet (pas de fin de fichier)."))
    try:
        reader = PdfReader(ContentFile(data), strict=False)
        if reader.is_encrypted:
            raise InvalidField(
                field, _("Les PDF chiffrés ou protégés par un mot de passe ne sont pas acceptés.")
            )
        if len(reader.pages) == 0:
            raise InvalidField(field, _("Ce PDF n'a aucune page."))
        problem = _active_content(reader.trailer)
    except InvalidField:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError, OSError) as error:
        raise InvalidField(field, _("Ce PDF est illisible ou mal formé.")) from error
    if problem:
        raise InvalidField(field, problem)
    return ContentFile(data, name=f"{uuid.uuid4().hex}.pdf")


def display_name(raw: str) -> str:
    """The name shown and given back on download: its last path part, printable characters only."""
    base = PurePath(raw.replace("\\", "/")).name
    base = "".join(
        c for c in unicodedata.normalize("NFC", base) if unicodedata.category(c)[0] not in "CZ" or c == " "
    )
    base = re.sub(r"\s+", " ", base).strip(" .")
    return base[:100] or "fichier"


def with_suffix(name: str, suffix: str) -> str:
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem[:100]}{suffix}"


def _active_content(root: Any) -> str | None:
    """Walks every object reachable from the trailer (each once) without decoding any stream."""
    seen: set[tuple[int, int]] = set()
    stack = [root]
    visited = 0
    while stack:
        value = stack.pop()
        if isinstance(value, IndirectObject):
            key = (value.idnum, value.generation)
            if key in seen:
                continue
            seen.add(key)
            value = value.get_object()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            return _("Ce PDF est trop complexe pour être vérifié.")
        if isinstance(value, DictionaryObject):
            for dict_key, item in value.items():
                if dict_key in FORBIDDEN_KEYS:
                    return _forbidden()
                if dict_key == "/OpenAction" and not isinstance(item, ArrayObject):
                    return _forbidden()  # an action run on opening (a destination array only turns a page)
                if dict_key == "/S" and isinstance(item, NameObject) and item in FORBIDDEN_ACTIONS:
                    return _forbidden()
                stack.append(item)
        elif isinstance(value, ArrayObject):
            stack.extend(value)
    return None


def _forbidden() -> str:
    return _("Ce PDF contient du code, des actions ou des fichiers intégrés : il n'est pas accepté.")
