"""What a case's events set going on its clocks, in the same transaction (registered in ready()).

The core records that a case opened, moved, changed hands or changed; this concern decides what
that means for time: which clocks start, pause, resume, stop or follow a new target.
"""

from contextvars import ContextVar

from cases.events import register_reaction

from .clocks import clocks_on_action, clocks_on_open, clocks_retarget

# The clock the sweep holds while it escalates: its own escalation (a raised severity, say) must
# not rewrite it behind the sweep's back; the sweep re-targets it itself.
sweeping: ContextVar[int | None] = ContextVar("sweeping", default=None)

KINDS = {"case.opened", "case.transitioned", "case.assigned", "case.handed_off", "case.updated"}


def on_case_event(event) -> None:
    case, at, data = event.case, event.created_at, event.data
    if event.kind == "case.opened":
        clocks_on_open(case=case, at=at)
    elif event.kind == "case.transitioned":
        clocks_on_action(case=case, action=data["action"], at=at, actor=event.actor)
    elif event.kind in ("case.assigned", "case.handed_off"):
        if data["from"]["team"] != data["to"]["team"]:
            clocks_retarget(case=case, at=at, leave=sweeping.get())  # another team's calendar
    elif event.kind == "case.updated" and {"severity", "channel"} & set(data["changes"]):
        # The policy is chosen by severity and channel: open clocks follow the new one.
        clocks_retarget(case=case, at=at, leave=sweeping.get())


def register() -> None:
    register_reaction(KINDS, on_case_event)
