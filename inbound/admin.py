"""Admin: the list of everything received, and the quarantine an admin inspects and releases."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from .models import InboundAttachment, InboundMessage, Outcome
from .services import TEMPORARY_ERRORS, message_reprocess

RAW_PREVIEW_BYTES = 20_000


class AttachmentInline(admin.TabularInline):
    model = InboundAttachment
    extra = 0
    fields = ["filename", "content_type", "size", "file", "refused_reason"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ["received_at", "status", "from_address", "subject", "case_link", "reason", "received_via"]
    list_filter = ["status", "received_via"]
    search_fields = ["message_id", "from_address", "subject", "case__reference"]
    list_select_related = ["case"]
    date_hierarchy = "received_at"
    readonly_fields = [f.name for f in InboundMessage._meta.concrete_fields] + ["raw_preview"]
    inlines = [AttachmentInline]
    actions = ["reprocess"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Received mail is evidence: it stays, whatever became of it.
        return False

    @admin.display(description="case", ordering="case__reference")
    def case_link(self, obj):
        if obj.case_id is None:
            return "-"
        return format_html(
            '<a href="{}">{}</a>', reverse("cases:detail", args=[obj.case.reference]), obj.case.reference
        )

    @admin.display(description="raw message (start)")
    def raw_preview(self, obj):
        if not obj.raw:
            return "-"
        try:
            with obj.raw.open("rb") as stored:
                head = stored.read(RAW_PREVIEW_BYTES)
        except OSError as exc:
            return f"The stored file cannot be read: {exc}"
        more = " …" if obj.size > RAW_PREVIEW_BYTES else ""
        return format_html(
            "<pre>{}{}</pre>",
            head.decode("utf-8", errors="replace"),
            more,
        )

    @admin.action(description="Take the selected quarantined mail in again", permissions=["change"])
    def reprocess(self, request, queryset):
        outcomes = []
        for message in queryset.filter(status=Outcome.QUARANTINED):
            try:
                receipt = message_reprocess(message=message)
            except TEMPORARY_ERRORS as exc:
                self.message_user(request, f"{message.message_id}: not now ({exc}).", messages.ERROR)
                continue
            outcomes.append(f"{message.message_id}: {receipt.message.get_status_display()}")
        if outcomes:
            self.message_user(request, "; ".join(outcomes), messages.SUCCESS)
        else:
            self.message_user(request, "No quarantined mail was selected.", messages.WARNING)
