"""Regulation parameters: thresholds, periods, SLA hours and variants (catalogue §24, §26).

    from zhidu.core import params
    params.define(key="procurement.approval_threshold", kind=params.Kind.MONEY, default=Decimal("50000.00"),
                  label=_("..."), article="篇1 第九条(2)", requirement="PRC-03, VAR-01, N03", group=_("Procurement"))
    params.get("procurement.approval_threshold")          # Decimal("50000.00") or the stored value
    params.set_value(key=..., value=..., actor=user, note="...")

Declarations live in code (`define`, in AppConfig.ready()); values and history in the
database. See `store` for how reads are cached and kept correct across processes.
"""

from . import store
from .registry import Kind, Parameter, define, definition, definitions, is_defined, undefine

get = store.get
is_default = store.is_default
clear_cache = store.clear_cache
snapshot = store.snapshot


def set_value(*, key: str, value, actor, note: str = ""):
    """Validate, store and version a new value (see `zhidu.core.params.services.set_value`)."""
    from .services import set_value as _set_value

    return _set_value(key=key, value=value, actor=actor, note=note)


__all__ = [
    "Kind", "Parameter", "clear_cache", "define", "definition", "definitions", "get", "is_default", "is_defined",
    "set_value", "snapshot", "undefine",
]
