"""Declarations of regulation parameters (catalogue §24 variants, §26 numeric parameters).

A parameter is declared in code by the app that reads it (in `AppConfig.ready()`), with the
article it comes from and its default. The value an organisation chooses is stored in the
database (`ParameterValue`) with its full history (`ParameterChange`); services read it with
`params.get(key)`, never as a constant.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class Kind:
    """The type of a parameter: how it is stored (JSON), parsed, validated and shown."""

    MONEY = "money"  # Decimal, 2 places, CNY
    INTEGER = "integer"
    DECIMAL = "decimal"
    HOURS = "hours"  # int
    DAYS = "days"  # int
    BOOL = "bool"
    TEXT = "text"
    CHOICE = "choice"  # str, one of `choices`

    ALL = (MONEY, INTEGER, DECIMAL, HOURS, DAYS, BOOL, TEXT, CHOICE)


@dataclass
class Parameter:
    """One declared parameter (see `define`)."""

    key: str
    kind: str
    default: Any
    label: Any
    article: str = ""
    requirement: str = ""
    help: Any = ""
    group: Any = ""
    choices: list[tuple[str, Any]] | None = None
    on_change: Callable | None = None
    min_value: Any = None
    max_value: Any = None
    order: int = 0
    extra: dict = field(default_factory=dict)

    # --- conversion -------------------------------------------------------------------
    def to_python(self, raw):
        """The typed value of a stored JSON value (raises ValidationError when it does not fit)."""
        return self.parse(raw)

    def to_json(self, value):
        if value is None:
            return None
        if self.kind in (Kind.MONEY, Kind.DECIMAL):
            return str(value)
        return value

    def parse(self, raw):
        """Validate and convert user or stored input to the typed value."""
        kind = self.kind
        if raw is None or (isinstance(raw, str) and raw.strip() == "" and kind != Kind.TEXT):
            raise ValidationError(_("A value is required."), code="required")
        try:
            if kind in (Kind.MONEY, Kind.DECIMAL):
                if isinstance(raw, bool):
                    raise decimal.InvalidOperation
                text = str(raw).strip().replace(",", "").replace("，", "")
                value = decimal.Decimal(text)
                if not value.is_finite():
                    raise decimal.InvalidOperation
                if kind == Kind.MONEY:
                    if value != value.quantize(decimal.Decimal("0.01")):
                        raise ValidationError(_("An amount has at most 2 decimal places."), code="invalid")
                    value = value.quantize(decimal.Decimal("0.01"))
                    if value < 0:
                        raise ValidationError(_("An amount cannot be negative."), code="min_value")
            elif kind in (Kind.INTEGER, Kind.HOURS, Kind.DAYS):
                if isinstance(raw, bool):
                    raise ValueError
                if isinstance(raw, float) and not raw.is_integer():
                    raise ValueError
                value = int(str(raw).strip()) if not isinstance(raw, int | float) else int(raw)
                if kind in (Kind.HOURS, Kind.DAYS) and value < 0:
                    raise ValidationError(_("A duration cannot be negative."), code="min_value")
            elif kind == Kind.BOOL:
                if isinstance(raw, bool):
                    value = raw
                elif str(raw).strip().lower() in {"1", "true", "yes", "on"}:
                    value = True
                elif str(raw).strip().lower() in {"0", "false", "no", "off"}:
                    value = False
                else:
                    raise ValueError
            elif kind == Kind.CHOICE:
                value = str(raw).strip()
                allowed = [str(v) for v, _label in (self.choices or [])]
                if value not in allowed:
                    raise ValidationError(
                        _("Choose one of: %(choices)s.") % {"choices": ", ".join(allowed)}, code="invalid_choice"
                    )
            elif kind == Kind.TEXT:
                value = str(raw)
            else:  # pragma: no cover - guarded by define()
                raise ValueError
        except (decimal.InvalidOperation, ValueError, TypeError):
            raise ValidationError(_("Enter a valid value for this parameter."), code="invalid") from None
        if self.min_value is not None and value < self.min_value:
            raise ValidationError(
                _("The value must be at least %(min)s.") % {"min": self.display(self.min_value)}, code="min_value"
            )
        if self.max_value is not None and value > self.max_value:
            raise ValidationError(
                _("The value must be at most %(max)s.") % {"max": self.display(self.max_value)}, code="max_value"
            )
        return value

    def choice_label(self, value) -> str:
        for choice_value, label in self.choices or []:
            if str(choice_value) == str(value):
                return str(label)
        return ""

    def display(self, value) -> str:
        """A human-readable value: money with thousands separators, the label of a choice…"""
        if value is None:
            return ""
        if self.kind == Kind.MONEY:
            return f"¥{decimal.Decimal(value).quantize(decimal.Decimal('0.01')):,}"
        if self.kind == Kind.HOURS:
            return _("%(n)s h") % {"n": value}
        if self.kind == Kind.DAYS:
            return _("%(n)s days") % {"n": value}
        if self.kind == Kind.BOOL:
            return _("Yes") if value else _("No")
        if self.kind == Kind.CHOICE:
            return f"{value} · {self.choice_label(value)}" if self.choice_label(value) else str(value)
        if isinstance(value, datetime.datetime):
            return value.isoformat()
        return str(value)


_REGISTRY: dict[str, Parameter] = {}


def define(
    *,
    key: str,
    kind: str,
    default,
    label,
    article: str = "",
    requirement: str = "",
    help="",
    group="",
    choices=None,
    on_change: Callable | None = None,
    min_value=None,
    max_value=None,
    replace: bool = False,
) -> Parameter:
    """Declare a parameter (call in AppConfig.ready()).

    `on_change(*, parameter, old, new, actor)` runs inside the transaction that stores a new
    value (e.g. choosing VAR-01 variant B applies the matching approval-policy preset).
    Declaring the same key twice is an error unless `replace=True`.
    """
    if kind not in Kind.ALL:
        raise ValueError(f"Unknown parameter kind {kind!r} for {key!r}")
    if "." not in key:
        raise ValueError(f"Parameter key {key!r} must be app-prefixed (e.g. 'procurement.approval_threshold')")
    if kind == Kind.CHOICE and not choices:
        raise ValueError(f"CHOICE parameter {key!r} needs choices")
    if key in _REGISTRY and not replace:
        raise ValueError(f"Parameter {key!r} is already defined")
    param = Parameter(
        key=key, kind=kind, default=None, label=label, article=article, requirement=requirement, help=help,
        group=group, choices=list(choices) if choices else None, on_change=on_change, min_value=min_value,
        max_value=max_value, order=_REGISTRY[key].order if key in _REGISTRY else len(_REGISTRY),
    )
    param.default = param.parse(default)
    _REGISTRY[key] = param
    return param


def definition(key: str) -> Parameter:
    """The declaration of `key` (KeyError with a helpful message when it is not declared)."""
    try:
        return _REGISTRY[key]
    except KeyError:
        raise KeyError(f"Regulation parameter {key!r} is not defined (declare it with params.define)") from None


def is_defined(key: str) -> bool:
    return key in _REGISTRY


def definitions() -> list[Parameter]:
    """Every declared parameter, in declaration order."""
    return sorted(_REGISTRY.values(), key=lambda p: p.order)


def undefine(key: str) -> None:
    """Remove a declaration (tests only)."""
    _REGISTRY.pop(key, None)
