"""Pages of equipment custody (AST-03 … AST-19): issue with the responsibility letter and its
outbound slip, signing, returns, custodian changes, loans, reallocations, preparation tasks,
clearances, incidents, the letter template editor. Declarative; behaviour in services.custody."""

from __future__ import annotations

import django_tables2 as tables
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from django.views.generic import View

from zhidu.core.errors import RuleViolation
from zhidu.core.registry import HomePanel, MenuItem, register_home_panel, register_menu
from zhidu.core.scoping import has_perm_anywhere, user_person_id
from zhidu.core.tables import (
    BadgeColumn,
    DateColumn,
    DateTimeColumn,
    MoneyColumn,
    ObjectLinkColumn,
    ZhiduTable,
)
from zhidu.core.views import ObjectDetailView, ObjectFormView, ObjectListView
from zhidu.core.views.edit import add_errors
from zhidu.core.views.mixins import ScopedObjectMixin
from zhidu.core.views.printing import ObjectPrintView

from .. import forms_custody as forms
from ..models import (
    AssetIssue,
    AssetLoan,
    AssetReturn,
    Clearance,
    CustodianChange,
    DamageIncident,
    LetterTemplate,
    PreparationTask,
    Reallocation,
    ResponsibilityLetter,
)
from ..services import custody as services


def letters_to_sign_panel(request):
    """Home panel "待我签署": the letters waiting for my signature (2 queries: person, letters)."""
    from zhidu.core.scoping import user_person_id

    from ..models import ResponsibilityLetter

    person_id = user_person_id(request.user)
    if person_id is None:
        return None
    letters = list(ResponsibilityLetter.objects.filter(person_id=person_id,
                                                       status=ResponsibilityLetter.Status.AWAITING).order_by("id")[:20])
    if not letters:
        return None
    return {"letters": letters, "title": _("Waiting for my signature")}


def preparation_panel(request):
    """Home panel for IT staff: open equipment-preparation tasks of new hires (AST-06)."""
    from zhidu.core.scoping import has_perm_anywhere

    from ..models import PreparationTask

    if not has_perm_anywhere(request.user, PreparationTask, "change"):
        return None
    tasks = list(PreparationTask.objects.restrict(request.user, "change")
                 .filter(status=PreparationTask.Status.OPEN).select_related("person", "department")
                 .order_by("due_date", "id")[:10])
    if not tasks:
        return None
    return {"tasks": tasks, "title": _("Equipment to prepare for new hires")}


def register() -> None:
    register_menu(
        "assets_custody", _("Equipment custody"), "clipboard-list",
        [
            MenuItem(_("Issues and outbound slips"), "assets:issue_list", "package-export", model="assets.AssetIssue"),
            MenuItem(_("Responsibility letters"), "assets:letter_list", "signature", any_user=True),
            MenuItem(_("Returns"), "assets:return_list", "package-import", model="assets.AssetReturn"),
            MenuItem(_("Custodian changes"), "assets:change_list", "arrows-exchange", model="assets.CustodianChange"),
            MenuItem(_("Loans"), "assets:loan_list", "clock-share", any_user=True),
            MenuItem(_("Reallocations"), "assets:reallocation_list", "arrows-shuffle", model="assets.Reallocation"),
            MenuItem(_("Equipment preparation"), "assets:preparation_list", "user-plus",
                     model="assets.PreparationTask"),
            MenuItem(_("Leaver clearances"), "assets:clearance_list", "user-off", model="assets.Clearance"),
            MenuItem(_("Damage and loss"), "assets:incident_list", "alert-triangle", model="assets.DamageIncident"),
            MenuItem(_("Letter template"), "assets:letter_template", "template", model="assets.LetterTemplate",
                     action="change"),
        ],
        order=41,
    )
    register_home_panel(HomePanel(key="assets.letters_to_sign", template="assets/custody/_home_to_sign.html",
                                  build=letters_to_sign_panel, order=5))
    register_home_panel(HomePanel(key="assets.preparation", template="assets/custody/_home_preparation.html",
                                  build=preparation_panel, order=60))
    try:
        from zhidu.core.approvals.timeline import register_verb
    except ImportError:  # pragma: no cover
        register_verb = None
    if register_verb is not None:
        for verb, label, icon, color in [
            ("custody_created", _("Created"), "file-plus", "secondary"),
            ("custody_signed", _("Letter signed"), "signature", "green"),
            ("custody_issued", _("Issued"), "package-export", "blue"),
            ("custody_completed", _("Completed"), "circle-check", "green"),
            ("custody_cancelled", _("Cancelled"), "circle-x", "secondary"),
            ("custody_returned", _("Handed back"), "package-import", "cyan"),
            ("custody_return_checked", _("Return checked"), "clipboard-check", "lime"),
            ("custody_checked", _("Checked"), "clipboard-check", "lime"),
            ("custody_change_requested", _("Custodian change requested"), "arrows-exchange", "orange"),
            ("custody_executed", _("Executed"), "player-play", "indigo"),
            ("custody_custodian_changed", _("Custodian changed"), "arrows-exchange", "indigo"),
            ("custody_lent", _("Lent"), "clock-share", "purple"),
            ("custody_reminded", _("Overdue reminder sent"), "bell", "orange"),
            ("custody_reallocated", _("Reallocated between departments"), "arrows-shuffle", "teal"),
            ("custody_done", _("Done"), "circle-check", "green"),
            ("custody_signed_off", _("Signed off"), "circle-check", "green"),
            ("custody_incident", _("Damage or loss recorded"), "alert-triangle", "red"),
            ("custody_edited", _("Letter template saved."), "edit", "secondary"),
        ]:
            register_verb(verb, label, icon=icon, color=color)
    from zhidu.org.roles import extend_role_permissions

    custody_models = ["assetissue", "assetissueline", "assetreturn", "custodianchange", "assetloan", "reallocation",
                      "preparationtask", "clearance", "damageincident", "lettertemplate", "responsibilityletter"]
    extend_role_permissions("it_staff", [f"assets.{a}_{m}" for m in custody_models for a in ("view", "add", "change")])
    extend_role_permissions("it_authority_head", [f"assets.{a}_{m}" for m in custody_models
                                                  for a in ("view", "add", "change")])
    extend_role_permissions("dept_head", [f"assets.view_{m}" for m in custody_models if m != "lettertemplate"])
    extend_role_permissions("hr", ["assets.view_clearance", "assets.view_preparationtask"])


