"""Reading parameter values: `params.get(key)`, cached per process, correct across processes.

The cache holds every stored value together with the `ParameterRevision.version` it was read
at. A read checks the revision (one indexed single-row query) and reloads the values only when
another process (or this one) committed a change. Inside a web request the revision is checked
once, at the first read: later reads in the same request cost no query, and the request sees
one consistent set of parameters. After `set_value` in the current transaction, reads bypass
the shared cache until the transaction commits, so an uncommitted value never leaks to other
threads.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import ValidationError
from django.core.signals import request_finished, request_started
from django.dispatch import receiver

from .registry import definition

_lock = threading.Lock()
_cache: dict = {"version": None, "values": {}}

# Per-request snapshot: None outside a request; a dict (filled at the first read) inside one.
_request_scope: ContextVar[dict | None] = ContextVar("zhidu_params_request_scope", default=None)
# Set by set_value until its transaction commits: read straight from the database.
_dirty: ContextVar[bool] = ContextVar("zhidu_params_dirty", default=False)


@receiver(request_started)
def _begin_request(**kwargs):
    _request_scope.set({})
    _dirty.set(False)


@receiver(request_finished)
def _end_request(**kwargs):
    _request_scope.set(None)


def _current_version() -> int:
    from .models import ParameterRevision

    return ParameterRevision.objects.filter(pk=1).values_list("version", flat=True).first() or 0


def _load_values() -> dict:
    from .models import ParameterValue

    return dict(ParameterValue.objects.values_list("key", "value"))


def stored_values() -> dict:
    """Every stored raw (JSON) value, by key, from the cache when it is current."""
    global _cache
    if _dirty.get():
        return _load_values()
    scope = _request_scope.get()
    if scope is not None and "values" in scope:
        return scope["values"]
    version = _current_version()
    with _lock:
        cached = _cache
    if cached["version"] != version:
        values = _load_values()
        with _lock:
            _cache = cached = {"version": version, "values": values}
    if scope is not None:
        scope["values"] = cached["values"]
    return cached["values"]


def mark_dirty() -> None:
    """Called by set_value: until commit, this context reads values from the database."""
    from django.db import transaction

    _dirty.set(True)
    scope = _request_scope.get()
    if scope is not None:
        scope.clear()
    transaction.on_commit(lambda: _dirty.set(False))


def clear_cache() -> None:
    """Forget the process cache (tests, or after restoring a database)."""
    global _cache
    with _lock:
        _cache = {"version": None, "values": {}}
    scope = _request_scope.get()
    if scope is not None:
        scope.clear()


@contextmanager
def snapshot():
    """Read parameters as one consistent set, checking the revision once (for jobs and commands;
    web requests get this automatically)."""
    token = _request_scope.set({})
    try:
        yield
    finally:
        _request_scope.reset(token)


def get(key: str):
    """The typed value of `key`: the stored value, or the declared default."""
    param = definition(key)
    values = stored_values()
    if key in values and values[key] is not None:
        try:
            return param.to_python(values[key])
        except ValidationError:  # a stored value that no longer fits the declaration: use the default
            return param.default
    return param.default


def is_default(key: str) -> bool:
    return stored_values().get(key) is None
