"""API tokens: created with the key shown once, stored as a hash, revoked by a date."""

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Role, Team, User
from cases import config

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
    """The active token for `key`, or None. Marks it used (at most once a minute).

    Tokens that answered are kept per process with the static configuration (cases.config), with
    their user and its teams: a request then reads no row to know who asks. Saving or deleting a
    token, a user or a team, or changing who is in a team (revoking, deactivating, re-scoping),
    drops them in this process at once and in every other within CONFIG_RECHECK_SECONDS. A key
    that matches nothing is not kept, so guessing fills no memory.
    """
    if not key.startswith(KEY_PREFIX):
        return None
    key_hash = hash_key(key)
    known = config.cached(TOKENS, dict)
    held = known.get(key_hash)
    if held is None:
        token = ApiToken.objects.select_related("user").filter(key_hash=key_hash).first()
        if token is None:
            return None
        held = known[key_hash] = _TokenRow.of(token)
    token = held.token()
    if token.revoked_at is not None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = held.token_values[held.last_used] = now
    return token


TOKENS = "api-tokens"
_TOKEN_FIELDS = [f.attname for f in ApiToken._meta.concrete_fields]
_USER_FIELDS = [f.attname for f in User._meta.concrete_fields]
_TEAM_FIELDS = [f.attname for f in Team._meta.concrete_fields]


class _TokenRow:
    """A token's and its user's column values; each request gets its own instances of them, so
    nothing one request notes on its user (its teams) reaches the next."""

    last_used = _TOKEN_FIELDS.index("last_used_at")

    def __init__(self, token_values: list, user_values: list, team_values: list):
        self.token_values, self.user_values, self.team_values = token_values, user_values, team_values

    @classmethod
    def of(cls, token: ApiToken) -> "_TokenRow":
        return cls(
            [getattr(token, name) for name in _TOKEN_FIELDS],
            [getattr(token.user, name) for name in _USER_FIELDS],
            [[getattr(team, name) for name in _TEAM_FIELDS] for team in token.user.my_teams],
        )

    def token(self) -> ApiToken:
        token = ApiToken.from_db("default", _TOKEN_FIELDS, list(self.token_values))
        token.user = User.from_db("default", _USER_FIELDS, self.user_values)
        # The teams its user works in (User.my_teams), as they were when the token was kept.
        token.user._my_teams = [Team.from_db("default", _TEAM_FIELDS, values) for values in self.team_values]
        return token


def _tokens_changed(sender, update_fields=None, **kwargs) -> None:
    if sender is User and update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a sign-in changes nothing a token's request reads
    config.changed(TOKENS)


def register() -> None:
    for model in (ApiToken, User, Team):
        post_save.connect(_tokens_changed, sender=model, dispatch_uid=f"api-tokens-save-{model.__name__}")
        post_delete.connect(_tokens_changed, sender=model, dispatch_uid=f"api-tokens-delete-{model.__name__}")
    m2m_changed.connect(_tokens_changed, sender=User.teams.through, dispatch_uid="api-tokens-teams")


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
