from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.notifications.models import UNSWITCHABLE, Delivery, Topic


class PreferencesForm(forms.Form):
    """One choice per topic; security is shown, fixed to immediate."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for topic in Topic:
            if topic in UNSWITCHABLE:
                continue
            self.fields[topic.value] = forms.ChoiceField(
                label=topic.label, choices=Delivery.choices, widget=forms.RadioSelect
            )
        self.security_note = _("Les e-mails de sécurité (mot de passe, adresse e-mail) partent toujours.")
