"""System checks for what production needs and a development default would hide.

Registered when the project package is imported, so `manage.py check`, `migrate` (the web
container's first step) and `check --deploy` run them; the Celery worker runs the mail check
itself before it takes any work (recovery/celery.py).
"""

from django.conf import settings
from django.core import checks

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
# Backends that accept a message and never deliver it.
NON_DELIVERING_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}
HINT = (
    "Set EMAIL_URL, e.g. smtp://user:password@mail.example.com:587/?tls=1, "
    "or EMAIL_HOST with EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD and EMAIL_USE_TLS."
)


def mail_problems() -> list[checks.CheckMessage]:
    """With DEBUG off, outgoing mail must reach a real server."""
    if settings.DEBUG:
        return []
    backend = settings.EMAIL_BACKEND
    if backend in NON_DELIVERING_BACKENDS:
        return [
            checks.Error(
                f"EMAIL_BACKEND is {backend}, which never delivers: customer messages and escalations "
                "would be marked delivered while nobody receives them.",
                hint=HINT,
                id="recovery.E001",
            )
        ]
    if backend == SMTP_BACKEND and not settings.EMAIL_HOST:
        return [
            checks.Error(
                "No SMTP server is configured for outgoing mail (EMAIL_URL or EMAIL_HOST).",
                hint=HINT,
                id="recovery.E002",
            )
        ]
    return []


@checks.register("mail")
def mail_check(app_configs=None, **kwargs):
    return mail_problems()
