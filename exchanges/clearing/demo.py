"""Demo: every published demo home opted in to the monthly proposal, and one run of the clearing, so that
agent@demo.reciproque.fr (Grenoble → Brittany, on a pair and a three-région cycle) finds "Votre proposition
du mois" waiting for an answer. Loaded before the swaps demo, whose own proposal to the agent then stands
aside (the agent already has one to answer)."""

from exchanges.clearing.models import ClearingOptIn, ClearingRun
from exchanges.clearing.services import clearing_run
from exchanges.models import Home, HomeStatus
from marketplace.core.demo import DemoContext


def load(context: DemoContext) -> dict[str, int]:
    if ClearingRun.objects.exists():
        return {}
    homes = Home.objects.filter(status=HomeStatus.PUBLISHED, owner__email__endswith=context.domain)
    ClearingOptIn.objects.bulk_create(
        [ClearingOptIn(home=home) for home in homes.exclude(clearing_opt_in__isnull=False)]
    )
    run = clearing_run(actor=None, today=context.today)
    return {
        "logements inscrits à la proposition du mois": homes.count(),
        "propositions du mois": run.proposals_created,
    }
