"""My account: password policy (ACC-08), API token, session idle timeout (ACC-09)."""


import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

from zhidu.core.middleware import IdleTimeoutMiddleware
from zhidu.core.models import ChangeLogEntry
from zhidu.org.tests.factories import UserFactory

from .auth_support import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return UserFactory(username="alice")


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice)
    return client


def test_account_page_requires_login(client):
    response = client.get("/accounts/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_account_page_renders_in_chinese(signed_in):
    response = signed_in.get("/accounts/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("我的账户", "修改密码", "两步验证", "API 令牌"):
        assert text in html


# -- password ----------------------------------------------------------------------------------
def change(client, old, new1, new2=None):
    return client.post(
        "/accounts/password/", {"old_password": old, "new_password1": new1, "new_password2": new2 or new1}
    )


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1!x", "此密码太短"),  # MinimumLengthValidator (10), Django's own zh-hans text
        ("1234567890123", "密码只包含数字"),  # NumericPasswordValidator
        ("abcdefghijkl", "至少包含以下 3 类字符"),  # CharacterClassValidator (ours)
    ],
)
def test_password_policy_errors_are_shown_in_place_in_chinese(signed_in, password, message):
    response = change(signed_in, PASSWORD, password)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "invalid-feedback" in html


def test_wrong_current_password_is_refused(signed_in):
    response = change(signed_in, "not-my-password", "Neu-Passw0rt!")
    assert response.status_code == 200
    assert "旧密码不正确" in response.content.decode() or "密码不正确" in response.content.decode()


def test_password_change_keeps_me_signed_in_and_is_logged(signed_in, alice):
    response = change(signed_in, PASSWORD, "Neu-Passw0rt!2026")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/"
    alice.refresh_from_db()
    assert alice.check_password("Neu-Passw0rt!2026")
    assert signed_in.get("/accounts/").status_code == 200  # session hash updated
    event = ChangeLogEntry.objects.filter(object_id=str(alice.pk), action="event").latest("id")
    assert event.after == {"event": "password_changed"}
    assert "Neu-Passw0rt" not in str(event.after)


def test_chinese_characters_count_as_a_character_class():
    from zhidu.core.validators import CharacterClassValidator

    CharacterClassValidator().validate("张三abc1234")  # lower + digit + other: accepted


# -- API token -------------------------------------------------------------------------------
def api_get(client, key, path="/api/audit/log/"):
    return client.get(path, HTTP_AUTHORIZATION=f"Token {key}")


def test_token_is_created_and_shown_once(signed_in, alice):
    response = signed_in.post("/accounts/token/")
    assert response.status_code == 302
    token = Token.objects.get(user=alice)
    first = signed_in.get("/accounts/").content.decode()
    assert token.key in first
    assert "data-new-token" in first
    second = signed_in.get("/accounts/").content.decode()
    assert token.key not in second  # shown once
    assert token.key[-4:] in second  # recognisable by its end
    entry = ChangeLogEntry.objects.filter(object_id=str(alice.pk), action="event").latest("id")
    assert entry.after == {"event": "api_token_created"}
    assert token.key not in str(entry.after)


def test_regenerating_replaces_the_old_token(signed_in, alice, client):
    signed_in.post("/accounts/token/")
    old = Token.objects.get(user=alice).key
    signed_in.post("/accounts/token/")
    new = Token.objects.get(user=alice).key
    assert new != old
    assert Token.objects.filter(user=alice).count() == 1
    anonymous = client.__class__()
    assert api_get(anonymous, old, "/api/org/").status_code == 401


def test_token_authenticates_the_api_and_a_revoked_token_gets_401(signed_in, alice):
    signed_in.post("/accounts/token/")
    key = Token.objects.get(user=alice).key
    api = signed_in.__class__()
    # Authenticated (no permission for the global log: 403, not 401).
    assert api_get(api, key).status_code == 403
    signed_in.post("/accounts/token/revoke/")
    assert not Token.objects.filter(user=alice).exists()
    response = api_get(api, key)
    assert response.status_code == 401
    assert response.json()["detail"]
    assert response["WWW-Authenticate"] == "Token"


def test_token_of_a_deactivated_user_gets_401(alice, client):
    token = Token.objects.create(user=alice)
    get_user_model().objects.filter(pk=alice.pk).update(is_active=False)
    assert api_get(client, token.key).status_code == 401


def test_token_pages_are_post_only(signed_in):
    assert signed_in.get("/accounts/token/").status_code == 405
    assert signed_in.get("/accounts/token/revoke/").status_code == 405


# -- session idle timeout (ACC-09) -----------------------------------------------------------
NOW = 1_800_000_000.0  # the idle-timeout middleware's clock in these tests


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr(IdleTimeoutMiddleware, "clock", staticmethod(lambda: NOW))


def set_last_seen(client, seconds_ago):
    session = client.session
    session[IdleTimeoutMiddleware.KEY] = NOW - seconds_ago
    session.save()


def test_an_active_session_stays_signed_in(signed_in, settings):
    set_last_seen(signed_in, settings.SESSION_IDLE_TIMEOUT_MINUTES * 60 - 60)
    assert signed_in.get("/accounts/").status_code == 200
    # ... and the request counts as activity
    assert signed_in.session[IdleTimeoutMiddleware.KEY] == NOW


def test_an_idle_session_is_signed_out_with_a_message(signed_in, settings):
    set_last_seen(signed_in, settings.SESSION_IDLE_TIMEOUT_MINUTES * 60 + 1)
    response = signed_in.get("/accounts/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/accounts/")
    assert "_auth_user_id" not in signed_in.session
    page = signed_in.get(response["Location"])
    assert "无操作" in page.content.decode() and "退出登录" in page.content.decode()


def test_an_idle_htmx_request_redirects_the_whole_page(signed_in, settings):
    set_last_seen(signed_in, settings.SESSION_IDLE_TIMEOUT_MINUTES * 60 + 1)
    response = signed_in.get("/accounts/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/accounts/login/")


def test_an_idle_session_cannot_use_the_api(signed_in, settings):
    set_last_seen(signed_in, settings.SESSION_IDLE_TIMEOUT_MINUTES * 60 + 1)
    response = signed_in.get("/api/audit/log/")
    assert response.status_code in (401, 403)
    assert "_auth_user_id" not in signed_in.session


def test_the_timeout_follows_the_setting(signed_in, settings):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 5
    set_last_seen(signed_in, 6 * 60)
    assert signed_in.get("/accounts/").status_code == 302
