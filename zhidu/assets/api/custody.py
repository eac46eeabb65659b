"""API of equipment custody (AST-03 … AST-19, VAR-12): every action calls a service.

Out of scope → 404 (querysets through `restrict(user, "view")`); visible but not permitted →
403 (`object_action` checked with `restrict(user, action)`); refused by a rule → 400; not
possible in the current state → 409.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from zhidu.core.api.views import ScopedReadOnlyViewSet
from zhidu.core.errors import RuleViolation
from zhidu.core.scoping import has_perm_anywhere, user_person_id
from zhidu.org.choices import CURRENT_STATUSES
from zhidu.org.models import OrgUnit, Person

from .. import services
from ..choices import AssetStatus
from ..models import (
    Asset,
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

ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="Refused by a rule or invalid (detail, code, errors)."),
    403: OpenApiResponse(OpenApiTypes.OBJECT, description="Visible but not permitted."),
    404: OpenApiResponse(OpenApiTypes.OBJECT, description="Not found or out of scope."),
    409: OpenApiResponse(OpenApiTypes.OBJECT, description="Not possible in the current state."),
}


# --- Serializers ---------------------------------------------------------------------------


MAX_ID = 2_147_483_647


def _id(**kwargs):
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class _Ref(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    label = serializers.SerializerMethodField()

    def get_label(self, obj) -> str:
        return str(obj)


class LetterTemplateSerializer(serializers.ModelSerializer):
    class Meta:
        model = LetterTemplate
        fields = ["id", "name", "body", "is_active", "updated"]
        read_only_fields = ["id", "is_active", "updated"]


class LetterSerializer(serializers.ModelSerializer):
    person = _Ref(read_only=True)
    department = _Ref(read_only=True)
    text = serializers.SerializerMethodField()
    has_signature = serializers.SerializerMethodField()

    class Meta:
        model = ResponsibilityLetter
        fields = ["id", "number", "person", "department", "status", "text", "signed_name", "signed_at", "signed_ip",
                  "has_signature", "scan", "created"]

    def get_text(self, obj) -> str:
        return services.render_letter(obj)

    def get_has_signature(self, obj) -> bool:
        return bool(obj.signature)


class SignSerializer(serializers.Serializer):
    typed_name = serializers.CharField(max_length=100)
    signature = serializers.CharField(max_length=500_000)


class ScanSerializer(serializers.Serializer):
    scan = serializers.FileField()


class IssueLineSerializer(serializers.Serializer):
    asset = _Ref(read_only=True)
    replaces = _Ref(read_only=True, allow_null=True)


class IssueSerializer(serializers.ModelSerializer):
    person = _Ref(read_only=True)
    department = _Ref(read_only=True)
    letter = _Ref(read_only=True)
    lines = IssueLineSerializer(many=True, read_only=True)

    class Meta:
        model = AssetIssue
        fields = ["id", "number", "person", "department", "letter", "status", "completed_at", "notes", "lines",
                  "created"]


class IssueCreateSerializer(serializers.Serializer):
    person_id = _id()
    asset_ids = serializers.ListField(child=_id(), min_length=1, max_length=50)
    replaces = serializers.DictField(child=_id(), required=False,
                                     help_text="{new asset id: old asset id} for replacements (AST-04)")
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class ReturnSerializer(serializers.ModelSerializer):
    asset = _Ref(read_only=True)
    person = _Ref(read_only=True)

    class Meta:
        model = AssetReturn
        fields = ["id", "number", "asset", "person", "status", "condition", "expected_accessories",
                  "returned_accessories", "missing_accessories", "notes", "checked_at", "created"]


class ReturnCreateSerializer(serializers.Serializer):
    asset_id = _id()
    returned_accessories = serializers.ListField(child=serializers.CharField(max_length=100), required=False,
                                                 default=list)
    condition = serializers.ChoiceField(choices=AssetReturn.Condition.choices, default=AssetReturn.Condition.GOOD)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class ReturnCheckSerializer(serializers.Serializer):
    returned_accessories = serializers.ListField(child=serializers.CharField(max_length=100), required=False)
    condition = serializers.ChoiceField(choices=AssetReturn.Condition.choices, required=False)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class ChangeSerializer(serializers.ModelSerializer):
    asset = _Ref(read_only=True)
    from_person = _Ref(read_only=True)
    to_person = _Ref(read_only=True)
    letter = _Ref(read_only=True, allow_null=True)

    class Meta:
        model = CustodianChange
        fields = ["id", "asset", "from_person", "to_person", "reason", "status", "letter", "executed_at", "created"]


class ChangeCreateSerializer(serializers.Serializer):
    asset_id = _id()
    to_person_id = _id()
    reason = serializers.CharField()


class LoanSerializer(serializers.ModelSerializer):
    asset = _Ref(read_only=True)
    borrower = _Ref(read_only=True)

    class Meta:
        model = AssetLoan
        fields = ["id", "number", "asset", "borrower", "purpose", "due_date", "status", "lent_at", "returned_at",
                  "created"]


class LoanCreateSerializer(serializers.Serializer):
    asset_id = _id()
    borrower_id = _id(required=False)
    purpose = serializers.CharField()
    due_date = serializers.DateField()


class ReallocationSerializer(serializers.ModelSerializer):
    asset = _Ref(read_only=True)
    from_department = _Ref(read_only=True)
    to_department = _Ref(read_only=True)

    class Meta:
        model = Reallocation
        fields = ["id", "number", "asset", "from_department", "to_department", "reason", "created"]


class ReallocationCreateSerializer(serializers.Serializer):
    asset_id = _id()
    to_department_id = _id()
    reason = serializers.CharField()


class PreparationSerializer(serializers.ModelSerializer):
    person = _Ref(read_only=True)
    department = _Ref(read_only=True)

    class Meta:
        model = PreparationTask
        fields = ["id", "person", "department", "due_date", "status", "notes", "done_at", "created"]


class PreviewSerializer(serializers.Serializer):
    body = serializers.CharField(allow_blank=True, max_length=50_000)


class NotesSerializer(serializers.Serializer):
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class ClearanceSerializer(serializers.ModelSerializer):
    person = _Ref(read_only=True)
    department = _Ref(read_only=True)
    held = serializers.SerializerMethodField()

    class Meta:
        model = Clearance
        fields = ["id", "person", "department", "status", "held_at_start", "held", "signed_off_at", "created"]

    def get_held(self, obj) -> list[dict]:
        return [{"id": a.pk, "number": a.number, "name": a.name, "status": a.status}
                for a in services.held_assets(obj.person)]


class IncidentSerializer(serializers.ModelSerializer):
    asset = _Ref(read_only=True)
    responsible_person = _Ref(read_only=True, allow_null=True)

    class Meta:
        model = DamageIncident
        fields = ["id", "number", "asset", "kind", "occurred_on", "description", "responsible_person",
                  "responsibility", "rule", "depreciated_value", "compensation", "payer", "status", "created"]


class IncidentCreateSerializer(serializers.Serializer):
    asset_id = _id()
    kind = serializers.ChoiceField(choices=DamageIncident.Kind.choices)
    description = serializers.CharField()
    occurred_on = serializers.DateField(required=False)
    responsible_person_id = _id(required=False, allow_null=True)
    responsibility = serializers.ChoiceField(choices=DamageIncident.Responsibility.choices,
                                             default=DamageIncident.Responsibility.PERSONAL)


# --- Helpers -------------------------------------------------------------------------------


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _asset(request, pk, action: str = "change", *, extra: Q | None = None) -> Asset:
    """An asset named in the payload, within the user's scope for `action` (else 400)."""
    queryset = Asset.objects.restrict(request.user, action)
    asset = queryset.filter(pk=pk).first()
    if asset is None and extra is not None:
        asset = Asset.objects.filter(extra, pk=pk).first()
    if asset is None:
        raise RuleViolation(_("Unknown asset %(id)s.") % {"id": pk}, code="invalid")
    return asset


