"""`case_transition` and the triage services against the database."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases import services
from cases.models import Case, CaseEvent
from cases.workflow import Action, TransitionError
from tests import factories
from tests.factories import WHAT_ANSWERS

pytestmark = pytest.mark.django_db


def walk_triage(case, agent, lead):
    services.triage_record_what(case=case, actor=agent, answers=WHAT_ANSWERS)
    services.case_transition(case=case, action=Action.COMPLETE_WHAT, actor=agent)
    services.triage_record_why(
        case=case,
        actor=lead,
        answers={"root_cause": factories.root_cause(), "explanation": "Van left late.", "origin": "vendor"},
    )
    services.case_transition(case=case, action=Action.COMPLETE_WHY, actor=lead)
    services.triage_record_different(
        case=case,
        actor=lead,
        answers={"no_change_needed": True, "no_change_reason": "One-off: driver was ill."},
    )
    services.case_transition(case=case, action=Action.COMPLETE_DIFFERENT, actor=lead)


def test_opening_a_case_gives_it_a_reference_an_owner_and_a_first_event(case, agent):
    assert case.reference == f"R-{case.pk:06d}"
    assert case.owner == agent
    assert case.status == "new" and case.triage_stage == "what"
    assert list(case.events.values_list("kind", flat=True)) == ["case.opened"]


def test_responding_records_the_apology_time_and_timeline(case, agent):
    services.case_transition(
        case=case, action=Action.RESPOND, actor=agent, data={"message": "Sorry, I own it."}
    )
    case.refresh_from_db()
    assert case.status == "responded"
    assert case.first_response == "Sorry, I own it."
    assert case.first_responded_at is not None
    event = case.events.get(kind="case.transitioned")
    assert event.actor == agent
    assert event.data["from"] == "new" and event.data["to"] == "responded"


def test_completing_what_without_answers_is_refused_and_changes_nothing(case, agent):
    with pytest.raises(TransitionError) as exc:
        services.case_transition(case=case, action=Action.COMPLETE_WHAT, actor=agent)
    assert "WHAT needs what the customer is unhappy about." in exc.value.problems
    case.refresh_from_db()
    assert case.triage_stage == "what"
    assert case.events.count() == 1


def test_the_whole_walk_through_both_tracks_closes_the_case(case, agent, lead):
    services.case_transition(case=case, action=Action.RESPOND, actor=agent, data={"message": "Sorry."})
    walk_triage(case, agent, lead)
    services.case_transition(case=case, action=Action.RESOLVE, actor=agent, data={"resolution": "Refunded."})
    services.case_transition(case=case, action=Action.CLOSE, actor=agent)
    case.refresh_from_db()
    assert case.status == "closed" and case.triage_stage == "done" and case.closed_at
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds[-1] == "case.closed"
    assert kinds.count("case.transitioned") == 6


def test_a_case_cannot_close_before_the_triage_is_done(case, agent):
    services.case_transition(case=case, action=Action.RESPOND, actor=agent, data={"message": "Sorry."})
    services.case_transition(case=case, action=Action.RESOLVE, actor=agent, data={"resolution": "Refunded."})
    with pytest.raises(TransitionError, match="Closing needs the triage done"):
        services.case_transition(case=case, action=Action.CLOSE, actor=agent)


def test_reopening_is_recorded_and_counted(case, agent, lead):
    services.case_transition(case=case, action=Action.RESPOND, actor=agent, data={"message": "Sorry."})
    services.case_transition(case=case, action=Action.RESOLVE, actor=agent, data={"resolution": "Refunded."})
    services.case_transition(case=case, action=Action.REOPEN, actor=agent, data={"reason": "Refund bounced."})
    case.refresh_from_db()
    assert case.status == "responded" and case.reopen_count == 1 and case.resolved_at is None
    assert case.events.filter(kind="case.transitioned", data__action="reopen").count() == 1


def test_an_agent_cannot_answer_why(case, agent):
    services.triage_record_what(case=case, actor=agent, answers=WHAT_ANSWERS)
    services.case_transition(case=case, action=Action.COMPLETE_WHAT, actor=agent)
    with pytest.raises(PermissionDenied):
        services.triage_record_why(case=case, actor=agent, answers={"explanation": "x"})


def test_why_cannot_be_answered_before_what_is_complete(case, lead):
    with pytest.raises(ValidationError, match="finish WHAT happened first"):
        services.triage_record_why(case=case, actor=lead, answers={"explanation": "x"})


def test_answers_record_what_changed(case, agent):
    services.triage_record_what(case=case, actor=agent, answers={"complaint": "Cold food"})
    services.triage_record_what(case=case, actor=agent, answers={"complaint": "Cold food and late"})
    events = case.events.filter(kind="case.triage.what_recorded").order_by("id")
    assert events[1].data["changes"] == {"complaint": ["Cold food", "Cold food and late"]}


def test_a_corrective_action_cannot_be_due_in_the_past(case, agent, lead):
    services.triage_record_what(case=case, actor=agent, answers=WHAT_ANSWERS)
    services.case_transition(case=case, action=Action.COMPLETE_WHAT, actor=agent)
    services.triage_record_why(
        case=case,
        actor=lead,
        answers={"root_cause": factories.root_cause(), "explanation": "x", "origin": "ours"},
    )
    services.case_transition(case=case, action=Action.COMPLETE_WHY, actor=lead)
    import datetime

    with pytest.raises(ValidationError) as exc:
        services.corrective_action_add(
            case=case, actor=lead, description="Check vans", owner=lead, due_date=datetime.date(2020, 1, 1)
        )
    assert "due_date" in exc.value.message_dict


def test_a_hand_off_needs_a_reason_and_is_counted(case, agent, team):
    sam = factories.UserFactory(username="sam", teams=[team])
    with pytest.raises(ValidationError) as exc:
        services.case_assign(case=case, to_owner=sam, actor=agent)
    assert "reason" in exc.value.message_dict
    services.case_assign(case=case, to_owner=sam, actor=agent, reason="Sam handles refunds")
    case.refresh_from_db()
    assert case.owner == sam and case.handoff_count == 1
    assert case.handoffs.get().reason == "Sam handles refunds"
    assert case.events.filter(kind="case.handed_off").count() == 1


def test_a_case_cannot_be_handed_to_someone_outside_the_team(case, agent, other_team):
    stranger = factories.UserFactory(username="omar", teams=[other_team])
    with pytest.raises(ValidationError):
        services.case_assign(case=case, to_owner=stranger, actor=agent, reason="x")


def test_an_agent_of_another_team_cannot_move_the_case(case, other_team):
    stranger = factories.UserFactory(username="omar", teams=[other_team])
    with pytest.raises(PermissionDenied):
        services.case_transition(case=case, action=Action.RESPOND, actor=stranger, data={"message": "hi"})
    assert Case.objects.get(pk=case.pk).status == "new"


def test_intake_refuses_unknown_choices_and_an_empty_summary(agent, team):
    with pytest.raises(ValidationError) as exc:
        factories.open_case(actor=agent, team=team, channel="pigeon", summary=" ", severity="apocalyptic")
    assert set(exc.value.message_dict) == {"channel", "summary", "severity"}
    assert not CaseEvent.objects.exists()


def test_customers_are_matched_by_external_id_then_email(db):
    first = services.customer_find_or_create(
        name="Maria", email="Maria@Example.com", source="shop", external_id="C-1"
    )
    assert services.customer_find_or_create(name="", source="shop", external_id="C-1") == first
    assert services.customer_find_or_create(name="M. Lopez", email="maria@example.com") == first
    other = services.customer_find_or_create(name="Tom", phone="+44 1")
    assert other != first
