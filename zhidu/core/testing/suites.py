"""Generic test suites (DESIGN "Testing"): an app's view and API tests only declare data.

    from zhidu.core.testing import ViewTestSuite, APITestSuite

    class TestPurchaseRequestViews(ViewTestSuite):
        model = PurchaseRequest
        list_url = "procurement:request_list"
        detail_url = "procurement:request_detail"      # reversed with pk=
        create_url = "procurement:request_create"
        edit_url = "procurement:request_edit"
        delete_url = None                              # None: that test is skipped
        print_url = "procurement:request_print"
        extra_perms = ("org.view_orgunit",)            # granted to the in-scope users too

        def make_object(self, unit, **kwargs):         # an object inside `unit`'s scope
            return PurchaseRequestFactory(department=unit)

        def create_data(self, unit):                   # POST data of the create form (None: skip)
            return {"title": "笔记本电脑", "department": unit.pk, ...}

        def edit_data(self, obj):
            return {...}

Every test gets the fixtures `scope` (units: root, inside, outside), `viewer` (view permission
on `inside` and its subtree), `editor` (view/add/change/delete there), `stranger` (a user
without permissions), `obj_in` and `obj_out`. The suite checks: anonymous → login, no
permission → 403, out of scope → 404, list/detail/tabs/print 200, export holds only rows in
scope, create/edit/delete through the form with the change log written, and a list page
whose number of queries does not grow with the number of rows.
"""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .users import make_unit, make_user, perms_for

LOGIN_PATH = "/accounts/login/"


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def changelog_for(obj, action: str | None = None):
    """The change-log entries of an object (optionally of one action)."""
    from zhidu.core.models import ChangeLogEntry

    ct = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    qs = ChangeLogEntry.objects.filter(content_type=ct, object_id=str(obj.pk))
    return qs.filter(action=action) if action else qs


def page_pks(response) -> set:
    """The pks of the rows on a list page (ObjectListView context)."""
    table = response.context["table"]
    return {row.record.pk for row in table.page.object_list}


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf"), "CSV exports start with a UTF-8 BOM"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def read_xlsx(response) -> list[list]:
    from openpyxl import load_workbook

    body = b"".join(response.streaming_content)
    workbook = load_workbook(io.BytesIO(body), read_only=True)
    sheet = workbook.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def count_queries(client, path: str, **extra) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, **extra)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    return len(ctx.captured_queries), response


def assert_constant_queries(client, path: str, grow, *, expected: int | None = None, **extra):
    """The page costs the same number of queries before and after `grow()` adds rows."""
    before, response = count_queries(client, path, **extra)
    assert response.status_code == 200
    grow()
    after, response = count_queries(client, path, **extra)
    assert response.status_code == 200
    assert before == after, f"{path}: {before} queries with fewer rows, {after} with more (N+1?)"
    if expected is not None:
        assert after == expected, f"{path}: {after} queries, pinned at {expected}"
    return after


class ScopeFixtures:
    """Units, users and objects in and out of scope; subclasses declare `model` and `make_object`."""

    model = None
    extra_perms: tuple[str, ...] = ()
    editor_actions: tuple[str, ...] = ("view", "add", "change", "delete")

    def make_object(self, unit, **kwargs):
        raise NotImplementedError("declare make_object(self, unit) returning an object in unit's scope")

    def object_marker(self, obj) -> str:
        """A text that identifies the object in an export (default: str(obj))."""
        return str(obj)

    @pytest.fixture
    def scope(self, db):
        root = make_unit("测试集团")
        inside = make_unit("范围内部门", parent=root)
        outside = make_unit("范围外部门", parent=root)
        return SimpleNamespace(root=root, inside=inside, outside=outside)

    @pytest.fixture
    def viewer(self, scope):
        return make_user(perms=[*perms_for(self.model, "view"), *self.extra_perms], scope=scope.inside,
                         department=scope.inside)

    @pytest.fixture
    def editor(self, scope):
        return make_user(perms=[*perms_for(self.model, *self.editor_actions), *self.extra_perms],
                         scope=scope.inside, department=scope.inside)

    @pytest.fixture
    def stranger(self, scope):
        return make_user(department=scope.outside)

    @pytest.fixture
    def obj_in(self, scope):
        return self.make_object(scope.inside)

    @pytest.fixture
    def obj_out(self, scope):
        return self.make_object(scope.outside)


