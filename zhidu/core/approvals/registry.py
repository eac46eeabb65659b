"""Process types that can be sent for approval, registered by the apps that own them.

    register_process(ProcessType(
        key="procurement.purchase", label=_("IT purchase request"), model="procurement.PurchaseRequest",
        context=lambda obj: {"amount": obj.total_amount, "department": obj.department, "requester": obj.requester},
        on_approved=..., on_rejected=..., on_returned=..., on_withdrawn=...,
    ))

`context(subject)` returns the facts policy conditions may test (Decimal/str/int/bool values,
OrgUnit/Person instances). The `on_*` callbacks run inside the deciding transaction with
`(subject, approval_request)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ProcessType:
    key: str
    label: Any
    model: str  # "app_label.ModelName"
    context: Callable[[Any], dict]
    on_approved: Callable | None = None
    on_rejected: Callable | None = None
    on_returned: Callable | None = None
    on_withdrawn: Callable | None = None
    # Facts the policy editor offers for conditions: [(name, label), ...]; free text is allowed too.
    fields: list[tuple[str, Any]] = field(default_factory=list)
    description: Any = ""


PROCESSES: dict[str, ProcessType] = {}


def register_process(process: ProcessType, *, replace: bool = False) -> ProcessType:
    if process.key in PROCESSES and not replace and PROCESSES[process.key] != process:
        raise ValueError(f"Approval process {process.key!r} is already registered")
    PROCESSES[process.key] = process
    return process


def unregister_process(key: str) -> None:
    """Tests only."""
    PROCESSES.pop(key, None)


def get_process(key: str) -> ProcessType | None:
    return PROCESSES.get(key)


def processes() -> list[ProcessType]:
    return sorted(PROCESSES.values(), key=lambda p: p.key)
