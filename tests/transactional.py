"""Tests whose transactions are committed (a live server or a second connection reads them), flushed after
each test, with the real territories kept out of the flush (`geo` is left out of the available apps) instead
of being reloaded (~2 s).

Leaving an app out has a trap, closed here. While `geo` is out, Django neither expires the field caches of
its models nor can rebuild them right: rebuilt inside that window, `Region` has no reverse relations (an
agreement's audience régions could not be prefetched: FieldError, a 500 in a browser journey that only the
full run met, after another journey's flush had expired every cache). `warm_model_options` rebuilds every
cache with the whole registry before each test (tests/conftest.py, pytest_runtest_setup).
"""

import pytest
from django.apps import apps

KEEP_TERRITORIES = pytest.mark.django_db(
    transaction=True, available_apps=[c.name for c in apps.get_app_configs() if c.label != "geo"]
)


def keeps_territories(item: pytest.Item) -> bool:
    """Whether the test's flush leaves the territories in place (its database mark leaves `geo` out)."""
    mark = item.get_closest_marker("django_db")
    available = mark.kwargs.get("available_apps") if mark is not None else None
    return available is not None and "geo" not in available


def warm_model_options() -> None:
    """Computes the field caches of every model with the whole registry (cached: near free when warm)."""
    if apps.stored_app_configs:  # inside a restricted window: what would be computed is what must be avoided
        return
    for model in apps.get_models(include_auto_created=True):
        options = model._meta
        options.get_fields(include_hidden=True)
        _ = options.fields_map, options.related_objects
