"""The import wizard's pages, without a browser: every step, refusals shown on the form, 404 for others."""

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from local_offers.imports import services
from local_offers.imports.models import FacilityImport, ImportStatus
from local_offers.models import Facility
from tests.helpers import assert_nothing_written
from tests.local_offers.imports.conftest import upload

SAMPLE = Path(__file__).resolve().parents[3] / "local_offers" / "samples" / "equipements_lambert93.gpkg"


def logged(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class TestWizard:
    def test_upload_mapping_preview_confirm_progress_report(self, people):
        client = logged(people.correspondent)
        org = people.organisation.pk
        page = client.get(reverse("facility_imports:list", args=[org]))
        assert page.status_code == 200
        assert "Envoyer et lire le fichier" in page.content.decode()

        with SAMPLE.open("rb") as handle:
            response = client.post(reverse("facility_imports:upload", args=[org]), {"file": handle})
        assert response.status_code == 303
        record = FacilityImport.objects.get()
        detail = client.get(response["Location"]).content.decode()
        assert 'name="map_name"' in detail
        assert '<option value="libelle" selected>' in detail

        response = client.post(
            reverse("facility_imports:preview", args=[org, record.pk]),
            {
                "map_name": "libelle",
                "map_category": "categorie",
                "map_external_id": "identifiant",
                "map_website": "site_web",
            },
        )
        assert response.status_code == 303
        html = client.get(reverse("facility_imports:detail", args=[org, record.pk])).content.decode()
        assert "Catégorie inconnue : « Déchetterie »" in html
        assert "Le nom est vide." in html
        assert "hors de France ou en mer" in html
        assert "36 équipements seront créés" in html

        response = client.post(reverse("facility_imports:confirm", args=[org, record.pk]), {"publish": "on"})
        assert response.status_code == 303
        fragment = client.get(reverse("facility_imports:progress", args=[org, record.pk])).content.decode()
        assert 'hx-trigger="every 1s"' in fragment
        services.facility_import_run(import_id=record.pk)
        fragment = client.get(reverse("facility_imports:progress", args=[org, record.pk])).content.decode()
        assert "hx-trigger" not in fragment
        assert "36 équipements créés" in fragment
        assert Facility.objects.filter(organisation=people.organisation, status="published").count() == 36

    def test_a_refused_file_is_explained_on_the_form_and_nothing_is_stored(self, people):
        client = logged(people.correspondent)
        with assert_nothing_written():
            response = client.post(
                reverse("facility_imports:upload", args=[people.organisation.pk]),
                {"file": upload(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "photo.csv")},
            )
        assert response.status_code == 422
        assert "Format non reconnu" in response.content.decode()

    def test_missing_name_mapping_is_explained(self, people):
        record = services.facility_import_upload(
            actor=people.correspondent,
            organisation_id=people.organisation.pk,
            upload=upload(SAMPLE.read_bytes()),
        )
        client = logged(people.correspondent)
        with assert_nothing_written():
            response = client.post(
                reverse("facility_imports:preview", args=[people.organisation.pk, record.pk]),
                {"map_name": ""},
            )
        assert response.status_code == 422
        assert "Colonnes obligatoires manquantes : Nom" in response.content.decode()
        assert FacilityImport.objects.get().status == ImportStatus.UPLOADED


class TestPermissions:
    @pytest.mark.parametrize("actor", ["other_correspondent", "officer", "agent", "stranger", "admin"])
    def test_every_page_is_404_for_anyone_but_the_correspondents(self, people, actor):
        record = services.facility_import_upload(
            actor=people.correspondent,
            organisation_id=people.organisation.pk,
            upload=upload(SAMPLE.read_bytes()),
        )
        client = logged(people.others[actor])
        org = people.organisation.pk
        gets = [
            reverse("facility_imports:list", args=[org]),
            reverse("facility_imports:detail", args=[org, record.pk]),
            reverse("facility_imports:progress", args=[org, record.pk]),
        ]
        posts = [
            reverse("facility_imports:upload", args=[org]),
            reverse("facility_imports:preview", args=[org, record.pk]),
            reverse("facility_imports:confirm", args=[org, record.pk]),
        ]
        with assert_nothing_written():
            for url in gets:
                assert client.get(url).status_code == 404, url
            for url in posts:
                assert (
                    client.post(url, {"map_name": "libelle", "file": upload(SAMPLE.read_bytes())}).status_code
                    == 404
                ), url

    def test_anonymous_is_sent_to_login(self, people):
        response = Client().get(reverse("facility_imports:list", args=[people.organisation.pk]))
        assert response.status_code == 302
        assert "/comptes/connexion/" in response["Location"]
