"""Tables of the organisation's list pages (also the columns of their Excel/CSV exports)."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from zhidu.core.tables import (
    ActionsColumn,
    BooleanColumn,
    DateColumn,
    ObjectLinkColumn,
    RelatedLinkColumn,
    ZhiduTable,
)

from .models import OrgUnit, Person, Position, Role, RoleAlias, RoleAssignment


class OrgUnitTable(ZhiduTable):
    """The org tree: units in depth-first order, indented by depth."""

    name = ObjectLinkColumn(verbose_name=_("Name"), order_by=("tree_key",))
    code = tables.Column(verbose_name=_("Code"))
    kind = tables.Column(verbose_name=_("Type"))
    parent = RelatedLinkColumn(verbose_name=_("Parent unit"))
    is_it_authority = BooleanColumn(verbose_name=_("IT authority"))
    member_count = tables.Column(verbose_name=_("Members"), attrs={"td": {"class": "text-end"}})
    total_count = tables.Column(verbose_name=_("Members incl. sub-units"), attrs={"td": {"class": "text-end"}})
    head = RelatedLinkColumn(verbose_name=_("Head"))
    is_active = BooleanColumn(verbose_name=_("Active"))

    class Meta(ZhiduTable.Meta):
        model = OrgUnit
        fields = ("name", "code", "kind", "parent", "is_it_authority", "member_count", "total_count", "head",
                  "is_active")
        order_by = ("tree_key",)
        row_attrs = {"data-depth": lambda record: record.depth, "class": lambda record: "" if record.is_active else "text-secondary"}

    default_columns = ("name", "code", "kind", "is_it_authority", "member_count", "total_count", "head")
    required_columns = ("name",)

    def render_name(self, value, record):
        pad = record.depth * 1.5
        badge = format_html(' <span class="badge bg-azure-lt" title="{}">IT</span>', _("IT authority")) \
            if record.is_it_authority else ""
        return format_html('<span class="zhidu-tree-indent" style="padding-left:{}rem">{}<a href="{}">{}</a>{}</span>',
                           pad, "└ " if record.depth else "", record.get_absolute_url(), value, badge)

    def value_name(self, value, record):
        return value

    def render_kind(self, value, record):
        return record.get_kind_display()

    def value_kind(self, value, record):
        return record.get_kind_display()


class PersonTable(ZhiduTable):
    employee_no = ObjectLinkColumn(verbose_name=_("Employee number"))
    name = ObjectLinkColumn(verbose_name=_("Full name"))
    department = RelatedLinkColumn(verbose_name=_("Department"), order_by=("department__tree_key",))
    position = tables.Column(verbose_name=_("Position"))
    title = tables.Column(verbose_name=_("Job title"))
    manager = RelatedLinkColumn(verbose_name=_("Line manager"))
    status = tables.Column(verbose_name=_("Employment status"))
    email = tables.Column(verbose_name=_("Email"))
    phone = tables.Column(verbose_name=_("Phone"))
    hire_date = DateColumn(verbose_name=_("Hire date"))
    leave_date = DateColumn(verbose_name=_("Leave date"))
    user = tables.Column(verbose_name=_("Login"), accessor="user__username", order_by=("user__username",))

    class Meta(ZhiduTable.Meta):
        model = Person
        fields = ("employee_no", "name", "department", "position", "title", "manager", "status", "email", "phone",
                  "hire_date", "leave_date", "user")

    default_columns = ("employee_no", "name", "department", "position", "title", "manager", "status")
    required_columns = ("employee_no",)

    STATUS_BADGES = {"active": "bg-green-lt", "onboarding": "bg-blue-lt", "leaving": "bg-orange-lt", "left": "bg-secondary-lt"}

    def render_status(self, value, record):
        return format_html('<span class="badge {}">{}</span>', self.STATUS_BADGES.get(record.status, ""),
                           record.get_status_display())

    def value_status(self, value, record):
        return record.get_status_display()


class PositionTable(ZhiduTable):
    name = tables.Column(verbose_name=_("Name"), linkify=lambda record: record.get_absolute_url())
    description = tables.Column(verbose_name=_("Job description"))
    holder_count = tables.Column(verbose_name=_("Holders"), attrs={"td": {"class": "text-end"}})
    actions = ActionsColumn(template_name="org/_position_actions.html")

    class Meta(ZhiduTable.Meta):
        model = Position
        fields = ("name", "description", "holder_count")

    required_columns = ("name",)

    def render_name(self, value, record):
        return value


class RoleTable(ZhiduTable):
    name = ObjectLinkColumn(verbose_name=_("Name"))
    code = tables.Column(verbose_name=_("Code"))
    generic_code = tables.Column(verbose_name=_("Generic role"))
    default_scope = tables.Column(verbose_name=_("Usual scope"))
    holder_count = tables.Column(verbose_name=_("Holders"), attrs={"td": {"class": "text-end"}})
    is_builtin = BooleanColumn(verbose_name=_("Built-in"))
    description = tables.Column(verbose_name=_("Description"))

    class Meta(ZhiduTable.Meta):
        model = Role
        fields = ("name", "code", "generic_code", "default_scope", "holder_count", "is_builtin", "description")

    default_columns = ("name", "code", "generic_code", "default_scope", "holder_count", "is_builtin")
    required_columns = ("name",)

    def render_default_scope(self, value, record):
        return record.get_default_scope_display()

    def value_default_scope(self, value, record):
        return record.get_default_scope_display()


class RoleAssignmentTable(ZhiduTable):
    person = RelatedLinkColumn(verbose_name=_("Person"), order_by=("person__employee_no",))
    employee_no = tables.Column(verbose_name=_("Employee number"), accessor="person__employee_no")
    role = RelatedLinkColumn(verbose_name=_("Role"), order_by=("role__code",))
    scope = tables.Column(verbose_name=_("Scope"), accessor="scope_label", order_by=("unit__tree_key",))
    valid_from = DateColumn(verbose_name=_("Valid from"))
    valid_until = DateColumn(verbose_name=_("Valid until"))
    note = tables.Column(verbose_name=_("Note"))
    actions = ActionsColumn(template_name="org/_assignment_actions.html")

    class Meta(ZhiduTable.Meta):
        model = RoleAssignment
        fields = ("person", "employee_no", "role", "scope", "valid_from", "valid_until", "note")

    required_columns = ("person", "role")


class RoleAliasTable(ZhiduTable):
    term = tables.Column(verbose_name=_("Term in the regulation"))
    role = RelatedLinkColumn(verbose_name=_("Role"), order_by=("role__code",))
    note = tables.Column(verbose_name=_("Note"))
    actions = ActionsColumn(template_name="org/_alias_actions.html")

    class Meta(ZhiduTable.Meta):
        model = RoleAlias
        fields = ("term", "role", "note")

    required_columns = ("term",)
