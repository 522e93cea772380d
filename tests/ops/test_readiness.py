"""/readyz tells a stopped SLA sweep (a dead beat or worker) from a healthy one."""

from datetime import timedelta

import pytest
from django.utils import timezone

from recovery import health
from sla.heartbeat import heartbeat_last, sweep_stale_seconds
from sla.models import Clock
from sla.tasks import sweep_clocks

pytestmark = pytest.mark.django_db


@pytest.fixture
def serving_for_an_hour(monkeypatch):
    monkeypatch.setattr(health, "SERVING_SINCE", timezone.now() - timedelta(hours=1))


def test_a_completed_sweep_records_its_heartbeat_and_readyz_reports_it(client, serving_for_an_hour):
    assert heartbeat_last() is None
    sweep_clocks()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["sla_sweep"] is True
    assert response.json()["sla_sweep_last_run"] == heartbeat_last().isoformat()


def test_readyz_is_503_naming_the_sweep_once_its_last_run_is_stale(
    client, serving_for_an_hour, time_machine, settings
):
    settings.SLA_SWEEP_SECONDS = 5
    assert sweep_stale_seconds() == 75  # three sweeps and a minute
    time_machine.move_to(timezone.now(), tick=False)
    sweep_clocks()
    time_machine.shift(timedelta(seconds=74))
    assert client.get("/readyz").status_code == 200
    time_machine.shift(timedelta(seconds=2))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": True, "broker": True, "sla_sweep": False}
    assert response.json()["status"] == "unavailable"


def test_a_process_just_started_gives_beat_time_for_a_first_sweep(client, time_machine, monkeypatch):
    # The last run is from before a restart that took ten minutes.
    time_machine.move_to(timezone.now(), tick=False)
    sweep_clocks()
    time_machine.shift(timedelta(minutes=10))
    monkeypatch.setattr(health, "SERVING_SINCE", timezone.now() - timedelta(seconds=10))
    assert client.get("/readyz").status_code == 200
    time_machine.shift(timedelta(seconds=sweep_stale_seconds()))
    assert client.get("/readyz").json()["checks"]["sla_sweep"] is False


def test_with_no_run_ever_readyz_fails_only_when_a_clock_has_waited_too_long(
    client, case, serving_for_an_hour
):
    # A new installation: nothing has been swept yet, and nothing is overdue.
    assert heartbeat_last() is None
    assert client.get("/readyz").status_code == 200
    # A clock the sweep should have looked at long ago, and no sweep has ever run.
    Clock.objects.filter(case=case).update(next_check_at=timezone.now() - timedelta(minutes=10))
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["sla_sweep"] is False


def test_beats_health_check_command_fails_once_the_sweep_is_stale(time_machine):
    from django.core.management import CommandError, call_command

    time_machine.move_to(timezone.now(), tick=False)
    sweep_clocks()
    call_command("sweep_check")
    time_machine.shift(timedelta(seconds=sweep_stale_seconds() + 1))
    with pytest.raises(CommandError, match="SLA sweep last completed a run"):
        call_command("sweep_check")
