import json
import logging

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
