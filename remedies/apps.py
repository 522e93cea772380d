from django.apps import AppConfig


class RemediesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "remedies"
    verbose_name = "Remedies and approvals"

    def ready(self):
        from .privacy import register

        register()  # its eraser and exporter join every customer erasure and export
