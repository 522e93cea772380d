from django.apps import AppConfig


class RemediesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "remedies"
    verbose_name = "Remedies and approvals"

    def ready(self):
        from cases.demo import register_seeder

        from . import demo
        from .privacy import register

        register()  # its eraser and exporter join every customer erasure and export
        register_seeder("people", lambda world: demo.install_default_caps())
        register_seeder("responded", demo.seed_remedy)  # a remedy now and then, as cases are answered
        from accounts.history import register_rule

        from .models import AuthorityCap, RemedyKind

        register_rule(AuthorityCap, "Authority caps")
        register_rule(RemedyKind, "Remedy kinds")
