"""API tokens: created with the key shown once, stored as a hash, revoked by a date."""

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Role, Team, User

from .models import ApiToken, hash_key

KEY_PREFIX = "rcv_"
# Touching last_used_at on every request would turn each read into a write.
LAST_USED_GRANULARITY = datetime.timedelta(minutes=1)


def api_token_create(
    *,
    name: str,
    teams: list[Team],
    can_write: bool,
    created_by: User | None = None,
    role: str = Role.TEAM_LEAD,
) -> tuple[ApiToken, str]:
    """Create a token and the integration's own user; returns the token and its key (shown once).

    The user is the integration's identity in the timeline; it belongs to exactly the token's
    teams, so the same team scoping as the browser applies. Team leads may take the WHY and
    WHAT DIFFERENT steps, which integrations that walk the triage need. It is not a person:
    it owns no cases and has no authority over money or approvals (see `token_people`).
    """
    name = name.strip()
    errors = {}
    if not name:
        errors["name"] = "Give the integration a name."
    elif ApiToken.objects.filter(name=name).exists():
        errors["name"] = f"A token named {name!r} already exists."
    if not teams:
        errors["teams"] = "Give at least one team: a token sees only its teams' cases."
    if role not in {Role.AGENT, Role.TEAM_LEAD}:
        errors["role"] = "An integration acts as an agent or a team lead."
    if errors:
        raise ValidationError(errors)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        username = f"api-{slugify(name)[:100]}-{secrets.token_hex(3)}"
        user = User(username=username, first_name=name[:150], role=role)
        user.set_unusable_password()
        user.save()
        user.teams.set(teams)
        token = ApiToken.objects.create(
            name=name,
            prefix=key[:12],
            key_hash=hash_key(key),
            user=user,
            can_write=can_write,
            created_by=created_by,
        )
        token.teams.set(teams)
    return token, key


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_sync_teams(*, token: ApiToken) -> None:
    """The integration's user follows the token's teams, so scoping cannot drift apart."""
    token.user.teams.set(token.teams.all())


def api_token_for_key(key: str) -> ApiToken | None:
    """The active token for `key`, or None. Marks it used (at most once a minute)."""
    if not key.startswith(KEY_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def is_integration_user(user) -> bool:
    """Whether `user` is a token's own user rather than a person."""
    # The reverse one-to-one raises an AttributeError subclass when there is no token.
    return user is not None and getattr(user, "api_token", None) is not None


def token_people(token: ApiToken):
    """The people a token may act on behalf of: active members of its teams, never a token's user."""
    return (
        User.objects.filter(is_active=True, teams__in=token.teams.all(), api_token__isnull=True)
        .distinct()
        .order_by("pk")
    )
