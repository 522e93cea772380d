from django.apps import AppConfig


class MessagingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "messaging"
    verbose_name = "Messages to customers"

    def ready(self):
        from . import services
        from .privacy import register

        register()  # its eraser and exporter join every customer erasure and export
        services.register()  # customer messages in the outbox; the acknowledgement on intake
        from accounts.history import register_rule

        from .models import MessageTemplate

        register_rule(MessageTemplate, "Message templates")
