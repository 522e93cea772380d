"""In a real headless Chromium: the demo manager opens the dashboard, drills down, opens an improvement."""

from pathlib import Path

import pytest

from cases import demo
from insights.models import Improvement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_a_manager_reads_the_dashboard_and_an_improvements_effect(live_server, page):
    demo.seed(case_count=60)
    ARTIFACTS.mkdir(exist_ok=True)
    console_errors = []
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    page.set_viewport_size({"width": 1400, "height": 900})

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("max")
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_role("heading", name="Dashboard", exact=True).wait_for()
    # Chart.js drew on every canvas (a blank canvas has no size set by the library).
    page.wait_for_function("document.querySelectorAll('canvas[style*=\"width\"]').length === 3")
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

    opened = page.locator("#t-first ~ dl a").first
    count = int(opened.inner_text())
    opened.click()
    page.get_by_role("heading", name="Opened in the period").wait_for()
    assert page.locator("table.cases tbody tr").count() == min(count, 50)

    improvement = Improvement.objects.get()
    page.get_by_role("link", name="Improvements").click()
    page.get_by_role("link", name=improvement.title).click()
    page.get_by_role("heading", name="Did the problem come back?").wait_for()
    page.wait_for_function("document.querySelector('canvas[data-chart=effect]').style.width !== ''")
    page.screenshot(path=str(ARTIFACTS / "improvement.png"), full_page=True)
    assert console_errors == []


def test_a_customer_answers_the_survey_on_a_phone(live_server, page, agent, case):
    from cases import services as case_services
    from cases.workflow import Action
    from insights import services
    from insights.models import SurveyResponse

    case_services.case_transition(case=case, action=Action.RESPOND, actor=agent, data={"message": "Sorry."})
    case_services.case_transition(
        case=case, action=Action.RESOLVE, actor=agent, data={"resolution": "Fixed."}
    )
    _invitation, token = services.survey_send(case=case, actor=agent, channel="sms")
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server.url}/s/{token}/")
    page.get_by_role("button", name="Send").click()
    page.get_by_text("Choose a score from 1 to 5.").wait_for()
    page.get_by_label("4").check()
    page.get_by_label("Anything you would like to tell us?").fill("Quick and kind.")
    page.screenshot(path=str(ARTIFACTS / "survey-phone.png"), full_page=True)
    page.get_by_role("button", name="Send").click()
    page.get_by_role("heading", name="Thank you").wait_for()

    assert SurveyResponse.objects.get().score == 4
    # No sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_an_agent_sees_the_customers_open_case_while_logging_a_new_one(live_server, page, agent, team):
    from tests import factories
    from tests.factories import PASSWORD

    maria = factories.CustomerFactory(name="Maria Lopez", email="maria@example.com")
    earlier = factories.open_case(actor=agent, team=team, customer=maria, summary="Parcel never came")

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("ava")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="+ New case").click()
    page.get_by_label("Find by name, e-mail or phone").fill("Maria")
    page.get_by_role("button", name="Maria Lopez").click()

    page.get_by_text("This customer already has 1 open case").wait_for()
    assert page.get_by_role("link", name=earlier.reference).is_visible()
