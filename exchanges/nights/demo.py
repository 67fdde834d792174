"""Demo: the night accounts of agent@demo and of the owners of published homes open (the welcome credit),
so balances show on the pages; the demo homes' summer periods 'open to any' take one-way requests."""

from exchanges.models import Home, HomeStatus
from exchanges.nights.services import account_for
from marketplace.accounts.models import User
from marketplace.core.demo import DemoContext


def load(context: DemoContext) -> dict[str, int]:
    owners = set(
        Home.objects.filter(status=HomeStatus.PUBLISHED, owner__email__endswith=context.domain)
        .order_by("owner_id")
        .values_list("owner_id", flat=True)[:40]
    )
    agent = User.objects.filter(email=context.email("agent")).first()
    if agent is not None:
        owners.add(agent.pk)
    opened = 0
    for user in User.objects.filter(pk__in=owners).exclude(night_account__isnull=False):
        account_for(user)
        opened += 1
    return {"comptes de nuits": opened} if opened else {}
