"""Improvements: promoted from a corrective action, linked to every case of the root cause,
and measured: did new cases with that root cause come back after it was done?"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases import services as case_services
from cases.workflow import Action
from insights import services
from insights.models import Improvement
from insights.selectors.improvements import improvement_effect
from tests import factories

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def with_cause(case, *, agent, lead, cause):
    case_services.triage_record_what(case=case, actor=agent, answers=dict(factories.WHAT_ANSWERS))
    case_services.case_transition(case=case, action=Action.COMPLETE_WHAT, actor=agent)
    case_services.triage_record_why(
        case=case, actor=lead, answers={"root_cause": cause, "explanation": "Traced.", "origin": "ours"}
    )
    return case


@pytest.fixture
def cause():
    return factories.root_cause()


@pytest.fixture
def action(case, agent, lead, cause):
    with_cause(case, agent=agent, lead=lead, cause=cause)
    case_services.case_transition(case=case, action=Action.COMPLETE_WHY, actor=lead)
    return case_services.corrective_action_add(
        case=case,
        actor=lead,
        description="Agree a delivery slot at checkout.",
        owner=lead,
        due_date=timezone.localdate() + datetime.timedelta(days=10),
    )


def test_promoting_links_every_case_with_the_same_root_cause(action, agent, lead, team, cause, case):
    same = with_cause(factories.open_case(actor=agent, team=team), agent=agent, lead=lead, cause=cause)
    other_cause = factories.root_cause("Training gap", category="People")
    different = with_cause(
        factories.open_case(actor=agent, team=team), agent=agent, lead=lead, cause=other_cause
    )

    improvement = services.improvement_promote(action=action, actor=lead, title="Delivery slots at checkout")

    assert set(improvement.cases.all()) == {case, same}
    assert different not in improvement.cases.all()
    assert improvement.root_cause == cause and improvement.owner == lead
    assert improvement.created_from == action
    assert case.events.filter(kind="case.improvement.created").exists()


def test_promoting_with_a_product_links_only_that_products_cases(action, agent, lead, team, cause, case):
    app = factories.ProductFactory(name="Mobile app")
    with_cause(factories.open_case(actor=agent, team=team, product=app), agent=agent, lead=lead, cause=cause)

    improvement = services.improvement_promote(action=action, actor=lead, title="Slots", product=case.product)

    assert list(improvement.cases.all()) == [case]


def test_a_lead_links_only_the_cases_of_their_teams(action, lead, cause, other_team):
    stranger = factories.UserFactory(username="omar", teams=[other_team])
    other_lead = factories.UserFactory(username="nia", role="team_lead", teams=[other_team])
    theirs = with_cause(
        factories.open_case(actor=stranger, team=other_team), agent=stranger, lead=other_lead, cause=cause
    )

    improvement = services.improvement_promote(action=action, actor=lead, title="Slots")

    assert theirs not in improvement.cases.all()


def test_agents_cannot_promote(action, agent):
    with pytest.raises(PermissionDenied):
        services.improvement_promote(action=action, actor=agent, title="Slots")


def test_a_title_is_required(action, lead):
    with pytest.raises(ValidationError):
        services.improvement_promote(action=action, actor=lead, title="  ")
    assert not Improvement.objects.exists()


def test_the_effect_counts_new_cases_per_week_before_and_after_completion(
    action, agent, lead, team, cause, time_machine
):
    # Completed on Monday 2 March 2026 at noon; four weeks have passed on 30 March.
    done_at = datetime.datetime(2026, 3, 2, 12, tzinfo=UTC)
    improvement = services.improvement_promote(action=action, actor=lead, title="Slots")

    def case_at(when):
        time_machine.move_to(when, tick=False)
        with_cause(
            factories.open_case(actor=agent, team=team, opened_at=when), agent=agent, lead=lead, cause=cause
        )

    # Before: 8 cases over the 8 weeks; after: 1 case in 4 weeks.
    for week in range(1, 9):
        case_at(done_at - datetime.timedelta(weeks=week) + datetime.timedelta(hours=1))
    case_at(done_at + datetime.timedelta(days=9))
    time_machine.move_to(done_at, tick=False)
    services.improvement_set_status(improvement=improvement, actor=lead, status="done")
    time_machine.move_to(done_at + datetime.timedelta(weeks=4), tick=False)

    effect = improvement_effect(lead, Improvement.objects.get())

    assert (effect.before, effect.after) == (8, 1)
    assert effect.before_per_week == 1.0 and effect.after_per_week == 0.25
    assert effect.recurrence == 25.0
    assert [w["count"] for w in effect.weeks] == [1] * 8 + [0, 1, 0, 0]
    assert effect.weeks[8]["label"] == "+0 w"


def test_the_effect_waits_until_the_improvement_is_done(action, lead):
    improvement = services.improvement_promote(action=action, actor=lead, title="Slots")

    assert improvement_effect(lead, improvement) is None
    services.improvement_set_status(improvement=improvement, actor=lead, status="done")
    assert improvement_effect(lead, Improvement.objects.get()).recurrence is None  # not a full week yet


def test_reopening_an_improvement_clears_its_completion(action, lead):
    improvement = services.improvement_promote(action=action, actor=lead, title="Slots")
    services.improvement_set_status(improvement=improvement, actor=lead, status="done")

    improvement = services.improvement_set_status(improvement=improvement, actor=lead, status="in_progress")

    assert improvement.completed_at is None


def test_the_promote_page_creates_the_improvement_and_its_page_lists_the_cases(client, action, lead, case):
    client.force_login(lead)

    form = client.get(f"/insights/actions/{action.pk}/promote/")
    assert form.status_code == 200 and "Promote to an improvement" in form.content.decode()
    response = client.post(
        f"/insights/actions/{action.pk}/promote/",
        {"title": "Delivery slots", "owner": lead.pk, "due_date": "2030-01-01"},
    )
    improvement = Improvement.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/insights/improvements/{improvement.pk}/"

    page = client.get(response["Location"]).content.decode()
    assert case.reference in page and "Delivery slots" in page
    assert "Delivery slots" in client.get("/insights/improvements/").content.decode()
    done = client.post(f"/insights/improvements/{improvement.pk}/status/", {"status": "done"}, follow=True)
    assert 'id="effect-data"' in done.content.decode()


def test_the_promote_page_keeps_the_input_on_errors(client, action, lead):
    client.force_login(lead)

    response = client.post(
        f"/insights/actions/{action.pk}/promote/", {"title": "Delivery slots", "owner": lead.pk}
    )

    assert response.status_code == 400
    assert "Delivery slots" in response.content.decode()
    assert not Improvement.objects.exists()


def test_agents_do_not_see_improvement_pages(client, agent, action):
    client.force_login(agent)

    assert client.get("/insights/improvements/").status_code == 403
    assert client.get(f"/insights/actions/{action.pk}/promote/").status_code == 403


def test_the_improvement_pages_run_a_bounded_number_of_queries(
    client, action, lead, agent, team, cause, django_assert_max_num_queries
):
    improvement = services.improvement_promote(action=action, actor=lead, title="Slots")
    for _ in range(5):
        with_cause(factories.open_case(actor=agent, team=team), agent=agent, lead=lead, cause=cause)
    services.improvement_set_status(improvement=improvement, actor=lead, status="done")
    client.force_login(lead)

    with django_assert_max_num_queries(6):
        client.get("/insights/improvements/")
    with django_assert_max_num_queries(12):
        client.get(f"/insights/improvements/{improvement.pk}/")


def test_the_admin_shows_improvements_read_only(admin_client, action, lead):
    improvement = services.improvement_promote(action=action, actor=lead, title="Slots")

    assert admin_client.get("/admin/insights/improvement/").status_code == 200
    assert admin_client.get(f"/admin/insights/improvement/{improvement.pk}/change/").status_code == 200
    assert admin_client.get("/admin/insights/improvement/add/").status_code == 403
