"""Writes on accounts: profile, avatar, RGPD export and deletion, demo users."""

from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.accounts.exceptions import WrongPassword
from marketplace.accounts.models import User
from marketplace.accounts.privacy import erase_everywhere, export_sections
from marketplace.accounts.validators import normalise_phone, validate_phone
from marketplace.errors import InvalidField
from marketplace.images import photo_reencoded
from marketplace.realtime import close_user_sockets_on_commit

AVATAR_SIZE = 512


@transaction.atomic
def user_create_verified(*, email: str, password: str, display_name: str = "", **extra: Any) -> User:
    """A user whose e-mail address is already verified (demo data, administrators' invitations)."""
    user = User.objects.create_user(email=email, password=password, display_name=display_name, **extra)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@transaction.atomic
def users_create_verified(
    *, people: list[tuple[str, str]], password: str, is_staff: bool = False, is_superuser: bool = False
) -> list[User]:
    """Many verified users (email, display name) sharing one password, hashed once (demo data)."""
    hashed = make_password(password)
    users = User.objects.bulk_create(
        [
            User(
                email=email, display_name=name, password=hashed, is_staff=is_staff, is_superuser=is_superuser
            )
            for email, name in people
        ]
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users]
    )
    return users


@transaction.atomic
def user_update_profile(
    *,
    actor: User,
    display_name: str | None = None,
    phone: str | None = None,
    preferred_language: str | None = None,
) -> User:
    """Update the actor's own profile. Raises InvalidField naming the first bad field; nothing is saved then."""
    user = User.objects.select_for_update().get(pk=actor.pk)
    if display_name is not None:
        if not display_name.strip():
            raise InvalidField("display_name", _("Le nom affiché ne peut pas être vide."))
        user.display_name = display_name.strip()[:120]
    if phone is not None:
        try:
            validate_phone(phone)
        except ValidationError as error:
            raise InvalidField("phone", error.messages[0]) from error
        user.phone = normalise_phone(phone)
    if preferred_language is not None:
        if preferred_language not in ("fr", "en"):
            raise InvalidField("preferred_language", _("Langue inconnue : « fr » ou « en »."))
        user.preferred_language = preferred_language
    user.save(update_fields=["display_name", "phone", "preferred_language"])
    return user


@transaction.atomic
def user_set_avatar(*, actor: User, upload: UploadedFile) -> User:
    """Validate the image from its content, strip its metadata and store it under a random name."""
    content = photo_reencoded(upload, field="avatar", max_side=AVATAR_SIZE)
    user = User.objects.select_for_update().get(pk=actor.pk)
    previous = user.avatar.name if user.avatar else None
    user.avatar.save(content.name or "avatar.jpg", content, save=False)
    user.save(update_fields=["avatar"])
    if previous:
        storage = user.avatar.storage
        transaction.on_commit(lambda: storage.delete(previous))
    return user


def user_export_data(*, actor: User) -> dict[str, Any]:
    """Everything Réciproque holds about the actor (RGPD right of access), as JSON-ready data."""
    return {"exported_at": timezone.now().isoformat(), **export_sections(actor)}


@transaction.atomic
def user_delete(*, actor: User, password: str) -> None:
    """Delete the actor's account (RGPD erasure) after checking their password. Raises WrongPassword.

    Every app's eraser scrubs what deletion would not reach (history, free text), then the user row
    goes, with what cascades from it. Open websockets are closed once this commits.
    """
    user = User.objects.select_for_update().get(pk=actor.pk)
    if not user.check_password(password):
        raise WrongPassword()
    erase_everywhere(user)
    avatar = user.avatar.name if user.avatar else None
    storage = user.avatar.storage
    user_id = user.pk
    user.delete()
    close_user_sockets_on_commit(user_id)
    if avatar:
        transaction.on_commit(lambda: storage.delete(avatar))


def export_account(user: User) -> dict[str, Any]:
    """The accounts app's own section of the export."""
    return {
        "email": user.email,
        "display_name": user.display_name,
        "phone": user.phone,
        "preferred_language": user.preferred_language,
        "avatar": user.avatar.name or None,
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
    }
