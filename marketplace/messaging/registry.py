"""Conversations about an object of another app (a swap proposal, an agreement under review).

The app that owns the object registers its type from its AppConfig.ready(), with who takes part:

    register_subject("swap_proposal", participants=lambda proposal_id: [owner_id, guest_id])

Messaging never imports those apps: it calls `participants(subject_id)` (user ids; empty when the object
does not exist) to create the conversation and to keep its participants in sync when the parties change.
The messaging pages name such a conversation with `title(subject_id)` and link to the object's page with
`link(subject_id)`, when the app gives them.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

Participants = Callable[[int], Iterable[int]]
Describe = Callable[[int], str]


@dataclass(frozen=True)
class Subject:
    name: str
    participants: Participants
    title: Describe | None = None
    link: Describe | None = None


_subjects: dict[str, Subject] = {}


def register_subject(
    name: str, *, participants: Participants, title: Describe | None = None, link: Describe | None = None
) -> None:
    if not name or len(name) > 40:
        raise ValueError("a subject type is a name of 1 to 40 characters")
    known = _subjects.get(name)
    if known is not None and known.participants is not participants:
        raise ValueError(f"subject {name!r} is registered twice")
    _subjects[name] = Subject(name, participants, title, link)


def unregister_subject(name: str) -> None:
    """For tests that register a subject of their own."""
    _subjects.pop(name, None)


def subject(name: str) -> Subject | None:
    return _subjects.get(name)
