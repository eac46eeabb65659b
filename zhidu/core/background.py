"""Background jobs (DESIGN "Long work … runs in the background with a progress bar and a
download when done").

    from zhidu.core import background

    @background.handler("myapp.report")
    def build_report(job, progress):          # runs as a django.tasks task, as job.owner
        progress.start(total=n)
        for i, item in enumerate(items, 1):
            ...
            progress.step(i)
        background.save_result_file(job, chunks, "report.xlsx")
        return {"rows": n}                     # stored in job.result

    job = background.start_job(kind=BackgroundJob.Kind.REPORT, owner=request.user,
                               title=_("Usage report"), handler="myapp.report", params={...})
    return redirect(job)                       # the progress page

`start_job` enqueues the task `run_background_job` on the configured backend (settings.TASKS:
the database backend in production, the immediate backend in tests, so a test sees the job
finished when `start_job` returns). The handler runs inside `context.using(user=owner,
source=…)`: the changes it makes are change-logged with the job's owner as actor.

Built-in handlers: "core.export" (an ObjectListView export with more rows than
settings.ZHIDU_BACKGROUND_EXPORT_ROWS, written with `exports.export_rows`) and "core.import"
(a `zhidu.core.imports.Importer` run on a stashed file, with the row-level error report).

Pages: the job page (progress bar polled by htmx every second while the job runs, the
download link when done, the row errors), "my background jobs", the file download. A job and
its file are visible only to their owner and to superusers (others: 404).
"""

from __future__ import annotations

import csv
import io
import logging
import tempfile
import traceback
from collections.abc import Callable, Iterable
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.tasks import task
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from . import context
from .models import BackgroundJob

logger = logging.getLogger(__name__)

#: Rows of an export above which the list export runs in the background.
DEFAULT_EXPORT_ROWS = 5000
#: Data rows of an import file above which the import runs in the background.
DEFAULT_IMPORT_ROWS = 2000
#: Row errors kept on a job (the full report is the downloadable file).
MAX_ERRORS_STORED = 2000

HANDLERS: dict[str, Callable] = {}


def export_threshold() -> int:
    return int(getattr(settings, "ZHIDU_BACKGROUND_EXPORT_ROWS", DEFAULT_EXPORT_ROWS))


def import_threshold() -> int:
    return int(getattr(settings, "ZHIDU_BACKGROUND_IMPORT_ROWS", DEFAULT_IMPORT_ROWS))


def handler(name: str):
    """Register `func(job, progress) -> dict | None` as the handler called `name`."""

    def decorator(func):
        HANDLERS[name] = func
        return func

    return decorator


