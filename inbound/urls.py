from django.urls import path

from . import views

app_name = "inbound"

urlpatterns = [
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
