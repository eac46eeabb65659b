"""Accounts and sign-in security (issue #2 §5): login with lockout (django-axes), optional TOTP
(django-otp), password policy (ACC-08), session idle timeout (ACC-09, in core.middleware),
API tokens per user, and the unlock page for the IT authority.

Everything that changes an account is a service in `services.py` and is written to the
change log as an event on the user (never with a secret in it).
"""