class Progress:
    """Writes done/total to the job row, at most about a hundred times per job."""

    def __init__(self, job: BackgroundJob):
        self.job = job
        self._last = 0

    def start(self, *, total: int, message: str = "") -> None:
        self.job.progress_total = max(0, int(total))
        self.job.progress_done = 0
        fields = ["progress_total", "progress_done"]
        if message:
            self.job.message = str(message)
            fields.append("message")
        BackgroundJob.objects.filter(pk=self.job.pk).update(**{f: getattr(self.job, f) for f in fields})

    def step(self, done: int, *, total: int | None = None, message: str = "") -> None:
        if total is not None and total != self.job.progress_total:
            self.job.progress_total = total
        self.job.progress_done = done
        stride = max(1, self.job.progress_total // 100)
        if done - self._last >= stride or done >= self.job.progress_total or message:
            self._last = done
            update = {"progress_done": done, "progress_total": self.job.progress_total}
            if message:
                self.job.message = str(message)
                update["message"] = self.job.message
            BackgroundJob.objects.filter(pk=self.job.pk).update(**update)

    __call__ = step


def start_job(*, kind: str, owner, title, handler: str, params: dict | None = None, total: int = 0) -> BackgroundJob:
    """Create the job and enqueue it. `handler` names a registered handler."""
    if handler not in HANDLERS:
        raise ValueError(f"unknown background handler {handler!r}")
    job = BackgroundJob.objects.create(kind=kind, owner=owner, title=str(title)[:200], handler=handler,
                                       params=params or {}, progress_total=total)
    from django.db import transaction
    from django.tasks.backends.immediate import ImmediateBackend

    if isinstance(run_background_job.get_backend(), ImmediateBackend) or not transaction.get_connection().in_atomic_block:
        _enqueue(job.pk)
        job.refresh_from_db()
    else:  # a queue outside this database (RQ) must not see the job before it is committed
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    result = run_background_job.enqueue(job_id)
    task_id = str(getattr(result, "id", "") or "")[:64]
    if task_id:
        BackgroundJob.objects.filter(pk=job_id).update(task_id=task_id)


def _source_for(kind: str) -> str:
    return context.Source.IMPORT if kind == BackgroundJob.Kind.IMPORT else context.Source.JOB


@task
def run_background_job(job_id: int) -> str:
    """The task: run the job's handler as its owner; record done/failed and the finish time."""
    job = BackgroundJob.objects.select_related("owner").filter(pk=job_id).first()
    if job is None or job.status not in (BackgroundJob.Status.QUEUED, BackgroundJob.Status.RUNNING):
        return "skipped"
    job.status = BackgroundJob.Status.RUNNING
    job.started = timezone.now()
    BackgroundJob.objects.filter(pk=job.pk).update(status=job.status, started=job.started)
    progress = Progress(job)
    try:
        func = HANDLERS[job.handler]
        with context.using(user=job.owner, source=_source_for(job.kind), ip=job.params.get("ip")):
            outcome = func(job, progress) or {}
    except Exception as exc:  # noqa: BLE001 — any failure is reported on the job page
        logger.exception("background job %s failed", job.pk)
        job.status = BackgroundJob.Status.FAILED
        job.message = _("The job failed: %(error)s") % {"error": exc}
        job.result = {**job.result, "traceback": traceback.format_exc()[-4000:]}
        job.finished = timezone.now()
        job.save(update_fields=["status", "message", "result", "finished"])
        return "failed"
    job.status = BackgroundJob.Status.DONE
    job.result = {**job.result, **outcome}
    if job.progress_total and job.progress_done < job.progress_total:
        job.progress_done = job.progress_total
    job.finished = timezone.now()
    job.save(update_fields=["status", "result", "finished", "progress_done", "errors", "message",
                            "result_file", "result_filename"])
    return "done"


def save_result_file(job: BackgroundJob, chunks: Iterable[bytes], filename: str) -> None:
    """Spool the chunks to a temporary file (flat memory) and store it as the job's file."""
    with tempfile.TemporaryFile() as handle:
        for chunk in chunks:
            handle.write(chunk)
        handle.seek(0)
        safe = "".join(c for c in filename if c.isascii() and (c.isalnum() or c in "-_.")) or "result"
        job.result_file.save(f"job{job.pk}-{safe}", File(handle), save=False)
    job.result_filename = filename[:200]


# --------------------------------------------------------------------------- export


def start_export(*, request, table_columns: list[str], fmt: str, total: int, title) -> BackgroundJob:
    """Run the export of the list at request.path (with its filters) in the background."""
    query = {k: v for k, v in request.GET.lists() if k not in ("export", "page", "columns")}
    params = {"path": request.path, "query": query, "columns": table_columns, "format": fmt,
              "language": getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)}
    return start_job(kind=BackgroundJob.Kind.EXPORT, owner=request.user, handler="core.export", params=params,
                     total=total, title=_("Export: %(what)s (%(format)s)") % {"what": title, "format": fmt})


def _list_view_table(job: BackgroundJob):
    """Rebuild the list view's filtered table as the owner would see it (same scope, filters, columns)."""
    from django.http import QueryDict

    params = job.params
    query = QueryDict(mutable=True)
    for key, values in params.get("query", {}).items():
        query.setlist(key, values)
    if params.get("columns"):
        query.setlist("columns", [",".join(params["columns"])])
    request = RequestFactory().get(params["path"], data=query)
    request.user = job.owner
    request.session = {}
    match = resolve(params["path"])
    request.resolver_match = match
    view = match.func.view_class(**(match.func.view_initkwargs or {}))
    view.setup(request, *match.args, **match.kwargs)
    return view, view.build_export_table()


