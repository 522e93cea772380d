"""Every mail that reaches us, whatever became of it: nothing received is silently dropped."""

from django.db import models


class Via(models.TextChoices):
    SMTP = "smtp", "SMTP listener"
    IMAP = "imap", "IMAP mailbox"


class Outcome(models.TextChoices):
    CASE_OPENED = "case_opened", "Opened a case"
    THREADED = "threaded", "Added to its case"
    AUTO_REPLY = "auto_reply", "Auto-reply (ignored)"
    QUARANTINED = "quarantined", "Quarantined"


class InboundMessage(models.Model):
    # RFC 5322 allows 998 characters per header line; a Message-ID never needs more.
    message_id = models.CharField(max_length=998, unique=True)
    from_address = models.CharField(max_length=320, blank=True)
    from_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=998, blank=True)
    status = models.CharField(max_length=20, choices=Outcome.choices)
    reason = models.TextField(blank=True, help_text="Why it was quarantined or ignored.")
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="inbound_messages"
    )
    received_via = models.CharField(max_length=10, choices=Via.choices)
    received_at = models.DateTimeField(db_index=True)
    size = models.PositiveIntegerField(help_text="Size of the raw message in bytes.")
    raw = models.FileField(upload_to="inbound/raw/%Y/%m/", max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-received_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} ({self.get_status_display()})"


class InboundAttachment(models.Model):
    """A file that came with a mail: stored when its type and size are allowed, noted when not."""

    message = models.ForeignKey(InboundMessage, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    file = models.FileField(upload_to="inbound/attachments/%Y/%m/", max_length=300, blank=True)
    refused_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename

    @property
    def stored(self) -> bool:
        return bool(self.file)
