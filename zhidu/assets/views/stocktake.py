"""Pages of stock-takes (清查/盘点, AST-16, AST-17, SCH-06) and patrol inspections (巡检, AUD-01).

Declarative: each view names its model, form or table and calls one service (DESIGN rule 1).
Out of scope 404, visible but not permitted 403. The counting page is made for a phone: the
camera decodes QR labels (static/assets/scan.js), a typed number is the fallback, and both go
through the same POST to `stocktake_scan`.
"""

from __future__ import annotations

import django_tables2 as tables
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect, JsonResponse, StreamingHttpResponse
from django.template.loader import select_template
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View

from zhidu.core import exports
from zhidu.core.errors import RuleViolation
from zhidu.core.scoping import has_perm_anywhere, user_person_id
from zhidu.core.tables import BadgeColumn, DateColumn, DateTimeColumn, ObjectLinkColumn, ZhiduTable
from zhidu.core.views import DEFAULT_TABS, ObjectDetailView, ObjectFormView, ObjectListView, Tab
from zhidu.core.views.edit import add_errors
from zhidu.core.views.mixins import ScopedObjectMixin
from zhidu.core.views.printing import ObjectPrintView

from .. import forms_stocktake as forms
from ..models import InspectionRound, StocktakeAdjustment, StocktakeLine, StocktakePlan
from ..models.stocktake import AdjustmentStatus, InspectionStatus, StocktakeStatus
from ..services import stocktake as services

STATUS_COLORS = {"draft": "secondary", "counting": "blue", "reconciling": "orange", "closed": "green",
                 "open": "blue", "done": "green"}
RESULT_COLORS = {"found": "green", "misplaced": "orange", "unknown": "purple", "missing": "red"}


class StocktakePlanTable(ZhiduTable):
    number = ObjectLinkColumn(verbose_name=gettext_lazy("Number"))
    title = tables.Column(verbose_name=gettext_lazy("Title"))
    kind = tables.Column(verbose_name=gettext_lazy("Kind"))
    location = tables.Column(verbose_name=gettext_lazy("Location"), accessor="location__name",
                             order_by=("location__code",))
    department = tables.Column(verbose_name=gettext_lazy("Department"), accessor="department__name",
                               order_by=("department__tree_key",))
    category = tables.Column(verbose_name=gettext_lazy("Category"), accessor="category__name",
                             order_by=("category__name",))
    status = BadgeColumn(STATUS_COLORS, verbose_name=gettext_lazy("Status"))
    planned_on = DateColumn(verbose_name=gettext_lazy("Planned date"))
    expected_count = tables.Column(verbose_name=gettext_lazy("Expected"))
    closed_at = DateTimeColumn(verbose_name=gettext_lazy("Closed"))

    class Meta(ZhiduTable.Meta):
        model = StocktakePlan
        fields = ("number", "title", "kind", "location", "department", "category", "status", "planned_on",
                  "expected_count", "closed_at")


class InspectionTable(ZhiduTable):
    number = ObjectLinkColumn(verbose_name=gettext_lazy("Number"))
    location = tables.Column(verbose_name=gettext_lazy("Location"), accessor="location__name",
                             order_by=("location__code",))
    department = tables.Column(verbose_name=gettext_lazy("Department"), accessor="department__name",
                               order_by=("department__tree_key",))
    inspector = tables.Column(verbose_name=gettext_lazy("Inspector"), accessor="inspector__name",
                              order_by=("inspector__name",))
    inspected_on = DateColumn(verbose_name=gettext_lazy("Inspection date"))
    status = BadgeColumn(STATUS_COLORS, verbose_name=gettext_lazy("Status"))

    class Meta(ZhiduTable.Meta):
        model = InspectionRound
        fields = ("number", "location", "department", "inspector", "inspected_on", "status")


# --------------------------------------------------------------------------- plans


class StocktakeListView(ObjectListView):
    model = StocktakePlan
    table_class = StocktakePlanTable
    filterset_class = forms.StocktakePlanFilterSet
    select_related = ("location", "department", "category")
    create_url_name = "assets:stocktake_create"
    template_name = "assets/stocktake/plan_list.html"
    title = gettext_lazy("Stock-takes")

    def get_extra_context(self):
        """AST-17: where a stock-take is due because of reallocations since the last closed one."""
        user = self.request.user
        if not has_perm_anywhere(user, StocktakePlan, "add"):
            return {"due": None}
        due = services.stocktake_due()
        if not user.is_superuser and due["departments"]:
            from zhidu.org.models import OrgUnit

            ids = {r["unit"].pk for r in due["departments"]}
            visible = set(OrgUnit.objects.restrict(user, "view").filter(pk__in=ids).values_list("pk", flat=True))
            due["departments"] = [r for r in due["departments"] if r["unit"].pk in visible]
        return {"due": due, "periodic": services.periodic_stocktake_due()}


