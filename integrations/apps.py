from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "integrations"
    verbose_name = "Integrations (API tokens, webhooks)"

    def ready(self):
        from .privacy import register

        register()  # its eraser and exporter join every customer erasure and export
