"""The desk's parts of other pages: macro buttons on the intake form and the case page."""

from django import template

from cases.permissions import is_lead

from ..macros import macros_offered

register = template.Library()


@register.inclusion_tag("desk/_intake_macros.html")
def intake_macros():
    return {"macros": macros_offered()}


@register.inclusion_tag("desk/_case_macros.html", takes_context=True)
def case_macros(context, case):
    return {
        "case": case,
        "macros": macros_offered(),
        "leads": is_lead(context["user"]),
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
    }
