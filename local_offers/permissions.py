"""Who may act on a facility: the active correspondents of its employer (administrators pass every
permission, Django's superuser rule)."""

from typing import Any

import rules

from marketplace.organisations.permissions import is_correspondent_of


@rules.predicate
def is_correspondent_of_its_organisation(user: Any, facility: Any) -> bool:
    return facility is not None and is_correspondent_of(user, facility.organisation)


rules.add_perm("local_offers.manage_facility", is_correspondent_of_its_organisation)


# ---- Agreements -------------------------------------------------------------------------------------------


@rules.predicate
def is_correspondent_of_provider(user: Any, agreement: Any) -> bool:
    return agreement is not None and is_correspondent_of(user, agreement.organisation)


@rules.predicate
def is_officer_of_agreement_territory(user: Any, agreement: Any) -> bool:
    """An officer covering the département of one of the facilities the agreement covers."""
    from local_offers.models import AgreementFacility
    from marketplace.organisations.models import OfficerTerritory

    if not getattr(user, "is_authenticated", False) or agreement is None or agreement.pk is None:
        return False
    return AgreementFacility.objects.filter(
        agreement=agreement,
        facility__departement__in=OfficerTerritory.objects.filter(officer=user).values("departement"),
    ).exists()


@rules.predicate
def is_own_agreement(user: Any, agreement: Any) -> bool:
    """Nobody decides their own case: the author of the agreement, or a correspondent of its provider."""
    if not getattr(user, "is_authenticated", False) or agreement is None:
        return False
    return agreement.created_by_id == user.pk or is_correspondent_of(user, agreement.organisation)


rules.add_perm("local_offers.propose_agreement", is_correspondent_of_provider)
rules.add_perm("local_offers.decide_agreement", is_officer_of_agreement_territory & ~is_own_agreement)
rules.add_perm("local_offers.platform", rules.always_deny)


# ---- Vouchers ---------------------------------------------------------------------------------------------


@rules.predicate
def is_desk_of_voucher_venue(user: Any, voucher: Any) -> bool:
    """An active desk agent (or correspondent) of the employer that manages the voucher's facility."""
    from marketplace.organisations.permissions import is_desk_of

    if voucher is None:
        return False
    organisation = voucher.facility.organisation
    return is_desk_of(user, organisation) or is_correspondent_of(user, organisation)


@rules.predicate
def is_voucher_holder(user: Any, voucher: Any) -> bool:
    return voucher is not None and getattr(user, "is_authenticated", False) and voucher.agent_id == user.pk


rules.add_perm("local_offers.validate_voucher", is_desk_of_voucher_venue)
rules.add_perm("local_offers.cancel_voucher", is_voucher_holder)


@rules.predicate
def has_desk_role(user: Any) -> bool:
    """An active desk agent or correspondent of some employer: the desk page is theirs."""
    from marketplace.organisations.models import StaffRoleKind
    from marketplace.organisations.permissions import active_role_kinds

    return bool(active_role_kinds(user) & {StaffRoleKind.DESK, StaffRoleKind.CORRESPONDENT})


rules.add_perm("local_offers.access_desk", has_desk_role)
