import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from marketplace.accounts.exceptions import WrongPassword
from marketplace.accounts.models import User
from marketplace.accounts.services import (
    user_create_verified,
    user_delete,
    user_set_avatar,
    user_update_profile,
)
from marketplace.errors import InvalidField
from tests.accounts.conftest import jpeg_with_gps
from tests.factories.accounts import PASSWORD
from tests.helpers import assert_nothing_written


@pytest.mark.django_db
class TestUserCreateVerified:
    def test_creates_a_user_with_a_verified_primary_address(self):
        user = user_create_verified(email="Agent@Example.fr", password=PASSWORD, display_name="Agent")
        address = user.emailaddress_set.get()
        assert (user.email, address.email, address.verified, address.primary) == (
            "agent@example.fr",
            "agent@example.fr",
            True,
            True,
        )


@pytest.mark.django_db
class TestUserUpdateProfile:
    def test_updates_the_given_fields(self, user):
        user_update_profile(
            actor=user, display_name="  Camille M. ", phone="06 98 76 54 32", preferred_language="en"
        )
        user.refresh_from_db()
        assert (user.display_name, user.phone, user.preferred_language) == ("Camille M.", "0698765432", "en")

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("phone", "12345"),
            ("phone", "+44 20 7946 0958"),
            ("display_name", "   "),
            ("preferred_language", "de"),
        ],
    )
    def test_bad_field_is_named_and_nothing_is_saved(self, user, field, value):
        with assert_nothing_written(), pytest.raises(InvalidField) as error:
            user_update_profile(actor=user, **{"display_name": "Autre nom", field: value})
        assert error.value.field == field
        user.refresh_from_db()
        assert user.display_name == "Camille Martin"
        assert user.phone == "0612345678"


@pytest.mark.django_db
class TestUserSetAvatar:
    def test_gps_exif_is_stripped_and_the_name_is_random(self, user):
        user_set_avatar(
            actor=user, upload=SimpleUploadedFile("../../chez-moi.jpg", jpeg_with_gps(), "image/jpeg")
        )
        user.refresh_from_db()
        assert user.avatar.name.startswith("avatars/")
        assert "chez-moi" not in user.avatar.name
        with user.avatar.open("rb") as stored, Image.open(stored) as image:
            assert image.format == "JPEG"
            assert dict(image.getexif()) == {}
            assert "exif" not in image.info

    def test_html_renamed_jpg_is_refused(self, user):
        upload = SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg")
        with assert_nothing_written(), pytest.raises(InvalidField) as error:
            user_set_avatar(actor=user, upload=upload)
        assert error.value.field == "avatar"
        user.refresh_from_db()
        assert not user.avatar

    def test_oversized_file_is_refused(self, user):
        upload = SimpleUploadedFile("big.jpg", b"\xff" * (5 * 1024 * 1024 + 1), "image/jpeg")
        with assert_nothing_written(), pytest.raises(InvalidField) as error:
            user_set_avatar(actor=user, upload=upload)
        assert "5 Mo" in error.value.field_message

    def test_too_many_pixels_is_refused_before_decoding(self, user):
        buffer = io.BytesIO()
        Image.new("1", (8000, 6000)).save(buffer, format="PNG")  # 48 Mpx, a few kB
        with assert_nothing_written(), pytest.raises(InvalidField) as error:
            user_set_avatar(actor=user, upload=SimpleUploadedFile("bomb.png", buffer.getvalue(), "image/png"))
        assert "16 mégapixels" in error.value.field_message
        user.refresh_from_db()
        assert not user.avatar

    def test_gif_is_refused(self, user):
        buffer = io.BytesIO()
        Image.new("RGB", (10, 10)).save(buffer, format="GIF")
        with assert_nothing_written(), pytest.raises(InvalidField) as error:
            user_set_avatar(actor=user, upload=SimpleUploadedFile("a.gif", buffer.getvalue(), "image/gif"))
        assert "Format" in error.value.field_message


@pytest.mark.django_db
class TestUserDelete:
    def test_wrong_password_deletes_nothing(self, user):
        with assert_nothing_written(), pytest.raises(WrongPassword):
            user_delete(actor=user, password="pas le bon")
        assert User.objects.filter(pk=user.pk).exists()

    def test_right_password_deletes_the_user(self, user):
        user_delete(actor=user, password=PASSWORD)
        assert not User.objects.filter(pk=user.pk).exists()
