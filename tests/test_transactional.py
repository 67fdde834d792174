"""The territories left out of a transactional test's flush keep their reverse relations inside the test."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.apps import apps

from geo.models import Region
from tests.transactional import KEEP_TERRITORIES, warm_model_options

AUDIENCE = "_local_offers_agreement_audience_regions_+"


@contextmanager
def _without_geo() -> Iterator[None]:
    apps.set_available_apps(KEEP_TERRITORIES.kwargs["available_apps"])
    try:
        yield
    finally:
        apps.unset_available_apps()


def _relation_names() -> set[str]:
    return {f.name for f in Region._meta.get_fields(include_hidden=True) if f.is_relation}


def test_warmed_caches_keep_the_reverse_relations_of_territories_out_of_the_flush():
    apps.clear_cache()  # what the previous journey's flush leaves
    warm_model_options()
    expected = _relation_names()
    with _without_geo():
        assert _relation_names() == expected
        assert getattr(Region._meta.get_field(AUDIENCE).related_model, "__name__", None) == "Agreement"


def test_caches_built_inside_the_window_lose_them():
    """The trap itself: if Django ever rebuilds these right, the warming can go."""
    apps.clear_cache()
    with _without_geo():
        assert AUDIENCE not in _relation_names()
    warm_model_options()
    assert AUDIENCE in _relation_names()
