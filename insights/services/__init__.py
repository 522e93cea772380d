"""The writers of the learning loop. Case state still moves only through cases.services."""

from .followup import follow_up_record, recovery_follow_up_open
from .improvements import improvement_promote, improvement_set_status
from .surveys import SURVEY_DAYS, SurveyError, survey_answer, survey_find, survey_send

__all__ = [
    "SURVEY_DAYS",
    "SurveyError",
    "follow_up_record",
    "improvement_promote",
    "improvement_set_status",
    "recovery_follow_up_open",
    "survey_answer",
    "survey_find",
    "survey_send",
]
