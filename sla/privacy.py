"""What the SLA side holds about a customer: the outbox (notifications) and promise labels."""

from django.db.models import Q

from cases.privacy import ERASED, ErasureSubject, register_eraser, register_exporter

from .models import Clock, Firing, Notification


def _notifications(subject: ErasureSubject):
    where = Q(case_id__in=subject.case_ids)
    addresses = [a for a in (subject.email, subject.phone) if a]
    if addresses:
        where |= Q(address__in=addresses)
    for term in subject.search_terms:  # a notification about them that names them without the case
        where |= Q(subject__icontains=term) | Q(body__icontains=term)
    return Notification.objects.filter(where)


def sla_erase(subject: ErasureSubject) -> dict[str, int]:
    """Subjects and bodies (they quote the case and the customer) go; channel and times stay."""
    erased = 0
    for note in _notifications(subject).exclude(body=ERASED):
        Notification.objects.filter(pk=note.pk).update(
            # A staff member's inbox keeps the row (its case link and dates), not the words.
            address="" if note.recipient_id is None else subject.scrub(note.address),
            subject=ERASED,
            body=ERASED,
            last_error=subject.scrub(note.last_error),
        )
        erased += 1
    clocks = 0
    for clock in Clock.objects.filter(case_id__in=subject.case_ids).exclude(label=""):
        if subject.scrub(clock.label) != clock.label:
            Clock.objects.filter(pk=clock.pk).update(label=subject.scrub(clock.label))
            clocks += 1
    for firing in Firing.objects.filter(clock__case_id__in=subject.case_ids).exclude(outcome=""):
        if subject.scrub(firing.outcome) != firing.outcome:
            Firing.objects.filter(pk=firing.pk).update(outcome=subject.scrub(firing.outcome))
    return {"sla.notifications": erased, "sla.clock_labels": clocks}


def sla_export(subject: ErasureSubject) -> list[dict]:
    """What we sent to the customer's own address (staff notifications are not theirs)."""
    return [
        {
            "case": n.case_id,
            "channel": n.channel,
            "address": n.address,
            "subject": n.subject,
            "body": n.body,
            "created_at": n.created_at.isoformat(),
            "delivered_at": n.delivered_at.isoformat() if n.delivered_at else None,
        }
        for n in _notifications(subject).filter(recipient__isnull=True).order_by("created_at", "id")
    ]


def register() -> None:
    register_eraser("sla", sla_erase)
    register_exporter("sla", sla_export)
