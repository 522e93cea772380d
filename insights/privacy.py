"""What insights hold about a customer: survey links and answers, follow-up notes. Scores stay."""

from cases.privacy import ERASED, ErasureSubject, register_eraser, register_exporter

from .models import FollowUpOutcome, SurveyInvitation, SurveyResponse


def insights_erase(subject: ErasureSubject) -> dict[str, int]:
    ids = subject.case_ids
    return {
        "insights.survey_invitations": SurveyInvitation.objects.filter(case_id__in=ids)
        .exclude(recipient="")
        .update(recipient=""),
        "insights.survey_comments": SurveyResponse.objects.filter(case_id__in=ids)
        .exclude(comment__in=["", ERASED])
        .update(comment=ERASED),
        "insights.follow_up_notes": FollowUpOutcome.objects.filter(case_id__in=ids)
        .exclude(note__in=["", ERASED])
        .update(note=ERASED),
    }


def insights_export(subject: ErasureSubject) -> dict[str, list]:
    ids = subject.case_ids
    return {
        "survey_answers": [
            {
                "case": r.case_id,
                "score": r.score,
                "comment": r.comment,
                "answered_at": r.answered_at.isoformat(),
            }
            for r in SurveyResponse.objects.filter(case_id__in=ids).order_by("answered_at", "id")
        ],
        "follow_ups": [
            {
                "case": f.case_id,
                "outcome": f.outcome,
                "retained": f.retained,
                "note": f.note,
                "recorded_at": f.recorded_at.isoformat(),
            }
            for f in FollowUpOutcome.objects.filter(case_id__in=ids).order_by("recorded_at", "id")
        ],
    }


def register() -> None:
    register_eraser("insights", insights_erase)
    register_exporter("insights", insights_export)
