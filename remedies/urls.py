from django.urls import path

from . import views

app_name = "remedies"

urlpatterns = [
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<int:approval_id>/decide/", views.approval_decide, name="decide"),
    path("cases/<str:reference>/give/", views.remedy_give, name="give"),
]
