"""Regulation parameters: declaration, typed values, versioned changes, and a cache that stays correct
across processes (issue #2 §3, catalogue §24/§26)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from zhidu.core import params
from zhidu.core.errors import RuleViolation
from zhidu.core.params import store
from zhidu.core.params.models import ParameterChange, ParameterRevision, ParameterValue
from zhidu.org.tests.factories import UserFactory

KEY = "tests.threshold"
CHOICE_KEY = "tests.variant"
HOOK_CALLS = []


def _hook(*, parameter, old, new, actor):
    HOOK_CALLS.append((parameter.key, old, new, actor))
    if new == "Z":
        raise RuleViolation("Variant Z cannot be applied.")


@pytest.fixture(autouse=True)
def declared():
    params.define(key=KEY, kind=params.Kind.MONEY, default=Decimal("50000.00"), label="Test threshold",
                  article="篇1 第九条(2)", requirement="PRC-03", group="Tests", replace=True)
    params.define(key=CHOICE_KEY, kind=params.Kind.CHOICE, default="A", label="Test variant", group="Tests",
                  choices=[("A", "A"), ("B", "B"), ("Z", "Z")], on_change=_hook, replace=True)
    HOOK_CALLS.clear()
    params.clear_cache()
    yield
    params.undefine(KEY)
    params.undefine(CHOICE_KEY)


def test_declaration_rules():
    with pytest.raises(ValueError):
        params.define(key=KEY, kind=params.Kind.MONEY, default="1", label="again")
    with pytest.raises(ValueError):
        params.define(key="nodot", kind=params.Kind.INTEGER, default=1, label="x")
    with pytest.raises(ValueError):
        params.define(key="tests.bad", kind="float", default=1, label="x")
    with pytest.raises(KeyError):
        params.get("tests.undeclared")


@pytest.mark.parametrize(("kind", "raw", "value"), [
    (params.Kind.MONEY, "50,000.5", Decimal("50000.50")),
    (params.Kind.INTEGER, "3", 3),
    (params.Kind.HOURS, 48, 48),
    (params.Kind.DECIMAL, "1.25", Decimal("1.25")),
    (params.Kind.BOOL, "false", False),
    (params.Kind.TEXT, "及时办理", "及时办理"),
])
def test_parse_kinds(kind, raw, value):
    param = params.Parameter(key="t.k", kind=kind, default=None, label="k")
    assert param.parse(raw) == value


@pytest.mark.parametrize(("kind", "raw"), [
    (params.Kind.MONEY, "12.345"), (params.Kind.MONEY, "-1"), (params.Kind.MONEY, "abc"), (params.Kind.MONEY, "NaN"),
    (params.Kind.INTEGER, "1.5"), (params.Kind.HOURS, -2), (params.Kind.BOOL, "maybe"), (params.Kind.INTEGER, True),
])
def test_parse_refuses(kind, raw):
    param = params.Parameter(key="t.k", kind=kind, default=None, label="k")
    with pytest.raises(ValidationError):
        param.parse(raw)


def test_default_then_versioned_changes(db):
    admin = UserFactory(username="admin1")
    assert params.get(KEY) == Decimal("50000.00") and params.is_default(KEY)
    assert params.set_value(key=KEY, value="60000", actor=admin, note="董事会决议") == Decimal("60000.00")
    assert params.get(KEY) == Decimal("60000.00")
    params.set_value(key=KEY, value=Decimal("70000.00"), actor=admin, note="second")
    changes = list(ParameterChange.objects.filter(key=KEY).order_by("id"))
    assert [(c.old_value, c.new_value, c.note, c.actor, c.actor_name) for c in changes] == [
        (None, "60000.00", "董事会决议", admin, "admin1"), ("60000.00", "70000.00", "second", admin, "admin1")]
    assert [c.revision for c in changes] == [1, 2]
    row = ParameterValue.objects.get(key=KEY)
    assert row.updated_by == admin and row.value == "70000.00"


def test_set_value_refuses_bad_and_unchanged_values(db):
    with pytest.raises(ValidationError) as exc:
        params.set_value(key=KEY, value="12.345", actor=None)
    assert "value" in exc.value.message_dict
    with pytest.raises(ValidationError):
        params.set_value(key=KEY, value="50000", actor=None)  # the default, unchanged
    with pytest.raises(ValidationError) as exc:
        params.set_value(key="tests.nope", value="1", actor=None)
    assert "key" in exc.value.message_dict
    assert not ParameterChange.objects.exists()


def test_on_change_hook_runs_in_the_transaction(db):
    params.set_value(key=CHOICE_KEY, value="B", actor=None, note="variant B")
    assert HOOK_CALLS == [(CHOICE_KEY, "A", "B", None)]
    with pytest.raises(RuleViolation):
        params.set_value(key=CHOICE_KEY, value="Z", actor=None)
    assert params.get(CHOICE_KEY) == "B"  # rolled back with the failing hook
    assert ParameterChange.objects.filter(key=CHOICE_KEY).count() == 1


def test_cache_costs_one_small_query_and_follows_other_processes(db, django_assert_num_queries):
    """Correct across processes: another process's committed change (a row and a revision bump written
    directly, as it would be) is seen at the next read; a warm read costs one indexed query."""
    params.set_value(key=KEY, value="60000", actor=None)
    store._dirty.set(False)  # as after the commit of set_value's transaction
    params.get(KEY)  # warm the process cache
    with django_assert_num_queries(1):
        assert params.get(KEY) == Decimal("60000.00")
    # "Another process" commits a change:
    ParameterValue.objects.filter(key=KEY).update(value="65000.00")
    revision = ParameterRevision.objects.get(pk=1)
    revision.version += 1
    revision.save()
    with django_assert_num_queries(2):  # revision check, reload
        assert params.get(KEY) == Decimal("65000.00")


def test_request_scope_checks_once_per_request(db, django_assert_num_queries):
    params.set_value(key=KEY, value="60000", actor=None)
    store._dirty.set(False)
    store._begin_request()  # what request_started does (sending the signal would also close the DB connection)
    try:
        with django_assert_num_queries(2):  # revision + load on the first read; nothing after
            for _i in range(5):
                assert params.get(KEY) == Decimal("60000.00")
                assert params.get(CHOICE_KEY) == "A"
        params.set_value(key=KEY, value="61000", actor=None)  # a change inside the request is seen at once
        assert params.get(KEY) == Decimal("61000.00")
    finally:
        store._end_request()


def test_uncommitted_value_never_reaches_the_shared_cache(db):
    params.set_value(key=KEY, value="99000", actor=None)
    assert params.get(KEY) == Decimal("99000.00")  # read straight from the database while dirty
    assert store._cache["version"] is None  # the shared cache was not filled from this transaction


def test_snapshot_for_jobs(db, django_assert_num_queries):
    store._dirty.set(False)
    with params.snapshot(), django_assert_num_queries(2):
        for _i in range(3):
            assert params.get(KEY) == Decimal("50000.00")
