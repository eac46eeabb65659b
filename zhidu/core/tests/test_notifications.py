"""In-app notifications with an e-mail copy: notify(), the navbar bell, /notifications/."""

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhidu.core.errors import RuleViolation
from zhidu.core.models import Notification
from zhidu.core.notifications import mark_all_read, mark_read, notify, unread_count
from zhidu.core.notifications.tasks import send_notification_emails
from zhidu.org.tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


def test_notify_users_and_people_once_each(django_capture_on_commit_callbacks):
    alice = UserFactory(username="alice")
    bob = UserFactory(username="bob", email="")
    bob_person = PersonFactory(user=bob)
    inactive = UserFactory(username="gone", is_active=False)
    no_login = PersonFactory(user=None)
    with django_capture_on_commit_callbacks(execute=False):
        created = notify(users=[alice, bob_person, bob, inactive, no_login], verb="approval.task",
                         message="请审批采购申请 CG-2026-000001", link="/procurement/1/")
    assert sorted(n.recipient.username for n in created) == ["alice", "bob"]
    assert Notification.objects.count() == 2
    assert notify(users=[], message="nobody") == []
    single = notify(users=alice, message="one user, not a list", email=False)
    assert len(single) == 1


def test_email_goes_after_commit_to_users_with_an_address(django_capture_on_commit_callbacks, settings):
    settings.ZHIDU_BASE_URL = "https://zhidu.example.cn"
    alice = UserFactory(username="alice", email="alice@example.com")
    carol = UserFactory(username="carol", email="")
    PersonFactory(user=carol, email="carol@example.com")  # the person's address is used
    dave = UserFactory(username="dave", email="")  # no address anywhere: in-app only
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        created = notify(users=[alice, carol, dave], verb="approval.task",
                         message="请审批采购申请 CG-2026-000001\n金额 30,000.00 元", link="/procurement/1/")
        assert mail.outbox == []  # nothing is sent before the transaction commits
    assert len(callbacks) == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "carol@example.com"]
    message = mail.outbox[0]
    assert "请审批采购申请 CG-2026-000001" in message.subject
    assert "https://zhidu.example.cn/procurement/1/" in message.body
    emailed = {n.recipient.username: n.emailed_at for n in Notification.objects.select_related("recipient")}
    assert emailed["alice"] and emailed["carol"] and emailed["dave"] is None
    # A retry of the task sends nothing twice.
    assert send_notification_emails.call([n.pk for n in created]) == 0
    assert len(mail.outbox) == 2


def test_rolled_back_transaction_leaves_no_notification_and_sends_nothing(django_capture_on_commit_callbacks):
    alice = UserFactory(username="alice", email="alice@example.com")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Rollback), transaction.atomic():
        notify(users=[alice], message="never")
        raise Rollback
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_mark_read_and_unread_count():
    alice, bob = UserFactory(), UserFactory()
    first, second = (notify(users=[alice], message=f"m{i}", email=False)[0] for i in range(2))
    notify(users=[bob], message="bob's", email=False)
    assert unread_count(alice) == 2
    mark_read(notification=first, actor=alice)
    mark_read(notification=first, actor=alice)  # idempotent
    assert unread_count(alice) == 1
    with pytest.raises(RuleViolation):
        mark_read(notification=second, actor=bob)
    assert mark_all_read(actor=alice) == 1
    assert unread_count(alice) == 0 and unread_count(bob) == 1


def test_restrict_shows_only_the_recipients_own_even_to_a_superuser():
    admin = UserFactory(is_superuser=True, is_staff=True)
    alice = UserFactory()
    notify(users=[alice], message="private", email=False)
    assert Notification.objects.restrict(admin).count() == 0
    assert Notification.objects.restrict(alice).count() == 1


# --- pages -----------------------------------------------------------------------------------


