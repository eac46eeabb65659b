"""Pages of sub-ledgers (分帐, SCH-08, AST-24), 帐、物、签相符 and handover lists (设备交接清单, SCH-10).

Declarative: each view names its model, table or form and calls one service (DESIGN rule 1).
A sub-ledger out of scope is 404. Its cards are the sub-ledger's cards the user may see in the
ledger; its keeper sees all of them (the keeper answers for them, 篇12 电教管理教师(9)).
"""

from __future__ import annotations

import django_tables2 as tables
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View

from zhidu.core.errors import RuleViolation
from zhidu.core.scoping import user_person_id
from zhidu.core.tables import BadgeColumn, DateTimeColumn, ObjectLinkColumn, ZhiduTable
from zhidu.core.views import DEFAULT_TABS, ObjectDeleteView, ObjectDetailView, ObjectFormView, ObjectListView
from zhidu.core.views.mixins import ScopedObjectMixin
from zhidu.core.views.printing import ObjectPrintView

from .. import forms_subledger as forms
from ..models import Asset
from ..models.subledger import HandoverLine, HandoverStatus, SubLedger, SubLedgerHandover
from ..services import subledger as services
from .ledger import AssetListView

HANDOVER_COLORS = {"open": "blue", "completed": "green", "cancelled": "secondary"}
MAX_PRINT_ROWS = 2000


# --------------------------------------------------------------------------- tables


class SubLedgerTable(ZhiduTable):
    code = ObjectLinkColumn(verbose_name=gettext_lazy("Code"))
    name = tables.Column(verbose_name=gettext_lazy("Name"))
    keeper = tables.Column(verbose_name=gettext_lazy("Keeper"), accessor="keeper__name", order_by=("keeper__name",))
    department = tables.Column(verbose_name=gettext_lazy("Owner unit"), accessor="department__name",
                               order_by=("department__tree_key",))
    is_active = tables.BooleanColumn(verbose_name=gettext_lazy("Active"))

    class Meta(ZhiduTable.Meta):
        model = SubLedger
        fields = ("code", "name", "keeper", "department", "is_active")

    required_columns = ("code",)


class HandoverTable(ZhiduTable):
    number = ObjectLinkColumn(verbose_name=gettext_lazy("Number"))
    subledger = tables.Column(verbose_name=gettext_lazy("Sub-ledger"), accessor="subledger__name",
                              order_by=("subledger__code",))
    from_keeper = tables.Column(verbose_name=gettext_lazy("Outgoing keeper"), accessor="from_keeper__name",
                                order_by=("from_keeper__name",))
    to_keeper = tables.Column(verbose_name=gettext_lazy("Incoming keeper"), accessor="to_keeper__name",
                              order_by=("to_keeper__name",))
    status = BadgeColumn(HANDOVER_COLORS, verbose_name=gettext_lazy("Status"))
    created = DateTimeColumn(verbose_name=gettext_lazy("Drawn up"))
    completed_at = DateTimeColumn(verbose_name=gettext_lazy("Completed"))

    class Meta(ZhiduTable.Meta):
        model = SubLedgerHandover
        fields = ("number", "subledger", "from_keeper", "to_keeper", "status", "created", "completed_at")

    required_columns = ("number",)


class StateColumn(tables.Column):
    """count_state / label_state of the reconciliation (annotations), as a coloured badge."""

    def __init__(self, *args, labels, **kwargs):
        self.labels = labels
        super().__init__(*args, **kwargs)

    def render(self, value):
        color = "green" if value in ("found", "ok") else ("secondary" if value == "not_counted" else "red")
        return format_html('<span class="badge bg-{}-lt" data-state="{}">{}</span>', color, value,
                           self.labels.get(value, value))

    def value(self, value):
        return str(self.labels.get(value, value))


class ReconciliationTable(ZhiduTable):
    """帐、物、签相符 (SCH-08): one row per card that does not agree."""

    number = ObjectLinkColumn(verbose_name=gettext_lazy("Asset number"))
    name = tables.Column(verbose_name=gettext_lazy("Name"))
    category = tables.Column(verbose_name=gettext_lazy("Category"), accessor="category__name",
                             order_by=("category__name",))
    location = tables.Column(verbose_name=gettext_lazy("Location"), accessor="location__name",
                             order_by=("location__name",))
    custodian = tables.Column(verbose_name=gettext_lazy("Custodian"), accessor="custodian__name",
                              order_by=("custodian__name",))
    count_state = StateColumn(verbose_name=gettext_lazy("Item (物)"), labels=services.COUNT_STATES)
    label_state = StateColumn(verbose_name=gettext_lazy("Label (签)"), labels=services.LABEL_STATES)
    label_number = tables.Column(verbose_name=gettext_lazy("Number on the label"))
    label_printed_at = DateTimeColumn(verbose_name=gettext_lazy("Label printed"))

    class Meta(ZhiduTable.Meta):
        model = Asset
        fields = ("number", "name", "category", "location", "custodian", "count_state", "label_state",
                  "label_number", "label_printed_at")

    required_columns = ("number",)


