from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

from marketplace.accounts.models import User
from marketplace.notifications.mail import build
from marketplace.realtime import close_user_sockets_on_commit


def configured_site() -> SimpleNamespace:
    """The site as e-mails name it: SITE_NAME and the host of SITE_URL (not the request's host)."""
    return SimpleNamespace(name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc)


class AccountAdapter(DefaultAccountAdapter):
    def logout(self, request: HttpRequest) -> None:
        """A live websocket must not outlive the session it was opened with."""
        user = request.user
        super().logout(request)
        if isinstance(user, User):
            close_user_sockets_on_commit(user.pk)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Account (security) e-mails: always sent, in the recipient's language, in our layout, as SITE_NAME.
        No unsubscribe link: they cannot be switched off."""
        recipient = User.objects.filter(email__iexact=email).only("preferred_language").first()
        language = (recipient.preferred_language if recipient else "") or translation.get_language() or "fr"
        with translation.override(language):
            ctx = {"email": email, "current_site": configured_site(), **context}
            ctx["current_site"] = configured_site()
            rendered = self.render_mail(template_prefix, email, ctx)
        build(to=email, subject=str(rendered.subject), text=str(rendered.body), language=language).send()
