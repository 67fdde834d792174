"""The forms of the messaging pages (the plain POST path that works without JavaScript)."""

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.inputs import MultilineTextField
from marketplace.messaging.models import MESSAGE_MAX_CHARS

CLIENT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


class SendForm(forms.Form):
    """A message: text, or a file, or both; `client_id` makes a second press of the button harmless."""

    text = MultilineTextField(label=_("Votre message"), max_length=MESSAGE_MAX_CHARS, required=False)
    client_id = forms.RegexField(regex=CLIENT_ID, label=_("Identifiant client"), widget=forms.HiddenInput)
    file = forms.FileField(label=_("Joindre une image ou un PDF"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("text") and not data.get("file") and "text" not in self.errors:
            self.add_error("text", _("Écrivez un message ou joignez un fichier."))
        return data


class EditForm(forms.Form):
    text = MultilineTextField(label=_("Nouveau texte"), max_length=MESSAGE_MAX_CHARS, min_length=1)


class ReportForm(forms.Form):
    reason = MultilineTextField(label=_("Motif du signalement"), max_length=2000, required=False)


class DirectForm(forms.Form):
    user_id = forms.IntegerField(label=_("Personne"), min_value=1, max_value=2**63 - 1)


class ReadForm(forms.Form):
    up_to_id = forms.IntegerField(label=_("Lu jusqu'au message"), min_value=0, max_value=2**63 - 1)


class OlderForm(forms.Form):
    avant = forms.IntegerField(label=_("Avant le message"), min_value=1, max_value=2**63 - 1)