def _person(request, pk) -> Person:
    person = Person.objects.restrict(request.user, "view").filter(pk=pk).first() or \
        Person.objects.filter(pk=pk, pk__in=[user_person_id(request.user) or 0]).first()
    if person is None:
        raise RuleViolation(_("Unknown person %(id)s.") % {"id": pk}, code="invalid")
    return person


def _require(request, model, action="add"):
    if not has_perm_anywhere(request.user, model, action):
        raise exceptions.PermissionDenied()


class _CustodyViewSet(ScopedReadOnlyViewSet):
    """Read-only base; detail actions declare the scoping action they need in OBJECT_ACTIONS."""

    OBJECT_ACTIONS: dict[str, str] = {}
    select_related: tuple[str, ...] = ()

    def base_queryset(self):
        queryset = self.queryset.all()
        return queryset.select_related(*self.select_related) if self.select_related else queryset

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.object_action = self.OBJECT_ACTIONS.get(self.action)

    def _out(self, obj, code=status.HTTP_200_OK):
        obj = self.base_queryset().get(pk=obj.pk)
        return Response(self.serializer_class(obj, context=self.get_serializer_context()).data, status=code)


# --- Viewsets ------------------------------------------------------------------------------


class LetterTemplateViewSet(_CustodyViewSet):
    """The organisation's 《设备管理责任书》 template (PATCH the active one; preview any text)."""

    queryset = LetterTemplate.objects.all()
    serializer_class = LetterTemplateSerializer
    OBJECT_ACTIONS = {"edit": "change"}

    @extend_schema(summary="Edit the template text (signed letters keep their frozen text)",
                   request=LetterTemplateSerializer, responses={200: LetterTemplateSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def edit(self, request, pk=None):
        template = self.get_object()
        d = _valid(LetterTemplateSerializer, request)
        services.save_template(actor=request.user, template=template, name=d.get("name", ""), body=d["body"])
        return self._out(template)

    @extend_schema(summary="Render a template text with sample data", request=PreviewSerializer,
                   responses={200: OpenApiTypes.OBJECT, 400: ERRORS[400], 403: ERRORS[403]})
    @action(detail=False, methods=["post"])
    def preview(self, request):
        _require(request, LetterTemplate, "change")
        d = _valid(PreviewSerializer, request)
        return Response({"text": services.preview_template(d["body"])})


class LetterViewSet(_CustodyViewSet):
    """Responsibility letters: the custodian signs (typed name + drawn PNG), IT uploads a signed scan."""

    queryset = ResponsibilityLetter.objects.all()
    serializer_class = LetterSerializer
    select_related = ("person", "department")
    OBJECT_ACTIONS = {"sign": "sign", "scan": "change"}

    @extend_schema(summary="Sign in the browser (AST-03)", request=SignSerializer,
                   responses={200: LetterSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        letter = self.get_object()
        d = _valid(SignSerializer, request)
        services.sign_letter(letter=letter, actor=request.user, typed_name=d["typed_name"],
                             signature=d["signature"], ip=request.META.get("REMOTE_ADDR"))
        return self._out(letter)

    @extend_schema(summary="Upload the letter signed on paper (PDF/JPG/PNG)", request=ScanSerializer,
                   responses={200: LetterSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def scan(self, request, pk=None):
        letter = self.get_object()
        d = _valid(ScanSerializer, request)
        services.upload_signed_scan(letter=letter, actor=request.user, scan=d["scan"])
        return self._out(letter)


class IssueViewSet(_CustodyViewSet):
    """Issues (领用) and their outbound slips (设备出库单)."""

    queryset = AssetIssue.objects.all()
    serializer_class = IssueSerializer
    select_related = ("person", "department", "letter")
    OBJECT_ACTIONS = {"cancel": "change"}

    def get_queryset(self):
        return super().get_queryset().prefetch_related("lines__asset", "lines__replaces")

    @extend_schema(summary="Issue in-stock devices to a person (one letter for all)", request=IssueCreateSerializer,
                   responses={201: IssueSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        _require(request, AssetIssue)
        d = _valid(IssueCreateSerializer, request)
        person = _person(request, d["person_id"])
        assets = [_asset(request, pk) for pk in d["asset_ids"]]
        replaces = {}
        for new_id, old_id in (d.get("replaces") or {}).items():
            if not str(new_id).isdigit() or int(new_id) > MAX_ID:
                raise RuleViolation(_("Unknown asset %(id)s.") % {"id": new_id}, code="invalid")
            replaces[int(new_id)] = _asset(request, old_id, "view")
        issue = services.issue_assets(person=person, assets=assets, actor=request.user, replaces=replaces,
                                      notes=d.get("notes", ""))
        return self._out(issue, status.HTTP_201_CREATED)

    @extend_schema(summary="Cancel an issue still waiting for its signature", request=None,
                   responses={200: IssueSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        issue = self.get_object()
        services.cancel_issue(issue=issue, actor=request.user)
        return self._out(issue)


class ReturnViewSet(_CustodyViewSet):
    """Returns (交回) with the accessory checklist; IT checks them."""

    queryset = AssetReturn.objects.all()
    serializer_class = ReturnSerializer
    select_related = ("asset", "person")
    OBJECT_ACTIONS = {"check": "change"}

    @extend_schema(summary="Receive a returned device", request=ReturnCreateSerializer,
                   responses={201: ReturnSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        _require(request, AssetReturn)
        d = _valid(ReturnCreateSerializer, request)
        asset = _asset(request, d["asset_id"], "view")
        ret = services.return_asset(asset=asset, actor=request.user, returned_accessories=d["returned_accessories"],
                                    condition=d["condition"], notes=d.get("notes", ""))
        return self._out(ret, status.HTTP_201_CREATED)

    @extend_schema(summary="Check a return: complete → in stock; incomplete → missing recorded",
                   request=ReturnCheckSerializer, responses={200: ReturnSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        ret = self.get_object()
        d = _valid(ReturnCheckSerializer, request)
        services.check_return(ret=ret, actor=request.user, returned_accessories=d.get("returned_accessories"),
                              condition=d.get("condition"), notes=d.get("notes", ""))
        return self._out(ret)


class ChangeViewSet(_CustodyViewSet):
    """Custodian changes (使用变更): requested by the custodian or IT, executed by IT."""

    queryset = CustodianChange.objects.all()
    serializer_class = ChangeSerializer
    select_related = ("asset", "from_person", "to_person", "letter")
    OBJECT_ACTIONS = {"execute": "change", "cancel": "change"}

    @extend_schema(summary="Request a custodian change", request=ChangeCreateSerializer,
                   responses={201: ChangeSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        d = _valid(ChangeCreateSerializer, request)
        own = Q(custodian_id=user_person_id(request.user) or 0)
        if not has_perm_anywhere(request.user, CustodianChange, "add"):
            asset = Asset.objects.filter(own, pk=d["asset_id"]).first()
            if asset is None:
                raise exceptions.PermissionDenied()
        else:
            asset = _asset(request, d["asset_id"], "view", extra=own)
        # The custodian names a colleague they may not browse: any current person may take over (IT reviews it).
        to_person = Person.objects.filter(pk=d["to_person_id"], status__in=CURRENT_STATUSES).first()
        if to_person is None:
            raise RuleViolation(_("Unknown person %(id)s.") % {"id": d["to_person_id"]}, code="invalid")
        change = services.request_custodian_change(asset=asset, to_person=to_person, reason=d["reason"],
                                                   actor=request.user)
        return self._out(change, status.HTTP_201_CREATED)

    @extend_schema(summary="Execute the change: a new letter for the new custodian", request=None,
                   responses={200: ChangeSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def execute(self, request, pk=None):
        change = self.get_object()
        services.execute_custodian_change(change=change, actor=request.user)
        return self._out(change)

    @extend_schema(summary="Cancel the change", request=None, responses={200: ChangeSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        change = self.get_object()
        services.cancel_custodian_change(change=change, actor=request.user)
        return self._out(change)


class LoanViewSet(_CustodyViewSet):
    """Loans (借用) with due dates, approved in the engine (process "assets.loan")."""

    queryset = AssetLoan.objects.all()
    serializer_class = LoanSerializer
    select_related = ("asset", "borrower")

    @extend_schema(summary="Ask to borrow an in-stock device", request=LoanCreateSerializer,
                   responses={201: LoanSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        d = _valid(LoanCreateSerializer, request)
        own_id = user_person_id(request.user)
        borrower_id = d.get("borrower_id") or own_id
        if borrower_id is None:
            raise RuleViolation(_("Your login is not linked to a person."), code="no_person")
        if borrower_id != own_id:
            _require(request, AssetLoan)
        borrower = _person(request, borrower_id)
        asset = _asset(request, d["asset_id"], "view", extra=Q(status=AssetStatus.IN_STOCK))
        loan = services.request_loan(asset=asset, borrower=borrower, purpose=d["purpose"], due_date=d["due_date"],
                                     actor=request.user)
        return self._out(loan, status.HTTP_201_CREATED)


class ReallocationViewSet(_CustodyViewSet):
    """Reallocations (调剂) between departments."""

    queryset = Reallocation.objects.all()
    serializer_class = ReallocationSerializer
    select_related = ("asset", "from_department", "to_department")

    @extend_schema(summary="Reallocate an in-stock device to another department", request=ReallocationCreateSerializer,
                   responses={201: ReallocationSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        _require(request, Reallocation)
        d = _valid(ReallocationCreateSerializer, request)
        asset = _asset(request, d["asset_id"])
        unit = OrgUnit.objects.filter(pk=d["to_department_id"], is_active=True).first()
        if unit is None:
            raise RuleViolation(_("Unknown department %(id)s.") % {"id": d["to_department_id"]}, code="invalid")
        record = services.reallocate(asset=asset, to_department=unit, reason=d["reason"], actor=request.user)
        return self._out(record, status.HTTP_201_CREATED)


class PreparationViewSet(_CustodyViewSet):
    """Equipment preparation for new hires (AST-06)."""

    queryset = PreparationTask.objects.all()
    serializer_class = PreparationSerializer
    select_related = ("person", "department")
    OBJECT_ACTIONS = {"done": "change"}

    @extend_schema(summary="Mark the equipment prepared", request=NotesSerializer,
                   responses={200: PreparationSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        task = self.get_object()
        d = _valid(NotesSerializer, request)
        services.complete_preparation_task(task=task, actor=request.user, notes=d.get("notes", ""))
        return self._out(task)


class ClearanceViewSet(_CustodyViewSet):
    """Leaver clearances (AST-07): every item still held; sign-off refused until all returned."""

    queryset = Clearance.objects.all()
    serializer_class = ClearanceSerializer
    select_related = ("person", "department")
    OBJECT_ACTIONS = {"sign_off": "change"}

    @extend_schema(summary="Sign off the asset part of the clearance (篇1 第九条(5))", request=None,
                   responses={200: ClearanceSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="sign-off")
    def sign_off(self, request, pk=None):
        clearance = self.get_object()
        services.sign_off_clearance(clearance=clearance, actor=request.user)
        return self._out(clearance)


class IncidentViewSet(_CustodyViewSet):
    """Damage, loss and theft with the VAR-12 compensation; approval "assets.compensation"."""

    queryset = DamageIncident.objects.all()
    serializer_class = IncidentSerializer
    select_related = ("asset", "responsible_person")
    OBJECT_ACTIONS = {"submit": "change"}

    @extend_schema(summary="Record damage, loss or theft", request=IncidentCreateSerializer,
                   responses={201: IncidentSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        _require(request, DamageIncident)
        d = _valid(IncidentCreateSerializer, request)
        asset = _asset(request, d["asset_id"], "view")
        person = _person(request, d["responsible_person_id"]) if d.get("responsible_person_id") else None
        incident = services.record_incident(asset=asset, kind=d["kind"], description=d["description"],
                                            actor=request.user, occurred_on=d.get("occurred_on"),
                                            responsible_person=person, responsibility=d["responsibility"])
        return self._out(incident, status.HTTP_201_CREATED)

    @extend_schema(summary="Send the compensation for approval", request=None,
                   responses={200: IncidentSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        incident = self.get_object()
        services.submit_incident(incident=incident, actor=request.user)
        return self._out(incident)


ROUTES = [
    ("letter-templates", LetterTemplateViewSet, "assets-lettertemplate"),
    ("letters", LetterViewSet, "assets-letter"),
    ("issues", IssueViewSet, "assets-issue"),
    ("returns", ReturnViewSet, "assets-return"),
    ("custodian-changes", ChangeViewSet, "assets-change"),
    ("loans", LoanViewSet, "assets-loan"),
    ("reallocations", ReallocationViewSet, "assets-reallocation"),
    ("preparation-tasks", PreparationViewSet, "assets-preparation"),
    ("clearances", ClearanceViewSet, "assets-clearance"),
    ("incidents", IncidentViewSet, "assets-incident"),
]