# --------------------------------------------------------------------------- helpers


def scoped_subledger(request, pk, action: str = "view") -> SubLedger:
    helper = ScopedObjectMixin()
    helper.model, helper.request, helper.kwargs = SubLedger, request, {"pk": pk}
    helper.select_related = ("keeper", "department")
    return helper.get_scoped_object(action)


def card_base(user, subledger: SubLedger):
    """The cards a user sees in a sub-ledger: all for its keeper, else those visible in the ledger."""
    if subledger.keeper_id and subledger.keeper_id == user_person_id(user):
        return Asset.objects.all()
    return Asset.objects.restrict(user, "view")


# --------------------------------------------------------------------------- sub-ledgers


class SubLedgerListView(ObjectListView):
    model = SubLedger
    table_class = SubLedgerTable
    filterset_class = forms.SubLedgerFilterSet
    select_related = ("keeper", "department")
    create_url_name = "assets:subledger_create"
    template_name = "assets/subledger/list.html"
    title = gettext_lazy("Sub-ledgers")


class SubLedgerFormView(ObjectFormView):
    model = SubLedger
    form_class = forms.SubLedgerForm
    success_url_name = "assets:subledger_list"

    def get_initial(self):
        return forms.SubLedgerForm.initial_from(self.object) if self.object is not None else {}

    def perform_save(self, form):
        data = dict(form.cleaned_data)
        return services.save_subledger(actor=self.request.user, subledger=self.object, **data)


class SubLedgerDeleteView(ObjectDeleteView):
    model = SubLedger
    success_url_name = "assets:subledger_list"

    def perform_delete(self, obj):
        services.delete_subledger(subledger=obj, actor=self.request.user)


class SubLedgerDetailView(ObjectDetailView):
    model = SubLedger
    template_name = "assets/subledger/detail.html"
    select_related = ("keeper", "department")
    prefetch_related = ("categories", "locations", "departments")
    edit_url_name = "assets:subledger_edit"
    delete_url_name = "assets:subledger_delete"
    list_url_name = "assets:subledger_list"
    tabs = DEFAULT_TABS[:3]

    def get_extra_context(self):
        obj = self.object
        user = self.request.user
        cards = services.subledger_assets(obj, card_base(user, obj))
        handovers = list(obj.handovers.select_related("from_keeper", "to_keeper").order_by("-id")[:20])
        is_keeper = bool(obj.keeper_id) and obj.keeper_id == user_person_id(user)
        return {"totals": services.ledger_totals(cards), "handovers": handovers, "handover_colors": HANDOVER_COLORS,
                "can_start_handover": bool(obj.keeper_id) and (is_keeper or self.can(obj, "change"))
                and not any(h.status == HandoverStatus.OPEN for h in handovers)}


class SubLedgerAssetsView(AssetListView):
    """The cards of a sub-ledger: the ledger's table, filters and export, with the totals."""

    template_name = "assets/subledger/assets.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.subledger = None

    def get_subledger(self):
        if self.subledger is None:
            self.subledger = scoped_subledger(self.request, self.kwargs["pk"])
        return self.subledger

    def cards(self):
        """The sub-ledger's cards the user sees (computed once per request)."""
        if getattr(self, "_cards", None) is None:
            subledger = self.get_subledger()
            self._cards = services.subledger_assets(subledger, card_base(self.request.user, subledger))
        return self._cards

    def get_queryset(self):
        return self.optimise(self.cards())

    def get_title(self):
        return _("Sub-ledger %(name)s") % {"name": self.get_subledger().name}

    def get_create_url(self):
        return None

    def get_extra_context(self):
        context = super().get_extra_context()
        subledger = self.get_subledger()
        context.update({"subledger": subledger, "totals": services.ledger_totals(self.cards())})
        return context


class LedgerSummaryView(ScopedObjectMixin, View):
    """总帐 vs 分帐: each sub-ledger's count and value against the general ledger, and the cards
    in no sub-ledger (SCH-08)."""

    model = SubLedger

    def get(self, request):
        self.check_model_action("view")
        subledgers = SubLedger.objects.restrict(request.user, "view").filter(is_active=True)
        summary = services.ledger_summary(subledgers, Asset.objects.restrict(request.user, "view"))
        return TemplateResponse(request, "assets/subledger/summary.html",
                                {"summary": summary, "title": _("General ledger and sub-ledgers")})


