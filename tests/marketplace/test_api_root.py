import re

import pytest
from django.test import RequestFactory

from marketplace.api import api, on_integrity_error
from marketplace.errors import register_constraint_message


class TestDocs:
    def test_openapi_schema_is_served(self, client):
        response = client.get("/api/v1/openapi.json")
        assert response.status_code == 200
        assert response.json()["info"]["title"] == "Réciproque API"
        assert "/api/v1/health" in response.json()["paths"]

    def test_docs_page_loads_nothing_from_another_host(self, client):
        response = client.get("/api/v1/docs")
        assert response.status_code == 200
        html = response.content.decode()
        assert "swagger-ui-bundle.js" in html
        external = [url for url in re.findall(r'(?:src|href)="([^"]+)"', html) if "//" in url]
        assert external == []


class TestErrorEnvelope:
    @pytest.mark.django_db
    def test_unknown_api_path_answers_the_envelope(self, client):
        response = client.get("/api/v1/nothing-here")
        assert response.status_code == 404
        assert response.json() == {
            "code": "not_found",
            "message": "Cette adresse de l'API n'existe pas.",
            "detail": {},
        }

    def test_known_constraint_violation_is_a_409_naming_it(self):
        from django.db import IntegrityError

        class Diag:
            constraint_name = "demo_no_overlap"

        cause = Exception("duplicate")
        cause.diag = Diag()  # type: ignore[attr-defined]
        error = IntegrityError("violates")
        error.__cause__ = cause
        register_constraint_message("demo_no_overlap", "Deux périodes se chevauchent.")
        request = RequestFactory().post("/api/v1/x")
        response = on_integrity_error(request, error)
        assert response.status_code == 409
        assert response.content.decode() == api.renderer.render(
            request,
            {
                "code": "conflict",
                "message": "Deux périodes se chevauchent.",
                "detail": {"constraint": "demo_no_overlap"},
            },
            response_status=409,
        )

    def test_unknown_constraint_violation_is_not_hidden(self):
        from django.db import IntegrityError

        with pytest.raises(IntegrityError):
            on_integrity_error(RequestFactory().post("/api/v1/x"), IntegrityError("anything"))
