from django.apps import AppConfig


class ClearingConfig(AppConfig):
    name = "exchanges.clearing"
    label = "clearing"
    verbose_name = "Proposition d'échange du mois"

    def ready(self) -> None:
        from exchanges.clearing import demo, permissions  # noqa: F401  (rules permissions)
        from marketplace.core.demo import register_demo

        # Before the swaps demo (this app is listed first): see clearing/demo.py.
        register_demo("clearing", demo.load, after=("exchanges",))
