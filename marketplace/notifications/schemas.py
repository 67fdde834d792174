from typing import Literal

from ninja import Field, Schema

DeliveryIn = Literal["immediate", "digest", "off"]


class NotificationOut(Schema):
    id: int
    topic: str
    event: str
    text: str
    link: str
    created_at: str
    read: bool


class UnreadOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int
    unread: int


class PreferencesIO(Schema):
    message: DeliveryIn | None = Field(None)
    proposal: DeliveryIn | None = Field(None)
    agreement: DeliveryIn | None = Field(None)
    voucher: DeliveryIn | None = Field(None)
    account: DeliveryIn | None = Field(None)
    security: DeliveryIn | None = Field(None, description="toujours immediate : off ou digest → 422")
