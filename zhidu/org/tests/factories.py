"""Factories for the organisation (factory-boy). They save through the ORM, not the services:
tests of the services call the services; other tests need data fast."""

import factory
from django.contrib.auth import get_user_model

from zhidu.org.choices import EmploymentStatus, UnitKind
from zhidu.org.models import OrgUnit, Person, Position, Role, RoleAlias, RoleAssignment

PASSWORD = "Test-Passw0rd!"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    name = factory.Sequence(lambda n: f"部门{n}")
    code = factory.Sequence(lambda n: f"U{n:04d}")
    kind = UnitKind.DEPARTMENT
    parent = None


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"岗位{n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    employee_no = factory.Sequence(lambda n: f"E{n:05d}")
    name = factory.Sequence(lambda n: f"员工{n}")
    department = factory.SubFactory(OrgUnitFactory)
    status = EmploymentStatus.ACTIVE


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"role{n}")
    name = factory.LazyAttribute(lambda o: o.code)


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    person = factory.SubFactory(PersonFactory)
    role = factory.SubFactory(RoleFactory)
    unit = None
    include_subtree = True


class RoleAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAlias

    term = factory.Sequence(lambda n: f"术语{n}")
    role = factory.SubFactory(RoleFactory)


def person_with_login(*, username: str, department, roles=(), **kwargs) -> Person:
    """A person with a login, holding `roles`: role codes (org-wide) or (code, unit, subtree) tuples.

    Built-in roles are expected to be seeded (`seed_roles()`) so they carry their permissions.
    """
    user = UserFactory(username=username)
    person = PersonFactory(department=department, user=user, name=kwargs.pop("name", username), **kwargs)
    for spec in roles:
        code, unit, subtree = (spec, None, True) if isinstance(spec, str) else (*spec, True)[:3]
        RoleAssignmentFactory(person=person, role=Role.objects.get(code=code), unit=unit, include_subtree=subtree)
    return person
