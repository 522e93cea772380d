from django.urls import path

from . import views

app_name = "knowledge"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("articles/", views.article_list, name="articles"),
    path("articles/new/", views.article_edit, name="article_new"),
    path("articles/<int:pk>/", views.article_detail, name="article"),
    path("articles/<int:pk>/edit/", views.article_edit, name="article_edit"),
    path("intake/", views.intake_panel, name="intake_panel"),
    path("cases/<str:reference>/", views.case_panel, name="case_panel"),
    path("cases/<str:reference>/root-cause/", views.accept_root_cause, name="accept_root_cause"),
    path("cases/<str:reference>/articles/<int:pk>/used/", views.article_used, name="article_used"),
]
