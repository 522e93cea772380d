"""axe-core (vendored from the npm registry) on every page, for every demo role, at 1280 and 375 px
wide with every folded section opened: no critical and no serious WCAG 2.1 A/AA violation.
Each page is also photographed into docs/screenshots/ to be looked at."""

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from cases import demo
from cases.models import Case
from insights.models import Improvement
from knowledge.models import Article
from portal import links
from sla.models import Policy
from tests.e2e.browsing import SCREENSHOTS, settled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
AXE = "/static/vendor/axe-core/axe.min.js"
ROLES = ("ava", "lee", "max", "admin")
WIDTHS = (1280, 375)
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _pages(username: str) -> list[tuple[str, str]]:
    case = Case.objects.filter(owner__username="ava").order_by("-opened_at").first() or Case.objects.first()
    pages = [
        ("my-cases", "/cases/"),
        ("queue", "/cases/queue/"),
        ("new-case", "/cases/new/"),
        ("search", "/cases/search/?q=Maria"),
        ("case", f"/cases/{case.reference}/"),
        ("notifications", "/sla/notifications/"),
        ("not-found", "/cases/R-999999/"),
    ]
    if username != "ava":
        improvement = Improvement.objects.order_by("id").first()
        pages += [
            ("at-risk", "/sla/at-risk/"),
            ("approvals", "/remedies/approvals/"),
            ("dashboard", "/insights/"),
            ("improvements", "/insights/improvements/"),
        ]
        if improvement:
            pages.append(("improvement", f"/insights/improvements/{improvement.pk}/"))
    else:
        pages.append(("forbidden", "/sla/at-risk/"))
    if username in ("max", "admin"):
        pages += [("policies", "/sla/policies/"), ("deliveries", "/sla/deliveries/")]
        policy = Policy.objects.order_by("id").first()
        if policy:
            pages.append(("policy", f"/sla/policies/{policy.pk}/"))
    if username == "admin":
        pages.append(("webhooks", "/integrations/webhooks/"))
    # The desk, knowledge and managers' pages.
    article = Article.objects.order_by("id").first()
    pages += [
        ("customer", f"/desk/customers/{case.customer_id}/"),
        ("articles", "/knowledge/articles/"),
        ("article", f"/knowledge/articles/{article.pk}/"),
        ("knowledge-search", "/knowledge/search/?q=delivery"),
        ("macros", "/desk/macros/"),
    ]
    if username != "ava":
        pages += [
            ("article-edit", f"/knowledge/articles/{article.pk}/edit/"),
            ("macro-new", "/desk/macros/new/"),
            ("dashboard-cases", "/insights/cases/?figure=opened"),
            ("targets", "/insights/targets/"),
            ("digest", "/insights/digest/"),
            ("caps", "/remedies/caps/"),
        ]
    if username in ("max", "admin"):
        pages.append(("cap-history", "/rules/remedies.authoritycap/history/"))
    return pages


def _log_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="My cases").wait_for()


def _customer_pages() -> list[tuple[str, str]]:
    case = Case.objects.exclude(status="closed").order_by("id").first()
    link = links.link_for(case)
    return [("status-page", reverse("portal:status", args=[links.link_token(link)]))]


# One role per test, so the two workers share the audit.
@pytest.mark.parametrize("username", (*ROLES, "customer"))
def test_every_page_for_every_role_passes_axe_at_desk_and_phone_width(live_server, page, username):
    demo.seed(case_count=40)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    found, overflow, audited = [], [], 0
    page.set_viewport_size({"width": 1280, "height": 900})
    if username != "customer":
        _log_in(page, live_server, username)
    for name, path in _customer_pages() if username == "customer" else _pages(username):
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{live_server.url}{path}")
            settled(page)
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
            page.add_script_tag(url=f"{live_server.url}{AXE}")
            violations = page.evaluate(
                """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))
                    .violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))""",
                TAGS,
            )
            audited += 1
            for v in violations:
                if v["impact"] in ("critical", "serious"):
                    found.append({"who": username, "page": name, "width": width, **v})
            slug = re.sub(r"[^a-z0-9-]", "", name)
            page.screenshot(path=str(SCREENSHOTS / f"{username}-{slug}-{width}.png"), full_page=True)
            if width == 1280:  # the top bar on one row for every role
                bar = page.evaluate("document.querySelector('.topbar')?.getBoundingClientRect().height || 0")
                if bar > 64:
                    overflow.append((username, name, "top bar", bar))
            if width == 375:  # usable on a phone: nothing forces sideways scrolling
                wide = page.evaluate("document.documentElement.scrollWidth")
                if wide > 375 + 2:
                    overflow.append((username, name, wide))
    print(f"axe audited {audited} page views: {len(found)} critical or serious violations")
    assert found == [], json.dumps(found, indent=1)
    assert overflow == [], overflow
