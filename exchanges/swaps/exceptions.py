from django.utils.translation import gettext_lazy as _

from marketplace.errors import Conflict, Forbidden, InvalidState, NotFound


class ProposalNotFound(NotFound):
    code = "proposal_not_found"
    default_message = _("Proposition introuvable.")


class StayNotFound(NotFound):
    code = "stay_not_found"
    default_message = _("Séjour introuvable.")


class NotAParty(Forbidden):
    code = "not_a_party"
    default_message = _("Seules les parties de la proposition peuvent faire cela.")


class ProposalWrongState(InvalidState):
    code = "proposal_wrong_state"
    default_message = _("La proposition n'est pas dans un état qui le permet.")


class PartyNotEligible(Conflict):
    code = "party_not_eligible"
    default_message = _("Une des parties n'est plus éligible aux échanges.")


class HomeUnavailable(Conflict):
    code = "home_unavailable"
    default_message = _("Le logement n'est pas disponible sur ces dates.")


class StayOverlap(Conflict):
    code = "stay_overlap"
    default_message = _(
        "Ce logement est déjà réservé sur une partie de ces dates : une autre proposition a été confirmée."
    )


class TooManyUnanswered(Conflict):
    code = "too_many_unanswered"
    default_message = _(
        "Répondez d'abord aux propositions qui vous attendent avant d'en envoyer de nouvelles."
    )


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    default_message = _("Cette clé d'idempotence a déjà servi pour une autre demande.")


class ReviewNotOpen(Conflict):
    code = "review_not_open"
    default_message = _("Un avis s'écrit après la fin du séjour.")


class ReviewAlreadyWritten(Conflict):
    code = "review_already_written"
    default_message = _("Vous avez déjà donné votre avis sur ce séjour.")
