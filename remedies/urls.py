from django.urls import path

from . import cap_views, views

app_name = "remedies"

urlpatterns = [
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<int:approval_id>/decide/", views.approval_decide, name="decide"),
    path("cases/<str:reference>/give/", views.remedy_give, name="give"),
    path("caps/", cap_views.caps, name="caps"),
    path("caps/<int:pk>/", cap_views.cap_edit, name="cap_edit"),
    path("caps/<int:pk>/remove/", cap_views.cap_remove, name="cap_remove"),
]
