"""In a real headless Chromium: the frontline desk's first minute.

The figure: a new complaint for a new customer, the apology sent, a coupon within authority, in
<= 9 interactions and <= 3 page loads; with a macro in <= 6. An interaction is a click, a fill, a
selection or a key press; a page load is a document load (htmx swaps are not). The counts are
printed with the test's output (`-s`).
"""

import pytest
from playwright.sync_api import expect

from cases.models import Case
from desk.models import Macro
from messaging.models import CustomerMessage, MessageTemplate
from remedies.demo import install_default_caps
from remedies.models import Remedy
from sla.models import Clock
from sla.policies import policies_ensure_defaults
from tests import factories
from tests.e2e.browsing import SCREENSHOTS, log_in
from tests.remedies.conftest import kind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Counted:
    """The page with each interaction and document load counted."""

    def __init__(self, page):
        self.page, self.interactions, self.loads = page, 0, 0
        page.on("load", lambda _: self._load())

    def _load(self):
        self.loads += 1

    def act(self, locator, how: str, *args, **kwargs):
        self.interactions += 1
        getattr(locator, how)(*args, **kwargs)


@pytest.fixture
def desk(db, team):
    policies_ensure_defaults()
    install_default_caps()
    MessageTemplate.objects.get_or_create(
        name="Apology and ownership",
        defaults={"kind": "apology", "subject": "We are sorry",
                  "body": "Hello {first_name},\n\nI am sorry. I am {owner} and I own your case {reference}."},
    )  # fmt: skip
    coupon = kind("coupon", "Coupon or voucher", amount="10")
    factories.ProductFactory(name="Weekly veg box")
    return coupon


def fill_new_complaint(counted, page, name, email):
    counted.act(page.get_by_label("Name", exact=True), "fill", name)
    counted.act(page.get_by_label("E-mail", exact=True), "fill", email)
    counted.act(page.get_by_label("What went wrong, in one line"), "fill", "Box arrived two days late")
    counted.act(page.get_by_label("Product or service"), "select_option", label="Weekly veg box")
    counted.act(page.get_by_label("Point in the journey"), "select_option", "delivery")


def test_a_new_complaint_the_apology_and_a_coupon_in_nine_interactions_and_three_loads(
    live_server, page, agent, desk
):
    log_in(page, live_server, "ava")
    counted = Counted(page)

    page.goto(f"{live_server.url}/cases/new/")
    fill_new_complaint(counted, page, "Maria Lopez", "maria@example.com")
    counted.act(page.get_by_label("Apologise now"), "check")
    counted.act(page.get_by_role("button", name="Open case", exact=True), "click")
    page.get_by_text("The apology is on its way.").wait_for()
    panel = page.locator("#remedies")
    counted.act(panel.get_by_label("Remedy"), "select_option", label="Coupon or voucher")
    counted.act(panel.get_by_role("button", name="Give remedy"), "click")
    page.get_by_text("Given: Coupon or voucher 10.00 GBP.").wait_for()
    page.wait_for_load_state("load")

    print(
        f"\nFIGURE new complaint + apology + coupon: {counted.interactions} interactions, {counted.loads} page loads"
    )
    assert counted.interactions <= 9 and counted.loads <= 3
    case = Case.objects.get()
    assert case.customer.name == "Maria Lopez" and case.status == "responded"
    assert CustomerMessage.objects.get().address == "maria@example.com"
    assert Clock.objects.get(case=case, kind="first_response").stopped_at is not None
    assert Remedy.objects.get().amount == 10
    assert "I am sorry" in page.locator("#messages").inner_text()


def test_with_a_macro_it_takes_six_interactions(live_server, page, agent, desk):
    Macro.objects.create(
        name="Late box",
        message_template=MessageTemplate.objects.get(kind="apology"),
        remedy_kind=desk,
        remedy_amount="10.00",
        promise_what="call you back today",
        promise_hours=4,
    )
    log_in(page, live_server, "ava")
    counted = Counted(page)

    page.goto(f"{live_server.url}/cases/new/")
    fill_new_complaint(counted, page, "Sam Reed", "sam@example.com")
    counted.act(page.get_by_role("button", name="Open and apply “Late box”"), "click")
    page.get_by_text("The clock is running.").wait_for()
    page.wait_for_load_state("load")

    print(f"\nFIGURE with the macro: {counted.interactions} interactions, {counted.loads} page loads")
    assert counted.interactions <= 6 and counted.loads <= 2
    assert Case.objects.get().status == "responded" and Remedy.objects.get().amount == 10
    assert CustomerMessage.objects.get().kind == "apology"


