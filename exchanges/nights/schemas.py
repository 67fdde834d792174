"""API shapes of the ledger of solidarity nights."""

import datetime as dt

from ninja import Schema
from pydantic import Field


class BalanceOut(Schema):
    balance: int = Field(description="Nuits disponibles (le crédit de bienvenue avant le premier usage)")
    reserved: int = Field(description="Nuits réservées par mes séjours confirmés, pas encore terminés")
    welcome_credit: int
    notice: str


class MovementOut(Schema):
    id: int
    kind: str
    label: str
    nights: int = Field(description="+ crédité sur mon compte, − débité")
    proposal: int | None
    stay: int | None
    home_title: str
    start: dt.date | None
    end: dt.date | None
    reason: str
    created_at: dt.datetime


class QuoteOut(Schema):
    cost: int = Field(description="Nuits que je dépense comme voyageur")
    earn: int = Field(description="Nuits que je gagne comme hôte")
    balance: int
    balance_after: int
