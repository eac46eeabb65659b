"""Forms of the sign-in and account pages (rendered with `{% render_form %}` / `{% form_field %}`)."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _


class LoginForm(auth_forms.AuthenticationForm):
    """Username and password; the lockout (django-axes) hooks into `authenticate()`."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["username"].widget.attrs.update(
            {"autofocus": True, "autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        )
        self.fields["password"].label = _("Password")
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class OTPTokenForm(forms.Form):
    """The 6-digit code of an authenticator app (TOTP)."""

    otp_token = forms.CharField(
        label=_("Authenticator code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9 ]{6,7}",
                "maxlength": "7",
                "autofocus": True,
                "placeholder": "123456",
            }
        ),
        help_text=_("The 6-digit code your authenticator app shows now."),
    )

    def clean_otp_token(self):
        token = "".join(self.cleaned_data["otp_token"].split())
        if len(token) != 6 or not token.isdigit():
            raise forms.ValidationError(_("Enter the 6 digits your authenticator app shows."), code="otp_format")
        return token


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form; the policy comes from AUTH_PASSWORD_VALIDATORS (ACC-08)."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["old_password"].label = _("Current password")
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password2"].label = _("New password (again)")
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        self.fields["old_password"].widget.attrs["autofocus"] = True
