from django.apps import AppConfig


class InboundConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "inbound"
    verbose_name = "Mail intake"

    def ready(self):
        from .privacy import register

        register()  # its eraser and exporter join every customer erasure and export