class StocktakeFormView(ObjectFormView):
    model = StocktakePlan
    form_class = forms.StocktakePlanForm
    success_url_name = "assets:stocktake_list"

    def get(self, request, *args, **kwargs):
        if self.object is not None and self.object.status != StocktakeStatus.DRAFT:
            messages.error(request, _("Only a draft stock-take can be edited."))
            return HttpResponseRedirect(self.object.get_absolute_url())
        return super().get(request, *args, **kwargs)

    def get_initial(self):
        if self.object is not None:
            return forms.StocktakePlanForm.initial_from(self.object)
        initial = {"leader": user_person_id(self.request.user)}
        for key in ("department", "location"):
            value = self.request.GET.get(key)
            if value and value.isdigit():
                initial[key] = int(value)
        if "department" in initial or "location" in initial:
            initial["kind"] = "reallocation"
        return initial

    def get_title(self):
        return _("New stock-take") if self.is_create else _("Edit %(number)s") % {"number": self.object.number}

    def perform_save(self, form):
        data = {name: form.cleaned_data.get(name) for name in forms.StocktakePlanForm.base_fields}
        if self.is_create:
            return services.create_plan(actor=self.request.user, **data)
        return services.update_plan(plan=self.object, actor=self.request.user, **data)


#: (label, service, scoping action, button style, confirmation) of the plan's workflow steps.
PLAN_ACTIONS = {
    "start": (gettext_lazy("Start counting"), "start_counting", "reconcile", "btn-primary",
              gettext_lazy("Start counting? The assets expected are fixed now.")),
    "finish": (gettext_lazy("Finish counting"), "finish_counting", "reconcile", "btn-primary",
               gettext_lazy("Finish counting? Expected assets not counted become missing.")),
    "propose": (gettext_lazy("Propose adjustments"), "propose_adjustments", "reconcile", "btn-outline-primary", ""),
    "submit": (gettext_lazy("Submit adjustments for review"), "submit_adjustments", "reconcile", "btn-primary",
               gettext_lazy("Submit the proposed adjustments to the IT authority head?")),
    "close": (gettext_lazy("Close the stock-take"), "close_plan", "reconcile", "btn-success",
              gettext_lazy("Close this stock-take?")),
    "delete": (gettext_lazy("Delete"), "delete_plan", "delete", "btn-outline-danger",
               gettext_lazy("Delete this draft?")),
}
ACTIONS_BY_STATUS = {
    StocktakeStatus.DRAFT: ("start", "delete"),
    StocktakeStatus.COUNTING: ("finish",),
    StocktakeStatus.RECONCILING: ("propose", "submit", "close"),
    StocktakeStatus.CLOSED: (),
}


class StocktakeDetailView(ObjectDetailView):
    model = StocktakePlan
    template_name = "assets/stocktake/plan_detail.html"
    select_related = ("location", "department", "category", "leader", "created_by")
    list_url_name = "assets:stocktake_list"
    tabs = (
        Tab("details", gettext_lazy("Results")),
        Tab("lines", gettext_lazy("Count lines"), "assets/stocktake/tab_lines.html"),
        Tab("adjustments", gettext_lazy("Adjustments"), "assets/stocktake/tab_adjustments.html"),
        *DEFAULT_TABS[1:3],
    )

    def get_actions(self):
        return []

    def get_tab_context(self, tab):
        obj = self.object
        if tab.key == "lines":
            return {"lines": list(StocktakeLine.objects.filter(plan=obj)
                                  .select_related("asset", "found_location", "expected_location",
                                                  "counted_by__person")
                                  .order_by("-counted_at", "-id")[:500])}
        if tab.key == "adjustments":
            adjustments = list(StocktakeAdjustment.objects.filter(plan=obj)
                               .select_related("asset", "to_location", "to_department", "category", "created_asset"))
            can_edit = self.can(obj, "reconcile")
            return {"adjustments": adjustments, "can_edit_adjustments": can_edit,
                    "result_colors": RESULT_COLORS}
        return {}

    def get_extra_context(self):
        obj = self.object
        from zhidu.core.approvals import selectors as approval_selectors

        buttons = []
        for name in ACTIONS_BY_STATUS.get(obj.status, ()):
            label, _service, action, style, confirm = PLAN_ACTIONS[name]
            if self.can(obj, action):
                buttons.append({"name": name, "label": label, "style": style, "confirm": confirm,
                                "url": reverse("assets:stocktake_action", args=[obj.pk, name])})
        approval = approval_selectors.approval_for(obj)
        panel = None
        if approval is not None:
            try:
                panel = select_template(["approvals/_panel.html"]).template.name
            except Exception:  # noqa: BLE001 - the approvals UI is optional here
                panel = None
        results = services.plan_results(obj)
        return {
            "status_color": STATUS_COLORS.get(obj.status, "secondary"),
            "workflow_actions": buttons,
            "can_edit": obj.status == StocktakeStatus.DRAFT and self.can(obj, "change"),
            "can_count": obj.status == StocktakeStatus.COUNTING and self.can(obj, "count"),
            "results": results,
            "counts": results.counts(),
            "result_colors": RESULT_COLORS,
            "approval": approval,
            "approval_panel_template": panel,
            "approval_next": obj.get_absolute_url(),
        }


