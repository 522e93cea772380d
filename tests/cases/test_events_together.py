"""Events recorded together: written when the block ends, in the order they were recorded."""

import pytest

from cases import services
from cases.events import Notice, record_event, together
from cases.models import CaseEvent
from sla.models import Notification

pytestmark = pytest.mark.django_db


def test_events_recorded_together_are_written_at_the_end_with_their_notices(case, agent, lead):
    before = CaseEvent.objects.count()
    with together():
        first = record_event(case=case, kind="case.noted", data={"n": 1}, notice=Notice((lead,), "One", "1"))
        record_event(case=case, kind="case.noted", data={"n": 2}, notice=Notice((lead,), "Two", "2"))
        assert first.pk is None and CaseEvent.objects.count() == before  # nothing written yet
    noted = list(case.events.filter(kind="case.noted"))
    assert [e.data["n"] for e in noted] == [1, 2]
    assert first.pk == noted[0].pk
    assert [n.subject for n in first.outbox["notice"] if n.channel == "in_app"] == ["One"]
    assert Notification.objects.filter(event=noted[1], recipient=lead, channel="in_app").count() == 1


def test_an_event_whose_reaction_cannot_wait_writes_what_came_before_first(case, agent, lead):
    """A hand-off moves the case's clocks at once; the event recorded before it stays first."""
    with together():
        record_event(case=case, kind="case.noted", data={"n": 1})
        services.case_assign(case=case, to_owner=lead, actor=agent, reason="The lead takes it")
        record_event(case=case, kind="case.noted", data={"n": 2})
    kinds = list(case.events.exclude(kind="case.opened").values_list("kind", "data"))
    assert [kind for kind, _ in kinds] == ["case.noted", "case.handed_off", "case.noted"]
    assert [data.get("n") for _, data in kinds] == [1, None, 2]


def test_nothing_recorded_in_a_block_that_fails_is_written(case, lead):
    before = CaseEvent.objects.count()
    with pytest.raises(RuntimeError), together():
        record_event(case=case, kind="case.noted", notice=Notice((lead,), "Lost", "x"))
        raise RuntimeError("the group failed")
    assert CaseEvent.objects.count() == before
    assert not Notification.objects.filter(subject="Lost").exists()
