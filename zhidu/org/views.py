"""Pages of the organisation: org tree, units, people, positions, roles, assignments, aliases,
imports. Declarative on the generic views of `zhidu.core.views`; every change goes through
`org.services`; scoping by `restrict()` (out of scope → 404, visible but not allowed → 403)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Prefetch
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from zhidu.core.errors import RuleViolation
from zhidu.core.imports import ImportView
from zhidu.core.scoping import has_perm_anywhere
from zhidu.core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectFormView,
    ObjectListView,
    ScopedObjectMixin,
)

from . import selectors, services
from .choices import CURRENT_STATUSES
from .filtersets import (
    OrgUnitFilterSet,
    PersonFilterSet,
    PositionFilterSet,
    RoleAliasFilterSet,
    RoleAssignmentFilterSet,
    RoleFilterSet,
)
from .forms import (
    OrgUnitForm,
    PersonCreateForm,
    PersonForm,
    PersonLoginForm,
    PersonStatusForm,
    PositionForm,
    RoleAliasForm,
    RoleAssignmentForm,
    RoleForm,
)
from .imports import PersonImporter, UnitImporter
from .models import OrgUnit, Person, Position, Role, RoleAlias, RoleAssignment
from .tables import OrgUnitTable, PersonTable, PositionTable, RoleAliasTable, RoleAssignmentTable, RoleTable

ACTION_LABELS = {"view": gettext_lazy("view"), "add": gettext_lazy("add"), "change": gettext_lazy("change"),
                 "delete": gettext_lazy("delete")}


def permission_label(perm) -> str:
    """“view · purchase request” in the user's language (Django stores permission names in English)."""
    action, _sep, _rest = perm.codename.partition("_")
    model = perm.content_type.model_class()
    if action in ACTION_LABELS and model is not None:
        return f"{ACTION_LABELS[action]} · {model._meta.verbose_name}"
    return perm.name


def app_label(label: str) -> str:
    from django.apps import apps

    try:
        return str(apps.get_app_config(label).verbose_name)
    except LookupError:
        return label


def _refuse(field: str, message: str) -> RuleViolation:
    error = RuleViolation(message, code="scope")
    error.field = field
    return error


# --------------------------------------------------------------------------- units


class UnitListView(ObjectListView):
    """The org tree (GOV-01): units indented by depth, member counts, type, IT authority; GOV-09."""

    model = OrgUnit
    table_class = OrgUnitTable
    filterset_class = OrgUnitFilterSet
    template_name = "org/unit_list.html"
    select_related = ("parent", "head")
    create_url_name = "org:unit_create"
    title = gettext_lazy("Organisation")
    per_page_choices = (100, 250, 500)

    def get_base_queryset(self):
        return selectors.with_member_counts(OrgUnit.objects.all())

    def get_extra_context(self):
        user = self.request.user
        return {
            "gov09_missing": selectors.departments_missing_it_roles(OrgUnit.objects.restrict(user, "view")),
            "can_import": UnitImporter(user=user).check_permission(),
        }


class UnitDetailView(ObjectDetailView):
    model = OrgUnit
    template_name = "org/unit_detail.html"
    select_related = ("parent", "head")
    edit_url_name = "org:unit_edit"
    delete_url_name = "org:unit_delete"
    list_url_name = "org:unit_list"

    def get_extra_context(self):
        unit = self.object
        user = self.request.user
        ancestors = OrgUnit.objects.filter(pk__in=unit.ancestor_ids()).exclude(pk=unit.pk).order_by("tree_key")
        visible_units = OrgUnit.objects.restrict(user, "view")
        children = selectors.with_member_counts(visible_units.filter(parent=unit)).select_related("head")
        members = (Person.objects.restrict(user, "view").filter(department=unit, status__in=CURRENT_STATUSES)
                   .select_related("position", "user").order_by("employee_no"))
        holders = (RoleAssignment.objects.restrict(user, "view").filter(unit=unit)
                   .select_related("person", "role").order_by("role__code", "person__employee_no"))
        missing = selectors.departments_missing_it_roles(OrgUnit.objects.filter(pk=unit.pk))
        can_change = self.can(unit, "change")
        return {
            "ancestors": list(ancestors),
            "children": list(children),
            "members": list(members[:200]),
            "member_total": members.count(),
            "holders": list(holders),
            "gov09_missing": missing[0].missing if missing else (),
            "can_change": can_change,
            "can_add_unit": selectors.can_act_in_unit(user, "org.add_orgunit", unit) and unit.is_active,
            "can_add_person": selectors.can_act_in_unit(user, "org.add_person", unit) and unit.is_active,
            "can_assign": selectors.can_act_in_unit(user, "org.add_roleassignment", unit) and unit.is_active,
        }