class StocktakeActionView(ScopedObjectMixin, View):
    """POST: one workflow step of a plan (start, finish, propose, submit, close, delete)."""

    model = StocktakePlan

    def post(self, request, pk, action):
        if action not in PLAN_ACTIONS:
            raise PermissionDenied
        _label, service, scope_action, _style, _confirm = PLAN_ACTIONS[action]
        plan = self.get_scoped_object(scope_action)
        try:
            with transaction.atomic():
                getattr(services, service)(plan=plan, actor=request.user)
        except (RuleViolation, ValidationError) as exc:
            messages.error(request, getattr(exc, "message", None) or "; ".join(exc.messages))
            return HttpResponseRedirect(plan.get_absolute_url())
        if action == "delete":
            messages.success(request, _("%(number)s was deleted.") % {"number": plan.number})
            return HttpResponseRedirect(reverse("assets:stocktake_list"))
        messages.success(request, _("Done: %(step)s.") % {"step": PLAN_ACTIONS[action][0]})
        tab = "?tab=adjustments" if action in ("propose", "submit") else ""
        return HttpResponseRedirect(plan.get_absolute_url() + tab)


class StocktakeCountView(ScopedObjectMixin, View):
    """The counting page for a phone: camera scan of QR labels, manual entry as fallback."""

    model = StocktakePlan

    def get(self, request, pk):
        plan = self.get_scoped_object("count")
        lines = list(StocktakeLine.objects.filter(plan=plan).select_related("asset", "found_location",
                                                                           "expected_location")
                     .order_by("-counted_at", "-id")[:200])
        if request.GET.get("format") == "json":  # polled by scan.js: what the other counters recorded
            return JsonResponse({"lines": [line_json(line, created=False) for line in reversed(lines)],
                                 "counts": services.plan_results(plan).counts(),
                                 "counting": plan.status == StocktakeStatus.COUNTING})
        form = forms.ScanForm(user=request.user, initial={"location": plan.location_id})
        return TemplateResponse(request, "assets/stocktake/count.html", {
            "object": plan, "plan": plan, "lines": lines, "form": form, "counts": services.plan_results(plan).counts(),
            "result_colors": RESULT_COLORS, "counting": plan.status == StocktakeStatus.COUNTING,
        })


def line_json(line: StocktakeLine, *, created: bool) -> dict:
    return {
        "id": line.pk, "created": created, "duplicate": not created, "asset_number": line.asset_number,
        "asset_name": line.asset.name if line.asset_id else "", "result": line.result,
        "result_label": line.get_result_display(), "seal_number": line.seal_number,
        "found_location": str(line.found_location) if line.found_location_id else "",
        "expected_location": str(line.expected_location) if line.expected_location_id else "",
    }


