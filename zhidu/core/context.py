"""Request context (actor, request id, source) carried in a ContextVar (DESIGN rule 5).

Services and the change log read it, so that a change made by a view, an API call, an
import or a background job is attributed without passing the request around.
"""

import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace


class Source:
    WEB = "web"
    API = "api"
    IMPORT = "import"
    JOB = "job"
    SYSTEM = "system"


@dataclass(frozen=True)
class RequestContext:
    user: object | None = None
    source: str = Source.SYSTEM
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    ip: str | None = None


_current: ContextVar[RequestContext | None] = ContextVar("zhidu_request_context", default=None)


def current() -> RequestContext:
    """The context of the running request, job or command; outside any, a system context
    with a request id of its own (so unrelated changes are never grouped under one id)."""
    return _current.get() or RequestContext()


def bind_user(user) -> None:
    """Attribute the rest of the current request to `user`.

    For the API: DRF authenticates a token inside the view, after the middleware opened the
    request context with the (anonymous) session user. `using()` restores the outer context
    when the request ends, so this never leaks into the next request.
    """
    _current.set(replace(current(), user=user))


@contextmanager
def using(*, user=None, source: str = Source.SYSTEM, request_id: str | None = None, ip: str | None = None):
    """Run a block as `user` from `source` (a job, an import, a management command)."""
    token = _current.set(
        RequestContext(user=user, source=source, request_id=request_id or uuid.uuid4().hex, ip=ip)
    )
    try:
        yield _current.get()
    finally:
        _current.reset(token)