# =========================================================================== pages

BADGES = {
    "awaiting": "orange", "pending": "orange", "requested": "orange", "open": "orange", "draft": "secondary",
    "signed": "green", "completed": "green", "complete": "green", "done": "green", "signed_off": "green",
    "approved": "green", "returned": "cyan", "on_loan": "purple", "incomplete": "red", "rejected": "red",
    "void": "secondary", "cancelled": "secondary", "withdrawn": "secondary",
}


def _col(label, accessor):
    return tables.Column(verbose_name=label, accessor=accessor, order_by=(accessor,))


# --------------------------------------------------------------------------- tables


class IssueTable(ZhiduTable):
    number = ObjectLinkColumn(verbose_name=_("Outbound slip number"))
    person = _col(_("Custodian"), "person__name")
    department = _col(_("Department"), "department__name")
    letter = _col(_("Responsibility letter"), "letter__number")
    status = BadgeColumn(BADGES, verbose_name=_("Status"))
    created = DateTimeColumn(verbose_name=_("Created"))
    completed_at = DateTimeColumn(verbose_name=_("Issued at"))

    class Meta(ZhiduTable.Meta):
        model = AssetIssue
        fields = ("number", "person", "department", "letter", "status", "created", "completed_at")

    required_columns = ("number",)


class LetterTable(ZhiduTable):
    number = ObjectLinkColumn(verbose_name=_("Number"))
    person = _col(_("Custodian"), "person__name")
    department = _col(_("Department"), "department__name")
    status = BadgeColumn(BADGES, verbose_name=_("Status"))
    signed_at = DateTimeColumn(verbose_name=_("Signed at"))
    created = DateTimeColumn(verbose_name=_("Created"))

    class Meta(ZhiduTable.Meta):
        model = ResponsibilityLetter
        fields = ("number", "person", "department", "status", "signed_at", "created")

    required_columns = ("number",)


class ReturnTable(ZhiduTable):
    number = ObjectLinkColumn(verbose_name=_("Number"))
    asset = _col(_("Asset number"), "asset__number")
    person = _col(_("Returned by"), "person__name")
    condition = tables.Column(verbose_name=_("Condition"))
    status = BadgeColumn(BADGES, verbose_name=_("Status"))
    created = DateTimeColumn(verbose_name=_("Returned at"))

    class Meta(ZhiduTable.Meta):
        model = AssetReturn
        fields = ("number", "asset", "person", "condition", "status", "created")

    required_columns = ("number",)


class ChangeTable(ZhiduTable):
    id = ObjectLinkColumn(verbose_name=_("Number"), accessor="pk")
    asset = _col(_("Asset number"), "asset__number")
    from_person = _col(_("From custodian"), "from_person__name")
    to_person = _col(_("To custodian"), "to_person__name")
    status = BadgeColumn(BADGES, verbose_name=_("Status"))
    created = DateTimeColumn(verbose_name=_("Requested at"))

    class Meta(ZhiduTable.Meta):
        model = CustodianChange
        fields = ("id", "asset", "from_person", "to_person", "status", "created")

    required_columns = ("id",)


