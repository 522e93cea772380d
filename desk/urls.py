from django.urls import path

from . import views

app_name = "desk"

urlpatterns = [
    path("customers/<int:pk>/", views.customer_page, name="customer"),
    path("intake/context/", views.intake_context, name="intake_context"),
    path("macros/", views.macro_list, name="macros"),
    path("macros/new/", views.macro_edit, name="macro_new"),
    path("macros/<int:pk>/", views.macro_edit, name="macro_edit"),
    path("cases/<str:reference>/macros/<int:pk>/apply/", views.macro_apply_view, name="macro_apply"),
]
