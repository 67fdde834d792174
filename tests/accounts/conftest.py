import io

import pytest
from django.test import Client
from PIL import Image

from tests.factories.accounts import UserFactory


@pytest.fixture
def user(db):
    return UserFactory(display_name="Camille Martin", phone="0612345678")


@pytest.fixture
def logged_client(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/comptes/profil/")  # sets the CSRF cookie
    return client


def csrf(client: Client) -> dict[str, str]:
    return {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}


def jpeg_with_gps(size=(64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    gps = {1: "N", 2: (45.0, 11.0, 6.6), 3: "E", 4: (5.0, 43.0, 28.2)}
    exif[0x8825] = gps  # GPSInfo: where the photo was taken, i.e. the agent's home
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()
