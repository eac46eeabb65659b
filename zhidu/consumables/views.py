"""Pages of consumables. Declarative; each action calls one service (DESIGN rule 1).

Scope: out of scope 404, visible but not permitted 403; issue and ledger actions are the
consumables keeper's (CON-08, 篇14 第十九条 ¶2).
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.template.loader import select_template
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import RedirectView, View

from zhidu.core.errors import RuleViolation
from zhidu.core.imports import ImportView
from zhidu.core.scoping import has_perm_anywhere
from zhidu.core.views import ObjectDetailView, ObjectFormView, ObjectListView
from zhidu.core.views.mixins import ScopedObjectMixin
from zhidu.core.views.printing import ObjectPrintView

from . import forms, selectors, services
from .choices import PLAN_STATUS_COLORS, ConsumableCategory, MovementKind, PeriodKind
from .filtersets import (
    ConsumableItemFilterSet,
    MovementFilterSet,
    PurchasePlanFilterSet,
    QuotaFilterSet,
    StockBalanceFilterSet,
)
from .imports import ItemImporter, StockImporter
from .models import ConsumableItem, Movement, Need, PurchasePlan, Quota, StockBalance
from .tables import ConsumableItemTable, MovementTable, PurchasePlanTable, QuotaTable, StockBalanceTable


class IndexView(LoginRequiredMixin, RedirectView):
    pattern_name = "consumables:item_list"


# --- catalogue -------------------------------------------------------------------------------


class ItemListView(ObjectListView):
    model = ConsumableItem
    table_class = ConsumableItemTable
    filterset_class = ConsumableItemFilterSet
    create_url_name = "consumables:item_create"
    template_name = "consumables/item_list.html"
    title = gettext_lazy("Consumables catalogue")

    def get_base_queryset(self):
        return ConsumableItem.objects.annotate(stock_total=Coalesce(Sum("balances__quantity"), 0))

    def get_extra_context(self):
        return {"can_import": ItemImporter(user=self.request.user).check_permission()}


class ItemDetailView(ObjectDetailView):
    model = ConsumableItem
    template_name = "consumables/item_detail.html"
    edit_url_name = "consumables:item_edit"
    list_url_name = "consumables:item_list"

    def get_extra_context(self):
        obj = self.object
        balances = list(obj.balances.select_related("location").order_by("location__code"))
        return {"balances": balances, "stock_total": sum(b.quantity for b in balances),
                "fits": list(obj.fits.all()),
                "recent": list(Movement.objects.restrict(self.request.user, "view").filter(item=obj)
                               .select_related("department", "person", "location")[:20])}


class ItemFormView(ObjectFormView):
    model = ConsumableItem
    form_class = forms.ItemForm
    success_url_name = "consumables:item_list"

    def perform_save(self, form):
        data = form.cleaned_data
        fields = {name: data.get(name) for name in services.ITEM_FIELDS}
        return services.save_item(actor=self.request.user, item=self.object, fits=data.get("fits"), **fields)


# --- stock and ledger -------------------------------------------------------------------------


class StockListView(ObjectListView):
    model = StockBalance
    table_class = StockBalanceTable
    filterset_class = StockBalanceFilterSet
    select_related = ("item", "location")
    require_permission = True
    template_name = "consumables/stock_list.html"
    title = gettext_lazy("Stock by location")

    def get_extra_context(self):
        return {"can_import": StockImporter(user=self.request.user).check_permission()}


class MovementListView(ObjectListView):
    model = Movement
    table_class = MovementTable
    filterset_class = MovementFilterSet
    select_related = ("item", "location", "department", "person")
    title = gettext_lazy("Consumables ledger")


class RecycleListView(MovementListView):
    """The recycling list (CON-09): empties and broken items collected by the IT authority."""

    require_permission = True
    title = gettext_lazy("Recycling list")

    def get_base_queryset(self):
        return Movement.objects.filter(kind=MovementKind.RECYCLE)


class LowStockView(ObjectListView):
    model = ConsumableItem
    table_class = ConsumableItemTable
    require_permission = True
    title = gettext_lazy("Low stock")

    def check_permissions(self):
        if not has_perm_anywhere(self.request.user, StockBalance, "view"):
            raise PermissionDenied

    def get_base_queryset(self):
        return selectors.low_stock()

    def get(self, request, *args, **kwargs):
        self.check_permissions()
        return super().get(request, *args, **kwargs)


class MovementDetailView(ObjectDetailView):
    model = Movement
    template_name = "consumables/movement_detail.html"
    select_related = ("item", "location", "department", "person", "recorded_by")
    list_url_name = "consumables:movement_list"

    def get_extra_context(self):
        from zhidu.core.approvals import selectors as approval_selectors

        approval = approval_selectors.approval_for(self.object)
        return {"approval": approval, "approval_next": self.object.get_absolute_url(),
                "approval_panel_template": _panel_template() if approval else None}


def _panel_template():
    try:
        return select_template(["approvals/_panel.html"]).template.name
    except Exception:  # noqa: BLE001 - the approvals UI is optional
        return None


class _LedgerActionView(ObjectFormView):
    """A ledger action form; `action` is the permission it needs ("issue": the keeper only)."""

    model = Movement
    action = "issue"
    template_name = "consumables/movement_form.html"
    success_url_name = "consumables:movement_list"

    def check_permissions(self):
        if self.action == "issue" and not has_perm_anywhere(self.request.user, Movement, "issue"):
            raise PermissionDenied(_("Only the consumables keeper (耗材管理员) may issue consumables and keep the "
                                     "ledger (专人负责耗材管理, 篇14 第十九条)."))
        self.check_model_action(self.action)

    def get_initial(self):
        from zhidu.assets.models import Location

        initial = {"location": Location.objects.filter(is_warehouse=True, is_active=True).order_by("code")
                   .values_list("pk", flat=True).first()}
        for name in ("item", "location", "department"):
            if self.request.GET.get(name, "").isdigit():
                initial[name] = int(self.request.GET[name])
        return initial


class IssueView(_LedgerActionView):
    form_class = forms.IssueForm
    title = gettext_lazy("Issue consumables")

    def get_extra_context(self):
        return {"quota_hint": True}

    def perform_save(self, form):
        d = form.cleaned_data
        movement = services.issue(item=d["item"], location=d["location"], quantity=d["quantity"],
                                  department=d["department"], person=d["person"], actor=self.request.user,
                                  note=d.get("note", ""))
        if movement.status == "pending":
            self.success_message = _("%(no)s is over quota and was sent for approval.") % {"no": movement.number}
        elif movement.over_quota:
            self.success_message = _("%(no)s issued; it is over quota and flagged.") % {"no": movement.number}
        else:
            self.success_message = _("%(no)s issued.") % {"no": movement.number}
        return movement


class ReceiptView(_LedgerActionView):
    form_class = forms.ReceiptForm
    action = "add"
    title = gettext_lazy("Receive consumables")

    def perform_save(self, form):
        d = form.cleaned_data
        return services.receive(item=d["item"], location=d["location"], quantity=d["quantity"],
                                actor=self.request.user, unit_price=d.get("unit_price"), note=d.get("note", ""))


class ReturnView(_LedgerActionView):
    form_class = forms.ReturnForm
    title = gettext_lazy("Return consumables")

    def perform_save(self, form):
        d = form.cleaned_data
        common = {"item": d["item"], "location": d["location"], "quantity": d["quantity"],
                  "department": d["department"], "person": d.get("person"), "actor": self.request.user,
                  "note": d.get("note", "")}
        if d.get("recycle"):
            return services.recycle(condition=d.get("condition") or "empty", **common)
        return services.return_to_stock(**common)


class AdjustView(_LedgerActionView):
    form_class = forms.AdjustForm
    title = gettext_lazy("Adjust stock")

    def perform_save(self, form):
        d = form.cleaned_data
        return services.adjust(item=d["item"], location=d["location"], quantity=d["quantity"], reason=d["note"],
                               actor=self.request.user)


class TransferView(_LedgerActionView):
    form_class = forms.TransferForm
    title = gettext_lazy("Transfer stock")

    def perform_save(self, form):
        d = form.cleaned_data
        out, _into = services.transfer(item=d["item"], source=d["location"], target=d["target"],
                                       quantity=d["quantity"], actor=self.request.user, note=d.get("note", ""))
        return out


class QuotaHintView(LoginRequiredMixin, View):
    """htmx: the department's quota use for the chosen item (shown live on the issue form)."""

    def get(self, request):
        from zhidu.org.models import OrgUnit

        if not has_perm_anywhere(request.user, Movement, "issue"):
            raise PermissionDenied
        item = ConsumableItem.objects.filter(pk=_int(request.GET.get("item"))).first()
        department = OrgUnit.objects.filter(pk=_int(request.GET.get("department"))).first()
        uses = []
        stock = None
        if item is not None:
            stock = selectors.stock_of(item)
            if department is not None:
                uses = selectors.quotas_for(department=department, item=item, day=selectors.local_today())
        quantity = _int(request.GET.get("quantity")) or 0
        for use in uses:
            use.would_exceed = quantity > use.remaining
        return TemplateResponse(request, "consumables/_quota_hint.html",
                                {"uses": uses, "item": item, "department": department, "stock": stock,
                                 "quantity": quantity})


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- quotas -----------------------------------------------------------------------------------


