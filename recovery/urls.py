from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from insights.views.survey import survey

from . import health

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="cases:my_cases", permanent=False)),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("cases/", include("cases.urls")),
    path("remedies/", include("remedies.urls")),
    path("sla/", include("sla.urls")),
    path("inbound/", include("inbound.urls")),
    path("integrations/", include("integrations.urls")),
    path("api/v1/intake/", include("conversations.api_urls")),  # signed webhooks, before the API's catch-all
    path("conversations/", include("conversations.urls")),
    path("api/v1/", include("recovery.api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("insights/", include("insights.urls")),
    path("desk/", include("desk.urls")),
    path("messaging/", include("messaging.urls")),
    path("rules/", include("accounts.urls")),
    path("knowledge/", include("knowledge.urls")),
    # The customer's survey link: public, short, works on a phone.
    path("s/<str:token>/", survey, name="survey"),
    # The customer's status page (/c/<signed link>/) and the call-back actions on the case page.
    path("", include("portal.urls")),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]

# Every /api/ answer is JSON, even the ones Django gives before a view runs; pages stay HTML.
handler400 = "cases.api.errors.handler400"
handler403 = "cases.api.errors.handler403"
handler404 = "cases.api.errors.handler404"
handler500 = "cases.api.errors.handler500"
