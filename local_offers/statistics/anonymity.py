"""The one anonymisation rule of the local-offer statistics (README, "Statistics of the local offers").

A cell is a set of uses (vouchers validated) together with the distinct agents who made them. It is shown
only when it is about at least MIN_AGENTS distinct agents (primary suppression). Because a total can be
known (shown beside the table, or added up from another table of the same uses), the hidden cells of one
column taken together must also be about at least MIN_AGENTS distinct agents: otherwise the smallest shown
cell is hidden as well, and so on (secondary suppression). A total is shown only when it is about at least
MIN_AGENTS agents; a difference (a balance) only when both its terms are shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

MIN_AGENTS = 5
HIDDEN: Literal["< 5"] = "< 5"

Figure = int | Literal["< 5"]


@dataclass
class Cell:
    """What the database counted for one cell; `agents` are the distinct agents' ids (never shown)."""

    uses: int = 0
    persons: int = 0
    agents: frozenset[int] = field(default_factory=frozenset)
    hidden: bool = False

    def figures(self) -> dict[str, Figure]:
        """uses, persons and distinct agents, or "< 5" for each when the cell is hidden."""
        if self.hidden:
            return {"uses": HIDDEN, "persons": HIDDEN, "agents": HIDDEN}
        return {"uses": self.uses, "persons": self.persons, "agents": len(self.agents)}


def suppress(cells: Iterable[Cell]) -> None:
    """Mark the cells of one column that may not be shown (in place), primary then secondary suppression."""
    column = [c for c in cells if c.agents]
    for cell in column:
        cell.hidden = len(cell.agents) < MIN_AGENTS
    while True:
        hidden_agents: set[int] = set()
        for cell in column:
            if cell.hidden:
                hidden_agents |= cell.agents
        shown = [c for c in column if not c.hidden]
        if not hidden_agents or len(hidden_agents) >= MIN_AGENTS or not shown:
            return
        min(shown, key=lambda c: (len(c.agents), c.uses)).hidden = True


def total(cells: Sequence[Cell]) -> Cell:
    """The cell of the whole column (distinct agents over all of it), hidden below MIN_AGENTS agents."""
    agents: frozenset[int] = frozenset().union(*(c.agents for c in cells)) if cells else frozenset()
    return Cell(
        uses=sum(c.uses for c in cells),
        persons=sum(c.persons for c in cells),
        agents=agents,
        hidden=0 < len(agents) < MIN_AGENTS,
    )


def difference(a: Cell, b: Cell) -> Figure | None:
    """a − b in uses when both are shown; "< 5" when either is hidden; None when neither has a use."""
    if not a.agents and not b.agents:
        return None
    if a.hidden or b.hidden:
        return HIDDEN
    return a.uses - b.uses
