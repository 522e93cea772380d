"""The transition table on its own: pure, no database."""

import pytest

from cases.workflow import Action, Facts, TransitionError, available_actions, check, problems_with


def facts(**kwargs) -> Facts:
    return Facts(**{"status": "new", "triage_stage": "what", **kwargs})


def test_a_new_case_can_only_be_responded_to_on_the_customer_track():
    actions = available_actions(facts(), leads=False)
    assert Action.RESPOND in actions
    assert Action.RESOLVE not in actions
    assert Action.CLOSE not in actions


def test_responding_needs_the_apology_given():
    assert problems_with(Action.RESPOND, facts(), {}, leads=False) == [
        "Please give the apology and ownership given to the customer."
    ]
    assert problems_with(Action.RESPOND, facts(), {"message": "  "}, leads=False)
    assert problems_with(Action.RESPOND, facts(), {"message": "Sorry, I own this."}, leads=False) == []


def test_a_case_cannot_skip_from_new_to_resolved():
    with pytest.raises(TransitionError) as exc:
        check(Action.RESOLVE, facts(), {"resolution": "Refunded"}, leads=False)
    assert "not possible from 'new'" in str(exc.value)


def test_what_names_each_missing_answer():
    problems = problems_with(Action.COMPLETE_WHAT, facts(), {}, leads=False)
    assert "WHAT needs what the customer is unhappy about." in problems
    assert "WHAT needs the point of the journey where the customer became unhappy." in problems


def test_what_asks_which_part_when_only_a_part_is_affected():
    answers = {"complaint": "x", "scope": "part", "journey_stage": "delivery", "tried_before": "no"}
    assert problems_with(Action.COMPLETE_WHAT, facts(what=answers), {}, leads=False) == [
        "WHAT needs which part is affected."
    ]


def test_what_asks_why_our_answer_was_not_enough_when_they_tried_before():
    answers = {"complaint": "x", "scope": "whole", "journey_stage": "delivery", "tried_before": "yes"}
    problems = problems_with(Action.COMPLETE_WHAT, facts(what=answers), {}, leads=False)
    assert "WHAT needs why our earlier answer was not enough." in problems


def test_why_needs_a_root_cause():
    f = facts(triage_stage="why", why={"explanation": "late van", "origin": "vendor"})
    assert problems_with(Action.COMPLETE_WHY, f, {}, leads=True) == ["WHY needs a root cause."]


def test_why_is_for_leads_only():
    f = facts(triage_stage="why", why={"root_cause": 1, "explanation": "x", "origin": "ours"})
    assert problems_with(Action.COMPLETE_WHY, f, {}, leads=False) == [
        "Complete WHY, move to WHAT DIFFERENT is for team leads and managers."
    ]
    assert Action.COMPLETE_WHY not in available_actions(f, leads=False)


def test_what_different_needs_an_action_or_an_explicit_no_change_with_reason():
    f = facts(triage_stage="different")
    assert "at least one corrective action" in problems_with(Action.COMPLETE_DIFFERENT, f, {}, leads=True)[0]
    no_reason = facts(triage_stage="different", different={"no_change_needed": True})
    assert problems_with(Action.COMPLETE_DIFFERENT, no_reason, {}, leads=True) == [
        "WHAT DIFFERENT needs the reason why no change is needed."
    ]
    assert (
        problems_with(
            Action.COMPLETE_DIFFERENT, facts(triage_stage="different", corrective_actions=1), {}, leads=True
        )
        == []
    )


def test_triage_stages_cannot_be_skipped():
    assert "not possible from 'what'" in problems_with(Action.COMPLETE_WHY, facts(), {}, leads=True)[0]
    assert "not possible from 'what'" in problems_with(Action.COMPLETE_DIFFERENT, facts(), {}, leads=True)[0]


def test_closing_needs_the_triage_done():
    f = facts(status="resolved", triage_stage="why")
    assert problems_with(Action.CLOSE, f, {}, leads=True) == [
        "Closing needs the triage done; it is still at WHY it happened."
    ]
    assert problems_with(Action.CLOSE, facts(status="resolved", triage_stage="done"), {}, leads=True) == []


def test_a_closed_case_can_be_reopened_with_a_reason():
    closed = facts(status="closed", triage_stage="done")
    assert available_actions(closed, leads=False) == [Action.REOPEN]
    assert problems_with(Action.REOPEN, closed, {}, leads=False) == ["Please give why the case is reopened."]


def test_work_that_does_not_move_the_case_is_allowed_only_in_its_states():
    from cases.workflow import Work, work_problems

    assert work_problems(Work.GIVE_REMEDY, facts(status="resolved")) == []
    assert work_problems(Work.GIVE_REMEDY, facts(status="closed")) == [
        "The case is closed: reopen it before giving a remedy."
    ]
    assert work_problems(Work.RECORD_OUTCOME, facts(status="responded")) == [
        "Follow up once the case is resolved for the customer."
    ]
    assert work_problems(Work.SEND_SURVEY, facts(status="closed")) == []


def test_the_triage_panels_offer_completing_a_stage_only_to_whom_the_table_allows():
    from cases.workflow import triage_state

    at_why = triage_state(facts(triage_stage="why"), leads=False)
    assert at_why["why"].current and at_why["why"].reached and at_why["why"].complete is None
    assert at_why["what"].reached and not at_why["what"].current and at_why["what"].complete is None
    assert not at_why["different"].reached
    assert triage_state(facts(triage_stage="why"), leads=True)["why"].complete == Action.COMPLETE_WHY
