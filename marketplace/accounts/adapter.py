from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from marketplace.accounts.models import User
from marketplace.realtime import close_user_sockets_on_commit


class AccountAdapter(DefaultAccountAdapter):
    def logout(self, request: HttpRequest) -> None:
        """A live websocket must not outlive the session it was opened with."""
        user = request.user
        super().logout(request)
        if isinstance(user, User):
            close_user_sockets_on_commit(user.pk)
