from django import template

from ..models import InboundAttachment

register = template.Library()


@register.inclusion_tag("inbound/_case_attachments.html")
def case_attachments(case):
    """The files the customer sent by mail, on the case page (the page already checked access)."""
    attachments = (
        InboundAttachment.objects.filter(message__case=case)
        .select_related("message")
        .order_by("message__received_at", "id")
    )
    return {"attachments": list(attachments)}
