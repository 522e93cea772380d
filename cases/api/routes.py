"""The core's endpoints; recovery.api puts them in the router with the concerns' own."""

from . import reference
from .views import CaseViewSet

ENDPOINTS = [
    ("cases", CaseViewSet, "case"),
    ("customers", reference.CustomerViewSet, "customer"),
    ("teams", reference.TeamViewSet, "team"),
    ("users", reference.UserViewSet, "user"),
    ("products", reference.ProductViewSet, "product"),
    ("root-causes", reference.RootCauseViewSet, "root-cause"),
]
