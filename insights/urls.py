from django.urls import path

from .views import casework, dashboard, digest, improvements, targets

app_name = "insights"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("cases/", dashboard.case_list, name="cases"),
    path("cases.csv", dashboard.case_list_csv, name="cases_csv"),
    path("improvements/", improvements.improvements, name="improvements"),
    path("improvements/<int:pk>/", improvements.improvement_detail, name="improvement"),
    path("improvements/<int:pk>/status/", improvements.improvement_status, name="improvement_status"),
    path("actions/<int:action_id>/promote/", improvements.promote, name="promote"),
    path("targets/", targets.targets, name="targets"),
    path("digest/", digest.digest, name="digest"),
    path("customer-360/", casework.customer_360, name="customer_360"),
    path("case/<str:reference>/follow-up/", casework.follow_up, name="follow_up"),
    path("case/<str:reference>/survey/", casework.survey_send, name="survey_send"),
]
