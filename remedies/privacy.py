"""What remedies hold about a customer: notes to them. Kinds, amounts and decisions stay."""

from cases.privacy import ERASED, ErasureSubject, register_eraser, register_exporter

from .models import ApprovalRequest, Remedy


def remedies_erase(subject: ErasureSubject) -> dict[str, int]:
    remedies = Remedy.objects.filter(case_id__in=subject.case_ids).exclude(note__in=["", ERASED])
    counts = {"remedies.notes": remedies.update(note=ERASED)}
    approvals = 0
    for approval in ApprovalRequest.objects.filter(case_id__in=subject.case_ids):
        note = ERASED if approval.note else ""
        reason, decision = subject.scrub(approval.reason), subject.scrub(approval.decision_reason)
        if (note, reason, decision) != (approval.note, approval.reason, approval.decision_reason):
            ApprovalRequest.objects.filter(pk=approval.pk).update(
                note=note, reason=reason, decision_reason=decision
            )
            approvals += 1
    counts["remedies.approval_requests"] = approvals
    return counts


def remedies_export(subject: ErasureSubject) -> list[dict]:
    return [
        {
            "case": r.case_id,
            "kind": r.kind.name,
            "amount": str(r.amount),
            "currency": r.currency,
            "plus_one": r.plus_one,
            "note": r.note,
            "given_at": r.given_at.isoformat(),
        }
        for r in Remedy.objects.filter(case_id__in=subject.case_ids)
        .select_related("kind")
        .order_by("given_at", "id")
    ]


def register() -> None:
    register_eraser("remedies", remedies_erase)
    register_exporter("remedies", remedies_export)
