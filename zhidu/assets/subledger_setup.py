"""What sub-ledgers and handover lists add to the shared UI (called from ui.register()):
the home panel "handovers to confirm" (SCH-10) and the timeline verbs."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhidu.core.registry import HomePanel, register_home_panel


def handovers_to_confirm_panel(request):
    """我的待办: open handovers the user still has to confirm as outgoing or incoming keeper (2 queries)."""
    from zhidu.core.scoping import user_person_id

    from .models.subledger import HandoverStatus, SubLedgerHandover

    person_id = user_person_id(request.user)
    if person_id is None:
        return None
    rows = list(SubLedgerHandover.objects.filter(status=HandoverStatus.OPEN).filter(
        Q(from_keeper_id=person_id, outgoing_confirmed_at__isnull=True)
        | Q(to_keeper_id=person_id, incoming_confirmed_at__isnull=True))
        .select_related("subledger", "from_keeper", "to_keeper").order_by("-id")[:10])
    if not rows:
        return None
    return {"handovers": rows, "title": _("Handovers to confirm")}


def register() -> None:
    from zhidu.org.roles import extend_role_permissions

    # R19 lab / e-teaching room manager (SCH-03, SCH-08, SCH-10): the room's cards, its
    # sub-ledgers and handovers in their unit, and the usage log of valuable instruments.
    extend_role_permissions("lab_manager", [
        "assets.view_asset", "assets.view_subledger", "assets.view_subledgerhandover",
        "assets.view_instrumentusage", "assets.add_instrumentusage", "assets.change_instrumentusage",
        "assets.view_stocktakeplan", "assets.count_stocktakeplan"])
    register_home_panel(HomePanel(key="assets.handovers_to_confirm", template="assets/subledger/_home_handovers.html",
                                  build=handovers_to_confirm_panel, order=62))
    try:
        from zhidu.core.approvals.timeline import register_verb
    except ImportError:  # pragma: no cover
        return
    for verb, label, icon, color in [
        ("handover_started", _("Handover list drawn up"), "arrows-exchange", "blue"),
        ("keeper_changed", _("Keeper changed by handover"), "user-check", "green"),
        ("handover_confirmed", _("Handover confirmed by a keeper"), "signature", "green"),
        ("handover_completed", _("Handover completed"), "circle-check", "green"),
        ("handover_cancelled", _("Handover cancelled"), "x", "secondary"),
    ]:
        register_verb(verb, label, icon=icon, color=color)
