"""Call-backs that happen: free slots in business hours, one agent one call at a time, reminders,
a breach that escalates through the sweep and tells the customer, a dropped call rebooked."""

from datetime import UTC, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cases import services
from cases.models import Case
from cases.workflow import Action
from messaging.models import CustomerMessage
from portal.callbacks import callback_book, callback_log, callback_move, free_slots
from portal.models import SLOT, Callback, CallbackState
from sla.escalation import sweep
from sla.models import Clock, Notification
from tests import factories

from .conftest import MONDAY_10, link_path

pytestmark = pytest.mark.django_db
ELEVEN = MONDAY_10 + timedelta(hours=1)


def _texts(case):
    return [m.body for m in CustomerMessage.objects.filter(case=case).order_by("created_at", "id")]


def test_free_slots_are_half_hours_inside_the_teams_business_hours(phoned, agent):
    slots = free_slots(case=phoned, agent=agent)
    assert slots[0] == MONDAY_10 and slots[1] == MONDAY_10 + SLOT
    local = [slot.astimezone(MONDAY_10.tzinfo) for slot in slots]
    assert all(9 <= at.hour < 17 and at.weekday() < 5 for at in local)
    assert max(at for at in local if at.date() == MONDAY_10.date()).strftime("%H:%M") == "16:30"


def test_booking_tells_the_customer_and_starts_a_callback_clock_due_at_the_slots_end(phoned, agent):
    callback = callback_book(case=phoned, actor=agent, starts_at=ELEVEN)
    clock = Clock.objects.get(case=phoned, kind="callback")
    assert callback.clock == clock and clock.due_at == ELEVEN + SLOT
    assert clock.warn_at == ELEVEN - timedelta(minutes=15)  # the owner's reminder
    text = _texts(phoned)[-1]
    assert "Ava will call you on +44 7700 900123: Monday 1 June at 11:00" in text
    link_path(text)  # with the status page link


def test_an_agent_is_never_booked_twice_at_once(phoned, agent, team):
    other = factories.open_case(actor=agent, team=team)
    callback_book(case=phoned, actor=agent, starts_at=ELEVEN)
    assert ELEVEN not in free_slots(case=other, agent=agent)
    with pytest.raises(ValidationError, match="not free"):
        callback_book(case=other, actor=agent, starts_at=ELEVEN)
    # And the database itself refuses a second booked call in the slot, whatever the check said.
    with pytest.raises(IntegrityError), transaction.atomic():
        Callback.objects.create(
            case=other, agent=agent, starts_at=ELEVEN, ends_at=ELEVEN + SLOT, phone="1", booked_at=MONDAY_10
        )


def test_a_slot_outside_business_hours_is_refused(phoned, agent):
    with pytest.raises(ValidationError, match="not free"):
        callback_book(case=phoned, actor=agent, starts_at=MONDAY_10 + timedelta(hours=8))  # 18:00


def test_the_owner_and_the_customer_are_reminded_before_the_slot(phoned, agent, monday):
    callback_book(case=phoned, actor=agent, starts_at=ELEVEN)
    monday(ELEVEN - timedelta(minutes=15))
    sweep()
    assert Notification.objects.filter(recipient=agent, subject__contains="Call-back").exists()
    assert "A reminder: Ava will call you" in _texts(phoned)[-1]


def test_a_missed_callback_breaches_escalates_and_the_customer_is_told_who_calls_and_when(
    phoned, agent, lead, monday
):
    callback_book(case=phoned, actor=agent, starts_at=ELEVEN)
    monday(ELEVEN + SLOT)
    sweep()
    clock = Clock.objects.get(case=phoned, kind="callback")
    assert clock.breached_at == ELEVEN + SLOT
    assert phoned.events.filter(kind="sla.clock.escalated", data__action="notify_lead").exists()
    assert Notification.objects.filter(recipient=lead, subject__startswith="Escalation L1").exists()
    told = _texts(phoned)[-1]
    assert "We did not call you when we said we would" in told
    assert "Lee will call you on +44 7700 900123 by Monday 1 June at 12:30" in told
    assert phoned.events.filter(kind="portal.callback.missed").count() == 1
    sweep()  # a second sweep tells nobody again
    assert phoned.events.filter(kind="portal.callback.missed").count() == 1


def test_a_call_made_in_its_slot_meets_the_clock_and_nobody_is_told_it_was_missed(phoned, agent, monday):
    callback = callback_book(case=phoned, actor=agent, starts_at=ELEVEN)
    monday(ELEVEN + timedelta(minutes=10))
    callback_log(case=phoned, callback_id=callback.pk, actor=agent, made=True, note="Sorted the refund.")
    monday(ELEVEN + timedelta(hours=2))
    sweep()
    assert Clock.objects.get(case=phoned, kind="callback").state == "met"
    assert not phoned.events.filter(kind="portal.callback.missed").exists()


