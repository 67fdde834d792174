"""Photos people upload (avatars, homes…), checked by their content and re-encoded in one place.

The content decides, never the file name or the declared type: Pillow must recognise a JPEG, PNG or WebP;
the pixel count is read from the header before any pixel is decoded; decoding happens at most
CONCURRENT_DECODES at a time per process (a 6300×6300 PNG costs ~350 MB and 1.5 s), further requests wait
DECODE_WAIT seconds then get a 429. Re-encoding as JPEG drops every metadata block (EXIF, GPS position,
camera serial…) and the stored name is random.
"""

import io
import threading
import uuid

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from marketplace.errors import InvalidField, TooManyRequests

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 16_000_000  # a 12-megapixel phone photo passes; far below Pillow's own limit
CONCURRENT_DECODES = 2
DECODE_WAIT = 10  # seconds a request waits for a free decoding slot, then 429
FORMATS = {"JPEG", "PNG", "WEBP"}
_DECODES = threading.BoundedSemaphore(CONCURRENT_DECODES)


def photo_reencoded(upload: UploadedFile, *, field: str, max_side: int) -> ContentFile:
    """A clean JPEG of the uploaded image, at most `max_side` pixels wide and high, under a random name.

    Raises InvalidField(field) naming the problem, or TooManyRequests when too many decode at once.
    """
    if upload.size is None or upload.size > MAX_BYTES:
        raise InvalidField(field, _("La photo dépasse 5 Mo."))
    if not _DECODES.acquire(timeout=DECODE_WAIT):
        raise TooManyRequests(_("D'autres photos sont en cours de traitement : réessayez."), retry_after=5)
    try:
        return _decode_and_reencode(upload, field, max_side)
    finally:
        _DECODES.release()


def _decode_and_reencode(upload: UploadedFile, field: str, max_side: int) -> ContentFile:
    try:
        with Image.open(upload) as image:
            if image.format not in FORMATS:
                raise InvalidField(field, _("Format non accepté : JPEG, PNG ou WebP."))
            if image.width * image.height > MAX_PIXELS:
                raise InvalidField(field, _("La photo est trop grande (16 mégapixels au plus)."))
            image.draft("RGB", (max_side * 2, max_side * 2))  # JPEG: decode at a reduced scale
            image.thumbnail((max_side * 2, max_side * 2))  # shrink before any copy is made
            clean = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise InvalidField(field, _("Ce fichier n'est pas une image lisible.")) from error
    clean.thumbnail((max_side, max_side))
    buffer = io.BytesIO()
    clean.save(buffer, format="JPEG", quality=85, optimize=True)
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.jpg")
