"""The survey reaches the customer by their channel after the fix, once plus one reminder; a low
score lands with the owner and the lead and the case's recovery clock runs again."""

import datetime
import re

import pytest

from cases import services as case_services
from cases.workflow import Action
from insights.models import SurveyInvitation, SurveyOptOut, SurveyOutreach
from insights.services.outreach import surveys_send_due
from insights.survey_tasks import send_due_surveys
from messaging.models import CustomerMessage
from sla.models import Clock, Notification
from tests import factories

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def resolved_at_t0(agent, lead, team, time_machine, settings):
    settings.SURVEY_SEND_AFTER_MINUTES, settings.SURVEY_REMIND_AFTER_HOURS = 60, 48
    team.lead = lead
    team.save()
    time_machine.move_to(T0, tick=False)
    customer = factories.CustomerFactory(email="pat@example.com", phone="")
    case = factories.open_case(actor=agent, team=team, customer=customer)
    case_services.case_transition(case=case, action=Action.RESPOND, actor=agent, data={"message": "Sorry."})
    return case_services.case_transition(
        case=case, action=Action.RESOLVE, actor=agent, data={"resolution": "Replaced the box."}
    )


def _surveys():
    return list(CustomerMessage.objects.filter(kind="follow_up").order_by("id"))


def _link(message) -> str:
    return re.search(r"https?://\S+/s/(\S+)/", message.body).group(1)


def test_the_survey_goes_to_the_customer_at_its_clock_and_one_reminder_follows(resolved_at_t0, time_machine):
    time_machine.move_to(T0 + datetime.timedelta(minutes=59), tick=False)
    assert send_due_surveys() == 0 and _surveys() == []

    time_machine.move_to(T0 + datetime.timedelta(minutes=60), tick=False)
    assert send_due_surveys() == 1
    [first] = _surveys()
    assert (first.channel, first.address) == ("email", "pat@example.com")
    assert first.notification.next_attempt_at is not None  # in the outbox, to be delivered
    assert SurveyInvitation.objects.get().sent_by is None
    assert send_due_surveys() == 0  # a second tick sends nothing

    time_machine.move_to(T0 + datetime.timedelta(hours=49), tick=False)
    assert send_due_surveys() == 1
    first_link, reminder = _link(first), _surveys()[-1]
    assert "A reminder" in reminder.body and _link(reminder) != first_link
    time_machine.move_to(T0 + datetime.timedelta(days=5), tick=False)
    assert send_due_surveys() == 0 and len(_surveys()) == 2  # one reminder, never more


def test_an_answered_survey_gets_no_reminder(client, resolved_at_t0, time_machine):
    time_machine.move_to(T0 + datetime.timedelta(minutes=60), tick=False)
    surveys_send_due()
    token = _link(_surveys()[0])
    assert client.post(f"/s/{token}/", {"score": "5"}).status_code == 200

    time_machine.move_to(T0 + datetime.timedelta(hours=49), tick=False)
    surveys_send_due()
    assert len(_surveys()) == 1 and SurveyOutreach.objects.get().next_check_at is None


def test_a_customer_who_opted_out_is_not_sent_a_survey(resolved_at_t0, time_machine):
    SurveyOptOut.objects.create(customer=resolved_at_t0.customer, at=T0)
    time_machine.move_to(T0 + datetime.timedelta(minutes=60), tick=False)
    surveys_send_due()
    assert _surveys() == []
    assert "asked not to be sent" in SurveyOutreach.objects.get().skipped


def test_the_survey_page_lets_the_customer_stop_surveys_and_the_reminder_is_not_sent(
    client, resolved_at_t0, time_machine
):
    time_machine.move_to(T0 + datetime.timedelta(minutes=60), tick=False)
    surveys_send_due()
    answer = client.post(f"/s/{_link(_surveys()[0])}/", {"opt_out": "1"})
    assert answer.status_code == 200 and b"not send you any more surveys" in answer.content
    time_machine.move_to(T0 + datetime.timedelta(hours=49), tick=False)
    surveys_send_due()
    assert len(_surveys()) == 1 and SurveyOptOut.objects.filter(customer=resolved_at_t0.customer).exists()


def test_an_sms_customer_gets_the_survey_by_sms(agent, team, time_machine, settings):
    settings.SURVEY_SEND_AFTER_MINUTES = 30
    time_machine.move_to(T0, tick=False)
    customer = factories.CustomerFactory(email="", phone="+44 7700 900123")
    case = factories.open_case(actor=agent, team=team, customer=customer)
    case_services.case_transition(case=case, action=Action.RESPOND, actor=agent, data={"message": "Sorry."})
    case_services.case_transition(case=case, action=Action.RESOLVE, actor=agent, data={"resolution": "Done."})
    time_machine.move_to(T0 + datetime.timedelta(minutes=30), tick=False)
    surveys_send_due()
    [sms] = _surveys()
    assert (sms.channel, sms.address) == ("sms", "+44 7700 900123")


def test_a_low_score_lands_with_the_owner_and_the_lead_and_the_recovery_clock_runs(
    client, resolved_at_t0, time_machine
):
    time_machine.move_to(T0 + datetime.timedelta(minutes=60), tick=False)
    surveys_send_due()
    client.post(f"/s/{_link(_surveys()[0])}/", {"score": "1", "comment": "Still broken."})

    event = resolved_at_t0.events.get(kind="case.recovery_follow_up")
    told = {n.recipient.username for n in Notification.objects.filter(event=event, channel="in_app")}
    assert told == {"ava", "lee"}
    assert "still unhappy" in Notification.objects.filter(event=event).first().subject
    running = Clock.objects.filter(case=resolved_at_t0, kind="resolution", stopped_at__isnull=True)
    assert running.exists()
