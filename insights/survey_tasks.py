from celery import shared_task

from .services.outreach import surveys_send_due


@shared_task(name="insights.surveys_send_due", acks_late=True, ignore_result=True)
def send_due_surveys() -> int:
    return surveys_send_due()
