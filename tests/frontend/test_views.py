import pytest
from django.test import Client


@pytest.mark.django_db
class TestPages:
    @pytest.mark.parametrize(
        ("url", "template", "heading"),
        [
            ("/", "frontend/home.html", "Réciproque, l'entraide entre agents territoriaux"),
            ("/carte/", "frontend/map.html", "Carte des territoires"),
            ("/sources/", "frontend/sources.html", "Sources et licences"),
        ],
    )
    def test_french_by_default(self, client, url, template, heading):
        response = client.get(url)
        assert response.status_code == 200
        assert template in [t.name for t in response.templates]
        html = response.content.decode()
        assert '<html lang="fr">' in html
        assert f"<h1>{heading}</h1>" in html
        assert 'href="#main"' in html

    def test_english_through_the_language_switch(self):
        client = Client()
        response = client.post("/i18n/setlang/", {"language": "en", "next": "/carte/"}, follow=True)
        html = response.content.decode()
        assert '<html lang="en">' in html
        assert "<h1>Map of territories</h1>" in html
        assert "Skip to content" in html

    def test_map_page_loads_only_our_own_scripts(self, client):
        html = client.get("/carte/").content.decode()
        assert '<script src="/static/vendor/maplibre-gl-5.24.1/maplibre-gl.js"></script>' in html
        assert "https://" not in html.split("<main")[1].split("</main>")[0]
        assert "<script>" not in html  # CSP: no inline script

    def test_content_security_policy_forbids_other_hosts(self, client):
        csp = client.get("/carte/")["Content-Security-Policy"]
        assert "default-src 'self'" in csp
        assert "worker-src 'self' blob:" in csp
