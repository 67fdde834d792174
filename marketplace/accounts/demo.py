"""Demo: the national administrator (the other people belong to the apps that give them a role)."""

from marketplace.accounts.models import User
from marketplace.accounts.services import users_create_verified
from marketplace.core.demo import DemoContext


def load(context: DemoContext) -> dict[str, int]:
    existing = User.objects.filter(email=context.email("admin")).first()
    if existing is not None:
        context.objects["admin"] = existing
        return {}
    (admin,) = users_create_verified(
        people=[(context.email("admin"), "Admin national")],
        password=context.password,
        is_staff=True,
        is_superuser=True,
    )
    context.objects["admin"] = admin
    return {"administrateurs": 1}
