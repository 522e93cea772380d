from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "conversations"
    verbose_name = "Text messages and public posts"

    def ready(self):
        from cases.timeline import register_words
        from sla.notify import register_sms_refusal

        from . import privacy, timeline
        from .services import sms_opt_out_reason

        privacy.register()  # texts and public posts join every customer erasure and export
        register_sms_refusal(sms_opt_out_reason)  # every SMS attempt asks whether STOP was said
        register_words("sms.", sentence=timeline.sentence, detail=timeline.detail)
        register_words("public.", sentence=timeline.sentence, detail=timeline.detail)
