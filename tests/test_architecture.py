"""Interfaces (endpoints, pages, websocket consumers, management commands) parse, call and shape: services write.

Import-linter holds which app imports which (pyproject.toml); it cannot see a call, so this reads the source.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("marketplace", "exchanges", "local_offers", "geo", "frontend")
INTERFACES = ("api.py", "api/*.py", "views.py", "views/*.py", "consumers.py", "management/commands/*.py")
# Always a write, whatever the receiver: a model instance, a ModelForm, a queryset or a manager.
WRITE_METHODS = {"save", "delete", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}
# A write only on a manager or queryset: `dict.update(other)` is fine, `qs.update(status=…)` is not.
MANAGER_WRITE_METHODS = {"create", "update"}


def interface_modules() -> list[Path]:
    found = {path for app in APPS for pattern in INTERFACES for path in (ROOT / app).rglob(pattern)}
    return sorted(path for path in found if "migrations" not in path.parts)


def writes(source: str) -> list[str]:
    """`line: call` for each call in the source that writes through a model."""
    tree = ast.parse(source)
    # `@router.delete("/{id}")` declares an endpoint: it writes nothing.
    decorators = {
        id(decorator)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for decorator in node.decorator_list
    }
    found = []
    for node in ast.walk(tree):
        if (
            not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute))
            or id(node) in decorators
        ):
            continue
        method, receiver = node.func.attr, node.func.value
        on_manager = isinstance(receiver, ast.Call) or any(
            isinstance(part, ast.Attribute) and part.attr == "objects" for part in ast.walk(receiver)
        )
        keywords_only = bool(node.keywords) and not node.args
        if method in WRITE_METHODS or (method in MANAGER_WRITE_METHODS and (on_manager or keywords_only)):
            found.append(f"{node.lineno}: {ast.unparse(node.func)}(…)")
    return found


def test_the_interface_modules_are_found():
    names = {path.relative_to(ROOT).as_posix() for path in interface_modules()}
    assert {"marketplace/api.py", "marketplace/consumers.py", "geo/api.py", "frontend/views.py"} <= names
    assert "marketplace/core/management/commands/load_demo.py" in names


def test_no_interface_writes_through_a_model():
    offenders = {
        path.relative_to(ROOT).as_posix(): found
        for path in interface_modules()
        if (found := writes(path.read_text()))
    }
    assert offenders == {}, "call a service (<app>/services.py) instead"


@pytest.mark.parametrize(
    "call",
    [
        "home.save()",
        "form.save(commit=False)",
        "home.delete()",
        "Home.objects.create(title='x')",
        "Home.objects.filter(owner=user).update(status='gone')",
        "Home.objects.bulk_create(homes)",
        "Home.objects.get_or_create(owner=user)",
        "user.homes.create(title='x')",
        "homes.update(status='gone')",
    ],
)
def test_a_write_is_seen(call: str):
    assert writes(f"def view(request):\n    {call}\n") == [f"2: {call[: call.rindex('(')]}(…)"]


@pytest.mark.parametrize(
    "call",
    [
        "counts.update(loader(context))",
        "context.update({'a': 1})",
        "services.home_create(actor=user)",
        "@homes.delete('/{home_id}')\ndef archive(request): ...",
    ],
)
def test_a_plain_call_is_not_a_write(call: str):
    assert writes(f"{call}\n") == []
