"""The files of a conversation, checked by their content before anything is written.

An image (JPEG, PNG, WebP) is re-encoded by `marketplace.images` (EXIF and GPS dropped, random name), like
home photos. A PDF is kept as sent once it passed: the magic number at its start and an end-of-file marker
near its end, a size limit, a parse by pypdf (object streams and escaped names included), no encryption
(its content could not be checked), and none of the objects reachable from its trailer carries JavaScript,
a launch or import action, embedded files or an XFA form. Anything else is refused, naming the problem.
"""

import re
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from marketplace.errors import InvalidField
from marketplace.images import photo_reencoded

FIELD = "file"
MAX_PDF_BYTES = 10 * 1024 * 1024
MAX_PDF_OBJECTS = 20_000  # beyond, the walk would cost more than a message is worth
IMAGE_MAX_SIDE = 2000
# Keys and action types by which a PDF runs code or carries other files.
FORBIDDEN_KEYS = {"/JS", "/JavaScript", "/EmbeddedFile", "/EmbeddedFiles", "/XFA", "/RichMedia"}
FORBIDDEN_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/RichMediaExecute", "/SubmitForm"}


@dataclass(frozen=True)
class CheckedFile:
    kind: str  # Attachment.Kind
    content: ContentFile
    name: str
    width: int | None = None
    height: int | None = None


def checked_file(upload: UploadedFile) -> CheckedFile:
    """The upload as it will be stored. Raises InvalidField("file") naming the problem, or TooManyRequests
    (images being decoded)."""
    if not upload.size:
        raise InvalidField(FIELD, _("Le fichier est vide."))
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    name = display_name(upload.name or "")
    if head.startswith(b"%PDF-"):
        return _checked_pdf(upload, name)
    content = photo_reencoded(upload, field=FIELD, max_side=IMAGE_MAX_SIDE)
    from PIL import Image

    with Image.open(content) as image:
        width, height = image.size
    content.seek(0)
    return CheckedFile(
        kind="image", content=content, name=_with_suffix(name, ".jpg"), width=width, height=height
    )


def display_name(raw: str) -> str:
    """The name shown and given back on download: its last path part, printable characters only."""
    base = PurePath(raw.replace("\\", "/")).name
    base = "".join(
        c for c in unicodedata.normalize("NFC", base) if unicodedata.category(c)[0] not in "CZ" or c == " "
    )
    base = re.sub(r"\s+", " ", base).strip(" .")
    return base[:100] or "fichier"


def _with_suffix(name: str, suffix: str) -> str:
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem[:100]}{suffix}"


def _checked_pdf(upload: UploadedFile, name: str) -> CheckedFile:
    if upload.size is None or upload.size > MAX_PDF_BYTES:
        raise InvalidField(FIELD, _("Le PDF dépasse 10 Mo."))
    data = upload.read()
    if b"%%EOF" not in data[-1024:]:
        raise InvalidField(FIELD, _("Ce PDF est incomplet (pas de fin de fichier)."))
    try:
        reader = PdfReader(ContentFile(data), strict=False)
        if reader.is_encrypted:
            raise InvalidField(
                FIELD, _("Les PDF chiffrés ou protégés par un mot de passe ne sont pas acceptés.")
            )
        if len(reader.pages) == 0:
            raise InvalidField(FIELD, _("Ce PDF n'a aucune page."))
        problem = _active_content(reader.trailer)
    except InvalidField:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError, OSError) as error:
        raise InvalidField(FIELD, _("Ce PDF est illisible ou mal formé.")) from error
    if problem:
        raise InvalidField(FIELD, problem)
    return CheckedFile(
        kind="pdf", content=ContentFile(data, name=f"{uuid.uuid4().hex}.pdf"), name=_with_suffix(name, ".pdf")
    )


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
                if dict_key == "/S" and isinstance(item, NameObject) and item in FORBIDDEN_ACTIONS:
                    return _forbidden()
                stack.append(item)
        elif isinstance(value, ArrayObject):
            stack.extend(value)
    return None


def _forbidden() -> str:
    return _("Ce PDF contient du code, des actions ou des fichiers intégrés : il n'est pas accepté.")
