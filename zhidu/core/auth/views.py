"""Sign-in, sign-out, "My account" (password, two-step verification, API token) and the
lockout page of the IT authority (issue #2 §5; ACC-01, ACC-07, ACC-08, ACC-09).

Sign-in is one or two steps: username and password (counted by django-axes, which locks the
username from that address after AXES_FAILURE_LIMIT failures); then, for a user who has turned
on two-step verification, the 6-digit code of the authenticator app. Wrong codes count as
failed sign-ins too, so the code cannot be guessed either.
"""

from __future__ import annotations

import time
from base64 import b32encode
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from zhidu.core.errors import RuleViolation
from zhidu.core.middleware import IdleTimeoutMiddleware

from . import selectors, services
from .forms import LoginForm, OTPTokenForm, PasswordChangeForm
from .permissions import can_manage_lockouts, can_view_global_log

PENDING_KEY = "zhidu_otp_pending"
NEW_TOKEN_KEY = "zhidu_new_api_token"
OTP_STEP_SECONDS = 300  # the second step must follow the first within 5 minutes
OTP_STEP_TRIES = 5  # wrong codes before starting over (each also counts for the lockout)


def _mark_seen(request) -> None:
    request.session[IdleTimeoutMiddleware.KEY] = time.time()


# -- sign in -----------------------------------------------------------------------------------
class LoginView(auth_views.LoginView):
    """Step 1: username and password."""

    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(failure_limit=selectors.failure_limit(), idle_minutes=settings.SESSION_IDLE_TIMEOUT_MINUTES)
        return context

    def form_valid(self, form):
        user = form.get_user()
        device = services.confirmed_totp_device(user)
        if device is None:
            response = super().form_valid(form)
            _mark_seen(self.request)
            return response
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
            "next": self.get_success_url(),
            "since": time.time(),
            "tries": 0,
        }
        return redirect("login-otp")


def _pending(request):
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("since", 0) > OTP_STEP_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None, None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return None, None
    return pending, user


