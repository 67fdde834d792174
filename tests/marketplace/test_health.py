import pytest
from django.conf import settings


@pytest.mark.django_db
class TestHealth:
    def test_reports_database_and_redis_channel_layer(self, client):
        response = client.get("/api/v1/health")
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "ok"
        assert body["database"].startswith("ok (PostGIS 3.")
        assert body["channel_layer"] == "ok"
        assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"

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
