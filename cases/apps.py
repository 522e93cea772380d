from django.apps import AppConfig


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cases"

    def ready(self):
        from . import directory, selectors

        selectors.register()  # the products kept per process are dropped when one changes
        directory.register()  # so are the teams, products and people the API shows