class UnitFormView(ObjectFormView):
    model = OrgUnit
    form_class = OrgUnitForm
    success_url_name = "org:unit_list"

    def get_initial(self):
        initial = {}
        if self.is_create and self.request.GET.get("parent"):
            initial["parent"] = self.request.GET["parent"]
        return initial

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        self.original_parent = self.object.parent if self.object is not None else None
        return kwargs

    def perform_save(self, form):
        data = dict(form.cleaned_data)
        user = self.request.user
        parent = data.get("parent")
        if self.is_create:
            if not selectors.can_act_in_unit(user, "org.add_orgunit", parent):
                raise _refuse("parent", _("You may not add units under %(unit)s.")
                              % {"unit": parent or _("the top level")})
            return services.create_unit(actor=user, **data)
        if parent != self.original_parent and not selectors.can_act_in_unit(user, "org.add_orgunit", parent):
            raise _refuse("parent", _("You may not move units under %(unit)s.") % {"unit": parent or _("the top level")})
        return services.update_unit(unit=self.object, actor=user, **data)


class UnitDeleteView(ObjectDeleteView):
    model = OrgUnit
    success_url_name = "org:unit_list"

    def perform_delete(self, obj):
        services.delete_unit(unit=obj, actor=self.request.user)


class ObjectActionView(ScopedObjectMixin, View):
    """A one-click POST action on one object (deactivate, reactivate …) through a service.
    404 out of scope, 403 without `action` permission; a refused rule is shown as a message."""

    action = "change"
    success_message = ""

    def perform(self, obj):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        return HttpResponseNotAllowed(["POST"])

    def post(self, request, *args, **kwargs):
        obj = self.get_scoped_object(self.action)
        try:
            self.perform(obj)
        except RuleViolation as error:
            messages.error(request, error.message)
        else:
            messages.success(request, self.success_message)
        return HttpResponseRedirect(obj.get_absolute_url())


class UnitDeactivateView(ObjectActionView):
    model = OrgUnit
    success_message = gettext_lazy("The unit was deactivated.")

    def perform(self, obj):
        services.deactivate_unit(unit=obj, actor=self.request.user)


class UnitReactivateView(ObjectActionView):
    model = OrgUnit
    success_message = gettext_lazy("The unit was reactivated.")

    def perform(self, obj):
        services.reactivate_unit(unit=obj, actor=self.request.user)


# --------------------------------------------------------------------------- people


class PersonListView(ObjectListView):
    """People: search by name or employee number, filter by department (with sub-units),
    status and position, export."""

    model = Person
    table_class = PersonTable
    filterset_class = PersonFilterSet
    template_name = "org/person_list.html"
    select_related = ("department", "position", "manager", "user")
    create_url_name = "org:person_create"

    def get_extra_context(self):
        return {"can_import": PersonImporter(user=self.request.user).check_permission()}


class PersonPickView(LoginRequiredMixin, View):
    """The person picker's search (`forms.PersonPickerField`): HTML options for htmx, at most
    PICK_LIMIT people the user may pick, matched on employee number, name and department (one
    query for the people, whatever the organisation's size)."""

    def get(self, request):
        from django.shortcuts import render

        pool = request.GET.get("pool", "visible")
        if pool not in selectors.PICK_POOLS:
            pool = "visible"
        field = request.GET.get("field", "")
        query = (request.GET.get("q") or request.GET.get(f"{field}_search") or "").strip()[:100]
        people = selectors.search_people(request.user, query, pool=pool, limit=selectors.PICK_LIMIT + 1) \
            if query else []
        return render(request, "org/_person_pick_options.html", {
            "people": people[:selectors.PICK_LIMIT], "more": len(people) > selectors.PICK_LIMIT,
            "limit": selectors.PICK_LIMIT, "query": query})


class PersonDetailView(ObjectDetailView):
    model = Person
    template_name = "org/person_detail.html"
    select_related = ("department", "position", "manager", "user")
    edit_url_name = "org:person_edit"
    list_url_name = "org:person_list"
    detail_fields = ("employee_no", "name", "department", "position", "title", "manager", "status", "email", "phone",
                     "hire_date", "leave_date", "user")

    def get_extra_context(self):
        person = self.object
        user = self.request.user
        assignments = (RoleAssignment.objects.restrict(user, "view").filter(person=person)
                       .select_related("role", "unit").order_by("role__code"))
        reports = Person.objects.restrict(user, "view").filter(manager=person).order_by("employee_no")
        can_change = self.can(person, "change")
        return {
            "assignments": list(assignments),
            "reports": list(reports[:100]),
            "can_change": can_change,
            "can_assign": has_perm_anywhere(user, RoleAssignment, "add") and person.is_current,
            "can_revoke": has_perm_anywhere(user, RoleAssignment, "delete"),
        }


