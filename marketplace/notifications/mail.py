"""Every e-mail of Réciproque: our layout (HTML + plain text), the product's name, the site's address from the
configuration (SITE_NAME, SITE_URL), the recipient's language, and a List-Unsubscribe header when there is
something to unsubscribe from (RFC 8058). Other apps call `mail_send_on_commit`; the worker calls `mail_send`.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


def site_url() -> str:
    return str(settings.SITE_URL).rstrip("/")


def absolute(path: str) -> str:
    return path if path.startswith(("http://", "https://")) else site_url() + path


def language_of(user: Any) -> str:
    return getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE


def build(
    *,
    to: str,
    subject: str | Callable[[], str],
    text: str | Callable[[], str],
    language: str,
    unsubscribe_url: str = "",
) -> EmailMultiAlternatives:
    """Render the e-mail in `language`: `subject` and `text` may be callables, called in that language."""
    with translation.override(language):
        subject_str = subject() if callable(subject) else subject
        text_str = text() if callable(text) else text
        context = {
            "site_name": settings.SITE_NAME,
            "site_url": site_url(),
            "subject": subject_str,
            "text": text_str,
            "unsubscribe_url": unsubscribe_url,
            "LANGUAGE_CODE": language,
        }
        plain = render_to_string("notifications/email/base.txt", context)
        html = render_to_string("notifications/email/base.html", context)
    prefix = f"[{settings.SITE_NAME}] "
    headers = {}
    if unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject_str if subject_str.startswith(prefix) else prefix + subject_str,
        plain,
        None,
        [to],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message


def mail_send_on_commit(**kwargs: Any) -> None:
    """Build now (in the caller's transaction, in the recipient's language), send once it commits."""
    message = build(**kwargs)
    transaction.on_commit(message.send, robust=True)