class LoanTable(ZhiduTable):
    number = ObjectLinkColumn(verbose_name=_("Number"))
    asset = _col(_("Asset number"), "asset__number")
    borrower = _col(_("Borrower"), "borrower__name")
    due_date = DateColumn(verbose_name=_("Due date"))
    status = BadgeColumn(BADGES, verbose_name=_("Status"))
    returned_at = DateTimeColumn(verbose_name=_("Returned at"))

    class Meta(ZhiduTable.Meta):
        model = AssetLoan
        fields = ("number", "asset", "borrower", "due_date", "status", "returned_at")

    required_columns = ("number",)


class ReallocationTable(ZhiduTable):
    number = ObjectLinkColumn(verbose_name=_("Number"))
    asset = _col(_("Asset number"), "asset__number")
    from_department = _col(_("From department"), "from_department__name")
    to_department = _col(_("To department"), "to_department__name")
    reason = tables.Column(verbose_name=_("Reason"))
    created = DateTimeColumn(verbose_name=_("Date"))

    class Meta(ZhiduTable.Meta):
        model = Reallocation
        fields = ("number", "asset", "from_department", "to_department", "reason", "created")

    required_columns = ("number",)


class PreparationTable(ZhiduTable):
    person = _col(_("New hire"), "person__name")
    department = _col(_("Department"), "department__name")
    due_date = DateColumn(verbose_name=_("Needed by"))
    status = BadgeColumn(BADGES, verbose_name=_("Status"))
    done = tables.TemplateColumn(template_name="assets/custody/_preparation_action.html", verbose_name="",
                                 orderable=False, exclude_from_export=True)

    class Meta(ZhiduTable.Meta):
        model = PreparationTask
        fields = ("person", "department", "due_date", "status", "done")


class ClearanceTable(ZhiduTable):
    person = ObjectLinkColumn(verbose_name=_("Leaver"), accessor="person__name")
    department = _col(_("Department"), "department__name")
    status = BadgeColumn(BADGES, verbose_name=_("Status"))
    created = DateTimeColumn(verbose_name=_("Opened"))
    signed_off_at = DateTimeColumn(verbose_name=_("Signed off at"))

    class Meta(ZhiduTable.Meta):
        model = Clearance
        fields = ("person", "department", "status", "created", "signed_off_at")


class IncidentTable(ZhiduTable):
    number = ObjectLinkColumn(verbose_name=_("Number"))
    asset = _col(_("Asset number"), "asset__number")
    kind = tables.Column(verbose_name=_("Kind"))
    responsible_person = _col(_("Responsible person"), "responsible_person__name")
    compensation = MoneyColumn(verbose_name=_("Compensation"))
    status = BadgeColumn(BADGES, verbose_name=_("Status"))
    occurred_on = DateColumn(verbose_name=_("Occurred on"))

    class Meta(ZhiduTable.Meta):
        model = DamageIncident
        fields = ("number", "asset", "kind", "responsible_person", "compensation", "status", "occurred_on")

    required_columns = ("number",)


# --------------------------------------------------------------------------- lists


def _list(model_, table, related, title, create=None):
    return type(f"{model_.__name__}ListView", (ObjectListView,), {
        "model": model_, "table_class": table, "select_related": related, "title": title,
        "create_url_name": create,
    })


IssueListView = _list(AssetIssue, IssueTable, ("person", "department", "letter"), _("Issues and outbound slips"),
                      "assets:issue_create")
LetterListView = _list(ResponsibilityLetter, LetterTable, ("person", "department"), _("Responsibility letters"))
ReturnListView = _list(AssetReturn, ReturnTable, ("asset", "person"), _("Returns"), "assets:return_create")
ChangeListView = _list(CustodianChange, ChangeTable, ("asset", "from_person", "to_person"), _("Custodian changes"))
LoanListView = _list(AssetLoan, LoanTable, ("asset", "borrower"), _("Loans"))
ReallocationListView = _list(Reallocation, ReallocationTable, ("asset", "from_department", "to_department"),
                             _("Reallocations"), "assets:reallocation_create")
PreparationListView = _list(PreparationTask, PreparationTable, ("person", "department"),
                            _("Equipment preparation for new hires"))
ClearanceListView = _list(Clearance, ClearanceTable, ("person", "department"), _("Leaver clearances"))
IncidentListView = _list(DamageIncident, IncidentTable, ("asset", "responsible_person"), _("Damage and loss"),
                         "assets:incident_create")


