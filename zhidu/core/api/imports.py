"""Imports through the API (issue #3 "API for every model and action"): the same importers,
modes and row reports as the import pages, for programs that load a ledger from a file.

    GET  /api/imports/                    the importers the user may use, with their columns
    GET  /api/imports/<key>/template/     the .xlsx template
    POST /api/imports/<key>/              multipart: file, mode, match_key, options, background
    GET  /api/jobs/<id>/                  a background job of the user: status, progress, result

A file above the background threshold (or `background=true`) runs as a background job: 202
with the job's URL. Otherwise the answer is the report: 200, or 400 when nothing was imported
because of errors (the body lists them row by row).
"""

from __future__ import annotations

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from zhidu.core import background, context
from zhidu.core.imports import (
    STASH_DIR,
    XLSX_CONTENT_TYPE,
    Importer,
    ImportMode,
    ImportResult,
    build_template,
    estimate_rows,
    registered_importers,
    run_import,
)
from zhidu.core.models import BackgroundJob

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def _importer_class(user, key: str) -> type[Importer]:
    """The importer `key`, if the user may use it (404 when unknown, 403 without permission)."""
    importer_class = registered_importers().get(key)
    if importer_class is None:
        raise exceptions.NotFound(_("No importer “%(key)s”.") % {"key": key})
    if not importer_class(user=user).check_permission():
        raise exceptions.PermissionDenied(_("You may not use this import."))
    return importer_class


def _describe(importer: Importer, key: str) -> dict:
    headers = {c.field: c.header for c in importer.columns}
    return {
        "key": key, "label": str(importer.label),
        "columns": [{"field": c.field, "header": str(c.header), "required": c.required,
                     "required_new": c.required_new, "help": str(c.help), "choices": list(c.choices)}
                    for c in importer.columns],
        "match_keys": [{"field": f, "label": str(label)} for f, label in importer.match_keys]
        or [{"field": importer.match_field, "label": str(headers.get(importer.match_field, importer.match_field))}],
        "options": [{"name": n, "label": str(label)} for n, label in importer.options],
        "modes": [{"mode": m, "label": str(label)} for m, label in ImportMode.choices],
    }


def result_body(result: ImportResult) -> dict:
    """The row report of an import, as JSON."""
    return {
        "mode": result.mode, "committed": result.committed, "dry_run": result.dry_run, "total": result.total,
        "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
        "error_rows": result.error_rows, "file_errors": [str(m) for m in result.file_errors],
        "ignored_headers": result.ignored_headers,
        "errors": [{"row": e.row, "column": e.column, "message": str(e.message)} for e in result.errors],
        "rows": [{"row": r.number, "key": r.key, "action": r.action, "label": r.label,
                  "messages": [str(m) for m in r.messages]} for r in result.rows],
    }


def job_body(job: BackgroundJob) -> dict:
    return {
        "id": job.pk, "kind": job.kind, "title": job.title, "status": job.status, "message": job.message,
        "progress": {"done": job.progress_done, "total": job.progress_total}, "result": job.result,
        "errors": job.errors, "created": job.created, "started": job.started, "finished": job.finished,
        "url": reverse("background_job", args=[job.pk]),
        "download_url": reverse("background_job_download", args=[job.pk]) if job.result_file else None,
    }


class ImporterListView(APIView):
    @extend_schema(operation_id="imports_list", responses=inline_serializer(
        "ImporterList", {"results": serializers.ListField(child=serializers.DictField())}))
    def get(self, request):
        found = []
        for key, importer_class in sorted(registered_importers().items()):
            importer = importer_class(user=request.user)
            if importer.check_permission():
                found.append(_describe(importer, key))
        return Response({"results": found})


class ImportTemplateView(APIView):
    @extend_schema(operation_id="imports_template", responses={
        (200, XLSX_CONTENT_TYPE): OpenApiResponse(description="The .xlsx template")})
    def get(self, request, key):
        importer = _importer_class(request.user, key)(user=request.user)
        response = HttpResponse(build_template(importer), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{key}-template.xlsx"'
        return response


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField()
    mode = serializers.ChoiceField(choices=[m for m, _label in ImportMode.choices], default=ImportMode.DRY_RUN)
    match_key = serializers.CharField(required=False, allow_blank=True, default="")
    options = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    background = serializers.BooleanField(required=False, default=False)

    def validate_file(self, value):
        if value.size > MAX_UPLOAD_BYTES:
            raise serializers.ValidationError(_("The file is larger than 50 MB: split it."))
        return value


class ImportRunView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(operation_id="imports_run", request={"multipart/form-data": ImportRequestSerializer},
                   responses={200: OpenApiResponse(description="The row report"),
                              202: OpenApiResponse(description="Started as a background job"),
                              400: OpenApiResponse(description="Nothing imported: file or row errors")})
    def post(self, request, key):
        importer_class = _importer_class(request.user, key)
        form = ImportRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        values = form.validated_data
        unknown = set(values["options"]) - {n for n, _label in importer_class.options}
        if unknown:
            raise exceptions.ValidationError({"options": [_("Unknown option(s): %(names)s.")
                                                          % {"names": ", ".join(sorted(unknown))}]})
        options = dict.fromkeys(values["options"], True)
        importer = importer_class(user=request.user, **options)
        if values["match_key"]:
            try:
                importer.set_match_key(values["match_key"])
            except ValueError:
                raise exceptions.ValidationError({"match_key": [_("Unknown match key.")]}) from None
        upload = values["file"]
        data = upload.read()
        rows = estimate_rows(data, upload.name)
        if values["background"] or rows > background.import_threshold():
            path = default_storage.save(f"{STASH_DIR}/{uuid.uuid4().hex}.upload", ContentFile(data))
            job = background.start_import(
                user=request.user, importer_class=importer_class, stash_path=path, filename=upload.name,
                mode=values["mode"], match_key=values["match_key"], options=options, total=2 * rows,
                ip=context.current().ip)
            return Response(job_body(job), status=status.HTTP_202_ACCEPTED)
        result = run_import(importer, data=data, filename=upload.name, mode=values["mode"])
        body = result_body(result)
        refused = result.file_errors or (not result.committed and not result.dry_run)
        if refused:
            body["detail"] = " ".join(body["file_errors"]) or _(
                "Nothing was imported: %(e)d rows have errors.") % {"e": result.error_rows}
            body["code"] = "import_refused"
        return Response(body, status=status.HTTP_400_BAD_REQUEST if refused else status.HTTP_200_OK)


class JobDetailView(APIView):
    @extend_schema(operation_id="jobs_retrieve", responses=OpenApiResponse(description="The job"))
    def get(self, request, pk: int):
        job = BackgroundJob.objects.restrict(request.user).filter(pk=pk).first()
        if job is None:
            raise exceptions.NotFound(_("No such job."))
        return Response(job_body(job))
