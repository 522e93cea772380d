from django.urls import path

from . import views

app_name = "conversations"

urlpatterns = [
    path("cases/<str:reference>/public-reply/", views.public_reply, name="public_reply"),
]
