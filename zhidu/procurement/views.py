"""Pages of procurement. Declarative: each view names its model, form, table or filterset and
calls one service (DESIGN rule 1). Scope: out of scope 404, visible but not permitted 403."""

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
from zhidu.core.scoping import user_person_id
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
from .choices import STATUS_COLORS, ApprovalChoice, FilingStatus, RequestKind
from .filtersets import PurchaseRequestFilterSet, SelfPurchaseFilingFilterSet
from .models import Acceptance, PurchaseRequest, SelfPurchaseFiling, StockIn, SupplierQuotation
from .tables import PurchaseRequestTable, SelfPurchaseFilingTable


class IndexView(LoginRequiredMixin, RedirectView):
    pattern_name = "procurement:request_list"



def _missing_fields_error(exc: workflows.MissingFields) -> ValidationError:
    return ValidationError({field if field != "lines" else "__all__": msgs for field, msgs in exc.errors.items()})


# --- Purchase requests -------------------------------------------------------------------


class PurchaseRequestListView(ObjectListView):
    model = PurchaseRequest
    table_class = PurchaseRequestTable
    filterset_class = PurchaseRequestFilterSet
    select_related = ("requester", "department")
    create_url_name = "procurement:request_create"
    title = gettext_lazy("Purchase requests")


class PurchaseRequestFormView(ObjectFormView):
    """Create or edit a draft 《信息化配置申请》/《信息化配置需求计划》 with its lines.

    "Save and submit" saves and submits in one transaction: when the submission is refused
    (PRC-04 required content) nothing is saved and every missing field is marked in place.
    """

    model = PurchaseRequest
    form_class = forms.PurchaseRequestForm
    formset_classes = {"lines": forms.PurchaseLineFormSet}
    template_name = "procurement/purchaserequest_form.html"
    success_url_name = "procurement:request_list"

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
            return forms.PurchaseRequestForm.initial_from(self.object)
        kind = self.request.GET.get("kind")
        return {"kind": kind if kind in RequestKind.values else RequestKind.APPLICATION}

    def get_formsets(self):
        formsets = super().get_formsets()
        if self.request.method != "POST":
            if self.object is not None:
                initial = [
                    {"id": line.pk, "item": line.item, "category": line.category, "specification": line.specification,
                     "quantity": line.quantity, "unit": line.unit, "unit_price": line.unit_price}
                    for line in self.object.lines.all()
                ]
            else:
                initial = [{}]
            formsets["lines"] = forms.PurchaseLineFormSet(prefix="lines", initial=initial)
        return formsets

    def get_title(self):
        if self.is_create:
            return _("New purchase request")
        return _("Edit %(number)s") % {"number": self.object.number}

    def get_extra_context(self):
        return {"can_submit": self.is_create or self.can(self.object, "submit")}

    def perform_save(self, form):
        data = form.cleaned_data
        fields = {name: data.get(name) for name in forms.PurchaseRequestForm.base_fields}
        lines = forms.lines_from_rows(self.formset_rows("lines"))
        actor = self.request.user
        if self.is_create:
            obj = services.create_request(requester=self.person, actor=actor, lines=lines, **fields)
        else:
            obj = services.update_request(request=self.object, actor=actor, lines=lines, **fields)
        if "submit" in self.request.POST:
            if not self.is_create and not self.can(obj, "submit"):
                raise PermissionDenied
            try:
                services.submit_request(request=obj, actor=actor)
            except workflows.MissingFields as exc:
                raise _missing_fields_error(exc) from exc
            self.success_message = _("%(number)s was submitted for approval.") % {"number": obj.number}
        else:
            self.success_message = _("%(number)s was saved as a draft.") % {"number": obj.number}
        return obj


