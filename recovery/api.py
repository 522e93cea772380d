"""The REST API, put together from each app's endpoints.

The case core (cases.api) knows none of the concerns; each concern's api module declares its
ENDPOINTS (and the SLA its filters on the case list), and this is the one place that joins them.
"""

from django.core.exceptions import ImproperlyConfigured
from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter

from cases.api import routes as cases_api
from cases.api.errors import api_not_found
from cases.api.filters import case_filters_add
from desk import api as desk_api
from integrations import api as integrations_api
from knowledge import api as knowledge_api
from messaging import api as messaging_api
from remedies import api as remedies_api
from sla import api as sla_api

app_name = "api"

OWN_ROUTES = ("list", "create", "retrieve", "update", "partial_update", "destroy")


class Router(DefaultRouter):
    """A concern may add actions under a core resource (a case's remedies, its clocks) with its own
    viewset registered at the core's prefix and basename, so the names stay `case-remedies`.

    DRF refuses a basename twice; here the second viewset may only bring actions of its own.
    """

    def is_already_registered(self, new_basename):
        return False  # checked in register(), which also sees the prefix

    def register(self, prefix, viewset, basename=None):
        basename = basename or self.get_default_basename(viewset)
        for taken_prefix, taken, taken_basename in self.registry:
            if taken_basename != basename:
                continue
            if taken_prefix != prefix:
                raise ImproperlyConfigured(f"Basename {basename!r} is already used for {taken_prefix!r}.")
            if any(hasattr(viewset, name) for name in OWN_ROUTES):
                raise ImproperlyConfigured(f"{viewset.__name__} would take over {prefix!r}'s own routes.")
            clash = {a.url_path for a in viewset.get_extra_actions()} & {
                a.url_path for a in taken.get_extra_actions()
            }
            if clash:
                raise ImproperlyConfigured(f"{viewset.__name__} and {taken.__name__} both route {clash}.")
        super().register(prefix, viewset, basename)


router = Router(trailing_slash=True)
router.include_root_view = False
for endpoints in (
    cases_api.ENDPOINTS,
    integrations_api.ENDPOINTS,
    messaging_api.ENDPOINTS,
    remedies_api.ENDPOINTS,
    sla_api.ENDPOINTS,
    desk_api.ENDPOINTS,
    knowledge_api.ENDPOINTS,
):
    for prefix, viewset, basename in endpoints:
        router.register(prefix, viewset, basename=basename)

case_filters_add(**sla_api.CASE_FILTERS)

# The catch-all stays last: any other /api/v1/ path answers a JSON 404.
urlpatterns = [path("", include(router.urls)), re_path(r"^.*$", api_not_found)]
