"""Script typed into any text field comes back escaped on every page and export that shows it."""

import pytest

from cases import services
from tests import factories

pytestmark = pytest.mark.django_db
SCRIPT = '<script>alert("x")</script>'
FORMULA = '=HYPERLINK("http://evil.example")'


@pytest.fixture
def nasty_case(agent, team):
    customer = factories.CustomerFactory(name=f"Eve {SCRIPT}")
    case = factories.open_case(
        actor=agent,
        team=team,
        customer=customer,
        summary=f"{FORMULA} {SCRIPT}",
        description=SCRIPT,
        source_reference=SCRIPT,
    )
    services.case_add_note(case=case, actor=agent, text=SCRIPT)
    services.triage_record_what(case=case, actor=agent, answers={"complaint": SCRIPT})
    return case


def test_case_pages_and_lists_escape_script_everywhere(client, manager, nasty_case):
    client.force_login(manager)
    pages = [
        f"/cases/{nasty_case.reference}/",
        "/cases/queue/",
        f"/cases/search/?q={nasty_case.reference}",
        "/insights/cases/?figure=opened",
        "/sla/at-risk/",
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert SCRIPT not in body, url
    detail = client.get(f"/cases/{nasty_case.reference}/").content.decode()
    assert "&lt;script&gt;" in detail


def test_the_csv_export_neutralises_formulas_and_keeps_text_inert(client, manager, nasty_case):
    client.force_login(manager)
    response = client.get("/insights/cases.csv?figure=opened")
    body = b"".join(response.streaming_content).decode()
    assert nasty_case.reference in body
    assert f"'{FORMULA}" in body.replace('""', '"')
    assert "\n=" not in body and ",=" not in body


def test_the_api_returns_the_text_as_data_not_markup(client, manager, nasty_case):
    client.force_login(manager)
    data = client.get(f"/api/v1/cases/{nasty_case.reference}/").json()
    assert data["description"] == SCRIPT  # JSON is data: the consumer escapes when it renders
