from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter

from integrations.api import WebhookSubscriptionViewSet
from remedies.api import ApprovalViewSet, RemedyKindViewSet
from sla.api import CalendarViewSet, PolicyViewSet

from . import reference
from .errors import api_not_found
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
router.register("approvals", ApprovalViewSet, basename="approval")
router.register("remedy-kinds", RemedyKindViewSet, basename="remedy-kind")
router.register("sla/policies", PolicyViewSet, basename="sla-policy")
router.register("sla/calendars", CalendarViewSet, basename="sla-calendar")


urlpatterns = [path("", include(router.urls)), re_path(r"^.*$", api_not_found)]
