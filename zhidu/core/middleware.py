"""Request context and the session idle timeout (ACC-09)."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
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
    """Logs a browser session out after SESSION_IDLE_TIMEOUT_MINUTES without a request (ACC-09)."""

    KEY = "zhidu_last_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            last = request.session.get(self.KEY)
            limit = settings.SESSION_IDLE_TIMEOUT_MINUTES * 60
            if last is not None and now - last > limit:
                logout(request)
                if not request.path.startswith("/api/"):
                    messages.info(request, _("You were signed out after %(minutes)d minutes without activity.")
                                  % {"minutes": settings.SESSION_IDLE_TIMEOUT_MINUTES})
                    return redirect_to_login(request.get_full_path())
            else:
                request.session[self.KEY] = now
        return self.get_response(request)
