"""`{% rule_history obj %}`: the latest changes of one rule record, with links to all of it."""

from django import template

from ..history import changes_of

register = template.Library()


@register.inclusion_tag("accounts/_rule_history.html")
def rule_history(obj, limit: int = 10):
    model = type(obj)
    changes = changes_of(model.history.filter(id=obj.pk), model) if obj.pk else []
    return {
        "changes": changes[:limit],
        "more": len(changes) > limit,
        "label": model._meta.label_lower,
        "pk": obj.pk,
    }
