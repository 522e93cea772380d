"""The conversation and reply composer on the case page."""

from django import template

from ..conversation import case_conversation
from ..forms import ReplyForm
from ..models import MessageKind, MessageTemplate
from ..rendering import message_render

register = template.Library()


@register.inclusion_tag("messaging/_panel.html", takes_context=True)
def messaging_panel(context, case):
    # A refused reply comes back bound, with its errors and everything typed (see views.reply).
    request = context.get("request")
    form = getattr(request, "messaging_reply_form", None) or ReplyForm()
    subject = form["subject"].value() or ""
    body = form["body"].value() or ""
    preview = message_render(case=case, subject=subject, body=body)
    templates = MessageTemplate.objects.filter(active=True).exclude(kind=MessageKind.ACKNOWLEDGEMENT)
    return {
        "case": case,
        "form": form,
        "preview": preview,
        "templates": templates,
        "conversation": case_conversation(case),
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }
