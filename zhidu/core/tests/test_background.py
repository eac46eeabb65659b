"""Background jobs (zhidu.core.background): lifecycle on the immediate task backend, owner-only
pages and files, background list exports identical to the streamed ones, imports in the
background with the row-level error report, and the column-mapping step of ImportView."""

import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import override_settings
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from zhidu.core import background
from zhidu.core.models import BackgroundJob, ChangeLogEntry
from zhidu.org import services
from zhidu.org.choices import UnitKind
from zhidu.org.models import Person
from zhidu.org.roles import seed_roles
from zhidu.org.tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Passw0rd!-bg"


@background.handler("test.count")
def _count(job, progress):
    total = job.params["n"]
    progress.start(total=total)
    for i in range(1, total + 1):
        progress.step(i)
    background.save_result_file(job, [b"a,b\r\n", b"1,2\r\n"], "counted.csv")
    return {"counted": total}


@background.handler("test.fail")
def _fail(job, progress):
    raise RuntimeError("disk full")


def xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _user(username, **kwargs):
    user = UserFactory(username=username, **kwargs)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def owner(db):
    return _user("owner", is_superuser=True, is_staff=True)


@pytest.fixture
def company(db):
    seed_roles()
    root = services.create_unit(name="华信科技有限公司", code="HQ", kind=UnitKind.COMPANY, actor=None)
    services.create_unit(name="信息中心", code="XXZX", parent=root, actor=None)
    return root


def test_job_lifecycle_immediate_backend(owner, settings):
    job = background.start_job(kind=BackgroundJob.Kind.REPORT, owner=owner, title="count", handler="test.count",
                               params={"n": 250})
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE
    assert (job.progress_done, job.progress_total, job.percent) == (250, 250, 100)
    assert job.result == {"counted": 250}
    assert job.started and job.finished and job.finished >= job.started
    assert job.result_file.read() == b"a,b\r\n1,2\r\n"
    assert job.result_filename == "counted.csv"


def test_failed_job_records_the_error(owner):
    job = background.start_job(kind=BackgroundJob.Kind.REPORT, owner=owner, title="x", handler="test.fail")
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.FAILED
    assert "disk full" in job.message
    assert job.finished is not None


def test_unknown_handler_is_refused(owner):
    with pytest.raises(ValueError):
        background.start_job(kind=BackgroundJob.Kind.REPORT, owner=owner, title="x", handler="nope")


def test_pages_and_file_are_owner_only(client, owner):
    plain_owner = _user("alice")
    other = _user("bob")
    job = background.start_job(kind=BackgroundJob.Kind.REPORT, owner=plain_owner, title="job-of-alice",
                               handler="test.count", params={"n": 3})
    urls = [reverse("background_job", args=[job.pk]), reverse("background_job_progress", args=[job.pk]),
            reverse("background_job_download", args=[job.pk])]
    client.force_login(other)
    for url in urls:
        assert client.get(url).status_code == 404
    assert "job-of-alice" not in client.get(reverse("background_jobs")).content.decode()
    client.force_login(plain_owner)
    for url in urls:
        assert client.get(url).status_code == 200
    response = client.get(urls[2])
    assert b"".join(response.streaming_content) == b"a,b\r\n1,2\r\n"
    assert "job-of-alice" in client.get(reverse("background_jobs")).content.decode()
    client.force_login(owner)  # a superuser may open it
    assert client.get(urls[0]).status_code == 200
    client.logout()
    assert client.get(urls[0]).status_code == 302  # to the login page


