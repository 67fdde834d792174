"""The files of a conversation, checked by their content before anything is written.

An image (JPEG, PNG, WebP) is re-encoded by `marketplace.images` (EXIF and GPS dropped, random name), like
home photos. A PDF is kept as sent once it passed: the magic number at its start and an end-of-file marker
near its end, a size limit, a parse by pypdf (object streams and escaped names included), no encryption
(its content could not be checked), and none of the objects reachable from its trailer carries JavaScript,
a launch or import action, embedded files or an XFA form. Anything else is refused, naming the problem.
"""

from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from marketplace.errors import InvalidField
from marketplace.files import MAX_PDF_BYTES, checked_pdf, display_name, with_suffix
from marketplace.images import photo_reencoded

__all__ = ["MAX_PDF_BYTES", "CheckedFile", "checked_file", "display_name"]

FIELD = "file"
IMAGE_MAX_SIDE = 2000


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
        return CheckedFile(
            kind="pdf", content=checked_pdf(upload, field=FIELD), name=with_suffix(name, ".pdf")
        )
    content = photo_reencoded(upload, field=FIELD, max_side=IMAGE_MAX_SIDE)
    from PIL import Image

    with Image.open(content) as image:
        width, height = image.size
    content.seek(0)
    return CheckedFile(
        kind="image", content=content, name=with_suffix(name, ".jpg"), width=width, height=height
    )