def test_list_requires_login(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_list_shows_own_notifications_and_bell_count(client):
    alice, bob = UserFactory(), UserFactory()
    notify(users=[alice], message="给 alice 的通知", email=False)
    notify(users=[alice], message="第二条", email=False)
    notify(users=[bob], message="给 bob 的通知", email=False)
    client.force_login(alice)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "给 alice 的通知" in page and "第二条" in page
    assert "给 bob 的通知" not in page
    assert 'data-unread="2"' in page  # the bell in the navbar
    bell = client.get(reverse("notifications:bell")).content.decode()
    assert 'data-unread="2"' in bell


def test_open_marks_read_and_follows_local_links_only(client):
    alice, bob = UserFactory(), UserFactory()
    local = notify(users=[alice], message="local", link="/procurement/", email=False)[0]
    external = notify(users=[alice], message="external", link="https://evil.example.com/", email=False)[0]
    others = notify(users=[bob], message="bob's", email=False)[0]
    client.force_login(alice)
    response = client.post(reverse("notifications:open", args=[local.pk]))
    assert response.status_code == 302 and response["Location"] == "/procurement/"
    local.refresh_from_db()
    assert local.is_read
    response = client.post(reverse("notifications:open", args=[external.pk]))
    assert response["Location"] == reverse("notifications:list")
    assert client.post(reverse("notifications:open", args=[others.pk])).status_code == 404
    assert client.get(reverse("notifications:open", args=[local.pk])).status_code == 405
    others.refresh_from_db()
    assert not others.is_read


def test_read_all_and_unread_filter(client):
    alice = UserFactory()
    read = notify(users=[alice], message="已读的", email=False)[0]
    mark_read(notification=read, actor=alice)
    notify(users=[alice], message="未读的", email=False)
    client.force_login(alice)
    page = client.get(reverse("notifications:list") + "?unread=1").content.decode()
    assert "未读的" in page and "已读的" not in page
    response = client.post(reverse("notifications:read_all"))
    assert response.status_code == 302
    assert unread_count(alice) == 0
    page = client.get(reverse("notifications:list") + "?unread=1").content.decode()
    assert "未读的" not in page


def test_list_query_count_does_not_grow_with_the_page(client):
    alice = UserFactory()
    client.force_login(alice)
    notify(users=[alice], message="first", email=False)
    client.get(reverse("notifications:list"))  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("notifications:list")).status_code == 200
    for i in range(29):
        notify(users=[alice], message=f"n{i}", email=False)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("notifications:list")).status_code == 200
    assert len(many) == len(few)


# --- API -------------------------------------------------------------------------------------


def test_api_lists_only_own_notifications_and_marks_read(client):
    alice, bob = UserFactory(), UserFactory()
    first = notify(users=[alice], message="一", link="/a/", email=False)[0]
    notify(users=[alice], message="二", email=False)
    theirs = notify(users=[bob], message="bob's", email=False)[0]
    client.force_login(alice)
    data = client.get("/api/notifications/").json()
    assert sorted(item["message"] for item in data["results"]) == ["一", "二"]
    assert client.get(f"/api/notifications/{theirs.pk}/").status_code == 404
    response = client.post(f"/api/notifications/{first.pk}/read/")
    assert response.status_code == 200 and response.json()["read"] is True
    assert [item["message"] for item in client.get("/api/notifications/?unread=1").json()["results"]] == ["二"]
    assert client.post(f"/api/notifications/{theirs.pk}/read/").status_code == 404
    assert client.post("/api/notifications/read-all/").json() == {"marked": 1}
    assert unread_count(alice) == 0 and unread_count(bob) == 1
    client.logout()
    assert client.get("/api/notifications/").status_code in {401, 403}


def test_api_list_query_count_does_not_grow(client):
    alice = UserFactory()
    client.force_login(alice)
    notify(users=[alice], message="first", email=False)
    client.get("/api/notifications/")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/notifications/")
    for i in range(20):
        notify(users=[alice], message=f"n{i}", email=False)
    with CaptureQueriesContext(connection) as many:
        client.get("/api/notifications/")
    assert len(many) == len(few)
