from django.urls import path

from . import views

app_name = "messaging"

urlpatterns = [
    path("cases/<str:reference>/compose/", views.compose, name="compose"),
    path("cases/<str:reference>/reply/", views.reply, name="reply"),
    path("cases/<str:reference>/reply/preview/", views.reply_preview, name="reply_preview"),
]
