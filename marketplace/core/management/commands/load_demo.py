"""Loads the demo accounts and data of every app (registry in marketplace/core/demo.py), seeded and
idempotently: each loader does nothing when its data is there (it then only hands on what later loaders use),
so a database loaded before an app had demo data gets it at the next run. Demo data sends no e-mail."""

import random
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from marketplace.core.demo import DemoContext, demo_loaders

SEED = 2026


class Command(BaseCommand):
    help = "Charge les comptes et données de démonstration (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        context = DemoContext(rng=random.Random(SEED), today=timezone.localdate())  # noqa: S311  (seeded names)
        counts: dict[str, int] = {}
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            try:
                with transaction.atomic():
                    for _name, loader in demo_loaders():
                        counts.update(loader(context))
            except LookupError as error:
                raise CommandError(str(error)) from error
        if not counts:
            self.stdout.write("Démo : déjà chargée, rien à faire.")
            return
        self.stdout.write("Démo : " + ", ".join(f"{n} {label}" for label, n in counts.items()) + ".")
