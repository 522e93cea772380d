from django.apps import AppConfig


class InsightsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "insights"
    verbose_name = "Insights and the learning loop"

    def ready(self):
        from cases.demo import register_seeder

        from . import demo
        from .privacy import register

        register()  # its eraser and exporter join every customer erasure and export
        from . import survey_tasks  # noqa: F401 - the survey sweep's task, for the worker
        from .services import outreach

        outreach.register()  # resolving a case starts the survey's clock
        # The learning loop on top of the worked cases: follow-ups, surveys, an improvement.
        register_seeder("follow_up", demo.seed_follow_up)
        register_seeder(
            "cases", lambda world: demo.seed_learning_loop(manager=world.users["max"], rng=world.rng)
        )
