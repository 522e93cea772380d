from django.apps import AppConfig


class InsightsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "insights"
    verbose_name = "Insights and the learning loop"

    def ready(self):
        from .privacy import register

        register()  # its eraser and exporter join every customer erasure and export
