"""Sign-in, lockout after repeated failures (django-axes), unlock by the IT authority, sign-out
(issue #2 §5; ACC-01, ACC-07)."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model

from zhidu.core.models import ChangeLogEntry
from zhidu.org.roles import seed_roles
from zhidu.org.tests.factories import UserFactory

from .auth_support import PASSWORD, login_post, user_with_roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return UserFactory(username="alice")


def test_login_page_is_chinese_and_explains_the_rules(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="zh-hans"' in html
    assert "登录" in html
    assert 'name="username"' in html and 'name="password"' in html
    assert 'class="form-control' in html


def test_login_with_the_right_password_signs_in_and_follows_next(client, alice):
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD, "next": "/accounts/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/"
    assert client.get("/accounts/").status_code == 200


def test_login_refuses_an_external_next(client, alice):
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_wrong_password_shows_the_error_in_place_in_chinese(client, alice):
    response = login_post(client, "alice", "wrong")
    assert response.status_code == 200
    html = response.content.decode()
    assert "alert-danger" in html
    assert "请输入一个正确的" in html  # Django's own zh-hans message
    assert 'value="alice"' in html  # input kept


def test_lockout_after_the_failure_limit_even_with_the_right_password(client, alice, settings):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert login_post(client, "alice", "wrong").status_code == 200
    locked = login_post(client, "alice", "wrong")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "登录失败次数过多" in html  # the lockout page in Chinese
    assert f"（{limit}）" in html or str(limit) in html
    # Locked: even the right password does not get in now.
    again = login_post(client, "alice", PASSWORD)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username_and_address(client, alice, settings):
    UserFactory(username="bob")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login_post(client, "alice", "wrong")
    assert login_post(client, "bob", PASSWORD).status_code == 302
    other_address = login_post(client, "alice", PASSWORD, REMOTE_ADDR="10.0.0.9")
    assert other_address.status_code == 302


def test_successful_login_resets_earlier_failures(client, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login_post(client, "alice", "wrong")
    assert login_post(client, "alice", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="alice").exists()


def test_lockout_answers_json_for_the_api_style_request(client, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login_post(client, "alice", "wrong")
    response = login_post(client, "alice", "wrong", HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"


# -- unlock by the IT authority -------------------------------------------------------------
@pytest.fixture
def locked_alice(client, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login_post(client, "alice", "wrong")
    assert login_post(client, "alice", PASSWORD).status_code == 429
    return alice


def test_it_staff_lists_and_unlocks_a_locked_account(client, locked_alice):
    seed_roles()
    it = user_with_roles("it1", "it_staff")
    admin_client = client.__class__()
    admin_client.force_login(it)
    page = admin_client.get("/accounts/lockouts/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-lockout="alice"' in html
    assert "127.0.0.1" in html

    response = admin_client.post("/accounts/lockouts/unlock/", {"username": "alice", "ip_address": "127.0.0.1"})
    assert response.status_code == 302
    assert 'data-lockout="alice"' not in admin_client.get("/accounts/lockouts/").content.decode()
    assert login_post(client, "alice", PASSWORD).status_code == 302

    event = ChangeLogEntry.objects.filter(action="event", object_id=str(locked_alice.pk)).latest("id")
    assert event.after["event"] == "login_unlocked"
    assert event.actor_id == it.pk
    assert event.source == "web"


def test_superuser_may_unlock(client, locked_alice):
    root = get_user_model().objects.create_superuser("root", "root@example.com", "Root-Passw0rd!")
    client.force_login(root)
    assert client.get("/accounts/lockouts/").status_code == 200
    client.post("/accounts/lockouts/unlock/", {"username": "alice", "ip_address": "127.0.0.1"})
    assert not AccessAttempt.objects.filter(username="alice").exists()


def test_others_may_not_see_or_unlock_lockouts(client, locked_alice):
    seed_roles()
    head = user_with_roles("head1", ("dept_head", None))
    employee = user_with_roles("emp1", "employee")
    for user in (head, employee):
        client.force_login(user)
        assert client.get("/accounts/lockouts/").status_code == 403
        assert client.post("/accounts/lockouts/unlock/", {"username": "alice"}).status_code == 403
    assert AccessAttempt.objects.filter(username="alice").exists()


def test_unit_scoped_it_staff_may_not_unlock(client, locked_alice):
    """Unlocking concerns every account of the organisation: only an org-wide grant counts."""
    seed_roles()
    from zhidu.org.tests.factories import OrgUnitFactory

    unit = OrgUnitFactory()
    scoped = user_with_roles("it2", ("it_staff", unit), unit=unit)
    client.force_login(scoped)
    assert client.get("/accounts/lockouts/").status_code == 403


# -- sign out ---------------------------------------------------------------------------------
def test_logout_is_post_only(client, alice):
    client.force_login(alice)
    assert client.get("/accounts/logout/").status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_admin_site_signs_in_through_our_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_admin_login_for_a_signed_in_non_staff_user_is_forbidden_not_a_loop(client, alice):
    client.force_login(alice)
    assert client.get("/admin/login/?next=/admin/").status_code == 403
