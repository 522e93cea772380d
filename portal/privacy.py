"""What the customer's side holds about a customer: the photos they sent, the phone number each
call-back was booked for, the agent's notes of the calls, and their status links."""

from django.utils import timezone

from cases.privacy import ERASED, ErasureSubject, delete_file_on_commit, register_eraser, register_exporter

from .models import Callback, CustomerPhoto, StatusLink


def portal_erase(subject: ErasureSubject) -> dict[str, int]:
    """Files leave storage, numbers and notes go; slots, states and times stay for the statistics.
    Their links stop working: an erased customer has no page left to see."""
    counts = {"portal.photos": 0, "portal.callbacks": 0, "portal.links": 0}
    for photo in CustomerPhoto.objects.filter(case_id__in=subject.case_ids).exclude(filename=ERASED):
        delete_file_on_commit(photo.file)
        CustomerPhoto.objects.filter(pk=photo.pk).update(filename=ERASED, file="")
        counts["portal.photos"] += 1
    for callback in Callback.objects.filter(case_id__in=subject.case_ids).exclude(phone=ERASED):
        Callback.objects.filter(pk=callback.pk).update(phone=ERASED, note=subject.scrub(callback.note))
        counts["portal.callbacks"] += 1
    counts["portal.links"] = StatusLink.objects.filter(
        case_id__in=subject.case_ids, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    return counts


def portal_export(subject: ErasureSubject) -> list[dict]:
    photos = [
        {"case": p.case_id, "photo": p.filename, "size": p.size, "sent_at": p.created_at.isoformat()}
        for p in CustomerPhoto.objects.filter(case_id__in=subject.case_ids).order_by("created_at", "id")
    ]
    calls = [
        {
            "case": c.case_id,
            "call_back_at": c.starts_at.isoformat(),
            "phone": c.phone,
            "state": c.state,
            "note": c.note,
        }
        for c in Callback.objects.filter(case_id__in=subject.case_ids).order_by("starts_at", "id")
    ]
    return photos + calls


def register() -> None:
    register_eraser("portal", portal_erase)
    register_exporter("portal", portal_export)
