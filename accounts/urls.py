from django.urls import path

from . import views

app_name = "rules"

urlpatterns = [
    path("<str:label>/history/", views.rule_history, name="history"),
    path("<str:label>/history.csv", views.rule_history_csv, name="history_csv"),
    path("<str:label>/<int:pk>/history/", views.rule_history, name="record_history"),
    path("<str:label>/<int:pk>/history.csv", views.rule_history_csv, name="record_history_csv"),
]