# --------------------------------------------------------------------------- 帐、物、签相符


class ReconciliationView(ObjectListView):
    """The cards of a sub-ledger where account, item and label do not agree (帐、物、签相符)."""

    model = Asset
    table_class = ReconciliationTable
    filterset_class = forms.ReconciliationFilterSet
    select_related = ("category", "location", "custodian")
    template_name = "assets/subledger/reconciliation.html"

    def get_subledger(self):
        if getattr(self, "subledger", None) is None:
            self.subledger = scoped_subledger(self.request, self.kwargs["pk"])
        return self.subledger

    def annotated(self):
        if getattr(self, "_annotated", None) is None:
            subledger = self.get_subledger()
            cards = services.subledger_assets(subledger, card_base(self.request.user, subledger))
            self._annotated = services.reconciliation_queryset(cards)
        return self._annotated

    def get_queryset(self):
        return self.optimise(self.annotated().filter(services.MISMATCH)).order_by("number")

    def get_title(self):
        return _("Account, item and label: %(name)s") % {"name": self.get_subledger().name}

    def get_extra_context(self):
        counts = self.annotated().aggregate(
            total=Count("pk"), found=Count("pk", filter=Q(count_state="found")),
            missing=Count("pk", filter=Q(count_state="missing")),
            not_counted=Count("pk", filter=Q(count_state="not_counted")),
            label_ok=Count("pk", filter=Q(label_state="ok")))
        return {"subledger": self.get_subledger(), "counts": counts}


class ReconciliationPrintView(ObjectPrintView):
    """帐物签核对表: the A4 list of the mismatches, signed by the keeper."""

    model = SubLedger
    template_name = "assets/subledger/reconciliation_print.html"
    document_title = gettext_lazy("Account, item and label check")
    number_field = "code"
    select_related = ("keeper", "department")

    def get_extra_context(self):
        obj = self.object
        cards = services.reconciliation_queryset(services.subledger_assets(obj, card_base(self.request.user, obj)))
        rows = list(cards.filter(services.MISMATCH).select_related("location", "custodian")
                    .order_by("number")[:MAX_PRINT_ROWS])
        for row in rows:
            row.count_label = services.COUNT_STATES[row.count_state]
            row.label_label = services.LABEL_STATES[row.label_state]
        return {"rows": rows, "total": cards.count(), "truncated": len(rows) >= MAX_PRINT_ROWS}


# --------------------------------------------------------------------------- handover (SCH-10)


class HandoverListView(ObjectListView):
    model = SubLedgerHandover
    table_class = HandoverTable
    filterset_class = forms.HandoverFilterSet
    select_related = ("subledger", "from_keeper", "to_keeper")
    title = gettext_lazy("Equipment handover lists")


