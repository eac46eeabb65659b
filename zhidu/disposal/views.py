"""Pages of disposal. Declarative: each view names its model, form, table or filterset and calls
one service (DESIGN rule 1). Scope: out of scope 404, visible but not permitted 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.loader import select_template
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import RedirectView, View

from zhidu.core.errors import RuleViolation
from zhidu.core.models import Attachment
from zhidu.core.scoping import has_perm_anywhere, user_person_id
from zhidu.core.views import (
    DEFAULT_TABS,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectFormView,
    ObjectListView,
    Tab,
)
from zhidu.core.views.edit import add_errors
from zhidu.core.views.mixins import ScopedObjectMixin
from zhidu.core.views.printing import ObjectPrintView
from zhidu.org.selectors import person_for_user

from . import forms, selectors, services, workflows
from .choices import STATUS_COLORS, LineKind, LineOutcome
from .filtersets import DisposalRecordFilterSet, ScrapRequestFilterSet
from .models import DisposalRecord, SanitisationRecord, ScrapLine, ScrapRequest
from .tables import DisposalRecordTable, ScrapRequestTable


class IndexView(LoginRequiredMixin, RedirectView):
    pattern_name = "disposal:request_list"



# --- Requests ------------------------------------------------------------------------------


class ScrapRequestListView(ObjectListView):
    model = ScrapRequest
    table_class = ScrapRequestTable
    filterset_class = ScrapRequestFilterSet
    select_related = ("requester", "department")
    create_url_name = "disposal:request_create"
    title = gettext_lazy("Scrapping requests")


class ScrapRequestFormView(ObjectFormView):
    """Create or edit a draft 报废申请单: assets picked from the ledger in the user's scope, and
    software licences (DSP-05), each with its reason. "Save and submit" sends it to appraisal."""

    model = ScrapRequest
    form_class = forms.ScrapRequestForm
    formset_classes = {"assets": forms.AssetLineFormSet, "software": forms.SoftwareLineFormSet}
    template_name = "disposal/scraprequest_form.html"
    success_url_name = "disposal:request_list"

    def check_permissions(self):
        super().check_permissions()
        if self.is_create:
            self.person = person_for_user(self.request.user)
            if self.person is None:
                raise PermissionDenied(_("Your account is not linked to a person, so it cannot make requests."))

    def get(self, request, *args, **kwargs):
        if self.object is not None and not self.object.is_editable:
            messages.error(request, _("Only a draft or a returned request can be edited."))
            return HttpResponseRedirect(self.object.get_absolute_url())
        return super().get(request, *args, **kwargs)

    def get_initial(self):
        if self.object is not None:
            return {"title": self.object.title, "reason": self.object.reason}
        return {}

    def get_formsets(self):
        formsets = super().get_formsets()
        if self.request.method != "POST":
            assets, software = [], []
            if self.object is not None:
                for line in self.object.lines.select_related("asset"):
                    if line.kind == LineKind.HARDWARE:
                        assets.append({"asset_number": line.asset.number, "reason": line.reason})
                    else:
                        software.append({"software_name": line.software_name, "licence_key": line.licence_key,
                                         "quantity": line.quantity, "reason": line.reason})
            else:
                number = self.request.GET.get("asset", "")
                assets = [{"asset_number": number}] if number else [{}]
            formsets["assets"] = forms.AssetLineFormSet(prefix="assets", initial=assets)
            formsets["software"] = forms.SoftwareLineFormSet(prefix="software", initial=software)
        return formsets

    def get_title(self):
        if self.is_create:
            return _("New scrapping request")
        return _("Edit %(number)s") % {"number": self.object.number}

    def get_extra_context(self):
        return {"can_submit": self.is_create or self.can(self.object, "submit")}

    def perform_save(self, form):
        data = form.cleaned_data
        actor = self.request.user
        lines = forms.lines_from_rows(actor, self.formset_rows("assets"), self.formset_rows("software"))
        if self.is_create:
            obj = services.create_request(requester=self.person, actor=actor, title=data["title"],
                                          reason=data["reason"], lines=lines)
        else:
            obj = services.update_request(request=self.object, actor=actor, title=data["title"],
                                          reason=data["reason"], lines=lines)
        if "submit" in self.request.POST:
            if not self.is_create and not self.can(obj, "submit"):
                raise PermissionDenied
            services.submit_request(request=obj, actor=actor)
            self.success_message = _("%(number)s was submitted for appraisal.") % {"number": obj.number}
        else:
            self.success_message = _("%(number)s was saved as a draft.") % {"number": obj.number}
        return obj


class AssetSearchView(LoginRequiredMixin, View):
    """htmx: <option>s of the ledger assets in the user's scope matching ?q= (the asset picker)."""

    def get(self, request):
        q = request.GET.get("q") or ""
        for key, val in request.GET.items():
            if key.endswith("asset_number") and val:
                q = val
        assets = list(selectors.pickable_assets(request.user, q=q)) if q.strip() else []
        return TemplateResponse(request, "disposal/_asset_options.html", {"assets": assets})


