"""E-mails to home owners about what the platform did to their homes, in the owner's language, sent once the
change is committed (as the saved-search alerts: the daily job runs in the worker, the mail leaves on commit).

(A module of its own beside services.py, which decides; these only say it.)
"""

from collections.abc import Sequence

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from exchanges.models import Home
from marketplace.accounts.models import User
from marketplace.notifications.mail import language_of, mail_send_on_commit


def _listed(homes: Sequence[Home]) -> str:
    return "\n".join(
        _("- « %(title)s », %(commune)s") % {"title": h.title, "commune": h.commune.name} for h in homes
    )


def _send_on_commit(owner: User, subject: str, body: str) -> None:
    mail_send_on_commit(to=owner.email, subject=subject, text=body, language=language_of(owner))


def mail_homes_paused_for_eligibility(*, owner: User, homes: Sequence[Home], reason: str) -> None:
    """One e-mail for all the owner's homes taken off the map in this run: which, why (`reason`, the
    eligibility message, already in the owner's language) and what to do."""
    site = settings.SITE_URL.rstrip("/")
    with translation.override(owner.preferred_language or settings.LANGUAGE_CODE):
        subject = ngettext(
            "[Réciproque] Votre logement n'est plus sur la carte",
            "[Réciproque] Vos logements ne sont plus sur la carte",
            len(homes),
        )
        body = ngettext(
            "Bonjour,\n\nRéciproque a mis en pause votre logement : il n'apparaît plus dans les recherches.\n\n"
            "%(homes)s\n\n"
            "Pourquoi : seuls les agents d'un employeur adhérent peuvent proposer un logement. %(reason)s\n\n"
            "Que faire : vérifiez votre employeur et votre emploi dans « Mon employeur » (%(employer)s) ; au "
            "besoin, demandez au correspondant Réciproque de votre employeur de confirmer votre emploi ou de "
            "renouveler l'adhésion. Dès que vous serez de nouveau éligible, votre logement reviendra de "
            "lui-même sur la carte et un e-mail vous le dira. Ses disponibilités, ses souhaits et ses photos "
            "sont conservés : %(mine)s\n",
            "Bonjour,\n\nRéciproque a mis en pause vos logements : ils n'apparaissent plus dans les "
            "recherches.\n\n%(homes)s\n\n"
            "Pourquoi : seuls les agents d'un employeur adhérent peuvent proposer un logement. %(reason)s\n\n"
            "Que faire : vérifiez votre employeur et votre emploi dans « Mon employeur » (%(employer)s) ; au "
            "besoin, demandez au correspondant Réciproque de votre employeur de confirmer votre emploi ou de "
            "renouveler l'adhésion. Dès que vous serez de nouveau éligible, vos logements reviendront "
            "d'eux-mêmes sur la carte et un e-mail vous le dira. Leurs disponibilités, leurs souhaits et "
            "leurs photos sont conservés : %(mine)s\n",
            len(homes),
        ) % {
            "homes": _listed(homes),
            "reason": reason,
            "employer": site + reverse("organisations:my_employer"),
            "mine": site + reverse("exchanges:mine"),
        }
    _send_on_commit(owner, subject, body)


def mail_homes_back_on_the_map(*, owner: User, homes: Sequence[Home]) -> None:
    """One e-mail for all the owner's homes the platform brought back in this run."""
    site = settings.SITE_URL.rstrip("/")
    with translation.override(owner.preferred_language or settings.LANGUAGE_CODE):
        subject = ngettext(
            "[Réciproque] Votre logement est de retour sur la carte",
            "[Réciproque] Vos logements sont de retour sur la carte",
            len(homes),
        )
        body = ngettext(
            "Bonjour,\n\nVous êtes de nouveau éligible : votre logement, que Réciproque avait mis en pause, "
            "est de nouveau publié et apparaît dans les recherches.\n\n%(homes)s\n\n"
            "Vérifiez que ses disponibilités sont toujours à jour : %(mine)s\n",
            "Bonjour,\n\nVous êtes de nouveau éligible : vos logements, que Réciproque avait mis en pause, "
            "sont de nouveau publiés et apparaissent dans les recherches.\n\n%(homes)s\n\n"
            "Vérifiez que leurs disponibilités sont toujours à jour : %(mine)s\n",
            len(homes),
        ) % {"homes": _listed(homes), "mine": site + reverse("exchanges:mine")}
    _send_on_commit(owner, subject, body)
