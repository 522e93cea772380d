"""The core's API builds on nothing but the core and accounts: the concerns add their own endpoints."""

import ast
from pathlib import Path

from django.urls import reverse

import cases.api

CONCERNS = {"sla", "remedies", "integrations", "messaging", "insights", "inbound"}


def _imported_apps(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function, by its first name."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_the_cases_api_imports_no_concern_not_even_late():
    package = Path(cases.api.__file__).parent

    offenders = {path.name: sorted(_imported_apps(path) & CONCERNS) for path in sorted(package.glob("*.py"))}

    assert {name: apps for name, apps in offenders.items() if apps} == {}


def test_the_concerns_endpoints_keep_their_names_under_the_case():
    assert (
        reverse("api:case-remedies", kwargs={"reference": "R-000001"}) == "/api/v1/cases/R-000001/remedies/"
    )
    assert reverse("api:case-clocks", kwargs={"reference": "R-000001"}) == "/api/v1/cases/R-000001/clocks/"
    assert reverse("api:webhook-list") == "/api/v1/webhooks/"
    assert reverse("api:sla-policy-detail", kwargs={"pk": 1}) == "/api/v1/sla/policies/1/"
