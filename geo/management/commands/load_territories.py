from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from geo.services import territories_load


class Command(BaseCommand):
    help = "Charge les régions, départements et communes depuis geo/data/ (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Recharger même si rien n'a changé.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = territories_load(force=options["force"], show_progress=options["verbosity"] > 0)
        state = "déjà à jour, rien à charger" if result.skipped else f"{result.changed} lignes écrites"
        self.stdout.write(
            f"Territoires : {result.regions} régions, {result.departements} départements, "
            f"{result.communes} communes ({state}) en {result.seconds:.1f} s."
        )
