from django.apps import AppConfig


class DeskConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "desk"
    verbose_name = "The frontline desk: macros and the customer page"

    def ready(self):
        from cases.demo import register_seeder

        from . import demo, macros

        macros.register()  # a macro chosen at intake applies with the case's opening
        register_seeder("people", demo.seed_macros)
