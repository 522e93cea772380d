from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from insights.views.survey import survey

from . import health

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="cases:my_cases", permanent=False)),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("cases/", include("cases.urls")),
    path("insights/", include("insights.urls")),
    # The customer's survey link: public, short, works on a phone.
    path("s/<str:token>/", survey, name="survey"),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