class PurchaseRequestDetailView(ObjectDetailView):
    model = PurchaseRequest
    template_name = "procurement/purchaserequest_detail.html"
    select_related = ("requester", "department", "created_by")
    print_url_name = "procurement:request_print"
    list_url_name = "procurement:request_list"
    tabs = (
        Tab("details", gettext_lazy("Details")),
        Tab("quotations", gettext_lazy("Quotations"), "procurement/tabs/quotations.html"),
        Tab("order", gettext_lazy("Order / contract"), "procurement/tabs/order.html"),
        Tab("acceptance", gettext_lazy("Acceptance"), "procurement/tabs/acceptance.html"),
        Tab("stock_in", gettext_lazy("Stock-in"), "procurement/tabs/stock_in.html"),
        Tab("reimbursement", gettext_lazy("Reimbursement"), "procurement/tabs/reimbursement.html"),
        *DEFAULT_TABS[1:],
    )

    def get_actions(self):
        return []  # the summary card shows the workflow buttons

    def get_history_objects(self):
        obj = self.object
        objects = [obj, *obj.lines.all(), *obj.quotations.all(), *obj.acceptances.all(), *obj.stock_ins.all()]
        for name in ("order", "reimbursement", "quotation_waiver"):
            related = getattr(obj, name, None) if hasattr(obj, name) else None
            if related is not None:
                objects.append(related)
        return objects

    def get_tab_context(self, tab):
        obj = self.object
        if tab.key == "quotations":
            from zhidu.core.models import Attachment

            from .params import value

            quotations = list(obj.quotations.all())
            scans = Attachment.objects.filter(
                content_type=ContentType.objects.get_for_model(SupplierQuotation),
                object_id__in=[str(q.pk) for q in quotations]).order_by("id")
            by_quotation: dict[str, list] = {}
            for scan in scans:
                by_quotation.setdefault(scan.object_id, []).append(scan)
            for quotation in quotations:
                quotation.scans = by_quotation.get(str(quotation.pk), [])
            return {"quotations": quotations, "min_quotations": value("procurement.min_quotations"),
                    "waiver": getattr(obj, "quotation_waiver", None) if hasattr(obj, "quotation_waiver") else None}
        if tab.key == "order":
            return {"order": obj.order if hasattr(obj, "order") else None}
        if tab.key == "acceptance":
            return {"acceptances": list(obj.acceptances.select_related("accepted_by")
                                        .prefetch_related("lines__line")),
                    "progress": selectors.line_progress(obj)}
        if tab.key == "stock_in":
            return {"stock_ins": list(obj.stock_ins.select_related("received_by").prefetch_related("lines__line"))}
        if tab.key == "reimbursement":
            return {"reimbursement": obj.reimbursement if hasattr(obj, "reimbursement") else None}
        return {}

    def workflow_actions(self) -> list[dict]:
        """Buttons for the transitions the status allows and the user may take (PRC lifecycle)."""
        obj = self.object
        allowed: dict[str, bool] = {}

        def may(action):
            if action not in allowed:
                allowed[action] = self.can(obj, action)
            return allowed[action]

        pk = obj.pk
        buttons = []

        def add(name, url_name, icon, style="btn-outline-primary", *, post=False, confirm=""):
            transition = workflows.TRANSITIONS[name]
            if workflows.status_allows(obj, name) and may(transition.action):
                buttons.append({"name": name, "label": transition.label, "url": reverse(url_name, args=[pk]),
                                "icon": icon, "style": style, "post": post, "confirm": confirm})

        add("edit", "procurement:request_edit", "edit", "btn-outline-primary")
        add("submit", "procurement:request_submit", "send", "btn-primary", post=True,
            confirm=_("Submit this request for approval?"))
        add("withdraw", "procurement:request_withdraw", "arrow-back-up", "btn-outline-danger")
        add("add_quotation", "procurement:request_quotation", "receipt")
        add("waive_quotations", "procurement:request_waiver", "file-off", "btn-outline-secondary")
        add("order", "procurement:request_order", "file-text", "btn-primary")
        add("accept", "procurement:request_acceptance", "clipboard-check", "btn-primary")
        add("stock_in", "procurement:request_stock_in", "building-warehouse", "btn-primary")
        if obj.status == "stocked_in":
            add("reimburse", "procurement:request_reimburse", "cash", "btn-primary")
        add("close", "procurement:request_close", "lock", "btn-outline-secondary", post=True,
            confirm=_("Close this purchase?"))
        if hasattr(obj, "quotation_waiver"):
            buttons = [b for b in buttons if b["name"] != "waive_quotations"]
        return buttons

    def get_extra_context(self):
        obj = self.object
        from zhidu.core.approvals import selectors as approval_selectors

        approval = approval_selectors.approval_for(obj)
        panel = None
        if approval is not None:
            try:
                panel = select_template(["approvals/_panel.html"]).template.name
            except Exception:  # noqa: BLE001 - the approvals UI is optional for this page
                panel = None
        lines = list(obj.lines.all())
        acceptances = list(obj.acceptances.only("id", "accepted_at"))
        return {
            "status_color": STATUS_COLORS.get(obj.status, "secondary"),
            "workflow_actions": self.workflow_actions(),
            "approval": approval,
            "approval_panel_template": panel,
            "lines": lines,
            "acceptance_prints": acceptances,
            "approval_next": obj.get_absolute_url(),
            "can_delete": obj.status == "draft" and obj.submitted_at is None and self.can(obj, "delete"),
        }


