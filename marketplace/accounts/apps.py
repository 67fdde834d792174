from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "marketplace.accounts"
    label = "accounts"
    verbose_name = "Comptes"

    def ready(self) -> None:
        from marketplace.accounts import demo
        from marketplace.accounts.privacy import register_exporter
        from marketplace.accounts.services import export_account
        from marketplace.core.demo import register_demo

        register_exporter("account", export_account)
        register_demo("accounts", demo.load)
