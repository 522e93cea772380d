from celery import shared_task

from . import suggestions


@shared_task(name="knowledge.refresh_suggestions", acks_late=True, ignore_result=True)
def refresh_suggestions(force: bool = False) -> None:
    """Beat runs this every minute: a no-op unless a case was triaged since the last model, so a
    case triaged now shapes the suggestions within 60 s. A second run at once only retrains twice."""
    suggestions.model_refresh(force=force)
