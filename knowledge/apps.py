from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "knowledge"
    verbose_name = "Knowledge and assisted triage"

    def ready(self):
        from cases.demo import register_seeder
        from cases.events import register_reaction

        from . import demo, services

        # A WHY saved with a root cause tells us whether the suggestions shown were taken.
        register_reaction(["case.triage.why_recorded"], services.suggestion_outcome_record)
        register_seeder("cases", demo.seed_knowledge)