def test_progress_polls_while_running_and_offers_download_when_done(client):
    user = _user("carol")
    client.force_login(user)
    job = BackgroundJob.objects.create(kind="export", handler="test.count", title="running", owner=user,
                                       status=BackgroundJob.Status.RUNNING, progress_done=5, progress_total=10)
    html = client.get(reverse("background_job_progress", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in html and "50%" in html
    assert reverse("background_job_download", args=[job.pk]) not in html
    done = background.start_job(kind="report", owner=user, title="done", handler="test.count", params={"n": 2})
    html = client.get(reverse("background_job", args=[done.pk])).content.decode()
    assert "every 1s" not in html
    assert reverse("background_job_download", args=[done.pk]) in html


def _people(company, n):
    unit = company.children.get()
    for i in range(n):
        PersonFactory(employee_no=f"E{i:03d}", name=f"=cmd{i}" if i == 0 else f"员工{i}", department=unit)


def test_background_export_equals_streamed_and_is_logged(client, owner, company):
    _people(company, 7)
    client.force_login(owner)
    url = reverse("org:person_list")
    with override_settings(ZHIDU_BACKGROUND_EXPORT_ROWS=100):
        streamed = client.get(url, {"export": "csv", "q": ""})
        assert streamed.status_code == 200
        streamed_bytes = b"".join(streamed.streaming_content)
    assert "'=cmd0" in streamed_bytes.decode("utf-8-sig")  # formula-escaped
    with override_settings(ZHIDU_BACKGROUND_EXPORT_ROWS=5):
        response = client.get(url, {"export": "csv", "q": ""})
    assert response.status_code == 302
    job = BackgroundJob.objects.get(kind="export")
    assert response.url == job.get_absolute_url()
    assert job.status == "done" and job.owner == owner and job.progress_done == job.progress_total == 7
    assert job.result_file.read() == streamed_bytes
    assert job.result_filename.endswith(".csv")
    events = ChangeLogEntry.objects.filter(content_type=ContentType.objects.get_for_model(ContentType),
                                           action="event").order_by("pk")
    assert [e.after["event"] for e in events][-2:] == ["export", "export"]
    assert events.last().after["background_job"] == job.pk
    # xlsx: the same cells as the streamed file
    with override_settings(ZHIDU_BACKGROUND_EXPORT_ROWS=100):
        streamed_xlsx = b"".join(client.get(url, {"export": "xlsx"}).streaming_content)
    with override_settings(ZHIDU_BACKGROUND_EXPORT_ROWS=5):
        response = client.get(url, {"export": "xlsx"}, headers={"HX-Request": "true"})
    job = BackgroundJob.objects.filter(kind="export").latest("pk")
    assert response.status_code == 204 and response["HX-Redirect"] == job.get_absolute_url()

    def cells(data):
        return [list(r) for r in load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True)]

    assert cells(job.result_file.read()) == cells(streamed_xlsx)


def test_background_export_respects_scope(client, company):
    """The job rebuilds the list as its owner sees it: a user without org view rights gets no rows."""
    _people(company, 6)
    user = _user("nobody")
    client.force_login(user)
    with override_settings(ZHIDU_BACKGROUND_EXPORT_ROWS=-1):
        data = b"".join(client.get(reverse("org:person_list"), {"export": "csv"}).streaming_content)
    assert data.decode("utf-8-sig").count("\n") <= 1


PEOPLE_ROWS = [["工号", "姓名", "部门"], ["HX1", "张三", "XXZX"], ["HX2", "李四", "没有的部门"], ["HX3", "王五", "XXZX"]]


def test_import_in_background_with_row_errors(client, owner, company):
    client.force_login(owner)
    url = reverse("org:person_import")
    upload = io.BytesIO(xlsx(PEOPLE_ROWS))
    upload.name = "people.xlsx"
    with override_settings(ZHIDU_BACKGROUND_IMPORT_ROWS=1):
        response = client.post(url, {"file": upload, "mode": "valid_rows"})
    assert response.status_code == 302
    job = BackgroundJob.objects.get(kind="import")
    assert response.url == job.get_absolute_url()
    assert job.status == "done", job.message
    assert job.result["created"] == 2 and job.result["error_rows"] == 1 and job.result["committed"]
    assert job.errors[0]["row"] == 3 and job.errors[0]["column"] == "部门"
    assert set(Person.objects.values_list("employee_no", flat=True)) >= {"HX1", "HX3"}
    entry = ChangeLogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Person),
                                          object_id=str(Person.objects.get(employee_no="HX1").pk)).first()
    assert entry.source == "import" and entry.actor_id == owner.pk
    report = job.result_file.read().decode("utf-8-sig")
    assert "没有的部门" in report or "3" in report.splitlines()[1]
    html = client.get(job.get_absolute_url()).content.decode()
    assert 'id="import-errors"' in html and 'data-row="3"' in html


def test_background_dry_run_changes_nothing(client, owner, company):
    client.force_login(owner)
    upload = io.BytesIO(xlsx(PEOPLE_ROWS))
    upload.name = "people.xlsx"
    with override_settings(ZHIDU_BACKGROUND_IMPORT_ROWS=0):
        client.post(reverse("org:person_import"), {"file": upload, "mode": "dry_run"})
    job = BackgroundJob.objects.get(kind="import")
    assert job.result["dry_run"] and job.result["created"] == 2 and not job.result["committed"]
    assert not Person.objects.filter(employee_no__in=["HX1", "HX3"]).exists()


def test_mapping_step_maps_unrecognised_headers(client, owner, company):
    client.force_login(owner)
    url = reverse("org:person_import")
    upload = io.BytesIO(xlsx([["No.", "Who", "Dept", "junk"], ["HX7", "赵六", "XXZX", "x"]]))
    upload.name = "odd.xlsx"
    response = client.post(url, {"file": upload, "mode": "all_or_nothing", "map_columns": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="mapping-table"' in html and 'name="map_0"' in html
    token = response.context["token"]
    response = client.post(url, {"token": token, "step": "run", "mode": "all_or_nothing", "map_0": "employee_no",
                                 "map_1": "name", "map_2": "department", "map_3": ""})
    assert response.status_code == 200
    result = response.context["result"]
    assert result.committed and result.created == 1, [e.message for e in result.errors] + result.file_errors
    assert result.ignored_headers == ["junk"]
    assert Person.objects.get(employee_no="HX7").name == "赵六"


def test_mapping_is_prefilled_from_aliases(owner, company):
    from zhidu.org.imports import PersonImporter

    importer = PersonImporter(user=owner)
    assert importer.suggest_mapping(["工号", "姓名", "whatever", "所属部门"]) == {
        "0": "employee_no", "1": "name", "3": "department"}


def test_import_now_after_background_dry_run(client, owner, company):
    client.force_login(owner)
    upload = io.BytesIO(xlsx([PEOPLE_ROWS[0], PEOPLE_ROWS[1]]))
    upload.name = "people.xlsx"
    with override_settings(ZHIDU_BACKGROUND_IMPORT_ROWS=0):
        client.post(reverse("org:person_import"), {"file": upload, "mode": "dry_run"})
    check = BackgroundJob.objects.get(kind="import")
    assert 'data-action="import-now"' in client.get(check.get_absolute_url()).content.decode()
    other = _user("mallory")
    client.force_login(other)
    assert client.post(reverse("background_job_import_now", args=[check.pk])).status_code == 404
    client.force_login(owner)
    response = client.post(reverse("background_job_import_now", args=[check.pk]), {"mode": "all_or_nothing"})
    assert response.status_code == 302
    job = BackgroundJob.objects.filter(kind="import").latest("pk")
    assert job.pk != check.pk and job.result["committed"] and job.result["created"] == 1
    assert Person.objects.filter(employee_no="HX1").exists()
    # the file is gone after the real import: a second "import now" is refused
    assert client.post(reverse("background_job_import_now", args=[check.pk])).status_code == 404
