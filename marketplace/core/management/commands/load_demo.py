"""Loads the demo accounts and data, idempotently (a second run changes nothing)."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from marketplace.accounts.models import User

DEMO_PASSWORD = "demo-reciproque"  # noqa: S105  (published in the README: demo data only)


class Command(BaseCommand):
    help = "Charge les comptes et données de démonstration (idempotent)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        admin, created = User.objects.get_or_create(
            email="admin@demo.reciproque.fr",
            defaults={"display_name": "Admin national", "is_staff": True, "is_superuser": True},
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save(update_fields=["password"])
        self.stdout.write(f"Démo : administrateur {'créé' if created else 'déjà présent'} ({admin.email}).")