class ChangeListWithCreate(ChangeListView):
    def get_create_url(self):
        return reverse("assets:change_create")


class LoanListWithCreate(LoanListView):
    def get_create_url(self):
        return reverse("assets:loan_create")


# --------------------------------------------------------------------------- details


class CustodyDetailView(ObjectDetailView):
    """Object page with a summary card (`summary_template`) and one-click actions (POST buttons)."""

    template_name = "assets/custody/detail.html"
    summary_template = ""
    post_actions: tuple[tuple[str, object, str, str, str], ...] = ()  # (url name, label, action, style, icon)

    def allowed_action(self, name: str) -> bool:
        return True

    def get_extra_context(self):
        buttons = []
        for url_name, label, action, style, icon in self.post_actions:
            if self.allowed_action(url_name) and self.can(self.object, action):
                buttons.append({"url": reverse(url_name, args=[self.object.pk]), "label": label, "style": style,
                                "icon": icon})
        return {"summary_template": self.summary_template, "post_buttons": buttons, **self.get_summary_context()}

    def get_summary_context(self) -> dict:
        return {}


class IssueDetailView(CustodyDetailView):
    model = AssetIssue
    select_related = ("person", "department", "letter", "issued_by")
    list_url_name = "assets:issue_list"
    print_url_name = "assets:issue_slip"
    summary_template = "assets/custody/_issue_summary.html"
    post_actions = (("assets:issue_cancel", _("Cancel"), "change", "btn-outline-danger", "circle-x"),)

    def allowed_action(self, name):
        return self.object.status == AssetIssue.Status.AWAITING

    def get_summary_context(self):
        lines = list(self.object.lines.select_related("asset__model", "replaces").order_by("id"))
        return {"lines": lines, "letter": self.object.letter}


class LetterDetailView(CustodyDetailView):
    model = ResponsibilityLetter
    select_related = ("person", "department")
    list_url_name = "assets:letter_list"
    print_url_name = "assets:letter_print"
    summary_template = "assets/custody/_letter_summary.html"
    # The text and the drawn signature are shown by the summary; not again as raw fields.
    detail_fields = ("number", "person", "department", "template", "status", "signed_name", "signed_at",
                     "signed_ip", "scan", "created_by")

    def get_summary_context(self):
        letter = self.object
        awaiting = letter.status == ResponsibilityLetter.Status.AWAITING
        return {
            "letter_text": services.render_letter(letter),
            "can_sign": awaiting and user_person_id(self.request.user) == letter.person_id,
            "can_upload": awaiting and self.can(letter, "change"),
            "scan_form": forms.ScanForm(),
        }


class ReturnDetailView(CustodyDetailView):
    model = AssetReturn
    select_related = ("asset__model", "person", "checked_by")
    list_url_name = "assets:return_list"
    print_url_name = "assets:return_print"
    summary_template = "assets/custody/_return_summary.html"

    def get_summary_context(self):
        ret = self.object
        can_check = ret.status != AssetReturn.Status.COMPLETE and self.can(ret, "change")
        return {"ret": ret, "check_form": forms.ReturnCheckForm(ret=ret) if can_check else None}


class ChangeDetailView(CustodyDetailView):
    model = CustodianChange
    select_related = ("asset", "from_person", "to_person", "letter")
    list_url_name = "assets:change_list"
    summary_template = "assets/custody/_change_summary.html"
    post_actions = (
        ("assets:change_execute", _("Execute the change"), "change", "btn-primary", "player-play"),
        ("assets:change_cancel", _("Cancel"), "change", "btn-outline-danger", "circle-x"),
    )

    def allowed_action(self, name):
        status = self.object.status
        if name == "assets:change_execute":
            return status == CustodianChange.Status.REQUESTED
        return status in (CustodianChange.Status.REQUESTED, CustodianChange.Status.AWAITING)


def _approval_context(obj, user):
    from zhidu.core.approvals import selectors as approval_selectors

    return {"approval": approval_selectors.approval_for(obj), "user": user}


class LoanDetailView(CustodyDetailView):
    model = AssetLoan
    select_related = ("asset", "borrower", "department")
    list_url_name = "assets:loan_list"
    summary_template = "assets/custody/_loan_summary.html"

    def get_summary_context(self):
        return _approval_context(self.object, self.request.user)


class ReallocationDetailView(CustodyDetailView):
    model = Reallocation
    select_related = ("asset", "from_department", "to_department", "executed_by")
    list_url_name = "assets:reallocation_list"
    print_url_name = "assets:reallocation_print"