def _beside(page, label):
    """The label's box sits right above its own field and overlaps it sideways, or (a check box)
    right beside it on the same line."""
    target = page.locator(f"#{label.get_attribute('for')}")
    lb, fb = label.bounding_box(), target.bounding_box()
    overlaps_sideways = lb["x"] < fb["x"] + fb["width"] and fb["x"] < lb["x"] + lb["width"]
    above = 0 <= fb["y"] - (lb["y"] + lb["height"]) <= 12 and overlaps_sideways
    gap = max(fb["x"] - (lb["x"] + lb["width"]), lb["x"] - (fb["x"] + fb["width"]))
    same_line = (
        lb["y"] - 4 <= fb["y"] + fb["height"] / 2 <= lb["y"] + lb["height"] + 4
    )  # beside its first line
    return above or (0 <= gap <= 24 and same_line)


@pytest.mark.parametrize("width", [1280, 375])
def test_every_intake_label_is_beside_its_own_field_and_hidden_means_not_displayed(
    live_server, page, agent, team, desk, width
):
    known = factories.CustomerFactory(name="Jo Bloggs", email="jo@example.com")
    factories.open_case(actor=agent, team=team, customer=known, summary="Cold soup")
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, "ava")
    page.goto(f"{live_server.url}/cases/new/")

    labels = page.locator("#intake-form label[for]")
    checked = 0
    for i in range(labels.count()):
        label = labels.nth(i)
        if not label.is_visible():
            continue
        assert _beside(page, label), (
            f"label {label.inner_text()!r} is not beside #{label.get_attribute('for')}"
        )
        checked += 1
    assert checked >= 12
    assert page.get_by_label("Point in the journey").input_value() == ""  # no silent default
    page.screenshot(path=str(SCREENSHOTS / f"intake-{width}.png"), full_page=True)

    # The lookup by keyboard: type, arrow down, Enter picks; the new-customer fields are gone
    page.get_by_label("Find by name, e-mail or phone").fill("Jo B")
    page.locator(".pick-customer").first.wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.locator("#picked-label").inner_text().startswith("Jo Bloggs")
    assert not page.locator("#new-customer").is_visible()
    assert page.get_by_label("Name", exact=True).bounding_box() is None  # not displayed at all
    page.locator("#customer-360").get_by_text("Cold soup").wait_for()  # their open case beside the form
    page.locator("#context-remedies").wait_for()
    assert "You have" in page.locator("#first-response-target").inner_text()
    page.screenshot(path=str(SCREENSHOTS / f"intake-picked-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", [1280, 375])
def test_the_composer_on_the_case_page_and_the_customer_page(live_server, page, agent, team, desk, width):
    jo = factories.CustomerFactory(name="Jo Bloggs", email="jo@example.com")
    case = factories.open_case(actor=agent, team=team, customer=jo, channel="email")
    page.set_viewport_size({"width": width, "height": 900})
    console_errors = []
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    log_in(page, live_server, "ava")
    page.goto(f"{live_server.url}/cases/{case.reference}/")

    page.keyboard.press("r")  # straight to the composer
    body = page.locator("#reply-form [name=body]")
    assert page.evaluate("document.activeElement.name") == "body"
    page.locator("#reply-form").get_by_label("Start from").select_option(label="Apology and ownership")
    assert body.input_value().startswith("Hello {first_name}")
    expect(page.locator("#reply-preview")).to_contain_text("Hello Jo,")
    page.locator("#messages").screenshot(path=str(SCREENSHOTS / f"composer-{width}.png"))
    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_text("Sent to Jo Bloggs by e-mail.").wait_for()
    assert Case.objects.get().status == "responded"

    # An internal note from the same form
    page.locator("#reply-form").get_by_label("Internal note").check()
    assert not page.locator("#reply-preview").is_visible()
    body.fill("Called the courier: van broke down.")
    page.get_by_role("button", name="Add internal note").click()
    page.get_by_text("Internal note added.").wait_for()
    conversation = page.locator(".conversation").inner_text()
    assert "I am sorry" in conversation and "van broke down" in conversation
    page.screenshot(path=str(SCREENSHOTS / f"case-page-{width}.png"), full_page=True)

    page.get_by_role("link", name="Jo Bloggs").first.click()
    page.get_by_role("heading", name="Jo Bloggs", exact=True).wait_for()
    assert case.reference in page.locator("body").inner_text()
    page.screenshot(path=str(SCREENSHOTS / f"customer-{width}.png"), full_page=True)
    assert console_errors == []