class PersonCreateView(ObjectFormView):
    model = Person
    form_class = PersonCreateForm
    success_url_name = "org:person_list"

    def get_initial(self):
        return {"department": self.request.GET.get("department")} if self.request.GET.get("department") else {}

    def perform_save(self, form):
        data = dict(form.cleaned_data)
        if not selectors.can_act_in_unit(self.request.user, "org.add_person", data["department"]):
            raise _refuse("department", _("You may not add people to %(unit)s.") % {"unit": data["department"]})
        return services.create_person(actor=self.request.user, **data)


class PersonEditView(ObjectFormView):
    model = Person
    form_class = PersonForm
    success_url_name = "org:person_list"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        self.original_department = self.object.department
        return kwargs

    def perform_save(self, form):
        data = dict(form.cleaned_data)
        department = data.get("department")
        if department != self.original_department and not selectors.can_act_in_unit(
            self.request.user, "org.change_person", department
        ):
            raise _refuse("department", _("You may not move people to %(unit)s.") % {"unit": department})
        return services.update_person(person=Person.objects.get(pk=self.object.pk), actor=self.request.user, **data)


class PersonStatusView(ObjectFormView):
    """A step of the employment lifecycle (入职/在职/离职中/离职, re-hire)."""

    model = Person
    form_class = PersonStatusForm

    def get_title(self):
        return _("Employment status of %(name)s") % {"name": self.object}

    def get_initial(self):
        return {"status": self.object.status}

    def perform_save(self, form):
        data = form.cleaned_data
        return services.change_status(person=self.object, status=data["status"], date=data.get("date"),
                                      note=data.get("note", ""), actor=self.request.user)


class PersonLoginView(ObjectFormView):
    """Create the login of a person (link/create login user, issue #2 §2)."""

    model = Person
    form_class = PersonLoginForm

    def get_title(self):
        return _("Login for %(name)s") % {"name": self.object}

    def perform_save(self, form):
        data = form.cleaned_data
        services.create_login(person=self.object, username=data["username"], password=data.get("password") or None,
                              actor=self.request.user)
        return Person.objects.get(pk=self.object.pk)


# --------------------------------------------------------------------------- positions


class PositionListView(ObjectListView):
    model = Position
    table_class = PositionTable
    filterset_class = PositionFilterSet
    create_url_name = "org:position_create"

    def get_base_queryset(self):
        return Position.objects.annotate(holder_count=Count("holders"))

    def build_table(self, queryset, columns):
        table = super().build_table(queryset, columns)
        table.can_change = has_perm_anywhere(self.request.user, Position, "change")
        table.can_delete = has_perm_anywhere(self.request.user, Position, "delete")
        return table


class PositionFormView(ObjectFormView):
    model = Position
    form_class = PositionForm
    success_url_name = "org:position_list"

    def perform_save(self, form):
        data = form.cleaned_data
        if self.is_create:
            return services.create_position(actor=self.request.user, **data)
        return services.update_position(position=self.object, actor=self.request.user, **data)


class PositionDeleteView(ObjectDeleteView):
    model = Position
    success_url_name = "org:position_list"

    def perform_delete(self, obj):
        services.delete_position(position=obj, actor=self.request.user)


# --------------------------------------------------------------------------- roles


class RoleListView(ObjectListView):
    model = Role
    table_class = RoleTable
    filterset_class = RoleFilterSet
    create_url_name = "org:role_create"
    per_page_choices = (50, 100)

    def get_base_queryset(self):
        return Role.objects.annotate(holder_count=Count("assignments"))


class RoleDetailView(ObjectDetailView):
    model = Role
    template_name = "org/role_detail.html"
    edit_url_name = "org:role_edit"
    delete_url_name = "org:role_delete"
    list_url_name = "org:role_list"
    prefetch_related = (Prefetch("aliases", queryset=RoleAlias.objects.order_by("term")),)

    def get_extra_context(self):
        role = self.object
        user = self.request.user
        holders = (RoleAssignment.objects.restrict(user, "view").filter(role=role)
                   .select_related("person", "person__department", "unit").order_by("unit__tree_key", "person__employee_no"))
        permissions = {}
        for perm in role.permissions.select_related("content_type").order_by("content_type__app_label", "codename"):
            app = perm.content_type.app_label
            permissions.setdefault(app, []).append({"codename": f"{app}.{perm.codename}", "label": permission_label(perm)})
        return {
            "holders": list(holders),
            "permissions_by_app": [(app_label(app), perms) for app, perms in sorted(permissions.items())],
            "can_assign": has_perm_anywhere(user, RoleAssignment, "add"),
            "can_revoke": has_perm_anywhere(user, RoleAssignment, "delete"),
            "can_add_alias": has_perm_anywhere(user, RoleAlias, "add"),
        }


