"""Under /api/v1/intake/ (before the API's catch-all): the webhooks, signed, no session."""

from django.urls import path

from . import webhooks

app_name = "intake"

urlpatterns = [
    path("sms/<slug:gateway>/", webhooks.sms_webhook, name="sms"),
    path("mentions/", webhooks.mention_intake, name="mentions"),
]
