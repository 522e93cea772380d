from django.urls import include, path
from rest_framework.routers import DefaultRouter

from integrations.api import WebhookSubscriptionViewSet

from . import reference
from .views import CaseViewSet

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("cases", CaseViewSet, basename="case")
router.register("customers", reference.CustomerViewSet, basename="customer")
router.register("teams", reference.TeamViewSet, basename="team")
router.register("users", reference.UserViewSet, basename="user")
router.register("products", reference.ProductViewSet, basename="product")
router.register("root-causes", reference.RootCauseViewSet, basename="root-cause")
router.register("webhooks", WebhookSubscriptionViewSet, basename="webhook")

urlpatterns = [path("", include(router.urls))]
