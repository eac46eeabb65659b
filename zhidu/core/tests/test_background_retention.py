"""Old background-job files (issue #3): the periodic job deletes the result and uploaded files of
jobs finished longer ago than the retention parameter (default 7 days) and marks the jobs expired;
their download then says the file has expired (410) instead of failing. Real files in a tmp
MEDIA_ROOT. Also: the "My background jobs" menu entry."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from zhidu.core import background, params
from zhidu.core.jobs.housekeeping import expire_background_files
from zhidu.core.models import BackgroundJob
from zhidu.core.testing import make_user
from zhidu.core.testing.browser import zh

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    params.clear_cache()
    yield tmp_path
    params.clear_cache()


def finished_job(owner, *, days_ago, kind=BackgroundJob.Kind.EXPORT, status=BackgroundJob.Status.DONE,
                 upload=None):
    job = BackgroundJob.objects.create(kind=kind, handler="core.export", title=f"job {days_ago}d", owner=owner,
                                       status=status, params={"path": upload} if upload else {},
                                       finished=timezone.now() - datetime.timedelta(days=days_ago, hours=1))
    job.result_file.save(f"job{job.pk}-result.csv", ContentFile(b"a,b\r\n"), save=True)
    job.result_filename = "result.csv"
    job.save()
    return job


def test_old_files_are_deleted_and_the_jobs_marked_expired(media):
    owner = make_user(username="retention")
    upload = default_storage.save("imports/stash/old.xlsx", ContentFile(b"PK-data"))
    old = finished_job(owner, days_ago=8, kind=BackgroundJob.Kind.IMPORT, upload=upload)
    failed = finished_job(owner, days_ago=30, status=BackgroundJob.Status.FAILED)
    recent = finished_job(owner, days_ago=6)
    running = BackgroundJob.objects.create(kind="export", handler="core.export", title="running", owner=owner,
                                           status=BackgroundJob.Status.RUNNING)
    old_path, recent_path = old.result_file.path, recent.result_file.path
    assert (media / upload).exists() and (media / old_path).exists()

    assert expire_background_files.call() == {"expired": 2}

    old.refresh_from_db()
    failed.refresh_from_db()
    recent.refresh_from_db()
    running.refresh_from_db()
    assert old.files_expired and failed.files_expired
    assert not old.result_file and old.result_filename == "result.csv"  # the record stays, without its file
    assert not (media / old_path).exists() and not (media / upload).exists()
    assert recent.files_expired is None and (media / recent_path).exists()
    assert running.files_expired is None
    assert background.expire_old_files() == 0  # nothing left to expire


def test_retention_follows_the_parameter(media):
    owner = make_user(username="retention2")
    admin = make_user(username="param-admin", superuser=True, person=False)
    job = finished_job(owner, days_ago=3)
    assert background.expire_old_files() == 0
    params.set_value(key=background.FILE_RETENTION_PARAM, value=2, actor=admin)
    assert background.expire_old_files() == 1
    job.refresh_from_db()
    assert job.files_expired is not None


def test_expired_download_says_so(client, media):
    owner = make_user(username="retention3")
    job = finished_job(owner, days_ago=10)
    client.force_login(owner)
    download = reverse("background_job_download", args=[job.pk])
    assert client.get(download).status_code == 200
    background.expire_old_files()
    response = client.get(download)
    body = response.content.decode()
    expired = zh("The file of this job has expired and was deleted on %(date)s: run the export or import again.") \
        % {"date": timezone.localdate().isoformat()}
    assert response.status_code == 410 and 'id="job-file-expired"' in body and expired in body
    detail = client.get(reverse("background_job", args=[job.pk])).content.decode()
    assert expired in detail and download not in detail
    listing = client.get(reverse("background_jobs")).content.decode()
    assert zh("File expired") in listing and download not in listing


def test_background_jobs_menu_entry(client):
    user = make_user(username="menu-user")
    client.force_login(user)
    page = client.get("/").content.decode()
    assert f'href="{reverse("background_jobs")}"' in page
    client.logout()
    assert reverse("background_jobs") not in client.get("/accounts/login/").content.decode()
