"""RGPD right of access and erasure: one registry, each app contributing what it holds about a person.

An app registers, from its AppConfig.ready():

    register_exporter("employments", lambda user: {...})   # JSON-serialisable data about `user`
    register_eraser(scrub_my_rows)                          # removes or anonymises `user`'s personal data

`user_export_data` calls every exporter; `user_delete` calls every eraser in one transaction before the
user row itself is deleted, so an eraser can also reach rows that deletion would not (history tables,
free-text comments that name the person).
"""

from collections.abc import Callable
from typing import Any

from marketplace.accounts.models import User

Exporter = Callable[[User], Any]
Eraser = Callable[[User], None]

_exporters: dict[str, Exporter] = {}
_erasers: list[Eraser] = []


def register_exporter(section: str, exporter: Exporter) -> None:
    _exporters[section] = exporter


def register_eraser(eraser: Eraser) -> None:
    if eraser not in _erasers:
        _erasers.append(eraser)


def export_sections(user: User) -> dict[str, Any]:
    return {section: exporter(user) for section, exporter in sorted(_exporters.items())}


def erase_everywhere(user: User) -> None:
    for eraser in _erasers:
        eraser(user)
