"""/api/v1/me: the logged-in user's own profile, export and deletion."""

import json
from typing import Annotated, Literal

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from ninja import File, Router, Schema, UploadedFile
from ninja.responses import Status
from ninja.security import django_auth
from pydantic import ConfigDict, Field

from marketplace.accounts import services
from marketplace.accounts.models import User
from marketplace.core.throttle import throttle
from marketplace.inputs import PersonName, Phone

router = Router(tags=["me"], auth=django_auth)


class MeOut(Schema):
    email: str
    display_name: str
    phone: str
    preferred_language: str
    avatar_url: str | None

    @staticmethod
    def resolve_avatar_url(obj: User) -> str | None:
        return obj.avatar.url if obj.avatar else None


class ProfileIn(Schema):
    # Only these fields can be written: anything else (email, is_staff…) is refused with a 422.
    model_config = ConfigDict(extra="forbid")

    display_name: PersonName | None = None
    phone: Phone | None = None
    preferred_language: Literal["fr", "en"] | None = None


class DeleteIn(Schema):
    password: Annotated[str, Field(min_length=1, max_length=256)]


def _me(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # django_auth let only logged-in users through
    return request.user


@router.get("", response=MeOut, summary="Mon profil")
def me(request: HttpRequest) -> User:
    return _me(request)


@router.patch("", response=MeOut, summary="Modifier mon profil")
def update_me(request: HttpRequest, payload: ProfileIn) -> User:
    return services.user_update_profile(actor=_me(request), **payload.dict(exclude_unset=True))


@router.post("/avatar", response=MeOut, summary="Changer ma photo")
@throttle("avatar")
def set_avatar(request: HttpRequest, avatar: File[UploadedFile]) -> User:
    return services.user_set_avatar(actor=_me(request), upload=avatar)


@router.get("/export", summary="Télécharger toutes mes données (RGPD)")
def export(request: HttpRequest) -> HttpResponse:
    data = services.user_export_data(actor=_me(request))
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="reciproque-mes-donnees.json"'
    return response


@router.post("/delete", response={204: None}, summary="Supprimer mon compte (RGPD)")
@throttle("account_delete")
def delete(request: HttpRequest, payload: DeleteIn) -> Status[None]:
    services.user_delete(actor=_me(request), password=payload.password)
    logout(request)
    return Status(204, None)
