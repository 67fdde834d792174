"""Demo data as a registry: each app contributes `<app>/demo.py`, registered from its AppConfig.ready().

    register_demo("organisations", load_organisations, after=("accounts",))

`load_demo` runs every loader once, in dependency order, in one transaction, with one `DemoContext`: a
seeded random generator (the same data at every run), today's date (every date is relative to it), the
demo password, and a shared `objects` space where a loader leaves what later ones use. Loaders write through
services, and are idempotent each: when their data is there they return no counts, only filling `objects`.
"""

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

DEMO_PASSWORD = "demo-reciproque"  # noqa: S105  (published in the README: demo data only)
DEMO_DOMAIN = "demo.reciproque.fr"


@dataclass
class DemoContext:
    rng: random.Random
    today: dt.date
    password: str = DEMO_PASSWORD
    domain: str = DEMO_DOMAIN
    # What a loader leaves for the next ones ("admin", "officers", "organisations", …).
    objects: dict[str, Any] = field(default_factory=dict)

    def email(self, local: str) -> str:
        return f"{local}@{self.domain}"


Loader = Callable[[DemoContext], dict[str, int]]


@dataclass(frozen=True)
class _Entry:
    name: str
    loader: Loader
    after: tuple[str, ...]


_registry: dict[str, _Entry] = {}


def register_demo(name: str, loader: Loader, *, after: tuple[str, ...] = ()) -> None:
    _registry[name] = _Entry(name, loader, after)


def demo_loaders() -> list[tuple[str, Loader]]:
    """The registered loaders, each after the ones it names (a cycle or an unknown name is a bug)."""
    ordered: list[str] = []

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in ordered:
            return
        if name in path:
            raise ValueError(f"demo loaders depend on each other in a cycle: {(*path, name)}")
        for before in _registry[name].after:
            visit(before, (*path, name))
        ordered.append(name)

    for name in sorted(_registry):
        visit(name, ())
    return [(name, _registry[name].loader) for name in ordered]
