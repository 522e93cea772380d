from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "integrations"
    verbose_name = "Integrations (API tokens, webhooks)"

    def ready(self):
        from . import tokens, webhooks
        from .privacy import register

        register()  # its eraser and exporter join every customer erasure and export
        webhooks.register()  # every event may be announced: the outbox's webhook channel
        tokens.register()  # a revoked token or deactivated user drops the tokens kept per process
        from accounts.history import register_rule

        from .models import ApiToken

        register_rule(ApiToken, "API tokens")