class ClearanceDetailView(CustodyDetailView):
    model = Clearance
    select_related = ("person", "department", "signed_off_by")
    list_url_name = "assets:clearance_list"
    summary_template = "assets/custody/_clearance_summary.html"
    post_actions = (("assets:clearance_sign_off", _("Sign off the asset part"), "change", "btn-primary",
                     "circle-check"),)

    def allowed_action(self, name):
        return self.object.status == Clearance.Status.OPEN

    def get_summary_context(self):
        return {"held": list(services.held_assets(self.object.person))}


class IncidentDetailView(CustodyDetailView):
    model = DamageIncident
    select_related = ("asset", "responsible_person", "department")
    list_url_name = "assets:incident_list"
    summary_template = "assets/custody/_incident_summary.html"
    post_actions = (("assets:incident_submit", _("Submit for approval"), "change", "btn-primary", "send"),)

    def allowed_action(self, name):
        return self.object.status in (DamageIncident.Status.DRAFT, DamageIncident.Status.RETURNED)

    def get_summary_context(self):
        return _approval_context(self.object, self.request.user)


# --------------------------------------------------------------------------- one-click actions


class CustodyActionView(ScopedObjectMixin, View):
    """POST: run a service on the object; a refusal is shown as a message on the object page."""

    action = "change"
    success_message = _("Done.")

    def perform(self, obj):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        obj = self.get_scoped_object(self.action)
        try:
            with transaction.atomic():
                self.perform(obj)
        except (RuleViolation, ValidationError) as error:
            messages.error(request, getattr(error, "message", None) or "; ".join(error.messages))
        else:
            messages.success(request, self.success_message)
        return HttpResponseRedirect(obj.get_absolute_url())


def _action(model_, func, message):
    return type(f"{model_.__name__}Action", (CustodyActionView,), {
        "model": model_, "success_message": message,
        "perform": lambda self, obj: func(obj, self.request.user),
    })


IssueCancelView = _action(AssetIssue, lambda o, u: services.cancel_issue(issue=o, actor=u), _("Issue cancelled."))
ChangeExecuteView = _action(CustodianChange, lambda o, u: services.execute_custodian_change(change=o, actor=u),
                            _("Change executed: the new custodian now signs the letter."))
ChangeCancelView = _action(CustodianChange, lambda o, u: services.cancel_custodian_change(change=o, actor=u),
                           _("Change cancelled."))
ClearanceSignOffView = _action(Clearance, lambda o, u: services.sign_off_clearance(clearance=o, actor=u),
                               _("Clearance signed off."))
IncidentSubmitView = _action(DamageIncident, lambda o, u: services.submit_incident(incident=o, actor=u),
                             _("Sent for approval."))


class PreparationDoneView(CustodyActionView):
    model = PreparationTask
    success_message = _("Marked as prepared.")

    def post(self, request, *args, **kwargs):
        task = self.get_scoped_object("change")
        try:
            services.complete_preparation_task(task=task, actor=request.user, notes=request.POST.get("notes", ""))
        except RuleViolation as error:
            messages.error(request, error.message)
        else:
            messages.success(request, self.success_message)
        return HttpResponseRedirect(reverse("assets:preparation_list"))


class ReturnCheckView(CustodyActionView):
    model = AssetReturn

    def post(self, request, *args, **kwargs):
        ret = self.get_scoped_object("change")
        form = forms.ReturnCheckForm(request.POST, ret=ret, user=request.user)
        if not form.is_valid():
            messages.error(request, "; ".join(m for errors in form.errors.values() for m in errors))
            return HttpResponseRedirect(ret.get_absolute_url())
        try:
            ret = services.check_return(ret=ret, actor=request.user, returned_accessories=form.cleaned_data["accessories"],
                                        condition=form.cleaned_data["condition"], notes=form.cleaned_data["notes"])
        except RuleViolation as error:
            messages.error(request, error.message)
        else:
            if ret.status == AssetReturn.Status.COMPLETE:
                messages.success(request, gettext_now("Return checked complete; the device is back in stock."))
            else:
                messages.warning(request, gettext_now("Return checked incomplete; missing: %(missing)s.")
                                 % {"missing": "、".join(ret.missing_accessories)})
        return HttpResponseRedirect(ret.get_absolute_url())


# --------------------------------------------------------------------------- forms


class _CustodyForm(ObjectFormView):
    """`?asset=<pk>` preselects the device (links from the asset card and the return page)."""

    template_name = "assets/custody/form.html"

    def get_initial(self):
        initial = super().get_initial()
        asset = self.request.GET.get("asset", "")
        if asset.isdigit():
            initial["asset"] = int(asset)
        return initial

    def get_success_url(self, obj):
        return obj.get_absolute_url()


