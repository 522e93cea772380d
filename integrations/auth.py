"""How the API knows who is asking: an integration's token, or the browser's session."""

from django.conf import settings
from django.core.cache import caches
from rest_framework import authentication, exceptions, permissions, throttling

from .models import ApiToken
from .tokens import api_token_for_key


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

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.key_hash[:24]}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"anon-{self.get_ident(request)}"
        return f"throttle_{self.scope}_{ident}"