def test_a_dropped_call_is_logged_in_one_action_that_books_the_next_attempt(phoned, agent, monday):
    callback = callback_book(case=phoned, actor=agent, starts_at=ELEVEN)
    monday(ELEVEN + timedelta(minutes=5))
    nxt = callback_log(case=phoned, callback_id=callback.pk, actor=agent, made=False, note="Line dropped")
    assert Callback.objects.get(pk=callback.pk).state == CallbackState.DROPPED
    assert nxt.state == CallbackState.BOOKED and nxt.replaces_id == callback.pk
    assert nxt.starts_at == ELEVEN + SLOT  # the first free slot after now
    assert Clock.objects.filter(case=phoned, kind="callback", stopped_at__isnull=True).get() == nxt.clock
    assert "Ava will call you on" in _texts(phoned)[-1] and "11:30" in _texts(phoned)[-1]


def test_the_customer_moves_the_callback_from_the_status_page(phoned, agent, client):
    callback = callback_book(case=phoned, actor=agent, starts_at=ELEVEN)
    path = link_path(_texts(phoned)[-1])
    later = MONDAY_10 + timedelta(hours=4)
    page = client.get(path).content.decode()
    assert later.astimezone(UTC).isoformat() in page  # offered as a free slot
    moved = client.post(
        path + f"callback/{callback.pk}/move/", {"starts_at": later.astimezone(UTC).isoformat()}
    )
    assert moved.status_code == 302
    booked = Callback.objects.get(case=phoned, state=CallbackState.BOOKED)
    assert booked.starts_at == later and booked.moved_by_customer
    assert Clock.objects.get(pk=callback.clock_id).state == "cancelled"
    assert Clock.objects.get(case=phoned, kind="callback", stopped_at__isnull=True).due_at == later + SLOT
    assert "moved your call to" in _texts(phoned)[-1]


def test_the_customer_confirms_the_time(phoned, agent, client):
    callback = callback_book(case=phoned, actor=agent, starts_at=ELEVEN)
    path = link_path(_texts(phoned)[-1])
    assert client.post(path + f"callback/{callback.pk}/confirm/").status_code == 302
    assert Callback.objects.get(pk=callback.pk).confirmed_at is not None
    assert "You confirmed this time." in client.get(path).content.decode()


def test_one_link_cannot_move_another_cases_callback(phoned, agent, team, client):
    other = factories.open_case(actor=agent, team=team)
    theirs = callback_book(case=other, actor=agent, starts_at=ELEVEN)
    callback_book(case=phoned, actor=agent, starts_at=MONDAY_10 + timedelta(hours=2))
    path = link_path(_texts(phoned)[-1])
    later = (MONDAY_10 + timedelta(hours=5)).isoformat()
    assert client.post(path + f"callback/{theirs.pk}/move/", {"starts_at": later}).status_code == 400
    assert Callback.objects.get(pk=theirs.pk).state == CallbackState.BOOKED


def test_a_taken_slot_cannot_be_chosen_when_moving(phoned, agent, team):
    other = factories.open_case(actor=agent, team=team)
    callback_book(case=other, actor=agent, starts_at=ELEVEN)
    mine = callback_book(case=phoned, actor=agent, starts_at=ELEVEN + SLOT)
    with pytest.raises(ValidationError, match="not free"):
        callback_move(case=phoned, callback_id=mine.pk, starts_at=ELEVEN)


def test_the_agent_books_and_logs_from_the_case_page(phoned, agent, client):
    client.force_login(agent)
    page = client.get(f"/cases/{phoned.reference}/").content.decode()
    assert "Book a call-back" in page
    booked = client.post(f"/portal/cases/{phoned.reference}/callback/", {"starts_at": ELEVEN.isoformat()})
    assert booked.status_code == 302
    callback = Callback.objects.get(case=phoned)
    logged = client.post(f"/portal/cases/{phoned.reference}/callback/{callback.pk}/log/", {"outcome": "made"})
    assert logged.status_code == 302 and Callback.objects.get(pk=callback.pk).state == CallbackState.MADE


def test_an_agent_of_another_team_cannot_book(phoned, other_team, client):
    outsider = factories.UserFactory(username="oscar", teams=[other_team])
    client.force_login(outsider)
    answer = client.post(f"/portal/cases/{phoned.reference}/callback/", {"starts_at": ELEVEN.isoformat()})
    assert answer.status_code == 404 and not Callback.objects.exists()


def test_a_case_that_closes_cancels_its_booked_callback_and_nobody_is_told_it_was_missed(
    phoned, agent, monday
):
    callback = callback_book(case=phoned, actor=agent, starts_at=ELEVEN)
    Case.objects.filter(pk=phoned.pk).update(status="followed_up", triage_stage="done")
    case = services.case_transition(case=Case.objects.get(pk=phoned.pk), action=Action.CLOSE, actor=agent)
    assert not case.is_open
    assert Callback.objects.get(pk=callback.pk).state == CallbackState.CANCELLED
    assert Clock.objects.get(pk=callback.clock_id).state == "cancelled"
    monday(ELEVEN + timedelta(hours=1))
    sweep()
    assert not phoned.events.filter(kind="portal.callback.missed").exists()


@pytest.mark.parametrize(
    "fields", [{"starts_at": "not a time"}, {"starts_at": ELEVEN.isoformat(), "agent": "x1"}]
)
def test_bad_booking_input_is_refused_with_the_reason_and_books_nothing(phoned, agent, client, fields):
    client.force_login(agent)
    answer = client.post(f"/portal/cases/{phoned.reference}/callback/", fields, follow=True)
    assert answer.status_code == 200 and not Callback.objects.exists()
    assert "Choose" in answer.content.decode()
