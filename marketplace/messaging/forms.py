from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.messaging.models import MESSAGE_MAX_CHARS


class MessageForm(forms.Form):
    """The thread's form when JavaScript is off (the script sends through the API instead)."""

    text = forms.CharField(
        label=_("Votre message"),
        max_length=MESSAGE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
