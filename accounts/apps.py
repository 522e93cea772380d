from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "People and teams"

    def ready(self):
        from django.db.models.signals import m2m_changed

        from .models import User

        def forget_teams(sender, instance, **kwargs):
            instance.__dict__.pop("_my_teams", None)

        m2m_changed.connect(forget_teams, sender=User.teams.through, dispatch_uid="accounts-forget-teams")

        from .history import register_rule

        register_rule(User, "People and roles")
