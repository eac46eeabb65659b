"""Helpers shared by the auth, audit and security tests (test_auth*, test_audit*, test_security*)."""

from __future__ import annotations

import time

from django_otp.oath import TOTP

from zhidu.org.tests.factories import PASSWORD, OrgUnitFactory, person_with_login  # noqa: F401


def login_post(client, username, password=PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def totp_code(device, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or `steps_ahead` 30-second steps later).

    Within the device's tolerance (one step), so no clock has to be moved; a code is
    accepted once, so a second verification in the same test uses the next step.
    """
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def user_with_roles(username: str, *roles, unit=None):
    """A person with a login holding built-in roles (seed_roles() must have run).

    `roles`: role codes held org-wide, or (code, unit) tuples for a unit scope.
    """
    unit = unit or OrgUnitFactory()
    return person_with_login(username=username, department=unit, roles=roles).user
