"""Factories for procurement tests (factory-boy). Org objects are built minimally here so the
tests do not depend on the demo organisation."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from zhidu.org.models import OrgUnit, Person, Role, RoleAssignment
from zhidu.procurement import services
from zhidu.procurement.choices import LineCategory, RequestKind
from zhidu.procurement.models import PurchaseRequest


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    name = factory.Sequence(lambda n: f"部门{n}")
    code = factory.Sequence(lambda n: f"U{n:04d}")
    parent = None


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    employee_no = factory.Sequence(lambda n: f"E{n:05d}")
    name = factory.Sequence(lambda n: f"员工{n}")
    department = factory.SubFactory(OrgUnitFactory)
    user = factory.SubFactory(UserFactory)


def grant(person: Person, role_code: str, perms: list[str], *, unit: OrgUnit | None = None) -> RoleAssignment:
    """Give `person` a role (created if missing) holding `perms` ("app.codename"), scoped to `unit`."""
    role, _ = Role.objects.get_or_create(code=role_code, defaults={"name": role_code})
    for perm in perms:
        app_label, codename = perm.split(".")
        role.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    assignment, _ = RoleAssignment.objects.get_or_create(person=person, role=role, unit=unit)
    if hasattr(person.user, "_zhidu_grants"):
        del person.user._zhidu_grants
    return assignment


def line(item="ThinkPad T14 笔记本电脑", quantity=1, unit_price="6000.00", category=LineCategory.COMPUTER,
         specification="i7/16G/512G SSD", unit="台") -> services.LineInput:
    return services.LineInput(item=item, quantity=quantity, unit_price=Decimal(unit_price), category=category,
                              specification=specification, unit=unit)


def make_request(requester: Person, *, lines=None, amount: str | None = None, actor=None, **fields) -> PurchaseRequest:
    """A complete draft (every PRC-04 field filled). `amount` makes one line of that total."""
    if lines is None:
        lines = [line(unit_price=amount)] if amount is not None else [line()]
    defaults = {
        "title": "办公电脑更新",
        "kind": RequestKind.APPLICATION,
        "purpose": "新员工办公使用",
        "software_needs": "Office、用友U8客户端",
        "configuration_standard": "公司标准办公电脑配置（2026版）",
    }
    defaults.update(fields)
    return services.create_request(requester=requester, actor=actor or requester.user, lines=lines, **defaults)
