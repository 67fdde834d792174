import pytest
from django.core.management import call_command

from geo.models import Commune


@pytest.fixture(scope="session")
def _territories_loaded(django_db_setup, django_db_blocker):
    """The real territories, loaded once per session into the test database (about 2 seconds).

    Tests that flush the database (transactional_db, live_server) empty these tables after them;
    `territories` reloads when that happened.
    """
    with django_db_blocker.unblock():
        call_command("load_territories", verbosity=0)


@pytest.fixture
def territories(_territories_loaded, django_db_blocker):
    with django_db_blocker.unblock():
        if not Commune.objects.exists():
            call_command("load_territories", "--force", verbosity=0)