@handler("core.export")
def run_export(job: BackgroundJob, progress: Progress) -> dict:
    from django.utils import translation

    from . import exports

    fmt = job.params["format"]
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
        view, table = _list_view_table(job)
        queryset = table.data.data
        total = queryset.count()
        progress.start(total=total)
        chunks = exports.export_rows(queryset, table, fmt, progress=progress)
        save_result_file(job, chunks, exports.export_filename(queryset.model, fmt))
    job.message = _("%(n)d rows exported.") % {"n": total}
    return {"rows": total}


# --------------------------------------------------------------------------- import


def importer_path(importer_class) -> str:
    return f"{importer_class.__module__}:{importer_class.__qualname__}"


def load_importer_class(path: str):
    module, _sep, name = path.partition(":")
    obj = import_module(module)
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def start_import(*, user, importer_class, stash_path: str, filename: str, mode: str, mapping: dict | None = None,
                 match_key: str = "", options: dict | None = None, total: int = 0, ip: str | None = None) -> BackgroundJob:
    """Run `importer_class` on the stashed file in the background (dry run or real)."""
    from .imports import ImportMode

    label = importer_class(user=user).label
    what = _("check") if mode == ImportMode.DRY_RUN else _("import")
    return start_job(
        kind=BackgroundJob.Kind.IMPORT, owner=user, handler="core.import", total=total,
        title=_("Import (%(what)s): %(label)s — %(file)s") % {"what": what, "label": label, "file": filename},
        params={"importer": importer_path(importer_class), "path": stash_path, "filename": filename, "mode": mode,
                "mapping": mapping or {}, "match_key": match_key, "options": options or {}, "ip": ip},
    )


def error_report_csv(rows) -> Iterable[bytes]:
    """The row-level error report as CSV (UTF-8 with BOM): row, key, column, message."""
    from .exports import escape_formula

    yield b"\xef\xbb\xbf"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Row"), _("Match key"), _("Column"), _("Message")])
    for row in rows:
        for error in row.errors:
            writer.writerow([row.number, escape_formula(row.key), escape_formula(error.column),
                             escape_formula(error.message)])
    yield buffer.getvalue().encode("utf-8")


@handler("core.import")
def run_import_job(job: BackgroundJob, progress: Progress) -> dict:
    from .imports import run_import

    params = job.params
    importer = load_importer_class(params["importer"])(user=job.owner, **(params.get("options") or {}))
    if params.get("match_key"):
        importer.set_match_key(params["match_key"])
    with default_storage.open(params["path"], "rb") as handle:
        data = handle.read()
    result = run_import(importer, data=data, filename=params.get("filename", ""), mode=params["mode"],
                        mapping=params.get("mapping") or None, progress=progress, max_rows=None)
    job.errors = [
        {"row": e.row, "column": e.column, "message": e.message} for e in result.errors[:MAX_ERRORS_STORED]
    ] + [{"row": None, "column": "", "message": m} for m in result.file_errors]
    if result.error_rows:
        save_result_file(job, error_report_csv(result.rows), f"import-errors-{job.pk}.csv")
    if not result.dry_run and default_storage.exists(params["path"]):
        default_storage.delete(params["path"])
    summary = {"total": result.total, "created": result.created, "updated": result.updated,
               "unchanged": result.unchanged, "error_rows": result.error_rows, "committed": result.committed,
               "dry_run": result.dry_run, "mode": result.mode, "ignored_headers": result.ignored_headers,
               "errors_total": len(result.errors)}
    if result.file_errors:
        job.message = " ".join(result.file_errors)
    elif result.dry_run:
        job.message = _("Check finished: %(n)d rows, %(e)d with errors.") % {"n": result.total, "e": result.error_rows}
    elif result.committed:
        job.message = _("Imported: %(c)d created, %(u)d updated, %(e)d rows with errors.") % {
            "c": result.created, "u": result.updated, "e": result.error_rows}
    else:
        job.message = _("Nothing was imported: %(e)d rows have errors.") % {"e": result.error_rows}
    return summary


# --------------------------------------------------------------------------- pages


def _job_for(request, pk) -> BackgroundJob:
    job = BackgroundJob.objects.restrict(request.user).select_related("owner").filter(pk=pk).first()
    if job is None:
        raise Http404(_("No such background job, or it is not yours."))
    return job


