"""Sign-in and account pages, mounted at /accounts/ (URL names are global: `login`, `logout`,
`account` are used by base.html and settings.LOGIN_URL)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.account, name="account"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/verify/", views.login_otp, name="login-otp"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("two-step/start/", views.totp_start, name="account-totp-start"),
    path("two-step/confirm/", views.totp_confirm, name="account-totp-confirm"),
    path("two-step/cancel/", views.totp_cancel, name="account-totp-cancel"),
    path("two-step/disable/", views.totp_disable, name="account-totp-disable"),
    path("token/", views.token_create, name="account-token-create"),
    path("token/revoke/", views.token_revoke, name="account-token-revoke"),
    path("lockouts/", views.lockouts, name="account-lockouts"),
    path("lockouts/unlock/", views.unlock, name="account-unlock"),
]
