"""How the API knows who is asking: an integration's token, or the browser's session."""

import functools
import uuid

from django.conf import settings
from django.core.cache import caches
from rest_framework import authentication, exceptions, permissions, serializers, throttling

from .models import ApiToken
from .tokens import api_token_for_key, token_people


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <key>`; request.user is the integration's user, request.auth the token."""

    keyword = "token"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send the header as 'Authorization: Token <key>'.")
        try:
            key = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("The token is not valid.") from None
        token = api_token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed("The token is not valid or has been revoked.")
        return (token.user, token)

    def authenticate_header(self, request):
        # Makes DRF answer 401 (with WWW-Authenticate) rather than 403 when no credentials came.
        return "Token"


class TokenScope(permissions.BasePermission):
    """Read-only tokens may read; only write tokens (and people in the browser) may change things."""

    message = "This token is read-only: ask for a token with write access."

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        token = request.auth
        return not isinstance(token, ApiToken) or token.can_write


class TokenRateThrottle(throttling.SimpleRateThrottle):
    """Per token (or per signed-in user); the rate comes from API_THROTTLE_RATE at request time."""

    scope = "api"

    def __init__(self):
        self.cache = caches[getattr(settings, "API_THROTTLE_CACHE", "default")]
        super().__init__()

    def get_rate(self):
        return getattr(settings, "API_THROTTLE_RATE", None)

    def allow_request(self, request, view):
        redis = getattr(self.cache, "_cache", None)
        if self.rate is None or not hasattr(redis, "get_client"):
            return super().allow_request(request, view)  # the embedded default: DRF's own
        self.key = self.get_cache_key(request, view)
        # DRF keeps the window as a pickled list of every request's time, read and written whole:
        # at 6,000 a minute that is 6,000 floats each way per request. A sorted set in Redis
        # holds the same sliding window, trimmed, counted and added to in one round trip.
        key = self.cache.make_and_validate_key(self.key)
        client = redis.get_client(key, write=True)
        self.now = self.timer()
        allowed, oldest = _sliding_window_script()(
            keys=[key],
            args=[repr(self.now), self.duration, self.num_requests, uuid.uuid4().hex],
            client=client,
        )
        if allowed:
            return True
        self.history = [float(oldest)]
        return self.throttle_failure()

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.key_hash[:24]}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"anon-{self.get_ident(request)}"
        return f"throttle_{self.scope}_{ident}"


_SLIDING_WINDOW = """
local key, now, window, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) >= limit then
  return {0, redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2]}
end
redis.call('ZADD', key, now, ARGV[4])
redis.call('EXPIRE', key, math.ceil(window))
return {1, false}
"""


@functools.cache
def _sliding_window_script():
    from redis.commands.core import Script

    return Script(None, _SLIDING_WINDOW.encode())  # bytes: no client needed to hash it


ON_BEHALF_OF_HELP = (
    "The person whose authority this uses. Required with a token (a token has no authority of its "
    "own over money or approvals): a user in the token's teams. Leave it out in the browser."
)


NO_AUTHORITY = "A token has no authority over money or approvals: name the person it acts for."


def acting_person(request, on_behalf_of) -> tuple[object, dict]:
    """Who gives a remedy or decides an approval, and the token it came through (for the timeline).

    People act as themselves. A token acts only for a named person of its teams, whose own caps
    and role then decide; it is never the authority itself.
    """
    token = request.auth
    if not isinstance(token, ApiToken):
        if on_behalf_of is not None and on_behalf_of.pk != request.user.pk:
            raise serializers.ValidationError(
                {"on_behalf_of": ["Signed in, you act as yourself: leave on_behalf_of out."]}
            )
        return request.user, {}
    if on_behalf_of is None:
        raise serializers.ValidationError(
            {
                "on_behalf_of": [
                    "A token has no authority over money or approvals: name the person it acts for."
                ]
            }
        )
    if not token_people(token).filter(pk=on_behalf_of.pk).exists():
        raise serializers.ValidationError({"on_behalf_of": ["Name an active person in this token's teams."]})
    return on_behalf_of, {"via_token": token.pk, "via_token_name": token.name}