class ScrapRequestDetailView(ObjectDetailView):
    model = ScrapRequest
    template_name = "disposal/scraprequest_detail.html"
    select_related = ("requester", "department", "appraised_by")
    print_url_name = "disposal:request_print"
    list_url_name = "disposal:request_list"
    tabs = (
        Tab("details", gettext_lazy("Items")),
        Tab("sanitisation", gettext_lazy("Data sanitisation"), "disposal/tabs/sanitisation.html"),
        Tab("disposal", gettext_lazy("Disposal"), "disposal/tabs/disposal.html"),
        *DEFAULT_TABS[1:],
    )

    def get_actions(self):
        return []

    def _lines(self):
        if not hasattr(self, "_line_cache"):
            self._line_cache = list(self.object.lines.select_related(
                "asset__category", "asset__department", "asset__custodian", "disposal", "sanitisation",
                "sanitisation__performed_by", "sanitisation__verified_by"))
            for line in self._line_cache:
                line.needs_sanitisation = bool(line.asset_id) and selectors.stores_data(line.asset)
        return self._line_cache

    def get_history_objects(self):
        obj = self.object
        lines = self._lines()
        objects = [obj, *lines, *obj.disposals.all()]
        objects += [line.sanitisation for line in lines if hasattr(line, "sanitisation")]
        return objects

    def get_tab_context(self, tab):
        if tab.key == "sanitisation":
            lines = [line for line in self._lines() if line.kind == LineKind.HARDWARE
                     and line.outcome in (LineOutcome.RECOVERED, LineOutcome.DISPOSED)]
            return {"lines": lines, "can_sanitise": workflows.status_allows(self.object, "sanitise")
                    and self.can(self.object, "process")}
        if tab.key == "disposal":
            records = list(self.object.disposals.prefetch_related("lines__asset"))
            ct = ContentType.objects.get_for_model(DisposalRecord)
            files: dict[str, list] = {}
            for att in Attachment.objects.filter(content_type=ct, object_id__in=[str(r.pk) for r in records]):
                files.setdefault(att.object_id, []).append(att)
            for record in records:
                record.files = files.get(str(record.pk), [])
            return {"records": records}
        return {}

    def workflow_actions(self) -> list[dict]:
        obj = self.object
        allowed: dict[str, bool] = {}

        def may(action):
            if action not in allowed:
                allowed[action] = self.can(obj, action)
            return allowed[action]

        buttons = []

        def add(name, url_name, icon, style="btn-outline-primary", *, post=False, confirm=""):
            transition = workflows.TRANSITIONS[name]
            if workflows.status_allows(obj, name) and may(transition.action):
                buttons.append({"name": name, "label": transition.label, "url": reverse(url_name, args=[obj.pk]),
                                "icon": icon, "style": style, "post": post, "confirm": confirm})

        add("edit", "disposal:request_edit", "edit")
        add("submit", "disposal:request_submit", "send", "btn-primary", post=True,
            confirm=_("Submit this request to the IT authority for appraisal?"))
        add("appraise", "disposal:request_appraise", "stethoscope", "btn-primary")
        add("recover", "disposal:request_recover", "truck-return", "btn-primary", post=True,
            confirm=_("Confirm that the IT authority has collected the approved items?"))
        add("sanitise", "disposal:request_sanitise", "eraser")
        add("dispose", "disposal:request_dispose", "recycle", "btn-primary")
        add("withdraw", "disposal:request_withdraw", "arrow-back-up", "btn-outline-danger")
        add("delete", "disposal:request_delete", "trash", "btn-outline-danger")
        if obj.submitted_at is not None:
            buttons = [b for b in buttons if b["name"] != "delete"]
        return buttons

    def get_extra_context(self):
        from zhidu.core.approvals import selectors as approval_selectors

        obj = self.object
        approval = approval_selectors.approval_for(obj)
        panel = None
        if approval is not None:
            try:
                panel = select_template(["approvals/_panel.html"]).template.name
            except Exception:  # noqa: BLE001 - the approvals UI is optional for this page
                panel = None
        return {
            "status_color": STATUS_COLORS.get(obj.status, "secondary"),
            "workflow_actions": self.workflow_actions(),
            "approval": approval,
            "approval_panel_template": panel,
            "approval_next": obj.get_absolute_url(),
            "lines": self._lines(),
        }


