"""Who may act on a home: its owner (administrators pass every permission)."""

from typing import Any

import rules


@rules.predicate
def is_home_owner(user: Any, home: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and home is not None and home.owner_id == user.pk


rules.add_perm("exchanges.manage_home", is_home_owner)