class HandoverStartView(View):
    """Draw up the handover list of a sub-ledger: by its keeper or whoever may change it."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        self.subledger = scoped_subledger(request, kwargs["pk"])
        is_keeper = self.subledger.keeper_id and self.subledger.keeper_id == user_person_id(request.user)
        if not is_keeper and not SubLedger.objects.restrict(request.user, "change").filter(
                pk=self.subledger.pk).exists():
            raise PermissionDenied(_("Only the keeper or the sub-ledger's managers draw up a handover list."))
        return super().dispatch(request, *args, **kwargs)

    def render(self, form):
        return TemplateResponse(self.request, "core/object_form.html", {
            "form": form, "title": _("Handover of %(name)s") % {"name": self.subledger.name},
            "cancel_url": self.subledger.get_absolute_url(), "object": self.subledger})

    def get(self, request, pk):
        return self.render(forms.HandoverStartForm(user=request.user, subledger=self.subledger))

    def post(self, request, pk):
        form = forms.HandoverStartForm(request.POST, user=request.user, subledger=self.subledger)
        if not form.is_valid():
            return self.render(form)
        try:
            handover = services.start_handover(subledger=self.subledger, actor=request.user, **form.cleaned_data)
        except RuleViolation as error:
            form.add_error(None, error.message)
            return self.render(form)
        return HttpResponseRedirect(handover.get_absolute_url())


class HandoverDetailView(ObjectDetailView):
    model = SubLedgerHandover
    template_name = "assets/subledger/handover_detail.html"
    select_related = ("subledger", "from_keeper", "to_keeper", "created_by")
    print_url_name = "assets:handover_print"
    list_url_name = "assets:handover_list"
    tabs = DEFAULT_TABS[:3]

    def get_extra_context(self):
        obj = self.object
        lines = list(obj.lines.order_by("asset_number"))
        person = user_person_id(self.request.user)
        is_open = obj.status == HandoverStatus.OPEN
        editable = is_open and not (obj.outgoing_confirmed_at or obj.incoming_confirmed_at) and self.can(obj, "change")
        side = ("outgoing" if person == obj.from_keeper_id else "incoming" if person == obj.to_keeper_id else None)
        confirmed = side and getattr(obj, f"{side}_confirmed_at")
        return {"lines": lines, "absent": [ln for ln in lines if ln.present is False],
                "unchecked": sum(1 for ln in lines if ln.present is None), "editable": editable,
                "can_confirm": is_open and side is not None and not confirmed,
                "can_cancel": is_open and self.can(obj, "delete"),
                "status_color": HANDOVER_COLORS.get(obj.status, "secondary")}


class HandoverLineView(ScopedObjectMixin, View):
    """POST: check one item (present/absent, condition)."""

    model = SubLedgerHandover

    def post(self, request, pk, line_pk):
        handover = self.get_scoped_object("change")
        line = get_object_or_404(HandoverLine, handover=handover, pk=line_pk)
        form = forms.HandoverLineForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Say whether the item is present."))
        else:
            try:
                services.check_handover_line(line=line, actor=request.user, **form.cleaned_data)
            except RuleViolation as error:
                messages.error(request, error.message)
        return HttpResponseRedirect(handover.get_absolute_url() + f"#line-{line.pk}")


HANDOVER_ACTIONS = {
    "confirm": ("confirm_handover", "view"),  # the service checks it is one of the two keepers
    "mark-present": ("mark_unchecked_present", "change"),
    "cancel": ("cancel_handover", "delete"),
}


class HandoverActionView(ScopedObjectMixin, View):
    model = SubLedgerHandover

    def post(self, request, pk, action):
        if action not in HANDOVER_ACTIONS:
            raise Http404
        service, scope_action = HANDOVER_ACTIONS[action]
        handover = self.get_scoped_object(scope_action)
        try:
            with transaction.atomic():
                getattr(services, service)(handover=handover, actor=request.user)
        except (RuleViolation, ValidationError) as error:
            messages.error(request, getattr(error, "message", None) or "; ".join(error.messages))
        else:
            messages.success(request, _("Saved."))
        return HttpResponseRedirect(handover.get_absolute_url())


class HandoverPrintView(ObjectPrintView):
    """设备交接清单 on A4: every item with present/absent and condition, both signatures."""

    model = SubLedgerHandover
    template_name = "assets/subledger/handover_print.html"
    document_title = gettext_lazy("Equipment handover list")
    select_related = ("subledger__department", "from_keeper", "to_keeper")

    def get_extra_context(self):
        lines = list(self.object.lines.order_by("asset_number"))
        return {"lines": lines, "absent": [ln for ln in lines if ln.present is False],
                "document_date": self.object.completed_at or self.object.created}


def urlpatterns():
    p = "subledgers/"
    return [
        path(f"{p}", SubLedgerListView.as_view(), name="subledger_list"),
        path(f"{p}new/", SubLedgerFormView.as_view(), name="subledger_create"),
        path(f"{p}summary/", LedgerSummaryView.as_view(), name="ledger_summary"),
        path(f"{p}<int:pk>/", SubLedgerDetailView.as_view(), name="subledger_detail"),
        path(f"{p}<int:pk>/edit/", SubLedgerFormView.as_view(), name="subledger_edit"),
        path(f"{p}<int:pk>/delete/", SubLedgerDeleteView.as_view(), name="subledger_delete"),
        path(f"{p}<int:pk>/assets/", SubLedgerAssetsView.as_view(), name="subledger_assets"),
        path(f"{p}<int:pk>/reconciliation/", ReconciliationView.as_view(), name="subledger_reconciliation"),
        path(f"{p}<int:pk>/reconciliation/print/", ReconciliationPrintView.as_view(),
             name="subledger_reconciliation_print"),
        path(f"{p}<int:pk>/handover/", HandoverStartView.as_view(), name="handover_create"),
        path("handovers/", HandoverListView.as_view(), name="handover_list"),
        path("handovers/<int:pk>/", HandoverDetailView.as_view(), name="handover_detail"),
        path("handovers/<int:pk>/print/", HandoverPrintView.as_view(), name="handover_print"),
        path("handovers/<int:pk>/lines/<int:line_pk>/", HandoverLineView.as_view(), name="handover_line"),
        path("handovers/<int:pk>/<slug:action>/", HandoverActionView.as_view(), name="handover_action"),
    ]
