"""The generic list / detail / form / delete / print views and attachments, on a real model
(org Person), through a test URLconf declared in this module."""

import hashlib
import re

import django_filters
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.template import Context, Template
from django.test import override_settings
from django.urls import include, path
from django.utils.text import capfirst
from rest_framework import serializers
from rest_framework.routers import DefaultRouter

from zhidu.core.api.views import ScopedModelViewSet
from zhidu.core.errors import RuleViolation
from zhidu.core.filtersets import ZhiduFilterSet, scoped_choices
from zhidu.core.forms import ZhiduModelForm
from zhidu.core.models import Attachment, ChangeLogEntry, TimelineEvent
from zhidu.core.tables import ActionsColumn, DateColumn, ObjectLinkColumn, ZhiduTable
from zhidu.core.testing import (
    APITestSuite,
    ViewTestSuite,
    changelog_for,
    make_unit,
    make_user,
    page_pks,
    perms_for,
)
from zhidu.core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectFormView,
    ObjectListView,
    ObjectPrintView,
)
from zhidu.org.models import OrgUnit, Person, RoleAssignment

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

_n = iter(range(1, 10_000))


def make_person(unit, name=None, **kwargs):
    n = next(_n)
    return Person.objects.create(employee_no=f"P{n:05d}", name=name or f"人员{n:04d}", department=unit, **kwargs)


# -- a tiny register of people, only for these tests ---------------------------------------


class PersonTable(ZhiduTable):
    employee_no = ObjectLinkColumn()
    hire_date = DateColumn()
    actions = ActionsColumn()

    class Meta(ZhiduTable.Meta):
        model = Person
        fields = ("employee_no", "name", "department", "status", "email", "hire_date")

    default_columns = ("employee_no", "name", "department", "status", "actions")
    required_columns = ("employee_no",)


class PersonFilterSet(ZhiduFilterSet):
    search_fields = ("name", "employee_no", "email")
    department = django_filters.ModelChoiceFilter(queryset=scoped_choices("org.OrgUnit"))

    class Meta:
        model = Person
        fields = ("status", "department")


class PersonForm(ZhiduModelForm):
    class Meta:
        model = Person
        fields = ("employee_no", "name", "department", "email", "hire_date")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.restrict_choices("department", "view")


RoleFormSet = inlineformset_factory(Person, RoleAssignment, fields=("role", "unit", "include_subtree"), extra=1)


class PersonList(ObjectListView):
    model = Person
    table_class = PersonTable
    filterset_class = PersonFilterSet
    select_related = ("department",)
    create_url_name = "t-person-create"


class PersonDetail(ObjectDetailView):
    model = Person
    select_related = ("department",)
    edit_url_name = "t-person-edit"
    delete_url_name = "t-person-delete"
    print_url_name = "t-person-print"
    list_url_name = "t-person-list"


class PersonCreate(ObjectFormView):
    model = Person
    form_class = PersonForm
    success_url_name = "t-person-list"

    def perform_save(self, form):
        if form.cleaned_data["name"] == "违规":
            raise RuleViolation("根据第九条第2款，此操作不被允许。", article="篇1 第九条(2)")
        if form.cleaned_data["name"] == "字段错误":
            raise ValidationError({"email": "该邮箱已停用。"})
        person = form.save()
        return person


class PersonEdit(PersonCreate):
    pass


class PersonWithRoles(ObjectFormView):
    model = Person
    form_class = PersonForm
    formset_classes = {"roles": RoleFormSet}
    success_url_name = "t-person-list"


class PersonDelete(ObjectDeleteView):
    model = Person
    success_url_name = "t-person-list"


class PersonPrint(ObjectPrintView):
    model = Person
    template_name = "core/print_base.html"
    document_title = "人员信息表"
    number_field = "employee_no"


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ("id", "employee_no", "name", "department", "email")


class PersonViewSet(ScopedModelViewSet):
    queryset = Person.objects.select_related("department")
    serializer_class = PersonSerializer


api_router = DefaultRouter()
api_router.register("t/api/people", PersonViewSet, basename="t-api-person")

