"""ObjectListView: every register (台账) page (DESIGN "User interface": search, filters,
sorting, column choice, export).

    class PurchaseRequestListView(ObjectListView):
        model = PurchaseRequest
        table_class = PurchaseRequestTable
        filterset_class = PurchaseRequestFilterSet
        select_related = ("department", "requester")
        create_url_name = "procurement:request_create"

Query parameters: filters of the FilterSet (`q` = search), `sort` (a column name, "-" for
descending), `page`, `per_page` (25/50/100), `columns` (the columns to show, repeated or
comma-separated; remembered in the session per list; an empty `columns=` resets them),
`export=xlsx|csv` (every filtered row, streamed; above settings.ZHIDU_BACKGROUND_EXPORT_ROWS
rows written by a background job, zhidu.core.background, and the user sent to its page).

Queries per page are fixed whatever the page size: one count, one fetch (plus the session,
the user and the user's grants), as long as `select_related`/`prefetch_related` cover the
table's columns. A deep page (1,000 rows or more before it) is fetched in two: its pks, then
its rows (zhidu.core.paginator.PkFirstPaginator), so OFFSET never walks joined rows.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.generic import View

from zhidu.core import background, exports
from zhidu.core.paginator import PkFirstPaginator, stable_order
from zhidu.core.scoping import has_perm_anywhere
from zhidu.core.tables import ZhiduTable

from .mixins import ScopedObjectMixin, reverse_or_none

TABLE_TARGET = "object-list-table"


class ObjectListView(ScopedObjectMixin, View):
    """A filtered, sortable, paginated, exportable list of the objects the user may see."""

    template_name = "core/object_list.html"
    table_template_name = "core/_object_list_table.html"
    table_class: type[ZhiduTable] | None = None
    filterset_class = None
    action = "view"
    require_permission = False  # True: 403 unless the user holds the view permission somewhere
    per_page_choices: tuple[int, ...] = (25, 50, 100)
    export_formats: tuple[str, ...] = exports.FORMATS
    create_url_name: str | None = None
    title: str | None = None
    sort_param = "sort"
    page_param = "page"
    per_page_param = "per_page"
    columns_param = "columns"
    export_param = "export"

    # -- hooks -----------------------------------------------------------------------------
    def get_queryset(self):
        """Restricted to the user's scope, optimised, with a deterministic order."""
        queryset = self.optimise(self.restricted(self.action))
        if not queryset.query.order_by and not queryset.model._meta.ordering:
            queryset = queryset.order_by("-pk")
        return queryset

    def get_filterset(self, queryset):
        if self.filterset_class is None:
            return None
        return self.filterset_class(self.request.GET or None, queryset=queryset, request=self.request)

    def get_table_class(self):
        if self.table_class is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs `table_class`.")
        return self.table_class

    def get_title(self):
        return self.title or self.get_model()._meta.verbose_name_plural

    def get_create_url(self):
        if self.create_url_name and has_perm_anywhere(self.request.user, self.get_model(), "add"):
            return reverse_or_none(self.create_url_name)
        return None

    def get_extra_context(self) -> dict:
        """Hook: more context for the page template."""
        return {}

    # -- column choice ---------------------------------------------------------------------
    def columns_session_key(self) -> str:
        match = getattr(self.request, "resolver_match", None)
        name = match.view_name if match and match.view_name else self.get_model()._meta.label_lower
        return f"zhidu.columns.{name}"

    def get_columns(self) -> list[str]:
        table_class = self.get_table_class()
        key = self.columns_session_key()
        session = getattr(self.request, "session", None)
        if self.columns_param in self.request.GET:
            raw = []
            for value in self.request.GET.getlist(self.columns_param):
                raw.extend(v.strip() for v in value.split(","))
            chosen = table_class.clean_columns(raw) if issubclass(table_class, ZhiduTable) else None
            if session is not None:
                if chosen:
                    session[key] = chosen
                else:
                    session.pop(key, None)
            if chosen:
                return chosen
        elif session is not None and session.get(key):
            chosen = table_class.clean_columns(session[key]) if issubclass(table_class, ZhiduTable) else None
            if chosen:
                return chosen
        if issubclass(table_class, ZhiduTable):
            return table_class.initial_columns()
        return list(table_class.base_columns.keys())

    # -- table -----------------------------------------------------------------------------
    def get_per_page(self) -> int:
        try:
            value = int(self.request.GET.get(self.per_page_param, ""))
        except ValueError:
            value = 0
        return value if value in self.per_page_choices else self.per_page_choices[0]

    def build_table(self, queryset, columns):
        table_class = self.get_table_class()
        kwargs = {"order_by_field": self.sort_param, "page_field": self.page_param,
                  "per_page_field": self.per_page_param}
        if issubclass(table_class, ZhiduTable):
            kwargs["columns"] = columns
        table = table_class(queryset, **kwargs)
        table.request = self.request
        sort = [s for s in self.request.GET.getlist(self.sort_param) if s]
        if sort:
            table.order_by = sort
        # a stable order, so a page never repeats or skips rows among equal values
        data = table.data
        if hasattr(data, "data") and hasattr(data.data, "query"):
            data.data = stable_order(data.data)
        return table

    def paginate(self, table):
        """Deep pages are fetched pk first (zhidu.core.paginator: one more query, no OFFSET over joined rows)."""
        per_page = self.get_per_page()
        page = self.request.GET.get(self.page_param) or 1
        try:
            table.paginate(paginator_class=PkFirstPaginator, per_page=per_page, page=page)
        except PageNotAnInteger:
            table.paginate(paginator_class=PkFirstPaginator, per_page=per_page, page=1)
        except EmptyPage:
            table.page = table.paginator.page(table.paginator.num_pages)
        return table

    # -- request ---------------------------------------------------------------------------
    def filtered_table(self):
        """(table, filterset, columns) of the request: scope, filters, sort and chosen columns."""
        if self.require_permission:
            self.check_model_action("view")
        queryset = self.get_queryset()
        filterset = self.get_filterset(queryset)
        if filterset is not None:
            filterset.is_valid()
            queryset = filterset.qs
        columns = self.get_columns()
        return self.build_table(queryset, columns), filterset, columns

    def build_export_table(self):
        """The table a background export writes (zhidu.core.background rebuilds the view for it)."""
        return self.filtered_table()[0]

    def get(self, request, *args, **kwargs):
        table, filterset, columns = self.filtered_table()
        fmt = request.GET.get(self.export_param)
        if fmt:
            return self.export(table, fmt)
        self.paginate(table)
        context = self.get_context_data(table=table, filterset=filterset, columns=columns)
        htmx = getattr(request, "htmx", None)
        partial = bool(htmx) and htmx.target == TABLE_TARGET and not htmx.history_restore_request
        response = TemplateResponse(request, self.table_template_name if partial else self.template_name, context)
        patch_vary_headers(response, ("HX-Request", "HX-Target"))
        return response

    def export(self, table, fmt: str):
        if fmt not in self.export_formats:
            from django.http import HttpResponseBadRequest

            return HttpResponseBadRequest(_("Unknown export format."))
        queryset = table.data.data
        query = {k: v for k, v in self.request.GET.lists() if k not in (self.export_param, self.page_param)}
        threshold = background.export_threshold()
        if threshold >= 0:
            total = queryset.count()
            if total > threshold:
                return self.export_in_background(table, fmt, total=total, query=query)
        return exports.export_response(queryset, table, fmt, query=query)

    def export_in_background(self, table, fmt: str, *, total: int, query: dict):
        """More rows than settings.ZHIDU_BACKGROUND_EXPORT_ROWS: a background job writes the file
        with the same `export_rows`; the user is sent to the job page (progress, download)."""
        from django.contrib.contenttypes.models import ContentType
        from django.shortcuts import redirect

        from zhidu.core.changelog import record_event

        model = table.data.data.model
        columns = [c.name for c in exports.export_columns(table)]
        job = background.start_export(request=self.request, table_columns=columns, fmt=fmt, total=total,
                                      title=self.get_title())
        record_event(
            ContentType.objects.get_for_model(model),
            data={"event": "export", "format": fmt, "model": model._meta.label, "query": query,
                  "background_job": job.pk, "rows": total},
        )
        htmx = getattr(self.request, "htmx", None)
        if htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = job.get_absolute_url()
            return response
        return redirect(job)

    def get_context_data(self, **kwargs):
        model = self.get_model()
        table = kwargs["table"]
        context = {
            "view": self,
            "model": model,
            "opts": model._meta,
            "title": self.get_title(),
            "create_url": self.get_create_url(),
            "table_target": TABLE_TARGET,
            "per_page_choices": self.per_page_choices,
            "per_page": self.get_per_page(),
            "export_formats": self.export_formats,
            "choosable_columns": [
                {"name": n, "label": label, "shown": n in kwargs["columns"],
                 "required": n in getattr(table, "required_columns", ())}
                for n, label in (table.choosable_columns() if isinstance(table, ZhiduTable) else [])
            ],
            "total": table.paginator.count if hasattr(table, "paginator") else None,
        }
        context.update(kwargs)
        context.update(self.get_extra_context())
        return context
