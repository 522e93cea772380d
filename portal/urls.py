from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    # The customer's pages: the signed link is the only key.
    path("c/<str:token>/", views.status, name="status"),
    path("c/<str:token>/reply/", views.reply, name="reply"),
    path("c/<str:token>/callback/<int:pk>/move/", views.callback_move, name="callback_move"),
    path("c/<str:token>/callback/<int:pk>/confirm/", views.callback_confirm, name="callback_confirm"),
    # The agent's, from the case page.
    path("portal/cases/<str:reference>/callback/", views.callback_book, name="callback_book"),
    path("portal/cases/<str:reference>/callback/<int:pk>/log/", views.callback_log, name="callback_log"),
    path("portal/cases/<str:reference>/link/revoke/", views.link_revoke, name="link_revoke"),
    path("portal/cases/<str:reference>/feed/", views.case_panel, name="feed"),
    path("portal/photos/<int:pk>/", views.photo, name="photo"),
]
