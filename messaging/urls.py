from django.urls import path

from . import views

app_name = "messaging"

urlpatterns = [
    path("cases/<str:reference>/compose/", views.compose, name="compose"),
]
