"""An import in the back-office (read only, the file not shown) and in the RGPD export of who sent it; an
erasure keeps it for the employer and forgets the sender."""

from django.test import Client

from local_offers.imports.models import FacilityImport
from marketplace.accounts.services import user_delete, user_export_data
from tests.factories.accounts import PASSWORD
from tests.local_offers.imports.test_services import gpkg, run


def test_the_sender_finds_the_import_in_the_export_and_the_erasure_keeps_it(people, tmp_path):
    record = run(people, gpkg(tmp_path))

    [exported] = user_export_data(actor=people.correspondent)["facility_imports"]
    assert exported["id"] == record.pk
    assert exported["file_name"] == record.file_name
    assert exported["created"] == record.created_count > 0

    user_delete(actor=people.correspondent, password=PASSWORD)
    kept = FacilityImport.objects.get(pk=record.pk)
    assert kept.created_by is None
    assert kept.created_count == record.created_count


def test_administrators_read_imports_without_the_file_and_cannot_change_them(people, tmp_path):
    record = run(people, gpkg(tmp_path))
    admin = Client()
    admin.force_login(people.others["admin"])

    listing = admin.get("/admin/local_offers/facilityimport/")
    assert listing.status_code == 200
    assert record.file_name in listing.content.decode()
    page = admin.get(f"/admin/local_offers/facilityimport/{record.pk}/change/")
    assert page.status_code == 200
    assert record.file.name not in page.content.decode()
    assert admin.get("/admin/local_offers/facilityimport/add/").status_code == 403
    assert admin.post(f"/admin/local_offers/facilityimport/{record.pk}/delete/").status_code == 403