class ScrapRequestDeleteView(ObjectDeleteView):
    model = ScrapRequest
    success_url_name = "disposal:request_list"

    def perform_delete(self, obj):
        services.delete_draft(request=obj, actor=self.request.user)


class PostActionView(ScopedObjectMixin, View):
    """POST-only workflow step (submit, recover): refusals shown as messages on the request."""

    model = ScrapRequest
    transition = ""
    success_message = ""

    def perform(self, obj):
        raise NotImplementedError

    def post(self, request, pk):
        obj = self.get_scoped_object(workflows.TRANSITIONS[self.transition].action)
        try:
            with transaction.atomic():
                self.perform(obj)
        except RuleViolation as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, self.success_message % {"number": obj.number})
        return HttpResponseRedirect(obj.get_absolute_url())


class SubmitView(PostActionView):
    transition = "submit"
    success_message = gettext_lazy("%(number)s was submitted for appraisal.")

    def perform(self, obj):
        services.submit_request(request=obj, actor=self.request.user)


class RecoverView(PostActionView):
    transition = "recover"
    success_message = gettext_lazy("The items of %(number)s were recovered.")

    def perform(self, obj):
        services.recover(request=obj, actor=self.request.user)


class RequestActionView(ScopedObjectMixin, View):
    """A workflow step with a form: 404 out of scope, 403 without the step's permission; a
    refusal of the service is shown on the form with the input kept."""

    model = ScrapRequest
    transition = ""
    form_class = None
    template_name = "disposal/action_form.html"
    title = ""
    help_text = ""
    success_message = gettext_lazy("Saved.")
    tab = "details"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.get_scoped_object(workflows.TRANSITIONS[self.transition].action)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = {"user": self.request.user}
        if self.request.method == "POST":
            kwargs.update(data=self.request.POST, files=self.request.FILES)
        return kwargs

    def get_form(self):
        return self.form_class(**self.get_form_kwargs())

    def render(self, form, *, blocked=None):
        context = {"object": self.object, "form": form, "title": self.title, "help_text": self.help_text,
                   "blocked": blocked, "cancel_url": self.object.get_absolute_url(), "opts": ScrapRequest._meta,
                   "multipart": form.is_multipart(), "template_fields": self.fields_template}
        return TemplateResponse(self.request, self.template_name, context)

    fields_template = None

    def get(self, request, pk):
        blocked = None
        try:
            workflows.check(self.object, self.transition)
        except RuleViolation as exc:
            blocked = exc.message
        return self.render(self.get_form(), blocked=blocked)

    def post(self, request, pk):
        form = self.get_form()
        if not form.is_valid():
            return self.render(form)
        try:
            with transaction.atomic():
                self.perform(form)
        except (RuleViolation, ValidationError) as exc:
            add_errors(form, exc)
            return self.render(form)
        messages.success(request, self.success_message)
        url = self.object.get_absolute_url()
        return HttpResponseRedirect(f"{url}?tab={self.tab}" if self.tab != "details" else url)


class WithdrawView(RequestActionView):
    transition = "withdraw"
    form_class = forms.ReasonForm
    title = gettext_lazy("Withdraw the request")
    help_text = gettext_lazy("A withdrawn request is closed; its approval, if running, is withdrawn too.")
    success_message = gettext_lazy("The request was withdrawn.")

    def perform(self, form):
        services.withdraw_request(request=self.object, actor=self.request.user, reason=form.cleaned_data["reason"])


class AppraiseView(RequestActionView):
    transition = "appraise"
    form_class = forms.AppraisalForm
    title = gettext_lazy("Appraise the items (鉴定)")
    help_text = gettext_lazy("For each item: repair, or scrap when it meets the scrapping criteria (DSP-02, "
                             "篇1 第二十九条). Items to scrap go to approval; items to repair go back to the department.")
    success_message = gettext_lazy("The appraisal was recorded.")
    fields_template = "disposal/_appraisal_fields.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["lines"] = self.object.lines.select_related("asset__category")
        return kwargs

    def perform(self, form):
        services.appraise(request=self.object, actor=self.request.user, verdicts=form.verdicts())


