import factory
from allauth.account.models import EmailAddress

from marketplace.accounts.models import User

PASSWORD = "un-mot-de-passe-solide"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"agent{n}@example.fr")
    display_name = factory.Faker("name", locale="fr_FR")

    # factory_boy hands a post-generation hook the object it made, not the factory.
    @factory.post_generation
    def password(user: User, create, extracted, **kwargs):
        user.set_password(extracted or PASSWORD)
        if create:
            user.save(update_fields=["password"])

    @factory.post_generation
    def verified(user: User, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