class QuotaListView(ObjectListView):
    model = Quota
    table_class = QuotaTable
    filterset_class = QuotaFilterSet
    select_related = ("department", "item")
    create_url_name = "consumables:quota_create"
    title = gettext_lazy("Consumables quotas")


class QuotaFormView(ObjectFormView):
    model = Quota
    form_class = forms.QuotaForm
    success_url_name = "consumables:quota_list"

    def perform_save(self, form):
        d = form.cleaned_data
        if self.object is not None and (d["department"] != self.object.department or d.get("item") != self.object.item
                                        or d.get("category", "") != self.object.category):
            services.delete_quota(quota=self.object, actor=self.request.user)
        return services.set_quota(department=d["department"], item=d.get("item"), category=d.get("category") or "",
                                  period_kind=d["period_kind"], period_start=d["period_start"],
                                  quantity=d["quantity"], note=d.get("note", ""), actor=self.request.user)

    def get_success_url(self, obj):
        return reverse("consumables:quota_list")


class NeedFormView(ObjectFormView):
    model = Need

    form_class = forms.NeedForm
    success_url_name = "consumables:plan_list"
    title = gettext_lazy("Department consumables request")

    def perform_save(self, form):
        d = form.cleaned_data
        return services.add_need(department=d["department"], item=d["item"], period_kind=d["period_kind"],
                                 period_start=d["period_start"], quantity=d["quantity"], actor=self.request.user,
                                 note=d.get("note", ""))

    def get_success_url(self, obj):
        return reverse("consumables:plan_list")