urlpatterns = [
    *api_router.urls,
    path("t/people/", PersonList.as_view(), name="t-person-list"),
    path("t/people/new/", PersonCreate.as_view(), name="t-person-create"),
    path("t/people/new-with-roles/", PersonWithRoles.as_view(), name="t-person-create-roles"),
    path("t/people/<int:pk>/", PersonDetail.as_view(), name="t-person-detail"),
    path("t/people/<int:pk>/edit/", PersonEdit.as_view(), name="t-person-edit"),
    path("t/people/<int:pk>/delete/", PersonDelete.as_view(), name="t-person-delete"),
    path("t/people/<int:pk>/print/", PersonPrint.as_view(), name="t-person-print"),
    path("", include("zhidu.urls")),
]


# -- the generic suite, declared for Person -------------------------------------------------


class TestPersonViews(ViewTestSuite):
    model = Person
    list_url = "t-person-list"
    detail_url = "t-person-detail"
    create_url = "t-person-create"
    edit_url = "t-person-edit"
    delete_url = "t-person-delete"
    print_url = "t-person-print"
    extra_perms = ("org.view_orgunit",)

    def make_object(self, unit, **kwargs):
        return make_person(unit, **kwargs)

    def object_marker(self, obj):
        return obj.employee_no

    def create_data(self, unit):
        return {"employee_no": "N00001", "name": "新员工", "department": unit.pk, "email": "new@example.com"}

    def edit_data(self, obj):
        return {"employee_no": obj.employee_no, "name": obj.name + "（改）", "department": obj.department_id}


class TestPersonAPI(APITestSuite):
    """The API suite, declared for a minimal scoped viewset of Person."""

    model = Person
    api_list_url = "t-api-person-list"
    api_detail_url = "t-api-person-detail"
    api_delete = True

    def make_object(self, unit, **kwargs):
        return make_person(unit, **kwargs)

    def api_create_data(self, unit):
        return {"employee_no": "A00001", "name": "接口新员工", "department": unit.pk}

    def api_update_data(self, obj):
        return {"name": obj.name + "（接口改）"}


# -- list -----------------------------------------------------------------------------------


@pytest.fixture
def unit():
    return make_unit("信息中心")


@pytest.fixture
def viewer(unit):
    return make_user(perms=[*perms_for(Person, "view"), "org.view_orgunit"], scope=unit, department=unit)


@pytest.fixture
def editor(unit):
    return make_user(perms=[*perms_for(Person), "org.view_orgunit", "org.view_roleassignment",
                            "org.add_roleassignment"], scope=unit, department=unit)


def test_pagination_counts_and_per_page(client, viewer, unit):
    for _ in range(29):
        make_person(unit)
    client.force_login(viewer)  # + the viewer's own person: 30 rows
    response = client.get("/t/people/")
    table = response.context["table"]
    assert table.paginator.count == 30 and len(table.page.object_list) == 25
    response = client.get("/t/people/", {"page": 2})
    assert len(response.context["table"].page.object_list) == 5
    response = client.get("/t/people/", {"per_page": 50})
    assert len(response.context["table"].page.object_list) == 30
    response = client.get("/t/people/", {"per_page": 7})  # not offered: the default
    assert response.context["per_page"] == 25
    response = client.get("/t/people/", {"page": 99})  # past the end: the last page
    assert response.context["table"].page.number == 2
    assert "30" in response.content.decode()


def test_sorting(client, viewer, unit):
    make_person(unit, name="甲")
    make_person(unit, name="乙")
    client.force_login(viewer)
    names = [r.record.name for r in client.get("/t/people/", {"sort": "name"}).context["table"].page.object_list]
    assert names == sorted(names)
    names = [r.record.name for r in client.get("/t/people/", {"sort": "-name"}).context["table"].page.object_list]
    assert names == sorted(names, reverse=True)
    # unknown columns are ignored, not an error
    assert client.get("/t/people/", {"sort": "password"}).status_code == 200


def test_search_and_filters(client, viewer, unit):
    sub = make_unit("网络组", parent=unit)
    a = make_person(unit, name="张三丰", email="zhang@example.com")
    b = make_person(sub, name="李四", email="li@example.com")
    client.force_login(viewer)
    assert page_pks(client.get("/t/people/", {"q": "张三"})) == {a.pk}
    assert page_pks(client.get("/t/people/", {"q": "LI@EXAMPLE"})) == {b.pk}
    assert page_pks(client.get("/t/people/", {"q": "张 丰"})) == {a.pk}  # every term must match
    assert page_pks(client.get("/t/people/", {"department": sub.pk})) == {b.pk}
    response = client.get("/t/people/", {"status": "nonsense"})  # invalid filter: error shown, list still there
    assert response.status_code == 200
    assert response.context["filterset"].errors