class RoleFormView(ObjectFormView):
    model = Role
    form_class = RoleForm
    success_url_name = "org:role_list"

    def perform_save(self, form):
        data = dict(form.cleaned_data)
        data["permissions"] = list(data.get("permissions") or [])
        if self.is_create:
            return services.create_role(actor=self.request.user, **data)
        if self.object.is_builtin:
            data.pop("code", None)
        return services.update_role(role=Role.objects.get(pk=self.object.pk), actor=self.request.user, **data)


class RoleDeleteView(ObjectDeleteView):
    model = Role
    success_url_name = "org:role_list"

    def perform_delete(self, obj):
        services.delete_role(role=obj, actor=self.request.user)


# --------------------------------------------------------------------------- assignments


class AssignmentListView(ObjectListView):
    model = RoleAssignment
    table_class = RoleAssignmentTable
    filterset_class = RoleAssignmentFilterSet
    select_related = ("person", "role", "unit")
    create_url_name = "org:assignment_create"
    title = gettext_lazy("Role assignments")

    def build_table(self, queryset, columns):
        table = super().build_table(queryset, columns)
        table.can_revoke = has_perm_anywhere(self.request.user, RoleAssignment, "delete")
        return table


class AssignmentCreateView(ObjectFormView):
    """Assign a role with a scope (a unit with or without its sub-units, or the whole organisation)."""

    model = RoleAssignment
    form_class = RoleAssignmentForm
    success_url_name = "org:assignment_list"
    title = gettext_lazy("Assign a role")

    def get_initial(self):
        initial = {k: self.request.GET[k] for k in ("person", "role", "unit") if self.request.GET.get(k)}
        role_id = self.request.GET.get("role")
        if role_id and not self.request.GET.get("unit"):
            role = Role.objects.filter(pk=role_id).first()
            person = Person.objects.filter(pk=self.request.GET.get("person") or 0).first()
            if role is not None and role.default_scope == "unit" and person is not None:
                initial["unit"] = person.department_id
        return initial

    def perform_save(self, form):
        data = dict(form.cleaned_data)
        if not selectors.can_act_in_unit(self.request.user, "org.add_roleassignment", data.get("unit")):
            raise _refuse("unit", _("You may not assign roles in %(unit)s.")
                          % {"unit": data.get("unit") or _("the whole organisation")})
        return services.assign_role(actor=self.request.user, **data)

    def get_success_url(self, obj):
        from zhidu.core.views.edit import safe_next

        return safe_next(self.request, obj.person.get_absolute_url())


class AssignmentRevokeView(ObjectDeleteView):
    model = RoleAssignment
    template_name = "org/assignment_confirm_revoke.html"
    success_url_name = "org:assignment_list"
    success_message = gettext_lazy("The role was revoked.")

    def perform_delete(self, obj):
        services.revoke_role(assignment=obj, actor=self.request.user, reason=self.request.POST.get("reason", ""))


# --------------------------------------------------------------------------- aliases


class AliasListView(ObjectListView):
    """Regulation terms and the roles they mean (GOV-11)."""

    model = RoleAlias
    table_class = RoleAliasTable
    filterset_class = RoleAliasFilterSet
    select_related = ("role",)
    create_url_name = "org:alias_create"
    per_page_choices = (100, 250)

    def build_table(self, queryset, columns):
        table = super().build_table(queryset, columns)
        table.can_change = has_perm_anywhere(self.request.user, RoleAlias, "change")
        table.can_delete = has_perm_anywhere(self.request.user, RoleAlias, "delete")
        return table


class AliasFormView(ObjectFormView):
    model = RoleAlias
    form_class = RoleAliasForm
    success_url_name = "org:alias_list"

    def get_initial(self):
        return {"role": self.request.GET["role"]} if self.request.GET.get("role") else {}

    def perform_save(self, form):
        data = form.cleaned_data
        if self.is_create:
            return services.create_alias(actor=self.request.user, **data)
        return services.update_alias(alias=self.object, actor=self.request.user, **data)

    def get_success_url(self, obj):
        return reverse("org:alias_list")


class AliasDeleteView(ObjectDeleteView):
    model = RoleAlias
    success_url_name = "org:alias_list"

    def perform_delete(self, obj):
        services.delete_alias(alias=obj, actor=self.request.user)


# --------------------------------------------------------------------------- imports


class UnitImportView(ImportView):
    importer_class = UnitImporter
    title = gettext_lazy("Import the org chart")
    template_filename = "org-units-template.xlsx"

    def get_back_url(self):
        return reverse("org:unit_list")


class PersonImportView(ImportView):
    importer_class = PersonImporter
    title = gettext_lazy("Import people")
    template_filename = "people-template.xlsx"

    def get_back_url(self):
        return reverse("org:person_list")