class PurchaseRequestDeleteView(ObjectDeleteView):
    """Delete a never-submitted draft (its requester, or whoever may delete requests in scope)."""

    model = PurchaseRequest
    success_url_name = "procurement:request_list"

    def perform_delete(self, obj):
        services.delete_draft(request=obj, actor=self.request.user)


class SubmitView(ScopedObjectMixin, View):
    """POST: submit for approval. A refusal lists every missing field (PRC-04)."""

    model = PurchaseRequest

    def post(self, request, pk):
        obj = self.get_scoped_object("submit")
        try:
            services.submit_request(request=obj, actor=request.user)
        except workflows.MissingFields as exc:
            for field_messages in exc.errors.values():
                for message in field_messages:
                    messages.error(request, message)
            return HttpResponseRedirect(obj.get_absolute_url())
        except RuleViolation as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(obj.get_absolute_url())
        messages.success(request, _("%(number)s was submitted for approval.") % {"number": obj.number})
        return HttpResponseRedirect(obj.get_absolute_url())


class CloseView(ScopedObjectMixin, View):
    model = PurchaseRequest

    def post(self, request, pk):
        obj = self.get_scoped_object("process")
        try:
            services.close_request(request=obj, actor=request.user)
        except RuleViolation as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(number)s was closed.") % {"number": obj.number})
        return HttpResponseRedirect(obj.get_absolute_url())


class RequestActionView(ScopedObjectMixin, View):
    """A workflow step with a form (quotation, waiver, order, acceptance, stock-in, reimbursement,
    withdrawal): 404 out of scope, 403 without the step's permission; a refusal of the service
    is shown on the form with the input kept."""

    model = PurchaseRequest
    transition: str = ""
    form_class = None
    template_name = "procurement/action_form.html"
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

    def perform(self, form):
        raise NotImplementedError

    def get_extra_context(self):
        return {}

    def render(self, form, *, status=200, blocked=None):
        context = {
            "object": self.object, "form": form, "title": self.title, "help_text": self.help_text,
            "blocked": blocked, "cancel_url": self.object.get_absolute_url(),
            "opts": PurchaseRequest._meta, "multipart": form.is_multipart(),
        }
        context.update(self.get_extra_context())
        return TemplateResponse(self.request, self.template_name, context, status=status)

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
        except workflows.MissingFields as exc:
            add_errors(form, _missing_fields_error(exc))
            return self.render(form)
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


class QuotationView(RequestActionView):
    transition = "add_quotation"
    form_class = forms.QuotationForm
    title = gettext_lazy("Add a supplier quotation")
    help_text = gettext_lazy("货比三家: compare at least three suppliers before ordering (PRC-11, 篇6 第三条(7)).")
    success_message = gettext_lazy("The quotation was recorded.")
    tab = "quotations"

    def perform(self, form):
        data = form.cleaned_data
        services.add_quotation(request=self.object, actor=self.request.user, supplier_name=data["supplier_name"],
                               contact=data["contact"], amount=data["amount"], quoted_on=data["quoted_on"],
                               notes=data["notes"], file=data.get("file"))


