from django.apps import AppConfig


class PortalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "portal"
    verbose_name = "The customer's side: status page and call-backs"

    def ready(self):
        from cases.timeline import register_words
        from messaging.services import register_footer

        from . import callbacks, links, privacy, timeline

        register_footer(links.link_footer)  # every message to the customer carries their link
        callbacks.register()  # reminders and missed call-backs, from the SLA sweep's events
        privacy.register()  # its eraser and exporter join every customer erasure and export
        register_words("portal.", sentence=timeline.sentence, detail=timeline.detail)