def test_filter_choices_are_scoped(client, viewer, unit):
    other = make_unit("保密部门")
    client.force_login(viewer)
    response = client.get("/t/people/")
    choices = response.context["filterset"].form.fields["department"].queryset
    assert unit in choices and other not in choices


def test_column_choice_is_remembered_per_list(client, viewer, unit):
    client.force_login(viewer)
    response = client.get("/t/people/")
    assert response.context["table"].shown_columns == ["employee_no", "name", "department", "status", "actions"]
    response = client.get("/t/people/", {"columns": "name,email"})
    assert response.context["table"].shown_columns == ["employee_no", "name", "email"]  # + the required one
    response = client.get("/t/people/")  # remembered in the session
    assert response.context["table"].shown_columns == ["employee_no", "name", "email"]
    response = client.get("/t/people/", {"columns": ["hire_date", "bogus"]})  # repeated form
    assert response.context["table"].shown_columns == ["employee_no", "hire_date"]
    response = client.get("/t/people/", {"columns": ""})  # reset
    assert response.context["table"].shown_columns == ["employee_no", "name", "department", "status", "actions"]
    body = response.content.decode()
    assert 'name="columns" value="email"' in body


def test_htmx_refreshes_only_the_table(client, viewer, unit):
    client.force_login(viewer)
    full = client.get("/t/people/").content.decode()
    assert 'id="object-list-table"' in full and 'hx-target="#object-list-table"' in full
    assert 'hx-push-url="true"' in full and 'id="filter-form"' in full
    partial = client.get("/t/people/", {"sort": "name"},
                         headers={"HX-Request": "true", "HX-Target": "object-list-table"})
    body = partial.content.decode()
    assert "<html" not in body and "<table" in body and 'id="filter-form"' not in body
    assert "HX-Request" in partial["Vary"]
    # the back button (history restore) gets the whole page
    restore = client.get("/t/people/", headers={"HX-Request": "true", "HX-Target": "object-list-table",
                                                "HX-History-Restore-Request": "true"})
    assert "<html" in restore.content.decode()


def test_sort_links_keep_filters_and_drop_page(client, viewer, unit):
    for _ in range(30):
        make_person(unit)
    client.force_login(viewer)
    body = client.get("/t/people/", {"q": "人员", "page": 2}).content.decode()
    links = re.findall(r'hx-get="(\?[^"]*sort=[^"]*)"', body)
    assert links and all("q=" in link and "page=" not in link for link in links)


