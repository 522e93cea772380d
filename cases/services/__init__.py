"""The only writers of case state. Views, the API, admin actions and tasks call these."""

from .intake import case_open, customer_create, customer_find_or_create, customer_matches
from .locking import CaseChanged, case_lock
from .notes import case_add_note, case_update
from .ownership import case_assign
from .transitions import case_facts, case_transition
from .triage import (
    corrective_action_add,
    corrective_action_set_status,
    triage_record_different,
    triage_record_what,
    triage_record_why,
)

__all__ = [
    "CaseChanged",
    "case_lock",
    "case_add_note",
    "case_assign",
    "case_facts",
    "case_open",
    "case_transition",
    "case_update",
    "corrective_action_add",
    "corrective_action_set_status",
    "customer_create",
    "customer_find_or_create",
    "customer_matches",
    "triage_record_different",
    "triage_record_what",
    "triage_record_why",
]
