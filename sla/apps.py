from django.apps import AppConfig


class SlaConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sla"
    verbose_name = "SLA clocks and escalations"

    def ready(self):
        from .privacy import register

        register()  # its eraser and exporter join every customer erasure and export
