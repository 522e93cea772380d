"""The manager's weekly digest: the page, the schedule the manager sets, the e-mail beat sends
through the outbox at that time (once, however often beat ticks)."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from insights.models import DigestSchedule, Improvement
from insights.services.digest import digest_schedule_set, digest_send_due, next_slot
from remedies.models import Remedy, RemedyKind
from sla.models import Notification
from tests.insights import dataset

LONDON = ZoneInfo("Europe/London")

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(time_machine, agent, lead, team, other_team):
    built = dataset.build(time_machine, agent=agent, lead=lead, team=team, other_team=other_team)
    kind = RemedyKind.objects.get_or_create(code="coupon", defaults={"name": "Coupon"})[0]
    Remedy.objects.create(
        case=built.d,
        kind=kind,
        amount=Decimal("12.00"),
        currency="GBP",
        plus_one=True,
        given_by=agent,
        given_at=dataset.at(3, 10),
    )
    Improvement.objects.create(
        title="Agree delivery slots at checkout",
        root_cause=built.cause1,
        owner=lead,
        due_date=datetime.date(2026, 3, 22),
        created_at=dataset.NOW,
    )
    return built


def test_the_next_slot_is_the_chosen_weekday_and_hour_strictly_ahead_across_a_dst_change():
    # Friday 27 March 2026, 09:00 London; clocks go forward on Sunday 29 March.
    friday = datetime.datetime(2026, 3, 27, 9, 0, tzinfo=LONDON)

    assert next_slot(weekday=0, hour=8, after=friday) == datetime.datetime(2026, 3, 30, 8, 0, tzinfo=LONDON)
    assert next_slot(weekday=4, hour=9, after=friday) == datetime.datetime(2026, 4, 3, 9, 0, tzinfo=LONDON)
    assert next_slot(weekday=4, hour=10, after=friday) == datetime.datetime(2026, 3, 27, 10, 0, tzinfo=LONDON)


def test_the_digest_page_shows_the_week_and_the_manager_sets_the_schedule(client, data, manager):
    client.force_login(manager)

    page = client.get("/insights/digest/").content.decode()
    saved = client.post("/insights/digest/", {"weekday": "4", "hour": "9", "active": "on"})

    for part in (
        "Top root causes and what changed",
        "Remedy spend and +1",
        "Improvements due",
        "Approvals waiting now",
        "SLA breaches",
        "Escalations",
        "Agree delivery slots at checkout",
    ):
        assert part in page
    assert saved.status_code == 302
    schedule = DigestSchedule.objects.get(user=manager)
    assert (schedule.weekday, schedule.hour, schedule.active) == (4, 9, True)
    assert schedule.next_due_at == datetime.datetime(
        2026, 3, 27, 9, 0, tzinfo=LONDON
    )  # NOW is Fri 20 March, 12:00


def test_a_bad_schedule_is_a_400_with_the_field_error_and_agents_have_no_digest(client, manager, agent):
    client.force_login(manager)
    assert client.post("/insights/digest/", {"weekday": "9", "hour": "25"}).status_code == 400
    assert not DigestSchedule.objects.exists()
    client.force_login(agent)
    assert client.get("/insights/digest/").status_code == 403


def test_beat_mails_the_digest_at_the_chosen_time_through_the_outbox_once(
    data, manager, time_machine, django_capture_on_commit_callbacks
):
    manager.email = "max@example.com"
    manager.phone = "+447700900000"  # an SMS address too: the digest still goes by e-mail only
    manager.save()
    time_machine.move_to(dataset.at(3, 12), tick=False)
    schedule = digest_schedule_set(actor=manager, weekday=0, hour=8, active=True)  # Monday 16 March, 08:00
    due = schedule.next_due_at

    time_machine.move_to(due - datetime.timedelta(minutes=1), tick=False)
    assert digest_send_due() == 0
    time_machine.move_to(due, tick=False)
    with django_capture_on_commit_callbacks():
        assert digest_send_due() == 1
    assert digest_send_due() == 0  # a second tick, or a second beat, sends nothing more

    mails = Notification.objects.filter(recipient=manager, channel="email")
    assert mails.count() == 1 and not Notification.objects.filter(channel="sms").exists()
    mail = mails.get()
    assert mail.address == "max@example.com" and mail.next_attempt_at is not None  # queued for the deliverer
    assert "09 Mar – 15 Mar" in mail.subject
    for part in (
        "SLA breaches:",
        "Escalations:",
        "Approvals waiting now:",
        "Remedy spend and +1:",
        "12.00 GBP",
        "Top root causes",
        "Improvements due:",
        "Agree delivery slots at checkout",
        "/insights/digest/",
    ):
        assert part in mail.body
    schedule.refresh_from_db()
    assert schedule.next_due_at == due + datetime.timedelta(days=7) and schedule.last_sent_at == due


def test_a_switched_off_digest_is_never_sent(data, manager, time_machine):
    digest_schedule_set(actor=manager, weekday=0, hour=8, active=False)
    time_machine.move_to(dataset.at(4, 30), tick=False)

    assert digest_send_due() == 0
    assert not Notification.objects.exists()


def test_a_lead_digest_counts_their_teams_only(data, lead, manager):
    from insights.selectors.digest import weekly_digest

    now = dataset.at(3, 11, 9)
    # The week of 4-10 March: F (the other team's), C and D.
    assert weekly_digest(manager, now=now).counts["opened"] == 3
    assert weekly_digest(lead, now=now).counts["opened"] == 2


def test_the_digest_says_what_changed_in_the_top_root_causes_since_the_week_before(data, manager):
    from insights.selectors.digest import weekly_digest

    rows = weekly_digest(manager, now=dataset.at(3, 9, 9)).root_causes  # the week of 2-8 March

    assert [(r["value"], r["count"], r["previous"], r["change"]) for r in rows] == [
        (data.cause1.pk, 2, 0, 2),
        (data.cause2.pk, 1, 0, 1),
    ]
