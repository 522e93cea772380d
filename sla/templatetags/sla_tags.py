"""Clocks on the case page and in lists, and the notification bell."""

from django import template
from django.utils import timezone

from .. import selectors
from ..escalation import human_duration
from ..models import ClockState

register = template.Library()


@register.simple_tag
def case_clocks(case):
    return selectors.case_clocks(case)


@register.simple_tag
def unread_notifications(user):
    return selectors.unread_count(user)


@register.filter
def first_warning(clock):
    """The instant the clock turned (or turns) amber."""
    return clock.warned_at or clock.warn_at


@register.filter
def clock_colour(clock) -> str:
    """ok, warn, bad, paused or done: the colour the clock has right now."""
    if clock.stopped_at is not None:
        return "done-late" if clock.breached_at else "done"
    if clock.breached_at or (clock.due_at and clock.due_at <= timezone.now()):
        return "bad"
    if clock.state == ClockState.PAUSED:
        return "paused"
    warn = first_warning(clock)
    return "warn" if warn and warn <= timezone.now() else "ok"


@register.filter
def time_left(clock) -> str:
    if clock.stopped_at is not None:
        if clock.state == ClockState.MET:
            return f"met in {human_duration((clock.business_minutes_taken or 0) * 60)}"
        return "done late" if clock.breached_at else clock.get_state_display().lower()
    if clock.due_at is None:
        return "paused"
    return due_words(clock.due_at)


@register.filter
def due_words(due) -> str:
    if due is None:
        return ""
    left = (due - timezone.now()).total_seconds()
    return f"{human_duration(left)} left" if left >= 0 else f"{human_duration(left)} overdue"


@register.filter
def due_colour(due) -> str:
    if due is None:
        return ""
    left = (due - timezone.now()).total_seconds()
    return "bad" if left < 0 else "warn" if left < 3600 else "ok"


@register.filter
def or_new(form, kind: str):
    """The bound form when re-showing errors, otherwise a fresh one."""
    from ..forms import CustomerUpdateForm, PromiseForm

    if form:
        return form
    return PromiseForm() if kind == "promise" else CustomerUpdateForm()
