"""Photos of a home: checked by content, re-encoded without metadata (the GPS position of a photo taken at home
is the exact address), at most 20, the owner's only; RGPD erasure removes the files."""

import datetime as dt
import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from exchanges import services
from exchanges.models import HomePhoto
from marketplace.accounts.services import user_delete
from marketplace.errors import InvalidField
from tests.accounts.conftest import jpeg_with_gps
from tests.factories.accounts import PASSWORD
from tests.factories.exchanges import make_home
from tests.organisations.test_api import client_for


def upload(client, home_id: int, content: bytes, name: str = "maison.jpg", content_type: str = "image/jpeg"):
    return client.post(
        f"/api/v1/homes/{home_id}/photos",
        {"photo": SimpleUploadedFile(name, content, content_type=content_type)},
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )


def test_a_photo_is_reencoded_without_its_gps_position(people):
    home = make_home(people.owner)
    response = upload(client_for(people.owner), home.pk, jpeg_with_gps((2400, 1800)))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["width"], body["height"]) == (1600, 1200)
    photo = HomePhoto.objects.get(pk=body["id"])
    assert photo.image.name.startswith("homes/")
    assert "maison" not in photo.image.name  # random name
    with default_storage.open(photo.image.name) as stored, Image.open(stored) as image:
        assert image.format == "JPEG"
        assert not image.getexif()  # no camera, no GPS position
    assert client_for(people.owner).get(f"/api/v1/homes/{home.pk}").json()["photos"][0]["id"] == photo.pk


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<script>alert(1)</script>", "photo.jpg"),
        (b"%PDF-1.4\n1 0 obj", "photo.png"),
        (b"GIF89a" + b"\x00" * 64, "photo.gif"),
    ],
)
def test_what_is_not_a_photo_is_refused_and_nothing_is_stored(people, content, name):
    home = make_home(people.owner)
    response = upload(client_for(people.owner), home.pk, content, name)
    assert response.status_code == 422
    assert response.json()["detail"]["errors"][0]["field"] == "photo"
    assert not HomePhoto.objects.exists()


def test_huge_pixel_counts_are_refused_before_decoding(people):
    home = make_home(people.owner)
    buffer = io.BytesIO()
    Image.new("1", (5000, 5000)).save(buffer, format="PNG")  # 25 Mpx in a few KB
    response = upload(client_for(people.owner), home.pk, buffer.getvalue(), "grand.png", "image/png")
    assert response.status_code == 422
    assert "mégapixels" in response.json()["detail"]["errors"][0]["message"]


def test_twenty_at_most_and_only_the_owner(people):
    home = make_home(people.owner)
    for _ in range(HomePhoto.MAX_PHOTOS):
        services.photo_add(actor=people.owner, home=home, upload=SimpleUploadedFile("p.jpg", jpeg_with_gps()))
    with pytest.raises(InvalidField):
        services.photo_add(actor=people.owner, home=home, upload=SimpleUploadedFile("p.jpg", jpeg_with_gps()))
    assert HomePhoto.objects.count() == HomePhoto.MAX_PHOTOS
    other = client_for(people.other)
    assert upload(other, home.pk, jpeg_with_gps()).status_code == 404
    photo = HomePhoto.objects.first()
    assert photo is not None
    response = other.delete(
        f"/api/v1/homes/{home.pk}/photos/{photo.pk}", HTTP_X_CSRFTOKEN=other.cookies["csrftoken"].value
    )
    assert response.status_code == 404
    assert HomePhoto.objects.count() == HomePhoto.MAX_PHOTOS


def test_erasure_removes_the_files(people):
    home = make_home(people.owner)
    photo = services.photo_add(
        actor=people.owner, home=home, upload=SimpleUploadedFile("p.jpg", jpeg_with_gps())
    )
    name = photo.image.name
    assert default_storage.exists(name)
    user_delete(actor=people.owner, password=PASSWORD)
    assert not default_storage.exists(name)
    assert not HomePhoto.objects.exists()


def test_a_photo_stored_by_a_transaction_that_rolled_back_is_swept_a_day_later(people):
    """The file is written before the row; the rollback takes the row only. The nightly sweep finds it."""
    from django.db import transaction
    from django.utils import timezone

    from marketplace.core.storage import orphan_files_sweep

    home = make_home(people.owner)
    kept = services.photo_add(
        actor=people.owner, home=home, upload=SimpleUploadedFile("a.jpg", jpeg_with_gps())
    )
    stored = []

    def add_then_fail() -> None:
        with transaction.atomic():
            stored.append(
                services.photo_add(
                    actor=people.owner, home=home, upload=SimpleUploadedFile("b.jpg", jpeg_with_gps())
                )
            )
            raise RuntimeError("a later step of the same request failed")

    with pytest.raises(RuntimeError):
        add_then_fail()
    [lost] = stored
    assert default_storage.exists(lost.image.name)
    assert list(HomePhoto.objects.all()) == [kept]

    orphan_files_sweep()  # a young file may belong to a transaction still running
    assert default_storage.exists(lost.image.name)
    # (the test storage is shared by the session: earlier tests' rolled-back files go too)
    assert orphan_files_sweep(now=timezone.now() + dt.timedelta(days=2)) >= 1
    assert not default_storage.exists(lost.image.name)
    assert default_storage.exists(kept.image.name)
