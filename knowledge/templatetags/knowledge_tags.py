from django import template

from knowledge import selectors

register = template.Library()


@register.simple_tag
def above(pairs, threshold):
    """(thing, score) pairs at or above the threshold: what the UI shows."""
    return [(obj, score) for obj, score in pairs or [] if score >= threshold]


@register.inclusion_tag("knowledge/_dashboard_figures.html")
def knowledge_dashboard(scope):
    """Suggestions' precision and article uses over the dashboard's period, for what the viewer
    may see (scope: the dashboard's, with user, since and until)."""
    period = {"user": scope.user, "since": scope.since, "until": scope.until}
    return {
        "precision": selectors.suggestion_precision(**period),
        "uses": list(selectors.article_use_counts(**period)[:5]),
    }