class IssueCreateView(_CustodyForm):
    model = AssetIssue
    form_class = forms.IssueForm
    title = _("Issue equipment (领用)")
    success_message = _("Issue created: the custodian now signs the responsibility letter.")

    def perform_save(self, form):
        d = form.cleaned_data
        assets = list(d["assets"])
        replaces = {assets[0].pk: d["replaces"]} if d.get("replaces") else None
        return services.issue_assets(person=d["person"], assets=assets, actor=self.request.user, replaces=replaces,
                                     notes=d.get("notes", ""))


class ReturnCreateView(_CustodyForm):
    model = AssetReturn
    form_class = forms.ReturnForm
    title = _("Return equipment (交回)")
    success_message = _("Return recorded; check it to put the device back in stock.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        asset_id = self.request.GET.get("asset")
        if asset_id and asset_id.isdigit():
            from ..models import Asset

            kwargs["asset"] = Asset.objects.restrict(self.request.user, "view").select_related("model") \
                .filter(pk=asset_id).first()
        return kwargs

    def perform_save(self, form):
        d = form.cleaned_data
        return services.return_asset(asset=d["asset"], actor=self.request.user, returned_accessories=d["accessories"],
                                     condition=d["condition"], notes=d.get("notes", ""))


class ChangeCreateView(_CustodyForm):
    """Anyone may ask to hand over the devices they hold; IT executes (AST-10)."""

    model = CustodianChange
    form_class = forms.ChangeRequestForm
    title = _("Request a custodian change (使用变更)")
    success_message = _("Change requested; IT executes it.")

    def check_permissions(self):
        pass  # the form offers the user's own devices, or those in scope for IT

    def perform_save(self, form):
        d = form.cleaned_data
        return services.request_custodian_change(asset=d["asset"], to_person=d["to_person"], reason=d["reason"],
                                                 actor=self.request.user)


class LoanCreateView(_CustodyForm):
    model = AssetLoan
    form_class = forms.LoanForm
    title = _("Borrow equipment (借用)")
    success_message = _("Loan request sent for approval.")

    def check_permissions(self):
        if user_person_id(self.request.user) is None:
            raise PermissionDenied

    def perform_save(self, form):
        d = form.cleaned_data
        borrower = d.get("borrower")
        if borrower is None or borrower.pk == user_person_id(self.request.user):
            from zhidu.org.models import Person

            borrower = Person.objects.get(pk=user_person_id(self.request.user))
        elif not has_perm_anywhere(self.request.user, AssetLoan, "add"):
            raise RuleViolation(gettext_now("You may only borrow for yourself."), code="forbidden")
        return services.request_loan(asset=d["asset"], borrower=borrower, purpose=d["purpose"],
                                     due_date=d["due_date"], actor=self.request.user)


class ReallocationCreateView(_CustodyForm):
    model = Reallocation
    form_class = forms.ReallocationForm
    title = _("Reallocate equipment (调剂)")

    def perform_save(self, form):
        d = form.cleaned_data
        return services.reallocate(asset=d["asset"], to_department=d["to_department"], reason=d["reason"],
                                   actor=self.request.user)


class IncidentCreateView(_CustodyForm):
    model = DamageIncident
    form_class = forms.IncidentForm
    title = _("Record damage or loss")

    def get_initial(self):
        from django.utils import timezone

        return {**super().get_initial(), "occurred_on": timezone.localdate()}

    def perform_save(self, form):
        d = form.cleaned_data
        return services.record_incident(asset=d["asset"], kind=d["kind"], description=d["description"],
                                        actor=self.request.user, occurred_on=d["occurred_on"],
                                        responsible_person=d.get("responsible_person"),
                                        responsibility=d["responsibility"])


# --------------------------------------------------------------------------- signing


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


class LetterSignView(ScopedObjectMixin, View):
    """The custodian signs on a phone or PC: typed full name + drawn signature (static signature.js)."""

    model = ResponsibilityLetter
    select_related = ("person", "department")
    template_name = "assets/custody/letter_sign.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.get_scoped_object("sign")
        return super().dispatch(request, *args, **kwargs)

    def render(self, form, status=200):
        return TemplateResponse(self.request, self.template_name, {
            "object": self.object, "form": form, "letter_text": services.render_letter(self.object),
            "items": services.letter_items(self.object), "opts": ResponsibilityLetter._meta,
        }, status=status)

    def get(self, request, *args, **kwargs):
        return self.render(forms.SignForm(user=request.user))

    def post(self, request, *args, **kwargs):
        form = forms.SignForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.sign_letter(letter=self.object, actor=request.user, typed_name=form.cleaned_data["typed_name"],
                                     signature=form.cleaned_data["signature"], ip=_client_ip(request))
            except RuleViolation as error:
                add_errors(form, error)
            else:
                messages.success(request, gettext_now("Signed. Thank you."))
                return HttpResponseRedirect(self.object.get_absolute_url())
        return self.render(form)


class LetterScanView(CustodyActionView):
    model = ResponsibilityLetter

    def post(self, request, *args, **kwargs):
        letter = self.get_scoped_object("change")
        form = forms.ScanForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            messages.error(request, "; ".join(m for errors in form.errors.values() for m in errors))
        else:
            try:
                services.upload_signed_scan(letter=letter, actor=request.user, scan=form.cleaned_data["scan"])
            except RuleViolation as error:
                messages.error(request, error.message)
            else:
                messages.success(request, gettext_now("Signed scan uploaded; the letter is signed."))
        return HttpResponseRedirect(letter.get_absolute_url())


class LetterSignatureImageView(ScopedObjectMixin, View):
    """The drawn signature as a PNG (for <img>: CSP allows same-origin images, not data: in every policy)."""

    model = ResponsibilityLetter

    def get(self, request, *args, **kwargs):
        import base64

        from django.http import Http404, HttpResponse

        letter = self.get_scoped_object("view")
        if not letter.signature.startswith("data:image/png;base64,"):
            raise Http404
        data = base64.b64decode(letter.signature.split(",", 1)[1])
        response = HttpResponse(data, content_type="image/png")
        response["Cache-Control"] = "private, max-age=3600"
        return response


class LetterScanFileView(ScopedObjectMixin, View):
    model = ResponsibilityLetter

    def get(self, request, *args, **kwargs):
        from django.http import FileResponse, Http404

        letter = self.get_scoped_object("view")
        if not letter.scan:
            raise Http404
        return FileResponse(letter.scan.open("rb"), as_attachment=True,
                            filename=f"{letter.number}.{letter.scan.name.rsplit('.', 1)[-1]}")


# --------------------------------------------------------------------------- template editor


class LetterTemplateView(ScopedObjectMixin, View):
    """Edit the 《设备管理责任书》 template with a live preview (htmx)."""

    model = LetterTemplate
    template_name = "assets/custody/letter_template.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.check_model_action("change")
        self.template = services.active_template()
        return super().dispatch(request, *args, **kwargs)

    def render(self, form, preview=""):
        return TemplateResponse(self.request, self.template_name, {
            "form": form, "template_obj": self.template, "opts": LetterTemplate._meta,
            "preview": preview or services.preview_template(self.template.body),
        })

    def get(self, request, *args, **kwargs):
        return self.render(forms.LetterTemplateForm(initial={"name": self.template.name, "body": self.template.body},
                                                    user=request.user))

    def post(self, request, *args, **kwargs):
        form = forms.LetterTemplateForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.save_template(actor=request.user, template=self.template, name=form.cleaned_data["name"],
                                           body=form.cleaned_data["body"])
            except RuleViolation as error:
                add_errors(form, error)
            else:
                messages.success(request, gettext_now("Letter template saved. Signed letters keep their text."))
                return HttpResponseRedirect(reverse("assets:letter_template"))
        return self.render(form, preview=" ")


class LetterTemplatePreviewView(ScopedObjectMixin, View):
    model = LetterTemplate

    def post(self, request, *args, **kwargs):
        self.check_model_action("change")
        try:
            text = services.preview_template(request.POST.get("body", ""))
            error = ""
        except RuleViolation as exc:
            text, error = "", exc.message
        return TemplateResponse(request, "assets/custody/_template_preview.html", {"preview": text, "error": error})


# --------------------------------------------------------------------------- print views


class LetterPrintView(ObjectPrintView):
    model = ResponsibilityLetter
    select_related = ("person", "department")
    template_name = "assets/custody/letter_print.html"
    document_title = _("Equipment responsibility letter")

    def get_extra_context(self):
        return {"letter_text": services.render_letter(self.object), "items": services.letter_items(self.object)}


class IssueSlipPrintView(ObjectPrintView):
    model = AssetIssue
    select_related = ("person", "department", "letter", "issued_by")
    template_name = "assets/custody/slip_print.html"
    document_title = _("Equipment outbound slip")

    def get_extra_context(self):
        return {"lines": list(self.object.lines.select_related("asset__model", "replaces").order_by("id"))}


class ReturnPrintView(ObjectPrintView):
    model = AssetReturn
    select_related = ("asset__model", "person", "department", "checked_by")
    template_name = "assets/custody/return_print.html"
    document_title = _("Equipment return and handover sheet")


class ReallocationPrintView(ObjectPrintView):
    model = Reallocation
    select_related = ("asset", "from_department", "to_department")
    template_name = "assets/custody/reallocation_print.html"
    document_title = _("Equipment reallocation record")


def urlpatterns():
    from django.urls import path

    p = "custody/"
    return [
        path(f"{p}issues/", IssueListView.as_view(), name="issue_list"),
        path(f"{p}issues/new/", IssueCreateView.as_view(), name="issue_create"),
        path(f"{p}issues/<int:pk>/", IssueDetailView.as_view(), name="issue_detail"),
        path(f"{p}issues/<int:pk>/cancel/", IssueCancelView.as_view(), name="issue_cancel"),
        path(f"{p}issues/<int:pk>/slip/", IssueSlipPrintView.as_view(), name="issue_slip"),
        path(f"{p}letters/", LetterListView.as_view(), name="letter_list"),
        path(f"{p}letters/<int:pk>/", LetterDetailView.as_view(), name="letter_detail"),
        path(f"{p}letters/<int:pk>/sign/", LetterSignView.as_view(), name="letter_sign"),
        path(f"{p}letters/<int:pk>/scan/", LetterScanView.as_view(), name="letter_scan"),
        path(f"{p}letters/<int:pk>/scan/file/", LetterScanFileView.as_view(), name="letter_scan_file"),
        path(f"{p}letters/<int:pk>/signature.png", LetterSignatureImageView.as_view(), name="letter_signature"),
        path(f"{p}letters/<int:pk>/print/", LetterPrintView.as_view(), name="letter_print"),
        path(f"{p}letter-template/", LetterTemplateView.as_view(), name="letter_template"),
        path(f"{p}letter-template/preview/", LetterTemplatePreviewView.as_view(), name="letter_template_preview"),
        path(f"{p}returns/", ReturnListView.as_view(), name="return_list"),
        path(f"{p}returns/new/", ReturnCreateView.as_view(), name="return_create"),
        path(f"{p}returns/<int:pk>/", ReturnDetailView.as_view(), name="return_detail"),
        path(f"{p}returns/<int:pk>/check/", ReturnCheckView.as_view(), name="return_check"),
        path(f"{p}returns/<int:pk>/print/", ReturnPrintView.as_view(), name="return_print"),
        path(f"{p}changes/", ChangeListWithCreate.as_view(), name="change_list"),
        path(f"{p}changes/new/", ChangeCreateView.as_view(), name="change_create"),
        path(f"{p}changes/<int:pk>/", ChangeDetailView.as_view(), name="change_detail"),
        path(f"{p}changes/<int:pk>/execute/", ChangeExecuteView.as_view(), name="change_execute"),
        path(f"{p}changes/<int:pk>/cancel/", ChangeCancelView.as_view(), name="change_cancel"),
        path(f"{p}loans/", LoanListWithCreate.as_view(), name="loan_list"),
        path(f"{p}loans/new/", LoanCreateView.as_view(), name="loan_create"),
        path(f"{p}loans/<int:pk>/", LoanDetailView.as_view(), name="loan_detail"),
        path(f"{p}reallocations/", ReallocationListView.as_view(), name="reallocation_list"),
        path(f"{p}reallocations/new/", ReallocationCreateView.as_view(), name="reallocation_create"),
        path(f"{p}reallocations/<int:pk>/", ReallocationDetailView.as_view(), name="reallocation_detail"),
        path(f"{p}reallocations/<int:pk>/print/", ReallocationPrintView.as_view(), name="reallocation_print"),
        path(f"{p}preparation/", PreparationListView.as_view(), name="preparation_list"),
        path(f"{p}preparation/<int:pk>/done/", PreparationDoneView.as_view(), name="preparation_done"),
        path(f"{p}clearances/", ClearanceListView.as_view(), name="clearance_list"),
        path(f"{p}clearances/<int:pk>/", ClearanceDetailView.as_view(), name="clearance_detail"),
        path(f"{p}clearances/<int:pk>/sign-off/", ClearanceSignOffView.as_view(), name="clearance_sign_off"),
        path(f"{p}incidents/", IncidentListView.as_view(), name="incident_list"),
        path(f"{p}incidents/new/", IncidentCreateView.as_view(), name="incident_create"),
        path(f"{p}incidents/<int:pk>/", IncidentDetailView.as_view(), name="incident_detail"),
        path(f"{p}incidents/<int:pk>/submit/", IncidentSubmitView.as_view(), name="incident_submit"),
    ]
