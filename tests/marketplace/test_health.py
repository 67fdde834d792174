import datetime as dt

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from marketplace.core.models import WorkerHeartbeat


@pytest.mark.django_db
class TestHealth:
    def test_reports_database_and_redis_channel_layer(self, client):
        response = client.get("/api/v1/health")
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "ok"
        assert body["database"].startswith("ok (PostGIS 3.")
        assert body["channel_layer"] == "ok"
        assert body["last_worker_heartbeat"] is None

    def test_reports_the_latest_worker_heartbeat(self, client):
        now = timezone.now().replace(microsecond=0)
        for at in (now - dt.timedelta(minutes=2), now, now - dt.timedelta(minutes=1)):
            WorkerHeartbeat.objects.create(at=at)
        beat = client.get("/api/v1/health").json()["last_worker_heartbeat"]
        assert dt.datetime.fromisoformat(beat) == now

    def test_degraded_when_the_channel_layer_is_unreachable(self, client, settings):
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
            }
        }
        response = client.get("/api/v1/health")
        assert response.status_code == 503
        assert response.json()["status"] == "degraded"
        assert response.json()["channel_layer"].startswith("error")

    def test_degraded_without_any_channel_layer(self, client, settings):
        settings.CHANNEL_LAYERS = {}
        response = client.get("/api/v1/health")
        assert response.status_code == 503
        assert response.json()["channel_layer"] == "error: no channel layer"

    def test_a_database_failure_is_reported_not_raised(self, client, monkeypatch):
        def refuse(*args, **kwargs):
            raise OperationalError("server closed the connection")

        monkeypatch.setattr(connection, "cursor", refuse)
        response = client.get("/api/v1/health")
        monkeypatch.undo()
        assert response.status_code == 503
        body = response.json()
        assert (body["status"], body["database"], body["last_worker_heartbeat"]) == (
            "degraded",
            "error: OperationalError",
            None,
        )
