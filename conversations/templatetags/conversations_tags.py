"""The public-post panel on the case page and the public cases on the dashboard."""

from django import template
from django.db.models import Avg, Count, Q

from cases.permissions import visible_cases

from ..models import PublicCase
from ..services.mentions import PRIVATE_CHANNELS

register = template.Library()

DASHBOARD_ROWS = 10


@register.inclusion_tag("conversations/_public_panel.html", takes_context=True)
def public_case_panel(context, case):
    public = PublicCase.objects.filter(case=case).first()
    mentions = case.mentions.order_by("-received_at")[:5] if public else []
    return {
        "case": case,
        "public": public,
        "mentions": mentions,
        "channels": PRIVATE_CHANNELS,
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("conversations/_dashboard_public.html", takes_context=True)
def public_cases_summary(context):
    user = context.get("user")
    public = PublicCase.objects.filter(case__in=visible_cases(user))
    figures = public.aggregate(
        count=Count("pk"),
        replied=Count("pk", filter=Q(replied_at__isnull=False)),
        rating_before=Avg("first_rating"),
        rating_after=Avg("rating", filter=Q(replied_at__isnull=False)),
    )
    rows = public.select_related("case").order_by("-case__opened_at", "-case_id")[:DASHBOARD_ROWS]
    return {"figures": figures, "rows": rows}
