"""The attachments' download: participants only (others, and a deleted message's file: 404).

The messaging pages themselves (list, live thread) are not on this branch yet.
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest
from django.views.decorators.http import require_GET

from marketplace.accounts.models import User
from marketplace.messaging import selectors
from marketplace.messaging.models import Attachment


@login_required
@require_GET
def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    """Images are shown inline, PDFs downloaded; the type is the one checked at upload, never sniffed, and
    the response can run nothing (CSP sandbox)."""
    assert isinstance(request.user, User)
    attachment = selectors.attachment_get_for_actor(actor=request.user, attachment_id=attachment_id)
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=attachment.kind == Attachment.Kind.PDF,
        filename=attachment.name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