class SanitiseView(RequestActionView):
    transition = "sanitise"
    form_class = forms.SanitisationForm
    title = gettext_lazy("Record data sanitisation")
    help_text = gettext_lazy("Before a device leaves it must carry no data or harmful programs (DSP-07, 篇13 3②). "
                             "Devices that store data need overwrite, degauss or physical destruction.")
    success_message = gettext_lazy("The sanitisation was recorded.")
    tab = "sanitisation"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["lines"] = ScrapLine.objects.filter(request=self.object, kind=LineKind.HARDWARE,
                                                   outcome=LineOutcome.RECOVERED, sanitisation__isnull=True) \
            .select_related("asset")
        if self.request.method != "POST":
            kwargs["initial"] = {"performed_by": user_person_id(self.request.user),
                                 "line": self.request.GET.get("line")}
        return kwargs

    def perform(self, form):
        d = form.cleaned_data
        services.record_sanitisation(line=d["line"], actor=self.request.user, method=d["method"],
                                     performed_by=d["performed_by"], verified_by=d["verified_by"],
                                     performed_on=d["performed_on"], notes=d["notes"])


class DisposeView(RequestActionView):
    transition = "dispose"
    form_class = forms.DisposalForm
    title = gettext_lazy("Record disposal")
    help_text = gettext_lazy("An asset becomes “disposed” only with this record (DSP-04, 篇14/5 第十八条). "
                             "Devices that store data need their sanitisation record first (篇13 3②).")
    success_message = gettext_lazy("The disposal was recorded.")
    tab = "disposal"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["lines"] = ScrapLine.objects.filter(request=self.object, outcome=LineOutcome.RECOVERED) \
            .select_related("asset")
        return kwargs

    def perform(self, form):
        d = form.cleaned_data
        services.record_disposal(request=self.object, actor=self.request.user, method=d["method"],
                                 recipient=d["recipient"], disposed_on=d["disposed_on"],
                                 proceeds=d.get("proceeds") or 0, notes=d["notes"],
                                 line_ids=[line.pk for line in d["lines"]], certificate=d.get("certificate"))


# --- Print (A4 报废申请单) -------------------------------------------------------------------


def approval_rounds(obj) -> list[dict]:
    from zhidu.core.approvals.models import ApprovalRequest

    ct = ContentType.objects.get_for_model(obj)
    return [{"approval": a, "tasks": list(a.tasks.select_related("assignee", "acting_for")
                                          .order_by("step_index", "decided_at", "id"))}
            for a in ApprovalRequest.objects.filter(content_type=ct, object_id=str(obj.pk)).order_by("submitted_at",
                                                                                                    "id")]


class ScrapRequestPrintView(ObjectPrintView):
    """报废申请单 (A4): the items with the appraisal, every approval opinion, signature boxes."""

    model = ScrapRequest
    template_name = "disposal/scraprequest_print.html"
    select_related = ("requester", "department", "appraised_by")

    def get_document_title(self, obj):
        return _("Scrapping request")

    def get_extra_context(self):
        obj = self.object
        lines = list(obj.lines.select_related("asset__category", "disposal", "sanitisation"))
        return {"lines": lines, "rounds": approval_rounds(obj), "document_date": obj.created,
                "disposals": list(obj.disposals.all())}


# --- Disposal records and the report ------------------------------------------------------


class DisposalRecordListView(ObjectListView):
    model = DisposalRecord
    table_class = DisposalRecordTable
    filterset_class = DisposalRecordFilterSet
    select_related = ("request", "request__department")
    title = gettext_lazy("Disposal records")


class ReportView(LoginRequiredMixin, View):
    """Disposals by year (issue #3 dashboards): items disposed, records, proceeds (ECharts)."""

    def get(self, request):
        if not has_perm_anywhere(request.user, DisposalRecord, "view"):
            raise PermissionDenied(_("You do not have permission to view disposal records."))
        rows = selectors.disposals_by_year(request.user)
        chart = {"years": [str(r["year"]) for r in rows], "items": [r["items"] for r in rows],
                 "proceeds": [float(r["proceeds"] or 0) for r in rows],
                 "labels": {"items": _("Items disposed"), "proceeds": _("Proceeds (CNY)")}}
        sanitised = SanitisationRecord.objects.restrict(request.user, "view").count()
        return TemplateResponse(request, "disposal/report.html", {"rows": rows, "chart": chart,
                                                                  "sanitised": sanitised})
