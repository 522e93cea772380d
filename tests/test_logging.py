import datetime
import json
import logging
from zoneinfo import ZoneInfo

import pytest

from cases import services
from recovery.logging import JsonFormatter

pytestmark = pytest.mark.django_db


def test_every_case_event_logs_one_json_line_with_the_case_reference(caplog, case, agent):
    with caplog.at_level(logging.INFO, logger="recovery.events"):
        services.case_transition(
            case=case, action="respond", actor=agent, data={"message": "So sorry, Maria"}
        )
    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "recovery.events"]
    assert ("case.transitioned", case.reference, agent.pk) in [
        (line["message"], line["case"], line["actor"]) for line in lines
    ]
    assert all(line["case"] == case.reference for line in lines)
    # The customer's words stay out of the logs.
    assert "Maria" not in caplog.text


def test_json_lines_carry_an_unambiguous_time_across_the_night_the_clocks_go_back(time_machine):
    # 01:30 comes twice in London on 31 October 2027; a log read without its offset would merge them.
    london = ZoneInfo("Europe/London")
    times = []
    for fold in (0, 1):
        time_machine.move_to(datetime.datetime(2027, 10, 31, 1, 30, fold=fold, tzinfo=london), tick=False)
        record = logging.LogRecord("recovery.events", logging.INFO, __file__, 1, "case.opened", None, None)
        times.append(datetime.datetime.fromisoformat(json.loads(JsonFormatter().format(record))["time"]))

    assert times[1] - times[0] == datetime.timedelta(hours=1)
    assert times[0] == datetime.datetime(2027, 10, 31, 0, 30, tzinfo=datetime.UTC)