class WaiverView(RequestActionView):
    transition = "waive_quotations"
    form_class = forms.WaiverForm
    title = gettext_lazy("Waive the quotation minimum")
    help_text = gettext_lazy("Record why fewer suppliers than the minimum were compared (PRC-11).")
    success_message = gettext_lazy("The waiver was recorded.")
    tab = "quotations"

    def perform(self, form):
        services.waive_quotations(request=self.object, actor=self.request.user, reason=form.cleaned_data["reason"])


class OrderView(RequestActionView):
    transition = "order"
    form_class = forms.OrderForm
    title = gettext_lazy("Create the order / contract")
    help_text = gettext_lazy("The contract may not exceed the approved amount (篇1 第九条(2)).")
    success_message = gettext_lazy("The order was recorded.")
    tab = "order"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["purchase_request"] = self.object
        if self.request.method != "POST":
            cheapest = self.object.quotations.order_by("amount").first()
            kwargs["initial"] = {"amount": cheapest.amount if cheapest else self.object.contract_amount,
                                 "quotation": cheapest.pk if cheapest else None}
        return kwargs

    def perform(self, form):
        data = form.cleaned_data
        services.create_order(request=self.object, actor=self.request.user, supplier_name=data["supplier_name"],
                              contract_no=data["contract_no"], amount=data["amount"], signed_on=data["signed_on"],
                              quotation=data.get("quotation"), notes=data["notes"])


class AcceptanceView(RequestActionView):
    transition = "accept"
    form_class = forms.AcceptanceForm
    template_name = "procurement/acceptance_form.html"
    title = gettext_lazy("Record acceptance")
    help_text = gettext_lazy("Check the goods against the contract's configuration list; rejected items are "
                             "returned or exchanged (PRC-12, 篇6 第三条(7)).")
    success_message = gettext_lazy("The acceptance was recorded.")
    tab = "acceptance"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["progress"] = selectors.line_progress(self.object)
        if self.request.method != "POST":
            kwargs["initial"] = {"accepted_by": user_person_id(self.request.user)}
        return kwargs

    def perform(self, form):
        data = form.cleaned_data
        services.record_acceptance(request=self.object, actor=self.request.user, accepted_by=data["accepted_by"],
                                   accepted_at=data["accepted_at"], notes=data["notes"], results=form.results())


class StockInView(RequestActionView):
    transition = "stock_in"
    form_class = forms.StockInForm
    title = gettext_lazy("Stock in the accepted goods")
    help_text = gettext_lazy("Every accepted item not yet stocked in goes on this warehouse receipt (入库单, PRC-13).")
    success_message = gettext_lazy("The stock-in was recorded.")
    tab = "stock_in"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.request.method != "POST":
            kwargs["initial"] = {"received_by": user_person_id(self.request.user)}
        return kwargs

    def get_extra_context(self):
        pending = workflows.unstocked_quantities(self.object)
        lines = {line.pk: line for line in self.object.lines.all()}
        return {"pending": [(lines[pk], qty) for pk, qty in sorted(pending.items()) if pk in lines]}

    def perform(self, form):
        data = form.cleaned_data
        services.create_stock_in(request=self.object, actor=self.request.user, received_by=data["received_by"],
                                 location=data["location"], received_at=data["received_at"], notes=data["notes"])


