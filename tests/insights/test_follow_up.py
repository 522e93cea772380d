"""Follow-up after the fix and the recovery follow-up when the customer is still unhappy."""

import pytest
from django.core.exceptions import ValidationError

from cases import services as case_services
from cases.models import Case
from cases.workflow import Action
from insights import services
from insights.models import FollowUpOutcome
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolved(case, agent):
    case_services.case_transition(case=case, action=Action.RESPOND, actor=agent, data={"message": "Sorry."})
    return case_services.case_transition(
        case=case, action=Action.RESOLVE, actor=agent, data={"resolution": "Replaced the box."}
    )


def kinds(case):
    return list(case.events.order_by("id").values_list("kind", flat=True))


def test_a_satisfied_follow_up_moves_the_case_to_followed_up(resolved, agent):
    services.follow_up_record(
        case=resolved, actor=agent, outcome="satisfied", retained="yes", note="All good."
    )

    case = Case.objects.get(pk=resolved.pk)
    assert case.status == "followed_up"
    assert case.follow_up_note == "All good."
    assert FollowUpOutcome.objects.get().retained == "yes"
    recorded = [k for k in kinds(case) if k.startswith("case.")]
    assert recorded[-2:] == ["case.follow_up.recorded", "case.transitioned"]


def test_a_still_unhappy_customer_reopens_the_case_with_the_same_owner(resolved, agent, lead, team):
    team.lead = lead
    team.save()

    services.follow_up_record(
        case=resolved, actor=agent, outcome="still_unhappy", note="Box arrived crushed."
    )

    case = Case.objects.get(pk=resolved.pk)
    assert case.status == "responded"
    assert case.reopen_count == 1
    assert case.owner == agent
    event = case.events.get(kind="case.recovery_follow_up")
    assert event.data["notify"] == lead.pk
    assert event.data["trigger"] == "follow_up"
    assert "crushed" in event.data["reason"]


def test_the_lead_takes_the_recovery_follow_up_when_the_owner_has_left(resolved, agent, lead, team):
    team.lead = lead
    team.save()
    agent.is_active = False
    agent.save()

    services.follow_up_record(case=resolved, actor=lead, outcome="still_unhappy")

    case = Case.objects.get(pk=resolved.pk)
    assert case.status == "responded"
    assert case.owner == lead
    assert "case.handed_off" in kinds(case)


def test_a_follow_up_before_the_fix_is_refused(case, agent):
    with pytest.raises(ValidationError, match="once the case is resolved"):
        services.follow_up_record(case=case, actor=agent, outcome="satisfied")

    assert not FollowUpOutcome.objects.exists()


def test_an_unknown_outcome_is_refused(resolved, agent):
    with pytest.raises(ValidationError) as error:
        services.follow_up_record(case=resolved, actor=agent, outcome="thrilled", retained="maybe")

    assert set(error.value.message_dict) == {"outcome", "retained"}


def test_the_case_page_records_a_follow_up_and_shows_it(client, resolved, agent):
    client.force_login(agent)

    page = client.get(f"/cases/{resolved.reference}/").content.decode()
    assert "Record follow-up outcome" in page

    response = client.post(
        f"/insights/case/{resolved.reference}/follow-up/",
        {"outcome": "satisfied", "retained": "yes", "note": "Will order again."},
    )
    assert response.status_code == 302
    page = client.get(f"/cases/{resolved.reference}/").content.decode()
    assert "Will order again." in page and "recorded the follow-up outcome" in page


def test_a_bad_follow_up_form_keeps_what_was_typed(client, resolved, agent):
    client.force_login(agent)

    response = client.post(
        f"/insights/case/{resolved.reference}/follow-up/", {"outcome": "", "note": "They hung up."}
    )

    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert "They hung up." in response.content.decode()


def test_another_teams_case_is_not_found(client, resolved, other_team):
    stranger = factories.UserFactory(username="omar", teams=[other_team])
    client.force_login(stranger)

    response = client.post(f"/insights/case/{resolved.reference}/follow-up/", {"outcome": "satisfied"})

    assert response.status_code == 404
    assert not FollowUpOutcome.objects.exists()