# --- reports ----------------------------------------------------------------------------------


def _period_from(request, default_kind=PeriodKind.QUARTER):
    kind = request.GET.get("period_kind") or default_kind
    if kind not in PeriodKind.values:
        kind = default_kind
    day = parse_date(request.GET.get("period") or "") or selectors.local_today()
    return kind, selectors.period_start(kind, day)


class UsageView(LoginRequiredMixin, View):
    """CON-06: usage by department and category for a period (in the user's scope)."""

    def get(self, request):
        if not has_perm_anywhere(request.user, Movement, "view"):
            raise PermissionDenied
        kind, start = _period_from(request, PeriodKind.MONTH)
        end = selectors.period_end(kind, start)
        rows = selectors.usage_by_department_category(
            start=start, end=end, movements=Movement.objects.restrict(request.user, "view"))
        labels = dict(ConsumableCategory.choices)
        for row in rows:
            row["category_label"] = labels.get(row["category"], row["category"])
        return TemplateResponse(request, "consumables/usage.html", {
            "title": _("Consumables usage by department"), "rows": rows, "period_kind": kind, "start": start,
            "end": end - datetime.timedelta(days=1), "period_label": selectors.period_label(kind, start),
            "kinds": PeriodKind.choices})


class ReviewView(LoginRequiredMixin, View):
    """CON-07: quota review per period — use against quota per department, with a chart."""

    def get(self, request):
        if not has_perm_anywhere(request.user, Quota, "view"):
            raise PermissionDenied
        kind, start = _period_from(request)
        rows = selectors.quota_review(period_kind=kind, start=start, quotas=Quota.objects.restrict(request.user, "view"))
        return TemplateResponse(request, "consumables/review.html", {
            "title": _("Quota review"), "rows": rows, "chart": selectors.review_chart(rows), "period_kind": kind,
            "start": start, "period_label": selectors.period_label(kind, start), "kinds": PeriodKind.choices})