@login_required
@require_GET
def job_detail(request, pk):
    """The job page; htmx polls `job_progress` every second while it runs."""
    job = _job_for(request, pk)
    return render(request, "core/background/job_detail.html", {"job": job, "title": job.title})


@login_required
@require_GET
def job_progress(request, pk):
    job = _job_for(request, pk)
    return render(request, "core/background/_progress.html", {"job": job})


@login_required
@require_GET
def job_download(request, pk):
    job = _job_for(request, pk)
    if job.files_expired:  # 410 Gone: the page says the file has expired (not a bare 404)
        return render(request, "core/background/job_detail.html", {"job": job, "title": job.title}, status=410)
    if not job.result_file:
        raise Http404(_("This job has no file (yet)."))
    from .exports import content_disposition

    response = FileResponse(job.result_file.open("rb"), as_attachment=True)
    response["Content-Disposition"] = content_disposition(job.result_filename or "result")
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def job_list(request):
    """My background jobs (a superuser sees their own too; others' by URL only)."""
    jobs = BackgroundJob.objects.filter(owner=request.user).order_by("-created", "-id")
    page = Paginator(jobs, 25).get_page(request.GET.get("page"))
    return render(request, "core/background/job_list.html", {"page": page, "jobs": page.object_list,
                                                             "title": _("My background jobs")})


@login_required
@require_POST
def job_import_now(request, pk):
    """After a background dry run: import the same (kept) file with the same mapping, as a new job."""
    from django.shortcuts import redirect

    from .imports import ImportMode

    job = _job_for(request, pk)
    params = job.params
    mode = request.POST.get("mode") or ImportMode.ALL_OR_NOTHING
    if (job.kind != BackgroundJob.Kind.IMPORT or job.status != BackgroundJob.Status.DONE
            or params.get("mode") != ImportMode.DRY_RUN or mode == ImportMode.DRY_RUN
            or mode not in {m for m, _label in ImportMode.choices} or not default_storage.exists(params["path"])):
        raise Http404(_("This check cannot be imported (any more): upload the file again."))
    importer_class = load_importer_class(params["importer"])
    if not importer_class(user=request.user).check_permission():
        raise PermissionDenied
    new = start_import(user=request.user, importer_class=importer_class, stash_path=params["path"],
                       filename=params.get("filename", ""), mode=mode, mapping=params.get("mapping"),
                       match_key=params.get("match_key", ""), options=params.get("options"),
                       total=job.progress_total, ip=context.current().ip)
    return redirect(new)


# --------------------------------------------------------------------------- retention

#: Days the files of finished background jobs are kept (regulation parameter).
FILE_RETENTION_PARAM = "core.background_file_retention_days"


def define_params() -> None:
    from . import params

    params.define(
        key=FILE_RETENTION_PARAM, kind=params.Kind.DAYS, default=7, min_value=1, replace=True,
        label=_lazy("Keep the files of background jobs for"),
        help=_lazy("Export results, import error reports and uploaded import files are deleted this many days "
                   "after the job finished; the job stays listed and says its file has expired."),
        group=_lazy("System"),
    )


def expire_old_files(*, now=None) -> int:
    """Delete the result and uploaded files of jobs finished longer ago than the retention period
    and mark the jobs expired; returns how many jobs expired. Running jobs are never touched."""
    from . import params

    now = now or timezone.now()
    cutoff = now - timedelta(days=int(params.get(FILE_RETENTION_PARAM)))
    jobs = BackgroundJob.objects.filter(status__in=[BackgroundJob.Status.DONE, BackgroundJob.Status.FAILED],
                                        files_expired__isnull=True, finished__lt=cutoff)
    count = 0
    for job in jobs.iterator():
        if job.result_file:
            job.result_file.delete(save=False)  # the storage's file; the field is emptied
        upload = (job.params or {}).get("path") if job.kind == BackgroundJob.Kind.IMPORT else None
        if upload and default_storage.exists(upload):
            default_storage.delete(upload)
        job.files_expired = now
        job.save(update_fields=["result_file", "files_expired"])
        count += 1
    return count


def job_url(job: BackgroundJob) -> str:
    return reverse("background_job", args=[job.pk])

