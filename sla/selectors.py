"""Read-side queries for clocks, the at-risk view, queues and the notification bell."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone

from cases.models import Case
from cases.permissions import visible_cases

from .models import Clock, ClockState, Notification, NotificationChannel


def case_clocks(case: Case) -> list[Clock]:
    """The case's running clocks by due time, then the finished ones, newest first."""
    clocks = list(Clock.objects.filter(case=case).select_related("policy").order_by("-started_at", "-id"))
    active = sorted((c for c in clocks if c.stopped_at is None), key=lambda c: (c.due_at is None, c.due_at))
    done = [c for c in clocks if c.stopped_at is not None and c.state != ClockState.CANCELLED]
    return active + done


def with_next_due(qs: QuerySet[Case]) -> QuerySet[Case]:
    """Annotate `next_due`: the earliest due time among the case's running clocks."""
    soonest = (
        Clock.objects.filter(case=OuterRef("pk"), stopped_at__isnull=True, due_at__isnull=False)
        .order_by("due_at")
        .values("due_at")[:1]
    )
    return qs.annotate(next_due=Subquery(soonest))


def by_time_to_breach(qs: QuerySet[Case]) -> QuerySet[Case]:
    """Soonest deadline first; cases with no running clock last, oldest intake first."""
    return with_next_due(qs).order_by(F("next_due").asc(nulls_last=True), "opened_at", "id")


def _visible_clocks(user) -> QuerySet[Clock]:
    return Clock.objects.filter(case__in=visible_cases(user)).select_related(
        "case__customer", "case__owner", "case__team"
    )


def clocks_at_risk(user, *, now: datetime, within: timedelta = timedelta(hours=1)) -> QuerySet[Clock]:
    """Running clocks not yet breached that fall due within the next hour, soonest first."""
    return (
        _visible_clocks(user)
        .filter(stopped_at__isnull=True, breached_at__isnull=True, due_at__gte=now, due_at__lt=now + within)
        .order_by("due_at", "id")
    )


def breaches_today(user, *, now: datetime) -> QuerySet[Clock]:
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return (
        _visible_clocks(user)
        .filter(breached_at__gte=midnight, breached_at__lte=now)
        .order_by("-breached_at", "-id")
    )


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(
        recipient=user, channel=NotificationChannel.IN_APP, read_at__isnull=True
    ).count()


def inbox(user, limit: int = 100) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, channel=NotificationChannel.IN_APP).select_related(
        "case"
    )[:limit]


# What each notice is, from the event that caused it (the subject alone can read alike for a late
# warning and the breach).
ENTRY_KINDS = (
    ("sla.clock.warned", "warning", "Warning"),
    ("sla.clock.breached", "breach", "Breach"),
    ("sla.clock.escalated", "escalation", "Escalation"),
)


def entry_kind(kind: str) -> tuple[str, str]:
    """(css word, label) for a notice's event kind."""
    for prefix, word, label in ENTRY_KINDS:
        if kind.startswith(prefix):
            return word, label
    if "approval" in kind:
        return "approval", "Approval decided" if "decided" in kind else "Approval asked"
    return "notice", "Notice"


@dataclass
class NoticeGroup:
    """One case's notices, newest first: the bell lists a case once however often it rang."""

    case: Case | None
    entries: list
    latest: datetime
    unread: int


def inbox_by_case(user, limit: int = 100) -> list[NoticeGroup]:
    groups: dict = {}
    rows = Notification.objects.filter(recipient=user, channel=NotificationChannel.IN_APP).select_related(
        "case", "event"
    )[:limit]
    for n in rows:
        n.entry_word, n.entry_label = entry_kind(n.event.kind if n.event_id else "")
        key = n.case_id or f"n{n.pk}"
        if key not in groups:
            groups[key] = NoticeGroup(case=n.case, entries=[], latest=n.created_at, unread=0)
        groups[key].entries.append(n)
        groups[key].unread += n.read_at is None
    return list(groups.values())


def failed_deliveries(limit: int = 200) -> QuerySet[Notification]:
    return Notification.objects.filter(failed_at__isnull=False, delivered_at__isnull=True).select_related(
        "recipient", "case"
    )[:limit]


def pending_deliveries() -> int:
    return Notification.objects.filter(next_attempt_at__isnull=False).count()
