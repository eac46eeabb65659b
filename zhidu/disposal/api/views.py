"""REST API of disposal under /api/disposal/ (issue #3, DSP-01…08).

Every queryset goes through `restrict(user, action)`: out of scope 404, visible but not
permitted 403. Writes call the services; a rule that refuses answers 400 with the reason and
the article, a state conflict 409 (zhidu.core.api.exceptions).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from zhidu.assets.models import Asset
from zhidu.core.api.views import ScopedModelViewSet, ScopedReadOnlyViewSet
from zhidu.core.errors import RuleViolation
from zhidu.org.selectors import require_person, visible_person

from .. import services
from ..filtersets import DisposalRecordFilterSet, ScrapRequestFilterSet
from ..models import DisposalRecord, SanitisationRecord, ScrapLine, ScrapRequest
from . import serializers as s

ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="Refused by a rule (detail, code, article)."),
    403: OpenApiResponse(OpenApiTypes.OBJECT, description="Visible but not permitted."),
    404: OpenApiResponse(OpenApiTypes.OBJECT, description="Not found or out of scope."),
    409: OpenApiResponse(OpenApiTypes.OBJECT, description="Not possible in the current status."),
}

#: The scoping action each endpoint checks on the request (see workflows.TRANSITIONS).
OBJECT_ACTIONS = {"submit": "submit", "withdraw": "submit", "appraise": "appraise", "recover": "process",
                  "sanitise": "process", "dispose": "process"}




def _lines(request, rows) -> list[services.LineInput]:
    ids = [row.get("asset_id") for row in rows if row.get("asset_id")]
    assets = Asset.objects.restrict(request.user, "view").select_related("category").in_bulk(ids)
    result = []
    for n, row in enumerate(rows, start=1):
        asset = None
        if row.get("kind", "hardware") == "hardware":
            asset = assets.get(row.get("asset_id"))
            if asset is None:
                raise RuleViolation(_("Item %(n)d: unknown asset (or outside your scope).") % {"n": n},
                                    code="invalid")
        result.append(services.LineInput(kind=row.get("kind", "hardware"), asset=asset, reason=row["reason"],
                                         software_name=row.get("software_name", ""),
                                         licence_key=row.get("licence_key", ""), quantity=row.get("quantity", 1)))
    return result


@extend_schema_view(
    list=extend_schema(summary="Scrapping requests (报废申请单) in the user's scope",
                       responses=s.ScrapRequestListSerializer),
    retrieve=extend_schema(summary="A scrapping request with its items, verdicts and disposals",
                           responses={200: s.ScrapRequestFullSerializer, 404: ERRORS[404]}),
    create=extend_schema(summary="Create a draft request (the user is the requester)",
                         request=s.ScrapRequestWriteSerializer,
                         responses={201: s.ScrapRequestFullSerializer, 400: ERRORS[400], 403: ERRORS[403]}),
    update=extend_schema(summary="Replace a draft or returned request (items replaced)",
                         request=s.ScrapRequestWriteSerializer, responses={200: s.ScrapRequestFullSerializer, **ERRORS}),
    partial_update=extend_schema(summary="Change a draft or returned request (items replaced when given)",
                                 request=s.ScrapRequestWriteSerializer,
                                 responses={200: s.ScrapRequestFullSerializer, **ERRORS}),
    destroy=extend_schema(summary="Delete a never-submitted draft", responses={204: None, **ERRORS}),
)
class ScrapRequestViewSet(ScopedModelViewSet):
    """报废申请单 (DSP-02…05) and its workflow actions."""

    queryset = ScrapRequest.objects.all()
    filterset_class = ScrapRequestFilterSet
    ordering_fields = ("number", "created", "submitted_at", "status")
    ordering = ("-id",)

    def get_queryset(self):
        qs = super().get_queryset().select_related("requester", "department")
        if self.action == "list":
            return qs
        return qs.select_related("appraised_by").prefetch_related(
            Prefetch("lines", queryset=ScrapLine.objects.select_related("asset", "sanitisation")),
            Prefetch("disposals", queryset=DisposalRecord.objects.prefetch_related("lines")),
        )

    def get_serializer_class(self):
        if self.action == "list":
            return s.ScrapRequestListSerializer
        if self.action in ("create", "update", "partial_update"):
            return s.ScrapRequestWriteSerializer
        return s.ScrapRequestFullSerializer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.object_action = OBJECT_ACTIONS.get(self.action)

    def _full(self, obj, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=obj.pk)
        return Response(s.ScrapRequestFullSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        self.check_create_permission()
        serializer = s.ScrapRequestWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        with transaction.atomic():
            obj = services.create_request(requester=require_person(request.user), actor=request.user, title=d["title"],
                                          reason=d.get("reason", ""), lines=_lines(request, d["lines"]))
        return self._full(obj, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        obj = self.get_object()
        serializer = s.ScrapRequestWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        if "lines" in d:
            lines = _lines(request, d["lines"])
        else:
            lines = [services.LineInput(kind=line.kind, asset=line.asset, reason=line.reason,
                                        software_name=line.software_name, licence_key=line.licence_key,
                                        quantity=line.quantity) for line in obj.lines.select_related("asset")]
        services.update_request(request=obj, actor=request.user, title=d.get("title", obj.title),
                                reason=d.get("reason", obj.reason) if "reason" in request.data else obj.reason,
                                lines=lines)
        return self._full(obj)

    def perform_destroy(self, instance):
        services.delete_draft(request=instance, actor=self.request.user)

    @extend_schema(summary="Submit to the IT authority for appraisal (DSP-02)", request=None,
                   responses={200: s.ScrapRequestFullSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        obj = self.get_object()
        services.submit_request(request=obj, actor=request.user)
        return self._full(obj)

    @extend_schema(summary="Withdraw (draft, returned, in appraisal or in approval)", request=s.ScrapReasonSerializer,
                   responses={200: s.ScrapRequestFullSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        obj = self.get_object()
        serializer = s.ScrapReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.withdraw_request(request=obj, actor=request.user, reason=serializer.validated_data["reason"])
        return self._full(obj)

    @extend_schema(summary="Appraise every item: repair or scrap (鉴定, DSP-02); scrap items go to VAR-05 approval",
                   request=s.AppraisalSerializer, responses={200: s.ScrapRequestFullSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def appraise(self, request, pk=None):
        obj = self.get_object()
        serializer = s.AppraisalSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        verdicts = [services.VerdictInput(line_id=v["line_id"], verdict=v["verdict"], notes=v.get("notes", ""))
                    for v in serializer.validated_data["verdicts"]]
        services.appraise(request=obj, actor=request.user, verdicts=verdicts)
        return self._full(obj)

    @extend_schema(summary="Recover the approved items (回收): assets awaiting disposal, custodian cleared",
                   request=None, responses={200: s.ScrapRequestFullSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def recover(self, request, pk=None):
        obj = self.get_object()
        services.recover(request=obj, actor=request.user)
        return self._full(obj)

    @extend_schema(summary="Record the data sanitisation of a recovered device (DSP-07, 篇13 3②)",
                   request=s.SanitiseSerializer, responses={201: s.SanitisationRecordSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def sanitise(self, request, pk=None):
        obj = self.get_object()
        serializer = s.SanitiseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        line = obj.lines.filter(pk=d["line_id"]).first()
        if line is None:
            raise RuleViolation(_("Item %(id)s is not on this request.") % {"id": d["line_id"]}, code="invalid")
        record = services.record_sanitisation(
            line=line, actor=request.user, method=d["method"],
            performed_by=visible_person(request.user, d["performed_by_id"]),
            verified_by=visible_person(request.user, d["verified_by_id"]), performed_on=d["performed_on"],
            notes=d.get("notes", ""))
        record = SanitisationRecord.objects.select_related("performed_by", "verified_by").get(pk=record.pk)
        return Response(s.SanitisationRecordSerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Record the disposal of recovered items (DSP-04): only then are the assets disposed",
                   request=s.DisposeSerializer, responses={201: s.DisposalRecordSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def dispose(self, request, pk=None):
        obj = self.get_object()
        serializer = s.DisposeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        record = services.record_disposal(request=obj, actor=request.user, method=d["method"],
                                          recipient=d["recipient"], disposed_on=d["disposed_on"],
                                          proceeds=d.get("proceeds"), notes=d.get("notes", ""),
                                          line_ids=d.get("line_ids"))
        record = DisposalRecord.objects.prefetch_related("lines").get(pk=record.pk)
        return Response(s.DisposalRecordSerializer(record).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="Items of scrapping requests in the user's scope"),
    retrieve=extend_schema(summary="One item", responses={200: s.ScrapLineSerializer, 404: ERRORS[404]}),
)
class ScrapLineViewSet(ScopedReadOnlyViewSet):
    queryset = ScrapLine.objects.all()
    serializer_class = s.ScrapLineSerializer
    ordering = ("-id",)

    def get_queryset(self):
        qs = super().get_queryset().select_related("asset", "sanitisation")
        request_id = self.request.query_params.get("request")
        if request_id and request_id.isdigit():
            qs = qs.filter(request_id=int(request_id))
        return qs


@extend_schema_view(
    list=extend_schema(summary="Data sanitisation records (DSP-07)"),
    retrieve=extend_schema(summary="One sanitisation record",
                           responses={200: s.SanitisationRecordSerializer, 404: ERRORS[404]}),
)
class SanitisationRecordViewSet(ScopedReadOnlyViewSet):
    queryset = SanitisationRecord.objects.all()
    serializer_class = s.SanitisationRecordSerializer
    ordering = ("-id",)

    def get_queryset(self):
        return super().get_queryset().select_related("performed_by", "verified_by")


@extend_schema_view(
    list=extend_schema(summary="Disposal records (DSP-04)"),
    retrieve=extend_schema(summary="One disposal record", responses={200: s.DisposalRecordSerializer,
                                                                     404: ERRORS[404]}),
)
class DisposalRecordViewSet(ScopedReadOnlyViewSet):
    queryset = DisposalRecord.objects.all()
    serializer_class = s.DisposalRecordSerializer
    filterset_class = DisposalRecordFilterSet
    ordering = ("-id",)

    def get_queryset(self):
        return super().get_queryset().prefetch_related("lines")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.object_action = "change" if self.action == "certificate" else None

    @extend_schema(summary="Upload the disposal certificate (scan) as an attachment",
                   request={"multipart/form-data": s.CertificateSerializer}, responses={201: OpenApiTypes.OBJECT,
                                                                                        **ERRORS})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def certificate(self, request, pk=None):
        record = self.get_object()
        serializer = s.CertificateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attachment = services.attach_file(obj=record, file=serializer.validated_data["file"], actor=request.user,
                                          description=serializer.validated_data["description"]
                                          or _("Disposal certificate"))
        return Response({"id": attachment.pk, "name": attachment.name, "size": attachment.size},
                        status=status.HTTP_201_CREATED)