def _skip_unless(value, what: str):
    if not value:
        pytest.skip(f"{what} not declared")


class ViewTestSuite(ScopeFixtures):
    """Web pages of one model: see the module docstring."""

    list_url: str | None = None
    detail_url: str | None = None
    create_url: str | None = None
    edit_url: str | None = None
    delete_url: str | None = None
    print_url: str | None = None
    list_query_count: int | None = None  # pin the list page's queries exactly when set
    export_formats: tuple[str, ...] = ("csv", "xlsx")
    detail_tabs: tuple[str, ...] = ("timeline", "history", "attachments")

    def create_data(self, unit) -> dict | None:
        return None

    def edit_data(self, obj) -> dict | None:
        return None

    def created_object(self, before_pks: set):
        """The object the create form made (default: the one new pk)."""
        new = self.model._default_manager.exclude(pk__in=before_pks)
        assert new.count() == 1, f"expected one new {self.model.__name__}, found {new.count()}"
        return new.get()

    # -- anonymous -------------------------------------------------------------------------
    def test_anonymous_is_sent_to_login(self, client, obj_in):
        paths = []
        if self.list_url:
            paths.append(url(self.list_url))
        for name in (self.detail_url, self.edit_url, self.delete_url, self.print_url):
            if name:
                paths.append(url(name, pk=obj_in.pk))
        if self.create_url:
            paths.append(url(self.create_url))
        _skip_unless(paths, "no URL")
        for path in paths:
            response = client.get(path)
            assert response.status_code == 302, path
            assert response["Location"].startswith(LOGIN_PATH), path

    # -- list ------------------------------------------------------------------------------
    def test_list_shows_only_objects_in_scope(self, client, viewer, obj_in, obj_out):
        _skip_unless(self.list_url, "list_url")
        client.force_login(viewer)
        response = client.get(url(self.list_url), {"per_page": 100})
        assert response.status_code == 200
        pks = page_pks(response)
        assert obj_in.pk in pks
        assert obj_out.pk not in pks

    def test_list_htmx_partial(self, client, viewer, obj_in):
        _skip_unless(self.list_url, "list_url")
        client.force_login(viewer)
        response = client.get(url(self.list_url), headers={"HX-Request": "true", "HX-Target": "object-list-table"})
        assert response.status_code == 200
        body = response.content.decode()
        assert "<html" not in body and "<table" in body

    def test_export_holds_only_rows_in_scope(self, client, viewer, obj_in, obj_out):
        _skip_unless(self.list_url and self.export_formats, "list_url/export")
        client.force_login(viewer)
        marker_in, marker_out = self.object_marker(obj_in), self.object_marker(obj_out)
        for fmt in self.export_formats:
            response = client.get(url(self.list_url), {"export": fmt})
            assert response.status_code == 200
            assert response.streaming
            rows = read_csv(response) if fmt == "csv" else read_xlsx(response)
            text = "\n".join("\t".join("" if v is None else str(v) for v in row) for row in rows[1:])
            if marker_in not in marker_out:
                assert marker_in in text, f"{fmt}: the object in scope is missing"
            if marker_out not in marker_in:
                assert marker_out not in text, f"{fmt}: an object out of scope was exported"

    def test_list_queries_do_not_grow_with_rows(self, client, viewer, scope, obj_in):
        _skip_unless(self.list_url, "list_url")
        client.force_login(viewer)
        client.get(url(self.list_url))  # warm the session

        def grow():
            for _ in range(3):
                self.make_object(scope.inside)

        assert_constant_queries(client, url(self.list_url) + "?per_page=100", grow, expected=self.list_query_count)

    # -- detail ----------------------------------------------------------------------------
    def test_detail_in_scope_and_tabs(self, client, viewer, obj_in):
        _skip_unless(self.detail_url, "detail_url")
        client.force_login(viewer)
        path = url(self.detail_url, pk=obj_in.pk)
        assert client.get(path).status_code == 200
        for tab in self.detail_tabs:
            response = client.get(path, {"tab": tab}, headers={"HX-Request": "true", "HX-Target": "object-tabs"})
            assert response.status_code == 200, tab
            assert client.get(path, {"tab": tab}).status_code == 200, tab

    def test_detail_out_of_scope_is_404(self, client, viewer, stranger, obj_out, obj_in):
        _skip_unless(self.detail_url, "detail_url")
        client.force_login(viewer)
        assert client.get(url(self.detail_url, pk=obj_out.pk)).status_code == 404
        client.force_login(stranger)
        assert client.get(url(self.detail_url, pk=obj_in.pk)).status_code == 404

    def test_print_in_scope(self, client, viewer, obj_in, obj_out):
        _skip_unless(self.print_url, "print_url")
        client.force_login(viewer)
        response = client.get(url(self.print_url, pk=obj_in.pk))
        assert response.status_code == 200
        assert "data-print" in response.content.decode()
        assert client.get(url(self.print_url, pk=obj_out.pk)).status_code == 404

    # -- create ----------------------------------------------------------------------------
    def test_create_needs_permission(self, client, viewer, stranger):
        _skip_unless(self.create_url, "create_url")
        for user in (viewer, stranger):
            client.force_login(user)
            assert client.get(url(self.create_url)).status_code == 403

    def test_create_through_form(self, client, editor, scope):
        _skip_unless(self.create_url, "create_url")
        client.force_login(editor)
        assert client.get(url(self.create_url)).status_code == 200
        data = self.create_data(scope.inside)
        _skip_unless(data is not None, "create_data")
        before = set(self.model._default_manager.values_list("pk", flat=True))
        response = client.post(url(self.create_url), data)
        assert response.status_code == 302, _form_errors(response)
        obj = self.created_object(before)
        assert changelog_for(obj, "create").exists(), "no change-log entry for the created object"

    # -- edit ------------------------------------------------------------------------------
    def test_edit_permissions(self, client, viewer, editor, obj_in, obj_out):
        _skip_unless(self.edit_url, "edit_url")
        client.force_login(viewer)
        assert client.get(url(self.edit_url, pk=obj_in.pk)).status_code == 403  # visible, not changeable
        client.force_login(editor)
        assert client.get(url(self.edit_url, pk=obj_out.pk)).status_code == 404  # out of scope
        assert client.get(url(self.edit_url, pk=obj_in.pk)).status_code == 200

    def test_edit_through_form(self, client, editor, obj_in):
        _skip_unless(self.edit_url, "edit_url")
        data = self.edit_data(obj_in)
        _skip_unless(data is not None, "edit_data")
        client.force_login(editor)
        response = client.post(url(self.edit_url, pk=obj_in.pk), data)
        assert response.status_code == 302, _form_errors(response)
        assert changelog_for(obj_in, "update").exists(), "no change-log entry for the edit"

    # -- delete ----------------------------------------------------------------------------
    def test_delete(self, client, viewer, editor, obj_in, obj_out):
        _skip_unless(self.delete_url, "delete_url")
        client.force_login(viewer)
        assert client.post(url(self.delete_url, pk=obj_in.pk)).status_code == 403
        client.force_login(editor)
        assert client.post(url(self.delete_url, pk=obj_out.pk)).status_code == 404
        assert client.get(url(self.delete_url, pk=obj_in.pk)).status_code == 200
        response = client.post(url(self.delete_url, pk=obj_in.pk))
        assert response.status_code == 302, _form_errors(response)
        assert not self.model._default_manager.filter(pk=obj_in.pk).exists()
        assert changelog_for(obj_in, "delete").exists()