class ReimburseView(RequestActionView):
    transition = "reimburse"
    form_class = forms.ReimbursementForm
    title = gettext_lazy("Record reimbursement")
    help_text = gettext_lazy("Reimbursement with the VAT invoice, only after stock-in (PRC-13, 篇6 第三条(24)).")
    success_message = gettext_lazy("The reimbursement was recorded.")
    tab = "reimbursement"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.request.method != "POST":
            order = getattr(self.object, "order", None) if hasattr(self.object, "order") else None
            kwargs["initial"] = {"amount": order.amount if order else None}
        return kwargs

    def perform(self, form):
        data = form.cleaned_data
        services.record_reimbursement(request=self.object, actor=self.request.user, amount=data["amount"],
                                      invoice_no=data["invoice_no"], reimbursed_on=data["reimbursed_on"],
                                      notes=data["notes"])


# --- Print views (A4) ----------------------------------------------------------------------


def organisation_of(unit) -> str:
    """The company (or school, branch) a department belongs to, for the header of a paper form."""
    from zhidu.org.choices import UnitKind
    from zhidu.org.models import OrgUnit

    kinds = {UnitKind.COMPANY, UnitKind.SUBSIDIARY, UnitKind.BRANCH, UnitKind.SCHOOL}
    chain = OrgUnit.objects.in_bulk(unit.ancestor_ids())
    for unit_id in reversed(unit.ancestor_ids()):
        ancestor = chain.get(unit_id)
        if ancestor is not None and ancestor.kind in kinds:
            return ancestor.name
    return ""


class ProcurementPrintView(ObjectPrintView):
    def organisation_unit(self):
        return self.object.department

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        name = organisation_of(self.organisation_unit())
        if name:
            response.context_data["organisation_name"] = name
        return response


def approval_rounds(obj) -> list[dict]:
    """Every approval of the request (a returned one is followed by a resubmission) with its opinions."""
    from zhidu.core.approvals.models import ApprovalRequest

    ct = ContentType.objects.get_for_model(obj)
    rounds = []
    for approval in (ApprovalRequest.objects.filter(content_type=ct, object_id=str(obj.pk))
                     .select_related("policy_version").order_by("submitted_at", "id")):
        tasks = list(approval.tasks.select_related("assignee", "acting_for").order_by("step_index", "decided_at",
                                                                                        "id"))
        for task in tasks:
            task.choice_label = ApprovalChoice(task.choice).label if task.choice in ApprovalChoice.values else task.choice
        rounds.append({"approval": approval, "tasks": tasks})
    return rounds


class PurchaseRequestPrintView(ProcurementPrintView):
    """《信息化配置申请》 / 《信息化配置需求计划》 with its lines and every approval opinion."""

    model = PurchaseRequest
    template_name = "procurement/purchaserequest_print.html"
    select_related = ("requester", "department")

    def get_document_title(self, obj):
        return str(RequestKind(obj.kind).label)  # 《信息化配置申请》 / 《信息化配置需求计划》

    def get_extra_context(self):
        obj = self.object
        return {"lines": list(obj.lines.all()), "rounds": approval_rounds(obj), "document_date": obj.created}


class AcceptancePrintView(ProcurementPrintView):
    """《验收记录》: the per-line results of one acceptance, with signatures (PRC-12)."""

    model = Acceptance
    template_name = "procurement/acceptance_print.html"
    select_related = ("request", "request__department", "request__requester", "accepted_by")

    def get_base_queryset(self):
        return Acceptance.objects.filter(request_id=self.kwargs["request_pk"])

    def organisation_unit(self):
        return self.object.request.department

    def get_document_title(self, obj):
        return _("Acceptance record")  # 《验收记录》

    def get_document_number(self, obj):
        position = list(obj.request.acceptances.order_by("accepted_at", "id").values_list("pk", flat=True))
        return f"{obj.request.number}-YS{position.index(obj.pk) + 1:02d}"

    def get_extra_context(self):
        obj = self.object
        order = getattr(obj.request, "order", None) if hasattr(obj.request, "order") else None
        return {"request_obj": obj.request, "order": order, "results": list(obj.lines.select_related("line")),
                "document_date": obj.accepted_at}