@sensitive_post_parameters("otp_token")
@csrf_protect
@never_cache
def login_otp(request):
    """Step 2: the authenticator code, for users who turned two-step verification on."""
    from axes.handlers.proxy import AxesProxyHandler
    from axes.helpers import get_lockout_response

    pending, user = _pending(request)
    if user is None:
        messages.info(request, _("Please sign in again."))
        return redirect("login")
    credentials = {"username": user.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        request.session.pop(PENDING_KEY, None)
        return get_lockout_response(request, None, credentials)
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.confirmed_totp_device(user)
        if device is not None and device.verify_token(form.cleaned_data["otp_token"]):
            request.session.pop(PENDING_KEY, None)
            user.backend = pending["backend"]
            user.otp_device = device  # django_otp marks the session as verified on login
            auth_login(request, user, backend=pending["backend"])
            _mark_seen(request)
            next_url = pending.get("next") or ""
            if not url_has_allowed_host_and_scheme(
                next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                next_url = resolve_url(settings.LOGIN_REDIRECT_URL)
            return HttpResponseRedirect(next_url)
        # A wrong code is a failed sign-in: django-axes counts it and may lock the account now.
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        pending["tries"] = pending.get("tries", 0) + 1
        request.session[PENDING_KEY] = pending
        if getattr(request, "axes_locked_out", False):
            request.session.pop(PENDING_KEY, None)
            return get_lockout_response(request, None, credentials)
        if pending["tries"] >= OTP_STEP_TRIES:
            request.session.pop(PENDING_KEY, None)
            messages.error(request, _("Too many wrong codes. Please sign in again."))
            return redirect("login")
        form.add_error("otp_token", _("The code is not correct. Enter the code your app shows now."))
    return render(request, "registration/login_otp.html", {"form": form, "pending_user": user})


class LogoutView(auth_views.LogoutView):
    """Sign out (POST only: a link or an image cannot sign anybody out), ACC-09."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("You have signed out."))
        return response


def admin_login(request, extra_context=None):
    """The admin site signs in through our login (lockout and two-step verification apply)."""
    if request.user.is_authenticated:
        raise PermissionDenied
    target = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
    return redirect(f"{reverse('login')}?{urlencode({REDIRECT_FIELD_NAME: target})}")


# -- my account --------------------------------------------------------------------------------
def _account_context(request, **extra):
    user = request.user
    device = services.confirmed_totp_device(user)
    pending = None if device else services.pending_totp_device(user)
    token = services.api_token(user)
    person = getattr(user, "person", None)
    context = {
        "account_user": user,
        "person": person,
        "totp_device": device,
        "pending_device": pending,
        "token": token,
        "new_token": request.session.pop(NEW_TOKEN_KEY, None),
        "totp_form": OTPTokenForm(),
        "disable_form": OTPTokenForm(),
        "can_manage_lockouts": can_manage_lockouts(user),
        "can_view_global_log": can_view_global_log(user),
        "idle_minutes": settings.SESSION_IDLE_TIMEOUT_MINUTES,
    }
    if pending is not None:
        context["qr_code"] = selectors.qr_code_data_uri(pending.config_url)
        secret = b32encode(pending.bin_key).decode("ascii")
        context["totp_secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    if person is not None:
        context["role_assignments"] = list(
            person.role_assignments.select_related("role", "unit").order_by("role__name")
        )
    context.update(extra)
    return context


@login_required
@never_cache
def account(request):
    """My account: profile, password, two-step verification, API token."""
    return render(request, "account/account.html", _account_context(request))


def _rule_error(request, form, exc: RuleViolation):
    form.add_error("otp_token", exc.message)


@login_required
@require_POST
def totp_start(request):
    try:
        services.start_totp_enrolment(user=request.user)
    except RuleViolation as exc:
        messages.error(request, exc.message)
    return redirect(reverse("account") + "#two-step")


@login_required
@require_POST
@sensitive_post_parameters("otp_token")
def totp_confirm(request):
    form = OTPTokenForm(request.POST)
    if form.is_valid():
        try:
            device = services.confirm_totp(user=request.user, token=form.cleaned_data["otp_token"])
        except RuleViolation as exc:
            _rule_error(request, form, exc)
        else:
            import django_otp

            django_otp.login(request, device)
            messages.success(request, _("Two-step verification is on. You will be asked for a code when you sign in."))
            return redirect(reverse("account") + "#two-step")
    return render(request, "account/account.html", _account_context(request, totp_form=form), status=400)


@login_required
@require_POST
def totp_cancel(request):
    services.cancel_totp_enrolment(user=request.user)
    return redirect(reverse("account") + "#two-step")


@login_required
@require_POST
@sensitive_post_parameters("otp_token")
def totp_disable(request):
    form = OTPTokenForm(request.POST)
    if form.is_valid():
        try:
            services.disable_totp(user=request.user, token=form.cleaned_data["otp_token"])
        except RuleViolation as exc:
            _rule_error(request, form, exc)
        else:
            messages.success(request, _("Two-step verification is off."))
            return redirect(reverse("account") + "#two-step")
    return render(request, "account/account.html", _account_context(request, disable_form=form), status=400)


@login_required
@require_POST
def token_create(request):
    token = services.create_api_token(user=request.user)
    request.session[NEW_TOKEN_KEY] = token.key  # shown once, on the next page, then gone
    return redirect(reverse("account") + "#api-token")


@login_required
@require_POST
def token_revoke(request):
    if services.revoke_api_token(user=request.user):
        messages.success(request, _("The API token was revoked. Programs using it can no longer sign in."))
    return redirect(reverse("account") + "#api-token")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change my password under the policy (AUTH_PASSWORD_VALIDATORS, ACC-08)."""

    template_name = "account/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("account")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(user=form.user)
        messages.success(self.request, _("Your password was changed."))
        return response


# -- lockouts (IT authority) -------------------------------------------------------------------
@login_required
@never_cache
def lockouts(request):
    """Accounts locked after repeated failed sign-ins, with an unlock button."""
    if not can_manage_lockouts(request.user):
        raise PermissionDenied
    return render(
        request,
        "account/lockouts.html",
        {"lockouts": selectors.locked_accounts(), "failure_limit": selectors.failure_limit()},
    )


@login_required
@require_POST
def unlock(request):
    if not can_manage_lockouts(request.user):
        raise PermissionDenied
    username = request.POST.get("username", "")
    ip_address = request.POST.get("ip_address") or None
    try:
        services.unlock_account(username=username, ip_address=ip_address, actor=request.user)
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(username)s can sign in again.") % {"username": username or ip_address})
    return redirect("account-lockouts")


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out sign-in gets (settings.AXES_LOCKOUT_CALLABLE): a page in the user's
    language, or JSON in the API's error format; HTTP 429 either way."""
    from axes.helpers import get_cool_off

    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else None
    limit = selectors.failure_limit()
    if request.path.startswith("/api/") or request.headers.get("X-Requested-With") == "XMLHttpRequest":
        from django.http import JsonResponse

        return JsonResponse(
            {
                "detail": _("Too many failed sign-in attempts; the account is locked for %(minutes)s minutes.")
                % {"minutes": minutes or "—"},
                "code": "locked_out",
            },
            status=429,
        )
    return render(
        request,
        "registration/locked_out.html",
        {"failure_limit": limit, "cooloff_minutes": minutes},
        status=429,
    )