class APITestSuite(ScopeFixtures):
    """REST endpoints of one model (ScopedModelViewSet): declare URL names and payloads.

        class TestPurchaseRequestAPI(APITestSuite):
            model = PurchaseRequest
            api_list_url = "api:procurement-request-list"
            api_detail_url = "api:procurement-request-detail"     # reversed with pk=
            def make_object(self, unit, **kwargs): ...
            def api_create_data(self, unit): return {...}         # None: create not tested
            def api_update_data(self, obj): return {...}          # PATCH payload
            api_delete = True
    """

    api_list_url: str | None = None
    api_detail_url: str | None = None
    api_delete = False
    api_list_query_count: int | None = None

    def api_create_data(self, unit) -> dict | None:
        return None

    def api_update_data(self, obj) -> dict | None:
        return None

    @pytest.fixture
    def api(self):
        from rest_framework.test import APIClient

        return APIClient()

    @staticmethod
    def result_pks(response) -> set:
        data = response.json()
        rows = data["results"] if isinstance(data, dict) and "results" in data else data
        return {row.get("id", row.get("pk")) for row in rows}

    def test_api_anonymous_refused(self, api, obj_in):
        _skip_unless(self.api_list_url, "api_list_url")
        assert api.get(url(self.api_list_url)).status_code in (401, 403)
        if self.api_detail_url:
            assert api.get(url(self.api_detail_url, pk=obj_in.pk)).status_code in (401, 403)

    def test_api_list_only_in_scope(self, api, viewer, obj_in, obj_out):
        _skip_unless(self.api_list_url, "api_list_url")
        api.force_login(viewer)
        response = api.get(url(self.api_list_url), {"page_size": 500})
        assert response.status_code == 200
        pks = self.result_pks(response)
        assert obj_in.pk in pks and obj_out.pk not in pks

    def test_api_list_queries_do_not_grow(self, api, viewer, scope, obj_in):
        _skip_unless(self.api_list_url, "api_list_url")
        api.force_login(viewer)

        def grow():
            for _ in range(3):
                self.make_object(scope.inside)

        assert_constant_queries(api, url(self.api_list_url), grow, expected=self.api_list_query_count)

    def test_api_detail_scope(self, api, viewer, obj_in, obj_out):
        _skip_unless(self.api_detail_url, "api_detail_url")
        api.force_login(viewer)
        assert api.get(url(self.api_detail_url, pk=obj_in.pk)).status_code == 200
        response = api.get(url(self.api_detail_url, pk=obj_out.pk))
        assert response.status_code == 404
        assert "detail" in response.json()

    def test_api_create(self, api, viewer, editor, scope):
        _skip_unless(self.api_list_url, "api_list_url")
        data = self.api_create_data(scope.inside)
        _skip_unless(data is not None, "api_create_data")
        api.force_login(viewer)
        assert api.post(url(self.api_list_url), data, format="json").status_code == 403
        api.force_login(editor)
        before = set(self.model._default_manager.values_list("pk", flat=True))
        response = api.post(url(self.api_list_url), data, format="json")
        assert response.status_code == 201, response.content
        new = self.model._default_manager.exclude(pk__in=before).get()
        assert changelog_for(new, "create").exists()

    def test_api_update(self, api, viewer, editor, obj_in, obj_out):
        _skip_unless(self.api_detail_url, "api_detail_url")
        data = self.api_update_data(obj_in)
        _skip_unless(data is not None, "api_update_data")
        api.force_login(viewer)
        assert api.patch(url(self.api_detail_url, pk=obj_in.pk), data, format="json").status_code == 403
        api.force_login(editor)
        assert api.patch(url(self.api_detail_url, pk=obj_out.pk), data, format="json").status_code == 404
        response = api.patch(url(self.api_detail_url, pk=obj_in.pk), data, format="json")
        assert response.status_code == 200, response.content
        assert changelog_for(obj_in, "update").exists()

    def test_api_delete(self, api, viewer, editor, obj_in, obj_out):
        _skip_unless(self.api_detail_url and self.api_delete, "api_delete")
        api.force_login(viewer)
        assert api.delete(url(self.api_detail_url, pk=obj_in.pk)).status_code == 403
        api.force_login(editor)
        assert api.delete(url(self.api_detail_url, pk=obj_out.pk)).status_code == 404
        assert api.delete(url(self.api_detail_url, pk=obj_in.pk)).status_code == 204
        assert changelog_for(obj_in, "delete").exists()


def _form_errors(response) -> str:
    """The form errors of a re-rendered form, for assertion messages."""
    context = getattr(response, "context", None)
    if not context:
        return f"status {response.status_code}"
    parts = []
    for key in ("form",):
        form = context.get(key) if hasattr(context, "get") else None
        if form is not None and getattr(form, "errors", None):
            parts.append(form.errors.as_text())
    for formset in (context.get("formsets") or {}).values() if hasattr(context, "get") else []:
        for errors in getattr(formset, "errors", []):
            if errors:
                parts.append(str(errors))
    return "; ".join(parts) or f"status {response.status_code}"
