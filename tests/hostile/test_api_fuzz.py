"""Schema-driven fuzzing of every API operation (schemathesis): anonymous and as each role, no answer is a
5xx and every answer matches what the OpenAPI document says (status documented, body of its schema, the
error envelope for every error). Bounded for CI: few examples per operation, no stateful phase.

Not checked: that every schema-valid request is accepted. Business rules refuse some with a 422 naming the
field (a point outside France, a sort key the list does not offer), which an OpenAPI schema cannot express.
"""

from typing import Any

import hypothesis
import pytest
import schemathesis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

from marketplace.api import ERROR_STATUSES, api

# Minutes on 2 cores: in `make test` (and CI), not in `make check`.
pytestmark = pytest.mark.sweep

MAX_EXAMPLES = 3

config = SchemathesisConfig.from_dict(
    {
        "phases": {"stateful": {"enabled": False}},
        "generation": {"max-examples": MAX_EXAMPLES},
        # A refused request may be refused for any documented reason: not logged in, too long an address…
        "checks": {
            "negative_data_rejection": {
                "expected-statuses": [
                    "400",
                    "401",
                    "403",
                    "404",
                    "405",
                    "409",
                    "413",
                    "414",
                    "415",
                    "422",
                    "429",
                ]
            }
        },
    }
)
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"), config=config)
schema.app = get_wsgi_application()

ROLES = ["anonymous", "agent", "correspondent", "officer", "admin"]


def session_headers(user: Any) -> dict[str, str]:
    if user is None:
        return {}
    client = Client()
    client.force_login(user)
    client.get("/comptes/profil/")  # sets the CSRF cookie
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    return {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={token}",
        "X-CSRFToken": token,
    }


@pytest.fixture
def _keep_the_test_connection(role_headers):
    """Like Django's test client: the WSGI requests must not close the test's connection (and its
    transaction) at their end. After role_headers, whose test client connects the signals again."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def role_headers(request, world) -> dict[str, str]:
    return session_headers(None if request.param == "anonymous" else getattr(world, request.param))


@pytest.mark.parametrize("role_headers", ROLES, indirect=True)
@schema.parametrize()
@hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(hypothesis.HealthCheck),
    database=None,
)
@pytest.mark.usefixtures("_keep_the_test_connection")
def test_no_server_error_and_answers_as_documented(case, role_headers):
    response = case.call(headers=role_headers)
    # The health check's documented 503 says the platform is degraded; no other 5xx is an answer.
    degraded = case.path == "/api/v1/health" and response.status_code == 503
    assert response.status_code < 500 or degraded, (
        case.method,
        case.path,
        response.status_code,
        response.text[:500],
    )
    case.validate_response(
        response, headers=role_headers, excluded_checks=[positive_data_acceptance, not_a_server_error]
    )


def test_every_operation_documents_the_error_envelope():
    document = api.get_openapi_schema(path_prefix="/api/v1/")
    operations = [op for methods in document["paths"].values() for op in methods.values()]
    assert len(operations) > 20
    for operation in operations:
        for status in ERROR_STATUSES:
            content = operation["responses"][status]["content"]["application/json"]
            assert content["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
    assert set(document["components"]["schemas"]["ErrorOut"]["required"]) == {"code", "message", "detail"}
