"""What messaging holds about a customer: the messages we sent them, with their address."""

from cases.privacy import ERASED, ErasureSubject, register_eraser, register_exporter

from .models import CustomerMessage


def messaging_erase(subject: ErasureSubject) -> dict[str, int]:
    """Address, subject and body go; kind, channel, sender and time stay for the statistics."""
    erased = 0
    for message in CustomerMessage.objects.filter(case_id__in=subject.case_ids).exclude(body=ERASED):
        CustomerMessage.objects.filter(pk=message.pk).update(
            address="",
            subject=ERASED if message.subject else "",
            body=ERASED,
            # Threading headers are our own ids; anything naming the customer is cut out.
            headers=subject.redact(message.headers),
        )
        erased += 1
    return {"messaging.messages": erased}


def messaging_export(subject: ErasureSubject) -> list[dict]:
    return [
        {
            "case": m.case_id,
            "kind": m.kind,
            "channel": m.channel,
            "address": m.address,
            "subject": m.subject,
            "body": m.body,
            "created_at": m.created_at.isoformat(),
            "delivered_at": m.notification.delivered_at.isoformat() if m.notification.delivered_at else None,
        }
        for m in CustomerMessage.objects.filter(case_id__in=subject.case_ids)
        .select_related("notification")
        .order_by("created_at", "id")
    ]


def register() -> None:
    register_eraser("messaging", messaging_erase)
    register_exporter("messaging", messaging_export)
