"""How timeline events are shown (`core/_timeline.html`): a label, an icon and a colour per verb.

The approval engine's verbs are declared here; other apps add theirs with `register_verb`
(e.g. `register_verb("ordered", _("Order placed"), icon="truck")`). Unknown verbs show as-is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Verb:
    label: Any
    icon: str = "point"
    color: str = "secondary"


VERBS: dict[str, Verb] = {
    "submitted": Verb(_("Submitted for approval"), "send", "blue"),
    "approved": Verb(_("Approved"), "check", "green"),
    "rejected": Verb(_("Rejected"), "x", "red"),
    "returned": Verb(_("Returned for changes"), "arrow-back-up", "orange"),
    "withdrawn": Verb(_("Withdrawn"), "arrow-back", "secondary"),
    "transferred": Verb(_("Transferred"), "arrows-exchange", "cyan"),
    "delegated": Verb(_("Delegated"), "user-share", "cyan"),
    "reminded": Verb(_("Reminded"), "bell", "yellow"),
    "escalated": Verb(_("Escalated"), "arrow-big-up-lines", "red"),
}


def register_verb(verb: str, label, icon: str = "point", color: str = "secondary") -> None:
    VERBS[verb] = Verb(label=label, icon=icon, color=color)


def verb_info(verb: str) -> Verb:
    return VERBS.get(verb) or Verb(label=verb)
