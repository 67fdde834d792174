"""Bodies, query strings and uploads beyond what the parsers accept: a 4xx naming the problem (the API's
envelope, or the HTML error page), never a 500, nothing written."""

import pytest
from django.conf import settings

from tests.hostile.conftest import assert_envelope, logged, row_counts, send_json


class TestApiBodies:
    def test_json_over_the_upload_limit_is_413(self, world):
        before = row_counts()
        big = {"display_name": "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)}
        assert_envelope(send_json(logged(world.agent), "patch", "/api/v1/me", big), 413, "payload_too_large")
        assert row_counts() == before

    @pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
    def test_json_under_another_content_type_is_415(self, world, content_type):
        response = send_json(
            logged(world.agent), "patch", "/api/v1/me", {"display_name": "Autre"}, content_type=content_type
        )
        assert_envelope(response, 415, "unsupported_media_type")
        world.agent.refresh_from_db()
        assert world.agent.display_name != "Autre"

    def test_multipart_to_a_json_operation_is_415(self, world):
        response = logged(world.agent).patch(
            "/api/v1/me",
            b'--b\r\nContent-Disposition: form-data; name="display_name"\r\n\r\nAutre\r\n--b--\r\n',
            content_type="multipart/form-data; boundary=b",
        )
        assert_envelope(response, 415)

    def test_duplicate_keys_are_refused_not_silently_the_last(self, world):
        response = send_json(
            logged(world.agent), "patch", "/api/v1/me", '{"display_name": "Un", "display_name": "Deux"}'
        )
        body = assert_envelope(response, 422, "validation_error")
        assert body["detail"]["errors"][0]["field"] == "display_name"
        world.agent.refresh_from_db()
        assert world.agent.display_name not in ("Un", "Deux")

    @pytest.mark.parametrize(
        "raw", ['{"display_name": NaN}', "{", '{"a": "\\ud800"}', "[" * 5000 + "]" * 5000, b"\xff\xfe"]
    )
    def test_malformed_json_is_400(self, world, raw):
        response = send_json(logged(world.agent), "patch", "/api/v1/me", raw)
        assert response.status_code in (400, 422)
        assert_envelope(response, response.status_code)

    def test_deep_nesting_is_refused(self, world):
        raw = '{"display_name": "x", "extra": ' + "[" * 40 + "]" * 40 + "}"
        assert_envelope(send_json(logged(world.agent), "patch", "/api/v1/me", raw), 400)


class TestQueryStrings:
    @pytest.mark.parametrize("url", ["/api/v1/geo/regions", "/"])
    def test_more_than_the_field_limit_is_400(self, world, url):
        query = "&".join(f"a{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
        response = logged(world.agent).get(f"{url}?{query}")
        assert response.status_code == 400
        if url.startswith("/api/"):
            assert_envelope(response, 400, "bad_request")

    @pytest.mark.parametrize("url", ["/api/v1/geo/regions", "/"])
    def test_a_long_url_is_414(self, world, url):
        response = logged(world.agent).get(f"{url}?q={'x' * settings.MAX_URL_LENGTH}")
        assert response.status_code == 414


class TestForms:
    def test_html_form_over_the_field_limit_is_400(self, world):
        before = row_counts()
        data = {f"f{i}": "1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
        response = logged(world.agent).post("/comptes/profil/", data)
        assert response.status_code == 400
        assert row_counts() == before

    def test_html_form_over_the_size_limit_is_413(self, world):
        response = logged(world.agent).post(
            "/comptes/profil/", {"display_name": "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)}
        )
        assert response.status_code == 413

    @pytest.mark.parametrize("url", ["/api/v1/me/avatar", "/comptes/profil/photo/"])
    def test_multipart_without_boundary_is_400(self, world, url):
        response = logged(world.agent).post(url, b"--x\r\n", content_type="multipart/form-data")
        assert response.status_code == 400
        if url.startswith("/api/"):
            assert_envelope(response, 400, "bad_request")

    @pytest.mark.parametrize("url", ["/api/v1/me/avatar", "/comptes/profil/photo/"])
    def test_a_thousand_character_file_name_is_refused(self, world, url):
        from django.core.files.uploadedfile import SimpleUploadedFile

        before = row_counts()
        upload = SimpleUploadedFile("a" * 1000 + ".png", b"\x89PNG\r\n", content_type="image/png")
        response = logged(world.agent).post(url, {"avatar": upload})
        assert response.status_code == 422
        if url.startswith("/api/"):
            assert assert_envelope(response, 422)["detail"]["errors"][0]["field"] == "avatar"
        assert row_counts() == before
        world.agent.refresh_from_db()
        assert not world.agent.avatar


class TestRequestId:
    def test_a_safe_request_id_is_kept(self, client, db):
        assert (
            client.get("/api/v1/health", HTTP_X_REQUEST_ID="abc-123.DEF").headers["X-Request-Id"]
            == "abc-123.DEF"
        )

    @pytest.mark.parametrize("given", ["x status=200 route=/admin", 'a"b', "a\\nb", "é" * 3, "x" * 65])
    def test_anything_else_is_replaced(self, client, db, caplog, given):
        response = client.get("/api/v1/health", HTTP_X_REQUEST_ID=given)
        assert response.headers["X-Request-Id"] != given
        assert len(response.headers["X-Request-Id"]) == 32
        assert all(given not in str(getattr(r, "request_id", "")) for r in caplog.records)

    def test_a_log_value_stays_on_its_line(self):
        import logging

        from marketplace.core.logging import KeyValueFormatter

        record = logging.makeLogRecord({"msg": "request", "route": '/x\nlevel=error fake="1"'})
        line = KeyValueFormatter().format(record)
        assert "\n" not in line
        assert 'route="/x\\nlevel=error fake=\\"1\\""' in line