class StocktakeScanView(ScopedObjectMixin, View):
    """POST one scan (camera or typed): JSON answer with the classified line; 400 with the reason."""

    model = StocktakePlan

    def post(self, request, pk):
        plan = self.get_scoped_object("count")
        form = forms.ScanForm(request.POST, user=request.user)
        if not form.is_valid():
            return JsonResponse({"detail": _("Check the input."), "code": "invalid",
                                 "errors": {k: [str(e) for e in v] for k, v in form.errors.items()}}, status=400)
        data = form.cleaned_data
        try:
            line, created = services.record_scan(
                plan=plan, payload=data["payload"], actor=request.user, location=data.get("location"),
                seal_number=data.get("seal_number") or "", note=data.get("note") or "",
                configuration_complete=data.get("configuration_complete"))
        except RuleViolation as exc:
            return JsonResponse({"detail": exc.message, "code": exc.code, "errors": {}},
                                status=409 if exc.code == "invalid_transition" else 400)
        answer = line_json(line, created=created)
        answer["counts"] = services.plan_results(plan).counts()
        return JsonResponse(answer, status=201 if created else 200)


def _result_rows(results):
    """(result, number, name, expected place, found place, custodian, seal) for the report and export."""
    rows = []
    for line in results.found + results.misplaced + results.unknown:
        rows.append({"result": line.result, "result_label": line.get_result_display(), "number": line.asset_number,
                     "name": line.asset.name if line.asset_id else "",
                     "expected": str(line.expected_location or ""), "found": str(line.found_location or ""),
                     "custodian": "", "seal": line.seal_number, "note": line.note})
    for row in results.missing:
        rows.append({"result": "missing", "result_label": _("Missing"), "number": row.asset.number,
                     "name": row.asset.name, "expected": str(row.location or ""), "found": "",
                     "custodian": str(row.custodian or ""), "seal": "", "note": ""})
    return rows


class StocktakeReportView(ScopedObjectMixin, View):
    """The results (found / missing / misplaced / unknown) as a page, or ?export=xlsx|csv."""

    model = StocktakePlan

    def get(self, request, pk):
        plan = self.get_scoped_object("view")
        results = services.plan_results(plan)
        rows = _result_rows(results)
        fmt = request.GET.get("export")
        if fmt:
            if fmt not in exports.FORMATS:
                from django.http import HttpResponseBadRequest

                return HttpResponseBadRequest(_("Unknown export format."))
            return self.export(plan, rows, fmt)
        return TemplateResponse(request, "assets/stocktake/report.html", {
            "object": plan, "results": results, "counts": results.counts(), "rows": rows,
            "result_colors": RESULT_COLORS, "export_formats": exports.FORMATS,
        })

    def export(self, plan, rows, fmt):
        from zhidu.core.changelog import record_event

        record_event(plan, data={"event": "export", "format": fmt, "document": "stocktake_results"})
        header = [_("Result"), _("Asset number"), _("Name"), _("Expected location"), _("Found at"), _("Custodian"),
                  _("Seal number"), _("Note")]
        values = [header] + [[exports.plain_value(r[k]) for k in ("result_label", "number", "name", "expected",
                                                                    "found", "custodian", "seal", "note")]
                             for r in rows]
        chunks = exports._csv_chunks(values) if fmt == "csv" else exports._xlsx_chunks(values, plan.number)
        response = StreamingHttpResponse(chunks, content_type=exports.CONTENT_TYPES[fmt])
        response["Content-Disposition"] = exports.content_disposition(f"{plan.number}.{fmt}")
        response["Cache-Control"] = "no-store"
        return response


class StocktakePrintView(ObjectPrintView):
    """清查报告: the A4 stock-take report with counts, differences, seals and signatures."""

    model = StocktakePlan
    template_name = "assets/stocktake/print.html"
    document_title = gettext_lazy("Stock-take report")
    select_related = ("location", "department", "category", "leader")

    def get_extra_context(self):
        results = services.plan_results(self.object)
        rows = _result_rows(results)
        return {"results": results, "counts": results.counts(),
                "differences": [r for r in rows if r["result"] != "found"],
                "sealed": [r for r in rows if r["seal"]],
                "adjustments": list(StocktakeAdjustment.objects.filter(plan=self.object)
                                    .exclude(status=AdjustmentStatus.REJECTED)
                                    .select_related("to_location", "to_department")),
                "document_date": self.object.closed_at or self.object.counted_at}


