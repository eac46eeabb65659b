"""Request context and the session idle timeout (ACC-09)."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.utils.translation import gettext as _

from . import context


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Sets the actor, source and request id that the change log and services read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        source = context.Source.API if request.path.startswith("/api/") else context.Source.WEB
        with context.using(user=request.user, source=source, ip=client_ip(request)) as ctx:
            request.request_id = ctx.request_id
            response = self.get_response(request)
        response["X-Request-ID"] = ctx.request_id
        return response


class IdleTimeoutMiddleware:
    """Logs a browser session out after SESSION_IDLE_TIMEOUT_MINUTES without a request (ACC-09).

    Placed after MessageMiddleware (the page says why the user was signed out). An htmx request
    gets `HX-Redirect` so the whole page goes to the login instead of a fragment; an API
    request continues anonymously (and is refused by the API's own authentication).
    Token-authenticated API calls carry no session and are not affected.
    """

    KEY = "zhidu_last_seen"
    #: The clock (seconds since the epoch); tests replace it to drive the timeout.
    clock = staticmethod(time.time)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if hasattr(request, "session") and request.user.is_authenticated:
            now = self.clock()
            last = request.session.get(self.KEY)
            if not isinstance(last, int | float):
                last = None
            limit = settings.SESSION_IDLE_TIMEOUT_MINUTES * 60
            if last is not None and now - last > limit:
                logout(request)
                if not request.path.startswith("/api/"):
                    messages.info(request, _("You were signed out after %(minutes)d minutes without activity.")
                                  % {"minutes": settings.SESSION_IDLE_TIMEOUT_MINUTES})
                    response = redirect_to_login(request.get_full_path())
                    if request.headers.get("HX-Request") == "true":
                        response = HttpResponse(status=204)
                        response["HX-Redirect"] = redirect_to_login(request.get_full_path())["Location"]
                    return response
            else:
                request.session[self.KEY] = now
        return self.get_response(request)


class LanguageMiddleware:
    """Chinese unless the user chose otherwise.

    Browsers send Accept-Language, but an organisation's staff expect the Chinese UI whatever
    their browser says: pages follow the language cookie set by the switch, then
    LANGUAGE_CODE. API clients may ask for a language with Accept-Language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import translation

        supported = {code for code, _name in settings.LANGUAGES}
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in supported:
            language = settings.LANGUAGE_CODE
            if request.path.startswith("/api/"):
                language = translation.get_language_from_request(request) or language
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
