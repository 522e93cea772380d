from django.urls import path

from . import views

app_name = "sla"

urlpatterns = [
    path("at-risk/", views.at_risk, name="at_risk"),
    path("notifications/", views.notifications, name="notifications"),
    path("bell/", views.bell, name="bell"),
    path("deliveries/", views.deliveries, name="deliveries"),
    path("deliveries/<int:pk>/retry/", views.delivery_retry, name="delivery_retry"),
    path("policies/", views.policies, name="policies"),
    path("policies/new/", views.policy_new, name="policy_new"),
    path("policies/<int:pk>/", views.policy_edit, name="policy_edit"),
    path("calendars/new/", views.calendar_edit, name="calendar_new"),
    path("calendars/<int:pk>/", views.calendar_edit, name="calendar_edit"),
    path("cases/<str:reference>/clocks/", views.case_clocks, name="case_clocks"),
    path("cases/<str:reference>/promise/", views.promise_make, name="promise"),
    path("cases/<str:reference>/promise/kept/", views.promise_keep, name="promise_kept"),
    path("cases/<str:reference>/updated/", views.customer_updated, name="customer_updated"),
]
