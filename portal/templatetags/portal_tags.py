"""The customer's side on the case page: their link, the call-back, what they did lately."""

from django import template
from django.utils import timezone

from accounts.models import User
from messaging.rendering import format_time

from .. import links, timeline
from ..callbacks import free_slots
from ..models import StatusLink
from ..selectors import case_feed

register = template.Library()


@register.inclusion_tag("portal/_panel.html", takes_context=True)
def customer_side_panel(context, case):
    user = context["request"].user
    feed = case_feed(case)
    callback = feed["callback"]
    agent = callback.agent if callback else (case.owner or user)
    slots = free_slots(case=case, agent=agent, limit=24) if case.is_open else []
    link = StatusLink.objects.filter(case=case, revoked_at__isnull=True).first()
    return {
        **feed,
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "link_url": links.link_url(link) if link else "",
        "slots": [(slot.isoformat(), format_time(case, slot)) for slot in slots],
        "agent": agent,
        "agents": User.objects.filter(teams=case.team, is_active=True).order_by("first_name", "username"),
        "now": timezone.now(),
    }


@register.filter
def local_time(at, case):
    return format_time(case, at)


@register.filter
def portal_sentence(event) -> str:
    return timeline.sentence(event)
