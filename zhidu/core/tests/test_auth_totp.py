"""Optional two-step verification with an authenticator app (TOTP, django-otp), issue #2 §5."""

import base64

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhidu.core.models import ChangeLogEntry
from zhidu.org.tests.factories import UserFactory

from .auth_support import PASSWORD, login_post, totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return UserFactory(username="alice")


def enrol(client, user) -> TOTPDevice:
    """Turn two-step verification on through the account page; returns the device."""
    client.force_login(user)
    assert client.post("/accounts/two-step/start/").status_code == 302
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/accounts/two-step/confirm/", {"otp_token": totp_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    client.logout()
    return device


def test_account_page_offers_two_step_verification(client, alice):
    client.force_login(alice)
    html = client.get("/accounts/").content.decode()
    assert 'data-totp-status="off"' in html
    assert "/accounts/two-step/start/" in html


def test_enrolment_shows_a_server_side_qr_code_and_needs_a_code_to_activate(client, alice):
    client.force_login(alice)
    client.post("/accounts/two-step/start/")
    device = TOTPDevice.objects.get(user=alice)
    assert not device.confirmed
    html = client.get("/accounts/").content.decode()
    marker = 'src="data:image/svg+xml;base64,'
    assert marker in html
    svg = base64.b64decode(html.split(marker, 1)[1].split('"', 1)[0]).decode()
    assert svg.startswith("<svg") or "<svg" in svg[:200]
    assert "data-totp-secret" in html

    wrong = client.post("/accounts/two-step/confirm/", {"otp_token": "000000" if totp_code(device) != "000000" else "111111"})
    assert wrong.status_code == 400
    assert "验证码不正确" in wrong.content.decode()  # error in place, in Chinese
    device.refresh_from_db()
    assert not device.confirmed

    device.throttling_failure_count = 0  # the wrong code above throttles the next try
    device.throttling_failure_timestamp = None
    device.save()
    ok = client.post("/accounts/two-step/confirm/", {"otp_token": totp_code(device)})
    assert ok.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert 'data-totp-status="on"' in client.get("/accounts/").content.decode()
    event = ChangeLogEntry.objects.filter(object_id=str(alice.pk), action="event").latest("id")
    assert event.after == {"event": "totp_enabled"}


def test_malformed_code_is_refused_in_place(client, alice):
    client.force_login(alice)
    client.post("/accounts/two-step/start/")
    response = client.post("/accounts/two-step/confirm/", {"otp_token": "12ab"})
    assert response.status_code == 400
    assert "6 位数字" in response.content.decode()


def test_enrolment_can_be_cancelled(client, alice):
    client.force_login(alice)
    client.post("/accounts/two-step/start/")
    client.post("/accounts/two-step/cancel/")
    assert not TOTPDevice.objects.filter(user=alice).exists()


def test_users_without_a_device_sign_in_with_the_password_only(client, alice):
    assert login_post(client, "alice").status_code == 302
    assert client.get("/accounts/").status_code == 200


def test_login_asks_for_the_code_as_a_second_step(client, alice):
    device = enrol(client, alice)
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD, "next": "/accounts/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/verify/"
    assert "_auth_user_id" not in client.session  # not signed in yet
    assert client.get("/accounts/").status_code == 302  # still anonymous

    page = client.get("/accounts/login/verify/")
    assert page.status_code == 200
    assert "两步验证" in page.content.decode()

    response = client.post("/accounts/login/verify/", {"otp_token": totp_code(device, steps_ahead=1)})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/"
    assert client.session["_auth_user_id"] == str(alice.pk)
    assert client.session["otp_device_id"] == device.persistent_id  # session is OTP-verified


def test_a_wrong_code_is_refused_and_counts_towards_the_lockout(client, alice, settings):
    device = enrol(client, alice)
    login_post(client, "alice")
    response = client.post("/accounts/login/verify/", {"otp_token": "000000" if totp_code(device) != "000000" else "111111"})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session
    from axes.models import AccessAttempt

    assert AccessAttempt.objects.get(username="alice").failures_since_start == 1


def test_guessing_codes_locks_the_account(client, alice, settings):
    settings.AXES_FAILURE_LIMIT = 3
    device = enrol(client, alice)
    wrong = "000000" if totp_code(device) != "000000" else "111111"
    login_post(client, "alice")
    statuses = [client.post("/accounts/login/verify/", {"otp_token": wrong}).status_code for _ in range(3)]
    assert statuses[-1] == 429
    assert login_post(client, "alice").status_code == 429


def test_the_second_step_cannot_be_skipped_or_reached_without_the_password(client, alice):
    enrol(client, alice)
    response = client.get("/accounts/login/verify/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"


def test_turning_off_needs_a_current_code(client, alice):
    device = enrol(client, alice)
    client.force_login(alice)
    refused = client.post("/accounts/two-step/disable/", {"otp_token": "12"})
    assert refused.status_code == 400
    assert TOTPDevice.objects.filter(user=alice, confirmed=True).exists()
    ok = client.post("/accounts/two-step/disable/", {"otp_token": totp_code(device, steps_ahead=1)})
    assert ok.status_code == 302
    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert login_post(client, "alice").status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)
