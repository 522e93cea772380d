"""Managing webhook subscriptions: who may subscribe to which teams' events."""

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Team, User

from . import egress, webhooks
from .models import EventType, WebhookSubscription

MIN_SECRET = 16


def subscriptions_visible(user: User):
    """Managers and admins see every subscription; others see the ones they created."""
    # How many deliveries wait (due, retrying, or held while paused), for the list and the detail.
    waiting = Count("deliveries", filter=Q(deliveries__next_attempt_at__isnull=False))
    subs = WebhookSubscription.objects.prefetch_related("teams").annotate(waiting=waiting)
    return subs if user.sees_all_teams else subs.filter(created_by=user)


def _check(
    *, actor: User, teams: list[Team] | None, event_types: list[str], secret: str | None, url: str | None
) -> list[Team]:
    errors = {}
    if url is not None:
        try:
            egress.url_check(url)
        except egress.Refused as exc:
            errors["url"] = str(exc)
    unknown = sorted(set(event_types) - set(EventType.values))
    if unknown:
        errors["event_types"] = f"Unknown event types: {', '.join(unknown)}."
    if secret is not None and len(secret) < MIN_SECRET:
        errors["secret"] = f"Use a secret of at least {MIN_SECRET} characters."
    if errors:
        raise ValidationError(errors)
    if not actor.leads:
        raise PermissionDenied("Webhook subscriptions are for team leads, managers and integrations.")
    if not teams:
        if actor.sees_all_teams:
            return []
        teams = list(actor.teams.all())
    if not actor.sees_all_teams:
        mine = set(actor.teams.values_list("pk", flat=True))
        outside = [t.name for t in teams if t.pk not in mine]
        if outside:
            raise ValidationError(
                {"teams": f"You cannot subscribe to these teams' events: {', '.join(outside)}."}
            )
    return teams


def webhook_subscription_create(
    *,
    actor: User,
    name: str,
    url: str,
    event_types: list[str],
    teams: list[Team] | None = None,
    secret: str | None = None,
) -> WebhookSubscription:
    """Subscribe `url`; without teams, to the actor's teams (or every team for managers)."""
    teams = _check(actor=actor, teams=teams, event_types=event_types, secret=secret, url=url)
    with transaction.atomic():
        sub = WebhookSubscription.objects.create(
            name=name.strip(),
            url=url,
            event_types=sorted(set(event_types)),
            secret=secret or secrets.token_urlsafe(32),
            created_by=actor,
        )
        sub.teams.set(teams)
    return sub


def webhook_subscription_update(*, actor: User, subscription: WebhookSubscription, changes: dict):
    """Change a subscription. Switching it off pauses delivery; switching it back on clears its
    failures and sends what waited, oldest first."""
    teams = changes.pop("teams", None)
    event_types = changes.get("event_types", subscription.event_types)
    checked = _check(
        actor=actor,
        teams=teams,
        event_types=event_types,
        secret=changes.get("secret"),
        url=changes.get("url"),
    )
    with transaction.atomic():
        sub = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        # Compared with the locked row, not the caller's copy, which may predate an automatic pause.
        resumed = changes.get("active") is True and not sub.active
        paused = changes.get("active") is False and sub.active
        for name, value in changes.items():
            setattr(sub, name, sorted(set(value)) if name == "event_types" else value)
        if resumed:
            sub.failure_count, sub.failing_since, sub.disabled_at, sub.disabled_reason = 0, None, None, ""
        elif paused:
            sub.disabled_at, sub.disabled_reason = timezone.now(), f"Paused by {actor}."
        sub.save()
        if resumed:
            webhooks.deliveries_release(subscription=sub)
        if teams is not None:
            sub.teams.set(checked)
    return sub
