"""DRF authentication that attributes the request to the authenticated user.

The request-context middleware runs before DRF authenticates a token, so without this a
change made through the API with `Authorization: Token <key>` would be logged without actor.
Settings: REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"].
"""

from rest_framework import authentication

from zhidu.core import context


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`; one token per user, managed on the account page."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            context.bind_user(result[0])
        return result


class SessionAuthentication(authentication.SessionAuthentication):
    """The browser session; unsafe methods need the CSRF token (enforced by DRF)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            context.bind_user(result[0])
        return result


# OpenAPI (drf-spectacular): the same security schemes as DRF's classes ("tokenAuth", "cookieAuth").
try:
    from drf_spectacular.authentication import SessionScheme, TokenScheme
except ImportError:  # pragma: no cover
    pass
else:

    class ZhiduTokenScheme(TokenScheme):
        target_class = "zhidu.core.auth.authentication.TokenAuthentication"

    class ZhiduSessionScheme(SessionScheme):
        target_class = "zhidu.core.auth.authentication.SessionAuthentication"