# --- plans ------------------------------------------------------------------------------------


class PlanListView(ObjectListView):
    model = PurchasePlan
    table_class = PurchasePlanTable
    filterset_class = PurchasePlanFilterSet
    select_related = ("purchase_request",)
    create_url_name = "consumables:plan_create"
    title = gettext_lazy("Consumables purchase plans")


class PlanDraftView(ObjectFormView):
    model = PurchasePlan
    form_class = forms.PlanDraftForm
    title = gettext_lazy("Draft a purchase plan")

    def check_permissions(self):
        self.check_model_action("add")

    def get_initial(self):
        from .params import value

        return {"variant": value("consumables.plan_variant"), "period_start": selectors.local_today()}

    def perform_save(self, form):
        d = form.cleaned_data
        services.require_keeper(self.request.user)
        return services.draft_plan(actor=self.request.user, variant=d["variant"], period_start=d["period_start"])


class PlanDetailView(ObjectDetailView):
    model = PurchasePlan
    template_name = "consumables/plan_detail.html"
    select_related = ("prepared_by", "purchase_request")
    list_url_name = "consumables:plan_list"
    print_url_name = "consumables:plan_print"

    def get_extra_context(self):
        from zhidu.core.approvals import selectors as approval_selectors

        obj = self.object
        approval = approval_selectors.approval_for(obj)
        lines = list(obj.lines.select_related("item"))
        return {
            "lines": lines, "total": sum((line.amount for line in lines), 0),
            "status_color": PLAN_STATUS_COLORS.get(obj.status, "secondary"),
            "approval": approval, "approval_next": obj.get_absolute_url(),
            "approval_panel_template": _panel_template() if approval else None,
            "can_edit": obj.is_editable and has_perm_anywhere(self.request.user, Movement, "issue"),
        }


class PlanUpdateView(ScopedObjectMixin, View):
    """POST: save the quantities of the lines; with "submit", also send the plan for approval."""

    model = PurchasePlan

    def post(self, request, pk):
        plan = self.get_scoped_object("change")
        quantities = {key.removeprefix("qty-"): value for key, value in request.POST.items() if key.startswith("qty-")}
        try:
            with transaction.atomic():
                services.update_plan(plan=plan, actor=request.user, quantities=quantities,
                                     notes=request.POST.get("notes"))
                if "submit" in request.POST:
                    services.submit_plan(plan=plan, actor=request.user)
                    messages.success(request, _("%(no)s was submitted for approval.") % {"no": plan.number})
                else:
                    messages.success(request, _("Saved."))
        except RuleViolation as error:  # Conflict too
            messages.error(request, error.message)
        return HttpResponseRedirect(plan.get_absolute_url())


class PlanPrintView(ObjectPrintView):
    model = PurchasePlan
    template_name = "consumables/plan_print.html"
    document_title = gettext_lazy("Consumables purchase quarterly plan")
    select_related = ("prepared_by", "purchase_request")

    def get_document_title(self, obj):
        if obj.variant == "A":
            return _("Monthly consumables purchase plan")
        return _("Consumables purchase quarterly plan")

    def get_extra_context(self):
        lines = list(self.object.lines.select_related("item"))
        return {"lines": lines, "total": sum((line.amount for line in lines), 0),
                "period_label": selectors.period_label(self.object.period_kind, self.object.period_start)}


# --- imports (issue #3 "Across all three") ------------------------------------------------------


class ItemImportView(ImportView):
    """Import the catalogue (CON-01): upload, map the columns, match on code or name, dry run or import."""

    importer_class = ItemImporter
    title = gettext_lazy("Import the consumables catalogue")
    back_url = reverse_lazy("consumables:item_list")
    template_filename = "consumables-template.xlsx"
    mapping_step = True


class StockImportView(ImportView):
    """Import opening balances / a stock count: each row posts the adjustment to the counted quantity."""

    importer_class = StockImporter
    title = gettext_lazy("Import stock (opening balances / stock count)")
    back_url = reverse_lazy("consumables:stock_list")
    template_filename = "consumables-stock-template.xlsx"
    mapping_step = True
