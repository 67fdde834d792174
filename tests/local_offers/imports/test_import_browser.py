"""The correspondent's import journey in Chromium: the real-shaped Lambert-93 sample uploaded, the preview's
rejected rows explained, the import confirmed and run by a real Procrastinate worker process while the page
follows its progress to the report; the facilities then exist. No request leaves for another host."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import connection
from playwright.sync_api import Page, expect

from local_offers.imports.models import FacilityImport, ImportStatus
from local_offers.models import Facility, FacilityStatus
from tests.browser import JOURNEY, assert_accessible
from tests.organisations.test_journeys_browser import log_in

pytestmark = JOURNEY
ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "local_offers" / "samples" / "equipements_lambert93.gpkg"


@pytest.fixture
def shared_private_storage(tmp_path, monkeypatch) -> Path:
    """The tests keep files in memory; the worker is another process: both read one folder here."""
    field = FacilityImport._meta.get_field("file")
    monkeypatch.setattr(field, "storage", FileSystemStorage(location=tmp_path))
    return tmp_path


def run_worker(private_root: Path) -> None:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings.dev",
        "DATABASE_URL": f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "PRIVATE_MEDIA_ROOT": str(private_root),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "procrastinate", "worker", "--one-shot"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr


def test_correspondent_imports_the_lambert93_sample(people, live_server, page: Page, shared_private_storage):
    hosts: set[str] = set()
    page.on("request", lambda r: hosts.add(urlparse(r.url).netloc) if r.url.startswith("http") else None)
    log_in(page, live_server.url, people.correspondent.email)
    assert_accessible(page)
    page.goto(f"{live_server.url}/offres/gerer/?organisation={people.organisation.pk}")
    page.get_by_role("link", name="Importer un fichier d'équipements").click()
    expect(page.locator("h1")).to_contain_text("Importer des équipements de Ville de Grenoble")

    page.get_by_label("Fichier :").set_input_files(SAMPLE)
    page.get_by_role("button", name="Envoyer et lire le fichier").click()
    expect(page.locator("h1")).to_have_text("Import de equipements_lambert93.gpkg")
    expect(page.get_by_label("Nom :", exact=True)).to_have_value("libelle")  # French synonyms recognised
    expect(page.get_by_label("Catégorie :", exact=True)).to_have_value("categorie")

    page.get_by_role("button", name="Calculer l'aperçu").click()
    rejections = page.locator("#rejections")
    expect(rejections).to_contain_text("hors de France ou en mer")
    expect(rejections).to_contain_text("Le nom est vide.")
    expect(rejections).to_contain_text("Catégorie inconnue : « Déchetterie »")
    expect(rejections).to_contain_text("Adresse de site web invalide : « pas un site »")
    expect(page.get_by_text("36 équipements seront créés")).to_be_visible()

    page.get_by_label("Publier tout de suite les équipements créés").check()
    page.get_by_role("button", name="Importer").click()
    expect(page.get_by_label("Import en cours")).to_be_visible()  # the progress bar, polled by htmx
    assert not Facility.objects.exists()

    run_worker(shared_private_storage)
    expect(page.get_by_role("heading", name="Import terminé")).to_be_visible(timeout=15_000)
    expect(page.locator("#report")).to_contain_text("36 équipements créés")
    expect(page.locator("#report")).to_contain_text("4 lignes rejetées")

    record = FacilityImport.objects.get()
    assert (record.status, record.progress, record.created_count) == (ImportStatus.DONE, 100, 36)
    facilities = Facility.objects.filter(organisation=people.organisation)
    assert facilities.count() == 36
    assert set(facilities.values_list("status", flat=True)) == {FacilityStatus.PUBLISHED}
    assert set(facilities.values_list("departement_id", flat=True)) == {"01"}
    page.get_by_role("link", name="Voir les équipements").click()
    expect(page.locator("table.list")).to_contain_text("Musée")
    assert hosts <= {urlparse(live_server.url).netloc}
