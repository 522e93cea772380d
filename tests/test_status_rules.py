"""What a case allows is asked of the workflow table, never decided by comparing status strings.

`cases/workflow.py` holds the transition table and the states other work needs (`WORK`); views,
templates and the concerns ask it (`selectors.can`, `available_actions`, `triage_state`). This
walks those places and fails on a status or stage comparison that is not on the list below,
each entry with the reason it decides nothing.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLACES = [
    "templates",
    "cases/views",
    "cases/templatetags",
    "cases/selectors.py",
    "inbound",
    "insights",
    "messaging",
    "remedies",
    "sla",
    "integrations",
]
COMPARISON = re.compile(
    r"(\bstatus|triage_stage)\s*(==|!=|(not\s+)?in\b)"  # case.status == "closed", status in (...)
    r"|(==|!=)\s*(Status|TriageStage)\."  # ... == Status.NEW
    r"|\.sources\b"  # RULES[...].sources: the table's insides
    r"|\b(not\s+)?in\s+(AFTER_FIX|OPEN_STATUSES)\b"
)
# (file, text on the line) -> why it decides nothing the workflow should.
ALLOWED = {
    ("cases/views/lists.py", 'status if status in {"open", "all", *Status.values}'): (
        "reads the queue's status filter from the query string"
    ),
    ("cases/selectors.py", 'status == "open" or not status'): "the queue's filter, not a rule",
    ("cases/selectors.py", 'status != "all"'): "the queue's filter, not a rule",
    ("templates/cases/queue.html", "filters.status =="): "marks the filter option chosen",
    ("templates/cases/_triage.html", 'ca.status == "open"'): (
        "a corrective action's own state (only an open one can be marked done)"
    ),
    ("templates/remedies/_panel.html", "approval.status == 'approved'"): "an approval's badge colour",
    ("templates/insights/improvements.html", "i.status == 'done'"): "an improvement's badge colour",
    ("templates/insights/improvement_detail.html", "improvement.status == 'done'"): (
        "an improvement's badge colour"
    ),
    ("inbound/imap.py", 'status != "OK"'): "the IMAP server's answer",
    ("inbound/services.py", "status == Outcome."): "what became of an inbound mail, not a case",
    ("inbound/services.py", "message.status != Outcome.QUARANTINED"): "an inbound mail's outcome",
    **dict.fromkeys(
        [
            ("insights/services/improvements.py", "status not in ImprovementStatus.values"),
            ("insights/services/improvements.py", "status != ImprovementStatus.DONE"),
            ("insights/services/improvements.py", "improvement.status == status"),
            ("insights/services/improvements.py", "done = status == ImprovementStatus.DONE"),
        ],
        "an improvement's own states",
    ),
    ("insights/selectors/metrics.py", "if s != Status.CLOSED"): (
        "the dashboard counts open cases by state: a report, not a rule"
    ),
    ("remedies/demo.py", "case.status not in WORKED"): "demo data picks cases that look worked",
}


def _files():
    for place in PLACES:
        path = ROOT / place
        paths = [path] if path.is_file() else sorted(path.rglob("*"))
        for file in paths:
            if file.suffix in {".py", ".html"} and "migrations" not in file.parts:
                yield file


def _comparisons():
    for file in _files():
        name = str(file.relative_to(ROOT))
        for number, line in enumerate(file.read_text().splitlines(), start=1):
            if COMPARISON.search(line):
                yield name, number, line.strip()


def _allowed(name: str, line: str):
    return next(((f, text) for f, text in ALLOWED if f == name and text in line), None)


def test_no_rule_outside_the_workflow_compares_status_strings():
    found = [f"{name}:{number}: {line}" for name, number, line in _comparisons() if not _allowed(name, line)]
    assert found == [], "ask cases.workflow (selectors.can, available_actions) instead:\n" + "\n".join(found)


def test_each_allowed_comparison_is_still_there():
    used = {_allowed(name, line) for name, _number, line in _comparisons()}
    assert set(ALLOWED) - used == set(), "drop these from ALLOWED"


def test_the_check_catches_a_comparison_like_the_ones_replaced():
    for line in (
        '{% if case.status != "closed" %}',
        "if case.status == Status.WAITING_ON_CUSTOMER:",
        "if case.status in RULES[Action.REOPEN].sources:",
        "if case.status not in AFTER_FIX:",
        '{% if case.triage_stage == "what" %}',
    ):
        assert COMPARISON.search(line), line