def test_list_query_count_is_pinned(client, viewer, unit, django_assert_num_queries):
    """Fixed number of queries whatever the page size (DESIGN: no N+1, count separate from fetch).

    The page's total also holds queries of the layout (session, user, grants, menu badges …)
    that other parts own, so the pin is taken on a small list and asserted on a big one; the
    list itself must cost exactly one COUNT and one fetch of the rows (departments joined).
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(4):
        make_person(unit)
    client.force_login(viewer)
    client.get("/t/people/")
    with CaptureQueriesContext(connection) as small:
        client.get("/t/people/", {"per_page": 100})
    for _ in range(60):
        make_person(unit)
    with django_assert_num_queries(len(small)) as big:
        response = client.get("/t/people/", {"per_page": 100})
    assert len(response.context["table"].page.object_list) == 65
    sqls = [q["sql"] for q in big.captured_queries]
    counts = [s for s in sqls if s.startswith('SELECT COUNT(*) AS "__count" FROM "org_person"')]
    fetches = [s for s in sqls if s.startswith('SELECT "org_person"."id"') and "LIMIT 65" in s]
    assert len(counts) == 1 and len(fetches) == 1
    assert 'INNER JOIN "org_orgunit"' in fetches[0]


def test_create_button_only_with_add_permission(client, viewer, editor):
    client.force_login(viewer)
    assert 'data-action="create"' not in client.get("/t/people/").content.decode()
    client.force_login(editor)
    assert 'data-action="create"' in client.get("/t/people/").content.decode()


def test_require_permission(client, rf, unit):
    from django.core.exceptions import PermissionDenied

    class Strict(PersonList):
        require_permission = True

    request = rf.get("/t/people/")
    request.user = make_user(department=unit)
    request.session = {}
    with pytest.raises(PermissionDenied):
        Strict.as_view()(request)


# -- forms ----------------------------------------------------------------------------------


def test_form_renders_tabler_fields(client, editor):
    client.force_login(editor)
    body = client.get("/t/people/new/").content.decode()
    assert 'class="form-label required" for="id_name"' in body
    assert 'class="form-control"' in body and 'class="form-select"' in body
    assert 'type="date"' in body  # hire_date as an HTML5 date input


def test_form_errors_in_place_and_input_kept(client, editor, unit):
    client.force_login(editor)
    response = client.post("/t/people/new/", {"employee_no": "", "name": "王五", "department": unit.pk})
    assert response.status_code == 200
    body = response.content.decode()
    assert "is-invalid" in body and 'value="王五"' in body and "invalid-feedback" in body


def test_rule_violation_is_shown_on_the_form_and_nothing_saved(client, editor, unit):
    client.force_login(editor)
    before = Person.objects.count()
    response = client.post("/t/people/new/", {"employee_no": "R1", "name": "违规", "department": unit.pk})
    assert response.status_code == 200
    body = response.content.decode()
    assert "根据第九条第2款" in body and 'value="R1"' in body
    assert Person.objects.count() == before


def test_validation_error_goes_to_its_field(client, editor, unit):
    client.force_login(editor)
    response = client.post("/t/people/new/", {"employee_no": "R2", "name": "字段错误", "department": unit.pk,
                                               "email": "x@example.com"})
    form = response.context["form"]
    assert form.errors["email"] == ["该邮箱已停用。"]


def test_out_of_scope_choice_is_refused(client, editor):
    other = make_unit("外单位")
    client.force_login(editor)
    response = client.post("/t/people/new/", {"employee_no": "R3", "name": "赵六", "department": other.pk})
    assert response.status_code == 200 and "department" in response.context["form"].errors


def test_formset_line_items(client, editor, unit):
    from zhidu.core.testing import make_role

    role = make_role("it_officer")
    client.force_login(editor)
    body = client.get("/t/people/new-with-roles/").content.decode()
    assert "data-formset" in body and "roles-TOTAL_FORMS" in body and "__prefix__" in body
    data = {
        "employee_no": "F1", "name": "钱七", "department": unit.pk,
        "roles-TOTAL_FORMS": "2", "roles-INITIAL_FORMS": "0", "roles-MIN_NUM_FORMS": "0", "roles-MAX_NUM_FORMS": "1000",
        "roles-0-role": role.pk, "roles-0-unit": unit.pk, "roles-0-include_subtree": "on",
        "roles-1-role": "", "roles-1-unit": "", "roles-1-include_subtree": "on",  # an untouched extra row
    }
    response = client.post("/t/people/new-with-roles/", data)
    assert response.status_code == 302
    person = Person.objects.get(employee_no="F1")
    assert list(person.role_assignments.values_list("role__code", flat=True)) == ["it_officer"]


# -- detail, tabs, history --------------------------------------------------------------------


def test_detail_buttons_follow_permissions(client, viewer, editor, unit):
    person = make_person(unit)
    client.force_login(viewer)
    body = client.get(f"/t/people/{person.pk}/").content.decode()
    assert 'data-action="edit"' not in body and 'data-action="printer"' in body
    client.force_login(editor)
    body = client.get(f"/t/people/{person.pk}/").content.decode()
    assert 'data-action="edit"' in body and 'data-action="trash"' in body


def test_detail_tabs_load_by_htmx(client, viewer, unit):
    person = make_person(unit)
    client.force_login(viewer)
    body = client.get(f"/t/people/{person.pk}/").content.decode()
    assert 'hx-get="?tab=history"' in body and 'hx-select="#object-tabs"' in body
    partial = client.get(f"/t/people/{person.pk}/", {"tab": "history"},
                         headers={"HX-Request": "true", "HX-Target": "object-tabs"}).content.decode()
    assert "<html" not in partial and 'id="object-tabs"' in partial


def test_history_tab_shows_verbose_fields_before_and_after(client, editor, unit):
    other = make_unit("运维组", parent=unit)
    person = make_person(unit, name="孙八")
    client.force_login(editor)
    response = client.post(f"/t/people/{person.pk}/edit/", {
        "employee_no": person.employee_no, "name": "孙八八", "department": other.pk})
    assert response.status_code == 302
    response = client.get(f"/t/people/{person.pk}/", {"tab": "history"})
    rows = response.context["history"]
    update = next(r for r in rows if r["action_code"] == "update")
    changes = {str(c["label"]): (c["before"], c["after"]) for c in update["changes"]}
    name_label = str(capfirst(Person._meta.get_field("name").verbose_name))
    dept_label = str(capfirst(Person._meta.get_field("department").verbose_name))
    assert changes[name_label] == ("孙八", "孙八八")
    assert changes[dept_label] == ("信息中心", "运维组")  # foreign keys by name
    assert update["actor"] == editor.username and str(update["source"])
    body = response.content.decode()
    assert "孙八八" in body and "→" in body


def test_timeline_tab_lists_events(client, viewer, unit):
    from django.contrib.contenttypes.models import ContentType

    person = make_person(unit)
    TimelineEvent.objects.create(content_type=ContentType.objects.get_for_model(Person), object_id=str(person.pk),
                                 verb="submitted", message="请审批")
    client.force_login(viewer)
    response = client.get(f"/t/people/{person.pk}/", {"tab": "timeline"})
    assert [e.message for e in response.context["events"]] == ["请审批"]
    assert "请审批" in response.content.decode()


# -- attachments --------------------------------------------------------------------------------


def _upload_url(obj):
    from django.contrib.contenttypes.models import ContentType

    return f"/attachments/{ContentType.objects.get_for_model(obj).pk}/{obj.pk}/upload/"


def test_attachment_upload_download_delete(client, editor, viewer, unit, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    person = make_person(unit)
    content = "责任书扫描件".encode() * 100
    client.force_login(editor)
    response = client.post(_upload_url(person), {
        "file": SimpleUploadedFile("责任书.pdf", content, content_type="application/pdf"),
        "description": "已签字", "next": f"/t/people/{person.pk}/?tab=attachments"})
    assert response.status_code == 302 and response["Location"].endswith("?tab=attachments")
    attachment = Attachment.objects.get()
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.size == len(content) and attachment.name == "责任书.pdf"
    assert attachment.uploaded_by == editor
    event = changelog_for(person, "event").first()
    assert event.after["event"] == "attachment_added" and event.after["sha256"] == attachment.sha256
    # the tab lists it, with the upload form for those who may change the object
    body = client.get(f"/t/people/{person.pk}/", {"tab": "attachments"}).content.decode()
    assert "责任书.pdf" in body and 'enctype="multipart/form-data"' in body
    # a viewer downloads but may not upload or remove
    client.force_login(viewer)
    response = client.get(f"/attachments/{attachment.pk}/download/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == content
    assert "attachment" in response["Content-Disposition"]
    body = client.get(f"/t/people/{person.pk}/", {"tab": "attachments"}).content.decode()
    assert 'enctype="multipart/form-data"' not in body
    upload = SimpleUploadedFile("x.txt", b"x")
    assert client.post(_upload_url(person), {"file": upload}).status_code == 403
    assert client.post(f"/attachments/{attachment.pk}/delete/").status_code == 403
    # the editor removes it
    client.force_login(editor)
    assert client.post(f"/attachments/{attachment.pk}/delete/").status_code == 302
    assert not Attachment.objects.exists()


def test_attachment_scope_and_size_limit(client, editor, unit, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    settings.ZHIDU_MAX_ATTACHMENT_MB = 1
    outside = make_person(make_unit("外部"))
    client.force_login(editor)
    upload = SimpleUploadedFile("a.txt", b"a")
    assert client.post(_upload_url(outside), {"file": upload}).status_code == 404
    person = make_person(unit)
    big = SimpleUploadedFile("big.bin", b"0" * (1024 * 1024 + 1))
    response = client.post(_upload_url(person), {"file": big}, follow=True)
    assert not Attachment.objects.exists()
    assert "1 MB" in response.content.decode()
    # a download of an attachment of an object out of scope is 404
    stranger = make_user(department=make_unit("无权部门"))
    client.force_login(editor)
    client.post(_upload_url(person), {"file": SimpleUploadedFile("ok.txt", b"ok")})
    attachment = Attachment.objects.get()
    client.force_login(stranger)
    assert client.get(f"/attachments/{attachment.pk}/download/").status_code == 404


def test_attachments_refused_for_models_without_scope(client, editor):
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(get_user_model())
    client.force_login(editor)
    assert client.post(f"/attachments/{ct.pk}/{editor.pk}/upload/", {}).status_code == 404
    person_ct = ContentType.objects.get_for_model(Person)
    assert client.post(f"/attachments/{person_ct.pk}/not-a-number/upload/", {}).status_code == 404


# -- print ----------------------------------------------------------------------------------------


def test_print_view(client, viewer, unit):
    OrgUnit.objects.filter(pk=unit.pk).update(sort_order=0)
    person = make_person(unit)
    client.force_login(viewer)
    response = client.get(f"/t/people/{person.pk}/print/")
    body = response.content.decode()
    assert "《人员信息表》" in body and person.employee_no in body and "data-print" in body
    assert "print.css" in body
    # no inline script (CSP): every script has a src and the nonce
    for tag in re.findall(r"<script[^>]*>", body):
        assert "src=" in tag and "nonce=" in tag
    assert changelog_for(person, "event").filter(after__event="print").exists()


@override_settings(LANGUAGE_CODE="zh-hans")
def test_print_css_is_a4_with_chinese_fonts():
    from django.contrib.staticfiles import finders

    with open(finders.find("core/print.css"), encoding="utf-8") as handle:
        css = handle.read()
    assert "size: A4" in css and '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "SimSun"' in css
    assert "@media print" in css and ".print-toolbar" in css


# -- template filters and helpers -------------------------------------------------------------------


def test_money_and_date_filters():
    import datetime
    from decimal import Decimal

    from django.utils import translation

    from zhidu.core.templatetags.zhidu import format_date, format_datetime, format_money

    assert format_money(Decimal("50000")) == "¥50,000.00"
    assert format_money(Decimal("1234.5")) == "¥1,234.50"
    assert format_money(Decimal("-0.005")) == "-¥0.01"
    assert format_money(None) == ""
    with translation.override("zh-hans"):
        assert format_date(datetime.date(2026, 1, 5)) == "2026年1月5日"
        moment = datetime.datetime(2026, 1, 5, 6, 30, tzinfo=datetime.UTC)
        assert format_datetime(moment) == "2026年1月5日 14:30"  # Asia/Shanghai
    with translation.override("en"):
        assert format_date(datetime.date(2026, 1, 5)) == "2026-01-05"
    rendered = Template("{% load zhidu %}{{ v|money }}").render(Context({"v": Decimal("50000.00")}))
    assert rendered == "¥50,000.00"


def test_make_user_roles_and_scopes():
    from zhidu.core.scoping import has_perm_anywhere

    root = make_unit("总部")
    dept = make_unit("财务部", parent=root)
    sub = make_unit("会计组", parent=dept)
    head = make_user(roles=[("dept_head", dept, True)], department=dept,
                     role_perms={"dept_head": ["org.view_person"]})
    assert head.person.department == dept
    visible = set(Person.objects.restrict(head, "view").values_list("pk", flat=True))
    inside = make_person(sub)
    outside = make_person(root)
    visible = set(Person.objects.restrict(head, "view").values_list("pk", flat=True))
    assert inside.pk in visible and outside.pk not in visible
    assert has_perm_anywhere(head, Person, "view") and not has_perm_anywhere(head, Person, "change")
    only_unit = make_user(perms=[(Person, "view")], scope=dept, subtree=False)
    visible = set(Person.objects.restrict(only_unit, "view").values_list("pk", flat=True))
    assert inside.pk not in visible
    org_wide = make_user(perms=perms_for(Person, "view"), department=root)
    assert Person.objects.restrict(org_wide, "view").filter(pk=outside.pk).exists()
    assert make_user(superuser=True).is_superuser


def test_change_log_written_for_form_saves(client, editor, unit):
    client.force_login(editor)
    client.post("/t/people/new/", {"employee_no": "C1", "name": "周九", "department": unit.pk})
    person = Person.objects.get(employee_no="C1")
    entry = changelog_for(person, ChangeLogEntry.Action.CREATE).get()
    assert entry.actor == editor and entry.source == "web"
