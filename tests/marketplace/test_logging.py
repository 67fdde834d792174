import logging

import pytest

from marketplace.core.logging import KeyValueFormatter


@pytest.mark.django_db
def test_one_line_per_request_with_timing_and_no_personal_data(client, caplog, django_user_model):
    user = django_user_model.objects.create_user(email="camille.martin@example.fr", password="x" * 12)
    client.force_login(user)
    with caplog.at_level(logging.INFO, logger="marketplace.request"):
        response = client.get("/api/v1/health?q=camille.martin@example.fr", REMOTE_ADDR="203.0.113.7")
    records = [r for r in caplog.records if r.name == "marketplace.request"]
    assert len(records) == 1
    line = KeyValueFormatter().format(records[0])
    assert "method=GET" in line
    assert "route=/api/v1/health" in line
    assert f"status={response.status_code}" in line
    assert float(line.split("duration_ms=")[1].split()[0]) >= 0
    assert response["X-Request-Id"] in line
    for personal in ("camille", "203.0.113.7", "user", "ip="):
        assert personal not in line


@pytest.mark.django_db
def test_unresolved_paths_are_not_logged_verbatim(client, caplog):
    with caplog.at_level(logging.INFO, logger="marketplace.request"):
        client.get("/nulle-part/jean.dupont/")
    line = KeyValueFormatter().format(next(r for r in caplog.records if r.name == "marketplace.request"))
    assert "status=404" in line
    assert "jean.dupont" not in line
