"""The messages panel on the case page."""

from django import template

from ..models import CustomerMessage, MessageKind, MessageTemplate

register = template.Library()


@register.inclusion_tag("messaging/_panel.html")
def messaging_panel(case):
    sent = CustomerMessage.objects.filter(case=case).select_related("notification", "sent_by")[:10]
    templates = MessageTemplate.objects.filter(active=True).exclude(kind=MessageKind.ACKNOWLEDGEMENT)
    return {"case": case, "sent": sent, "templates": templates}
