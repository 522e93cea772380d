"""The satisfaction survey: a link usable once, expiring, unforgeable; a low score reopens."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases import services as case_services
from cases.models import Case
from cases.workflow import Action
from insights import services
from insights.models import SurveyInvitation, SurveyResponse

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolved(case, agent):
    case_services.case_transition(case=case, action=Action.RESPOND, actor=agent, data={"message": "Sorry."})
    return case_services.case_transition(
        case=case, action=Action.RESOLVE, actor=agent, data={"resolution": "Replaced the box."}
    )


@pytest.fixture
def token(resolved, agent):
    return services.survey_send(case=resolved, actor=agent, channel="email")[1]


def test_sending_a_survey_is_on_the_timeline_and_stores_no_token(resolved, agent):
    invitation, token = services.survey_send(case=resolved, actor=agent, channel="sms")

    assert token not in invitation.token_hash
    assert invitation.recipient == resolved.customer.phone
    event = resolved.events.get(kind="case.survey.sent")
    assert event.data["channel"] == "sms" and token not in str(event.data)


def test_a_survey_before_the_fix_is_refused(case, agent):
    with pytest.raises(ValidationError):
        services.survey_send(case=case, actor=agent, channel="email")


def test_the_customer_answers_once_and_the_answer_lands_on_the_timeline(client, token, resolved):
    page = client.get(f"/s/{token}/")
    assert page.status_code == 200 and "How did we do" in page.content.decode()

    response = client.post(f"/s/{token}/", {"score": "4", "comment": "Quick and kind."})

    assert response.status_code == 200 and "Thank you" in response.content.decode()
    answer = SurveyResponse.objects.get()
    assert (answer.score, answer.comment, answer.case_id) == (4, "Quick and kind.", resolved.pk)
    event = resolved.events.get(kind="case.survey.answered")
    assert event.actor is None and event.data["score"] == 4
    again = client.post(f"/s/{token}/", {"score": "1"})
    assert again.status_code == 410 and "already been answered" in again.content.decode()
    assert SurveyResponse.objects.count() == 1


def test_an_expired_link_cannot_be_used(client, token, time_machine):
    time_machine.move_to(timezone.now() + datetime.timedelta(days=services.SURVEY_DAYS, seconds=1))

    response = client.post(f"/s/{token}/", {"score": "5"})

    assert response.status_code == 410 and "expired" in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_a_link_still_works_on_its_last_day(client, token, time_machine):
    time_machine.move_to(timezone.now() + datetime.timedelta(days=services.SURVEY_DAYS - 1))

    assert client.post(f"/s/{token}/", {"score": "5"}).status_code == 200


def test_a_tampered_link_is_refused(client, token):
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    response = client.post(f"/s/{tampered}/", {"score": "5"})

    assert response.status_code == 410 and "not valid" in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_a_missing_score_is_a_clear_error_and_keeps_the_comment(client, token):
    response = client.post(f"/s/{token}/", {"comment": "Well..."})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a score from 1 to 5." in page and "Well..." in page
    assert SurveyInvitation.objects.get().used_at is None


def test_the_survey_page_needs_the_csrf_token(token):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)

    assert strict.post(f"/s/{token}/", {"score": "5"}).status_code == 403
    page = strict.get(f"/s/{token}/")
    assert "csrfmiddlewaretoken" in page.content.decode()


@pytest.mark.parametrize("score", [1, 2])
def test_a_low_score_reopens_the_case_at_once(token, resolved, agent, lead, team, score):
    team.lead = lead
    team.save()

    services.survey_answer(token=token, score=score, comment="Still broken.")

    case = Case.objects.get(pk=resolved.pk)
    assert case.status == "responded" and case.owner == agent
    event = case.events.get(kind="case.recovery_follow_up")
    assert event.data["trigger"] == "survey" and event.data["notify"] == lead.pk


def test_a_score_of_three_does_not_reopen(token, resolved):
    services.survey_answer(token=token, score=3)

    assert Case.objects.get(pk=resolved.pk).status == "resolved"


def test_a_score_outside_one_to_five_is_refused(token):
    with pytest.raises(ValidationError):
        services.survey_answer(token=token, score=6)
    assert SurveyInvitation.objects.get().used_at is None


def test_the_case_page_creates_a_survey_link_and_shows_it_once(client, resolved, agent):
    client.force_login(agent)

    response = client.post(f"/insights/case/{resolved.reference}/survey/", {"channel": "email"}, follow=True)

    page = response.content.decode()
    assert "Survey link" in page and "/s/" in page
    assert "sent a satisfaction survey" in page
