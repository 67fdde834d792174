"""Who may act on a facility: the active correspondents of its employer (administrators pass every
permission, Django's superuser rule)."""

from typing import Any

import rules

from marketplace.organisations.permissions import is_correspondent_of


@rules.predicate
def is_correspondent_of_its_organisation(user: Any, facility: Any) -> bool:
    return facility is not None and is_correspondent_of(user, facility.organisation)


rules.add_perm("local_offers.manage_facility", is_correspondent_of_its_organisation)
