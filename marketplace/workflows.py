"""Running a declared workflow transition: the one way a status changes.

A workflow is declared once, on its model, as django-fsm-2 `@transition` methods on a protected `FSMField`
(source states, target state, `permission=` a rules permission). Services lock the row, then call
`transition_run`, which checks the permission, then the state the object leaves, runs the transition, saves
and appends the immutable event (actor, transition, from, to, comment, time). A status cannot be assigned
directly (the field is protected), so no code path can forget the checks or the event.
"""

from typing import Any

from django.db import models
from django_fsm import can_proceed

from marketplace.audit.models import AuditEvent
from marketplace.audit.services import audit_record
from marketplace.errors import Forbidden, InvalidState


def _meta(obj: models.Model, name: str) -> Any:
    method = getattr(obj, name, None)
    meta = getattr(method, "_django_fsm", None)
    if meta is None:
        raise TypeError(f"{type(obj).__name__}.{name} is not a declared transition")
    return method, meta


def transition_allowed(obj: models.Model, name: str, actor: Any) -> bool:
    """May `actor` run this transition on `obj` (state and permission)? For pages: show the button or not."""
    method, meta = _meta(obj, name)
    return can_proceed(method) and any(t.has_perm(obj, actor) for t in meta.transitions.values())


def transition_run(
    obj: models.Model,
    name: str,
    *,
    actor: Any,
    comment: str = "",
    refused: type[Forbidden] = Forbidden,
    wrong_state: type[InvalidState] = InvalidState,
    **kwargs: Any,
) -> AuditEvent:
    """Run transition `name` on `obj` (already locked by the caller's select_for_update) for `actor`; None
    is the platform itself (a periodic task), which needs no permission.

    Raises `refused` (403) when the declared permission does not hold, `wrong_state` (409) when the object's
    state is not a source of the transition; in both cases nothing is written.
    """
    method, meta = _meta(obj, name)
    field = meta.field
    if actor is not None and not any(t.has_perm(obj, actor) for t in meta.transitions.values()):
        raise refused()
    from_state = str(getattr(obj, field.name))
    if not can_proceed(method):
        raise wrong_state(detail={"state": from_state, "transition": name})
    method(**kwargs)
    obj.save()
    return audit_record(
        actor=actor,
        obj=obj,
        from_state=from_state,
        to_state=str(getattr(obj, field.name)),
        comment=comment,
        transition=name,
    )


def declared_transitions(model: type[models.Model]) -> set[tuple[str, str, str]]:
    """Every (transition, source, target) a model declares: what its events may say."""
    declared = set()
    for field in model._meta.concrete_fields:
        if hasattr(field, "get_all_transitions"):
            for t in field.get_all_transitions(model):
                declared.add((t.name, str(t.source), str(t.target)))
    return declared