class StockInPrintView(ProcurementPrintView):
    """入库单 (PRC-13): what was taken into stock."""

    model = StockIn
    template_name = "procurement/stockin_print.html"
    select_related = ("request", "request__department", "received_by")

    def get_base_queryset(self):
        return StockIn.objects.filter(request_id=self.kwargs["request_pk"])

    def organisation_unit(self):
        return self.object.request.department

    def get_document_title(self, obj):
        return _("Warehouse receipt")  # 入库单

    def get_extra_context(self):
        return {"request_obj": self.object.request, "items": list(self.object.lines.select_related("line")),
                "document_date": self.object.received_at}


# --- Self-purchase filings (PRC-02, PRC-07) ------------------------------------------------


class FilingListView(ObjectListView):
    model = SelfPurchaseFiling
    table_class = SelfPurchaseFilingTable
    filterset_class = SelfPurchaseFilingFilterSet
    select_related = ("department", "registered_by")
    create_url_name = "procurement:filing_create"
    title = gettext_lazy("Self-purchase filings")


class AwaitingFilingListView(FilingListView):
    """PRC-02: self-purchases the IT authority has not filed yet, listed until they are."""

    title = gettext_lazy("Self-purchases awaiting filing")

    def get_queryset(self):
        return super().get_queryset().filter(status=FilingStatus.UNFILED)


class FilingFormView(ObjectFormView):
    model = SelfPurchaseFiling
    form_class = forms.SelfPurchaseFilingForm
    success_url_name = "procurement:filing_list"

    def check_permissions(self):
        super().check_permissions()
        if self.is_create:
            self.person = person_for_user(self.request.user)
            if self.person is None:
                raise PermissionDenied(_("Your account is not linked to a person, so it cannot register purchases."))

    def get_initial(self):
        if self.object is not None:
            return forms.SelfPurchaseFilingForm.initial_from(self.object)
        return {}

    def get_title(self):
        return _("Register a self-purchase for filing") if self.is_create else _("Edit %(number)s") % {
            "number": self.object.number}

    def perform_save(self, form):
        data = form.cleaned_data
        fields = {name: data.get(name) for name in forms.SelfPurchaseFilingForm.base_fields}
        try:
            if self.is_create:
                return services.register_self_purchase(actor=self.request.user, registered_by=self.person, **fields)
            return services.update_self_purchase(filing=self.object, actor=self.request.user, **fields)
        except workflows.MissingFields as exc:
            raise _missing_fields_error(exc) from exc


class FilingDetailView(ObjectDetailView):
    model = SelfPurchaseFiling
    template_name = "procurement/selfpurchasefiling_detail.html"
    select_related = ("department", "registered_by", "filed_by")
    list_url_name = "procurement:filing_list"
    edit_url_name = "procurement:filing_edit"
    detail_fields = ("number", "department", "registered_by", "item", "category", "model_name", "performance",
                     "manufacturer", "supplier", "purchase_date", "software_info", "quantity", "amount", "status",
                     "filed_by", "filed_at", "filing_note")

    def get_actions(self):
        if self.object.status != FilingStatus.UNFILED:
            return []
        return super().get_actions()

    def get_detail_fields(self):
        obj = self.object
        names = self.detail_fields
        by_name = {f.name: f for f in obj._meta.concrete_fields}
        from zhidu.core.views.detail import display_field_value

        return [{"name": n, "label": by_name[n].verbose_name, "value": display_field_value(obj, by_name[n])}
                for n in names]

    def get_extra_context(self):
        obj = self.object
        can_file = obj.status == FilingStatus.UNFILED and self.can(obj, "file")
        return {"can_file": can_file, "file_form": forms.FileFilingForm() if can_file else None}


class FileFilingView(ScopedObjectMixin, View):
    """The IT authority files the self-purchase (备案)."""

    model = SelfPurchaseFiling

    def post(self, request, pk):
        obj = self.get_scoped_object("file")
        form = forms.FileFilingForm(request.POST)
        form.is_valid()
        try:
            services.file_self_purchase(filing=obj, actor=request.user, note=form.cleaned_data.get("note", ""))
        except RuleViolation as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(number)s was filed.") % {"number": obj.number})
        return HttpResponseRedirect(obj.get_absolute_url())

