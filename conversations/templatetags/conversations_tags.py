"""The public-post panel on the case page and the public cases on the dashboard."""

from django import template
from django.db.models import Avg, Count, Q, Window

from cases.permissions import visible_cases

from ..models import PublicCase
from ..services.mentions import PRIVATE_CHANNELS

register = template.Library()

DASHBOARD_ROWS = 10


@register.inclusion_tag("conversations/_public_panel.html", takes_context=True)
def public_case_panel(context, case):
    public = PublicCase.objects.filter(case=case).first()  # one query; none of the rest when not public
    return {
        "case": case,
        "public": public,
        "channels": PRIVATE_CHANNELS,
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("conversations/_dashboard_public.html", takes_context=True)
def public_cases_summary(context):
    user = context.get("user")
    replied = Q(replied_at__isnull=False)
    # One query: the newest rows, each carrying the figures over every visible public case.
    rows = list(
        PublicCase.objects.filter(case__in=visible_cases(user))
        .select_related("case")
        .annotate(
            total=Window(Count("pk")),
            answered=Window(Count("pk", filter=replied)),
            before=Window(Avg("first_rating")),
            after=Window(Avg("rating", filter=replied)),
        )
        .order_by("-case__opened_at", "-case_id")[:DASHBOARD_ROWS]
    )
    first = rows[0] if rows else None
    figures = {
        "count": first.total if first else 0,
        "replied": first.answered if first else 0,
        "rating_before": first.before if first else None,
        "rating_after": first.after if first else None,
    }
    return {"figures": figures, "rows": rows}
