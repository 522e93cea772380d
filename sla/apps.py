from django.apps import AppConfig


class SlaConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sla"
    verbose_name = "SLA clocks and escalations"

    def ready(self):
        from cases.demo import register_seeder
        from cases.selectors import register_queue_order
        from cases.timeline import register_words

        from . import config, demo, notify, reactions, selectors, timeline
        from .privacy import register

        register()  # its eraser and exporter join every customer erasure and export
        reactions.register()  # clocks follow the case's events
        notify.register()  # notices and customer messages: the outbox's notification channel
        config.register()  # policies and calendars are cached; a change drops them
        register_queue_order(selectors.by_time_to_breach)  # queues: soonest deadline first
        register_words("sla.", sentence=timeline.sentence, detail=timeline.detail)
        from accounts.history import register_rule

        from .models import BusinessCalendar, EscalationStep, Policy, Target, TeamCalendar

        for model, title in (
            (Policy, "SLA policies"),
            (Target, "SLA targets"),
            (EscalationStep, "SLA escalation steps"),
            (BusinessCalendar, "Business calendars"),
            (TeamCalendar, "Team calendars"),
        ):
            register_rule(model, title)  # every change kept: who, when, before and after
        # The demo's history: the sweep runs as the replayed clock moves; people read their bell.
        register_seeder("tick", demo.replay_tick)
        register_seeder("day_end", demo.replay_day_end)
