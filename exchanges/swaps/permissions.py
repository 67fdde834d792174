"""Who acts on a proposal: its parties. `swaps.platform` transitions are the platform's own (actor None)."""

from typing import Any

import rules


@rules.predicate
def is_party(user: Any, proposal: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or proposal is None:
        return False
    return any(party.user_id == user.pk for party in proposal.parties.all())


rules.add_perm("swaps.take_part", is_party)
rules.add_perm("swaps.platform", rules.always_deny)