class AdjustmentEditView(ScopedObjectMixin, View):
    """Change a proposed adjustment (kind, new place/department, new card data, note)."""

    model = StocktakePlan

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.plan = self.get_scoped_object("reconcile")
        self.adjustment = StocktakeAdjustment.objects.filter(plan=self.plan, pk=kwargs["adjustment_pk"]).select_related(
            "asset").first()
        if self.adjustment is None:
            from django.http import Http404

            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def render(self, form, status=200):
        return TemplateResponse(self.request, "assets/stocktake/adjustment_form.html", {
            "object": self.plan, "adjustment": self.adjustment, "form": form,
            "cancel_url": self.plan.get_absolute_url() + "?tab=adjustments"}, status=status)

    def get(self, request, pk, adjustment_pk):
        a = self.adjustment
        form = forms.AdjustmentForm(user=request.user, adjustment=a, initial={
            "kind": a.kind, "to_location": a.to_location_id, "to_department": a.to_department_id,
            "category": a.category_id, "name": a.name, "note": a.note})
        return self.render(form)

    def post(self, request, pk, adjustment_pk):
        form = forms.AdjustmentForm(request.POST, user=request.user, adjustment=self.adjustment)
        if not form.is_valid():
            return self.render(form)
        try:
            with transaction.atomic():
                services.update_adjustment(adjustment=self.adjustment, actor=request.user, **form.cleaned_data)
        except (RuleViolation, ValidationError) as exc:
            add_errors(form, exc)
            return self.render(form)
        messages.success(request, _("The adjustment was saved."))
        return HttpResponseRedirect(self.plan.get_absolute_url() + "?tab=adjustments")


# --------------------------------------------------------------------------- inspections (AUD-01)


class InspectionListView(ObjectListView):
    model = InspectionRound
    table_class = InspectionTable
    filterset_class = forms.InspectionFilterSet
    select_related = ("location", "department", "inspector")
    create_url_name = "assets:inspection_create"
    template_name = "assets/stocktake/inspection_list.html"
    title = gettext_lazy("Patrol inspections")


class InspectionFormView(ObjectFormView):
    model = InspectionRound
    form_class = forms.InspectionForm
    success_url_name = "assets:inspection_list"
    title = gettext_lazy("New patrol inspection")

    def get_initial(self):
        initial = {"inspector": user_person_id(self.request.user)}
        value = self.request.GET.get("location")
        if value and value.isdigit():
            initial["location"] = int(value)
        return initial

    def perform_save(self, form):
        return services.create_inspection(actor=self.request.user, **form.cleaned_data)


class InspectionDetailView(ObjectDetailView):
    model = InspectionRound
    template_name = "assets/stocktake/inspection_detail.html"
    select_related = ("location", "department", "inspector")
    list_url_name = "assets:inspection_list"
    tabs = (Tab("details", gettext_lazy("Findings")), *DEFAULT_TABS[1:3])

    def get_actions(self):
        return []

    def get_extra_context(self):
        obj = self.object
        can_change = obj.status == InspectionStatus.OPEN and self.can(obj, "change")
        return {
            "status_color": STATUS_COLORS.get(obj.status, "secondary"),
            "findings": list(obj.findings.select_related("asset").order_by("id")),
            "finding_form": forms.FindingForm(user=self.request.user) if can_change else None,
            "complete_form": forms.CompleteInspectionForm(user=self.request.user, initial={"summary": obj.summary})
            if can_change else None,
        }


class InspectionStepView(ScopedObjectMixin, View):
    """POST a finding (step "finding") or complete the round (step "complete")."""

    model = InspectionRound

    def post(self, request, pk, step):
        obj = self.get_scoped_object("change")
        if step == "finding":
            form = forms.FindingForm(request.POST, user=request.user)
        elif step == "complete":
            form = forms.CompleteInspectionForm(request.POST, user=request.user)
        else:
            raise PermissionDenied
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return HttpResponseRedirect(obj.get_absolute_url())
        data = form.cleaned_data
        try:
            with transaction.atomic():
                if step == "finding":
                    services.record_finding(round=obj, actor=request.user, asset=data.get("asset_number"),
                                            result=data["result"], description=data.get("description") or "",
                                            follow_up=data.get("follow_up") or "")
                else:
                    services.complete_inspection(round=obj, actor=request.user, summary=data.get("summary") or "")
        except RuleViolation as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Saved."))
        return HttpResponseRedirect(obj.get_absolute_url())


class InspectionOverdueView(ScopedObjectMixin, View):
    """Locations overdue for a patrol inspection (AUD-01, parameter assets.inspection_period_days)."""

    model = InspectionRound

    def get(self, request):
        self.check_model_action("view")
        from zhidu.core import params

        return TemplateResponse(request, "assets/stocktake/inspection_overdue.html", {
            "rows": services.inspection_overdue_locations(),
            "period": params.get("assets.inspection_period_days"),
            "can_add": has_perm_anywhere(request.user, InspectionRound, "add"),
        })
