"""Forms of the organisation pages. Choices are limited to what the user may see; saving goes
through `org.services` (the views' `perform_save`)."""

from django import forms
from django.contrib.auth.models import Permission
from django.utils.translation import gettext_lazy as _

from zhidu.core.forms import ZhiduForm, ZhiduModelForm

from .choices import EmploymentStatus, RoleScope
from .models import OrgUnit, Person, Position, Role, RoleAlias, RoleAssignment


class UnitLabelChoiceField(forms.ModelChoiceField):
    """A unit choice shown indented by its depth, in tree order."""

    def label_from_instance(self, obj):
        return f"{'　' * obj.depth}{obj.name}"


class OrgUnitForm(ZhiduModelForm):
    parent = UnitLabelChoiceField(queryset=OrgUnit.objects.filter(is_active=True), required=False,
                                  label=_("Parent unit"), help_text=_("Empty: a top-level unit."))

    class Meta:
        model = OrgUnit
        fields = ("name", "code", "kind", "parent", "is_it_authority", "sort_order", "head")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.restrict_choices("parent")
        self.restrict_choices("head")
        self.fields["head"].queryset = self.fields["head"].queryset.filter(status__in=("active", "onboarding", "leaving"))
        if self.instance.pk:
            self.fields["parent"].queryset = self.fields["parent"].queryset.exclude(path__startswith=self.instance.path)


class PersonForm(ZhiduModelForm):
    department = UnitLabelChoiceField(queryset=OrgUnit.objects.filter(is_active=True), label=_("Department"))

    class Meta:
        model = Person
        fields = ("employee_no", "name", "department", "position", "title", "manager", "email", "phone", "hire_date")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.restrict_choices("department")
        self.restrict_choices("manager")
        self.fields["manager"].queryset = self.fields["manager"].queryset.filter(
            status__in=("active", "onboarding", "leaving")
        )
        if self.instance.pk:
            self.fields["manager"].queryset = self.fields["manager"].queryset.exclude(pk=self.instance.pk)

    def validate_unique(self):
        """Uniqueness of the employee number is the service's rule (it names the holder)."""


class PersonCreateForm(PersonForm):
    status = forms.ChoiceField(label=_("Employment status"), choices=EmploymentStatus.choices[:2],
                               initial=EmploymentStatus.ACTIVE)


class PersonStatusForm(ZhiduForm):
    status = forms.ChoiceField(label=_("New status"), choices=EmploymentStatus.choices)
    date = forms.DateField(label=_("Effective date"), required=False,
                           help_text=_("Leave date for “left”, hire date for a re-hire. Empty: today."))
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class PersonLoginForm(ZhiduForm):
    username = forms.CharField(label=_("Username"), max_length=150,
                               help_text=_("A new login is created for this person."))
    password = forms.CharField(label=_("Initial password"), required=False, widget=forms.PasswordInput,
                               help_text=_("Empty: the login cannot sign in until a password is set."))

    def clean_password(self):
        from django.contrib.auth.password_validation import validate_password

        password = self.cleaned_data.get("password")
        if password:
            validate_password(password)
        return password


class PositionForm(ZhiduModelForm):
    class Meta:
        model = Position
        fields = ("name", "description")

    def validate_unique(self):
        pass


class PermissionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.content_type.app_label}.{obj.codename} — {obj.name}"


class RoleForm(ZhiduModelForm):
    permissions = PermissionChoiceField(
        queryset=Permission.objects.select_related("content_type").exclude(
            content_type__app_label__in=("admin", "sessions", "contenttypes", "axes")
        ).order_by("content_type__app_label", "codename"),
        required=False, label=_("Permissions"), widget=forms.SelectMultiple(attrs={"size": 16}),
    )
    default_scope = forms.ChoiceField(label=_("Usual scope"), choices=RoleScope.choices)

    class Meta:
        model = Role
        fields = ("code", "name", "generic_code", "default_scope", "description", "permissions")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.is_builtin:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _("Built-in role: the code is fixed.")

    def validate_unique(self):
        pass


class RoleAssignmentForm(ZhiduModelForm):
    unit = UnitLabelChoiceField(queryset=OrgUnit.objects.filter(is_active=True), required=False,
                                label=_("Scope unit"), help_text=_("Empty: the whole organisation."))

    class Meta:
        model = RoleAssignment
        fields = ("person", "role", "unit", "include_subtree", "valid_from", "valid_until", "note")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.restrict_choices("person")
        self.restrict_choices("unit")
        self.fields["person"].queryset = self.fields["person"].queryset.exclude(status=EmploymentStatus.LEFT)

    def validate_unique(self):
        pass


class RoleAliasForm(ZhiduModelForm):
    class Meta:
        model = RoleAlias
        fields = ("term", "role", "note")

    def validate_unique(self):
        pass


# --------------------------------------------------------------------------- person picker


def person_label(person) -> str:
    return f"{person.name}（{person.employee_no}）"


class PersonPickerWidget(forms.Widget):
    """A search box (htmx: GET org:person_pick, at most 20 matches) and the hidden person id.

    Picking an option fills the hidden value (zhidu/static/core/zhidu.js, no inline script);
    typing again clears it, so what is submitted is always a picked id.
    """

    template_name = "org/widgets/person_picker.html"

    def __init__(self, pool: str = "visible", attrs=None):
        super().__init__(attrs)
        self.pool = pool
        self.choices = ()

    def get_context(self, name, value, attrs):
        from django.urls import reverse
        from django.utils.http import urlencode

        context = super().get_context(name, value, attrs)
        person = None
        queryset = getattr(self.choices, "queryset", None)
        if queryset is not None and value not in (None, "") and str(value).isdigit():
            person = queryset.filter(pk=value).first()  # only a person the user may see is named back
        context["widget"].update({
            "label": person_label(person) if person else "",
            "url": f"{reverse('org:person_pick')}?{urlencode({'pool': self.pool, 'field': name})}",
            "value": person.pk if person else "",
        })
        return context


class PersonPickerField(forms.ModelChoiceField):
    """One person, picked by searching (employee number, name, department) among the people the
    user may see (`selectors.pickable_people`); the choice is checked again on submit.

    A ZhiduForm binds it to its user (`for_user`); unbound, it accepts nobody.
    """

    default_error_messages = {
        "invalid_choice": _("Choose a person from the search results; only people you may see can be picked."),
    }

    def __init__(self, *, pool: str = "visible", **kwargs):
        from .selectors import PICK_POOLS

        if pool not in PICK_POOLS:
            raise ValueError(f"unknown person pool {pool!r}")
        self.pool = pool
        kwargs.setdefault("widget", PersonPickerWidget(pool=pool))
        super().__init__(queryset=Person.objects.none(), **kwargs)

    def for_user(self, user):
        from .selectors import pickable_people

        self.queryset = pickable_people(user, self.pool).select_related("department")
        return self

