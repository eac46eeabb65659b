"""Account operations (issue #2 §5). One function per operation, keyword-only, atomic.

Each writes a change-log event on the user (`zhidu.core.changelog.record_event`) so the
auditors see who enabled two-step verification, created an API token or unlocked an account
(no secret is ever recorded).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from zhidu.core.changelog import record_event
from zhidu.core.errors import Conflict, RuleViolation

from .permissions import can_manage_lockouts


# -- two-step verification (TOTP) ---------------------------------------------------------------
def confirmed_totp_device(user) -> TOTPDevice | None:
    """The user's active authenticator, or None when the user signs in with a password only."""
    if not getattr(user, "pk", None):
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def pending_totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()


@transaction.atomic
def start_totp_enrolment(*, user) -> TOTPDevice:
    """A new, not yet active authenticator with a fresh secret (shown as a QR code)."""
    if confirmed_totp_device(user) is not None:
        raise Conflict(_("Two-step verification is already on. Turn it off first to set up another app."))
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=str(_("Authenticator app")), confirmed=False)


@transaction.atomic
def confirm_totp(*, user, token: str) -> TOTPDevice:
    """Activate the pending authenticator once the user proves it works with a current code."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        raise Conflict(_("There is no authenticator being set up. Start again."))
    if not device.verify_token(token):
        raise RuleViolation(
            _("The code is not correct. Check the time on your phone and enter the code shown now."),
            code="otp_invalid",
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    record_event(user, data={"event": "totp_enabled"})
    return device


@transaction.atomic
def cancel_totp_enrolment(*, user) -> None:
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()


@transaction.atomic
def disable_totp(*, user, token: str) -> None:
    """Turn two-step verification off; needs a current code, so a stolen session cannot."""
    device = confirmed_totp_device(user)
    if device is None:
        raise Conflict(_("Two-step verification is not on."))
    if not device.verify_token(token):
        raise RuleViolation(_("The code is not correct."), code="otp_invalid")
    TOTPDevice.objects.filter(user=user).delete()
    record_event(user, data={"event": "totp_disabled"})


# -- API tokens ------------------------------------------------------------------------------
def api_token(user) -> Token | None:
    return Token.objects.filter(user=user).first()


@transaction.atomic
def create_api_token(*, user) -> Token:
    """A new token for the user, replacing the old one (one token per user)."""
    replaced = Token.objects.filter(user=user).delete()[0] > 0
    token = Token.objects.create(user=user)
    record_event(user, data={"event": "api_token_regenerated" if replaced else "api_token_created"})
    return token


@transaction.atomic
def revoke_api_token(*, user) -> bool:
    """Delete the user's token: requests with it are refused (401) from now on."""
    deleted = Token.objects.filter(user=user).delete()[0] > 0
    if deleted:
        record_event(user, data={"event": "api_token_revoked"})
    return deleted


# -- password ----------------------------------------------------------------------------------
def password_changed(*, user) -> None:
    """Record a password change (the form has set and saved it)."""
    record_event(user, data={"event": "password_changed"})


# -- lockouts (django-axes) ------------------------------------------------------------------
@transaction.atomic
def unlock_account(*, username: str, ip_address: str | None, actor) -> int:
    """Lift a sign-in lockout (issue #2 §5); only superusers and the IT authority may."""
    from axes.utils import reset

    if not can_manage_lockouts(actor):
        raise RuleViolation(_("Only the IT authority may unlock accounts."), code="forbidden")
    username = (username or "").strip()
    if not username and not ip_address:
        raise RuleViolation(_("Say which account to unlock."), code="invalid")
    removed = reset(ip=ip_address or None, username=username or None)
    target = get_user_model().objects.filter(username=username).first() if username else None
    record_event(
        target or actor,
        data={"event": "login_unlocked", "username": username, "ip_address": ip_address or "", "attempts": removed},
    )
    return removed
