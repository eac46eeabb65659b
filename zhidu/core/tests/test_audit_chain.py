"""The change log itself: what is written for a BaseModel, hash stability, tamper detection by
`zhidu check-audit` (issue #2 acceptance), and one chain under concurrent writers (PostgreSQL).
"""

import datetime
import threading
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction

from zhidu.core import changelog, context
from zhidu.core.models import ChangeLogEntry, ChangeLogHead
from zhidu.org.models import OrgUnit, Role

TABLE = ChangeLogEntry._meta.db_table


@pytest.fixture
def actor(db):
    return get_user_model().objects.create_user("zhang", password="x")


def entries_for(obj):
    return list(ChangeLogEntry.objects.filter(object_id=str(obj.pk), content_type__model=obj._meta.model_name).order_by("id"))


def run_check():
    """(exit code, stdout, stderr) of `check_audit`."""
    import io

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("check_audit", stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), err.getvalue() + str(exc)
    return 0, out.getvalue(), err.getvalue()


def make_history(actor, n=3):
    with context.using(user=actor, source=context.Source.WEB):
        units = [OrgUnit.objects.create(name=f"科室{i}", code=f"K{i}") for i in range(n)]
        units[0].name = "科室零"
        units[0].save()
    return units


# -- bulk writes (imports) ---------------------------------------------------------------------
@pytest.mark.django_db
def test_bulk_created_objects_are_logged_exactly_as_saved_ones_and_the_chain_verifies(actor):
    """`bulk_create` + `record_created` (the import fast path) writes the entries the post_save
    handler writes for a plain save: same snapshot, actor, source, ip; one chain, check-audit OK."""
    with context.using(user=actor, source=context.Source.IMPORT, ip="10.1.2.3"):
        saved = OrgUnit.objects.create(name="财务部", code="CW")
        bulk = [OrgUnit(name=f"科室{i}", code=f"B{i}") for i in range(3)]
        OrgUnit.objects.bulk_create(bulk)
        entries = changelog.record_created(bulk)
    assert len(entries) == 3
    one = entries_for(saved)[-1]
    for unit in bulk:
        entry = entries_for(unit)[-1]
        assert entry.action == "create" and entry.source == "import" and entry.actor_id == actor.pk
        assert entry.ip == "10.1.2.3" and entry.object_repr == unit.name
        assert set(entry.after) == set(one.after)
        assert entry.after["code"] == unit.code
    ids = list(ChangeLogEntry.objects.order_by("id").values_list("id", "prev_hash", "hash"))
    assert all(prev == ids[i - 1][2] for i, (_id, prev, _h) in enumerate(ids) if i)  # one chain, in id order
    assert ChangeLogHead.objects.get().last_id == ids[-1][0]
    assert run_check()[0] == 0
    # the objects remember what was written: a later save logs only the change
    with context.using(user=actor, source=context.Source.WEB):
        bulk[0].name = "科室零"
        bulk[0].save()
    update = entries_for(bulk[0])[-1]
    assert update.before == {"name": "科室0"} and update.after == {"name": "科室零"}


@pytest.mark.django_db
def test_a_bulk_entry_edited_with_raw_sql_is_detected(actor):
    with context.using(user=actor, source=context.Source.IMPORT):
        bulk = [OrgUnit(name=f"科室{i}", code=f"B{i}") for i in range(4)]
        OrgUnit.objects.bulk_create(bulk)
        changelog.record_created(bulk)
    victim = entries_for(bulk[1])[-1]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET object_repr = %s WHERE id = %s", ["篡改", victim.pk])  # noqa: S608
    code, _out, err = run_check()
    assert code == 1 and f"#{victim.pk}: content does not match its hash" in err


# -- what is written ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_create_update_delete_are_recorded_with_actor_source_and_request_id(actor):
    with context.using(user=actor, source=context.Source.WEB, request_id="f" * 32, ip="10.1.2.3"):
        unit = OrgUnit.objects.create(name="信息中心", code="IT", is_it_authority=True)
    create = entries_for(unit)[-1]
    assert create.action == "create"
    assert create.actor_id == actor.pk and create.actor_name == "zhang"
    assert create.source == "web" and create.request_id == "f" * 32 and create.ip == "10.1.2.3"
    assert create.before is None
    assert create.after["name"] == "信息中心" and create.after["is_it_authority"] is True
    assert "created" not in create.after and "path" not in create.after  # changelog_exclude

    with context.using(user=actor, source=context.Source.JOB):
        unit.name = "网络信息中心"
        unit.save()
    update = entries_for(unit)[-1]
    assert update.action == "update" and update.source == "job"
    assert update.before == {"name": "信息中心"} and update.after == {"name": "网络信息中心"}

    with context.using(user=actor, source=context.Source.IMPORT):
        pk = unit.pk
        unit.delete()
    delete = ChangeLogEntry.objects.filter(object_id=str(pk), action="delete").get()
    assert delete.source == "import" and delete.after is None
    assert delete.before["code"] == "IT"
    assert delete.object_repr == "网络信息中心"


@pytest.mark.django_db
def test_an_update_that_changes_nothing_writes_nothing(actor):
    unit = OrgUnit.objects.create(name="财务部", code="CW")
    count = ChangeLogEntry.objects.count()
    unit.save()
    OrgUnit.objects.get(pk=unit.pk).save()
    unit.name = "财务部"  # same value assigned
    unit.save()
    assert ChangeLogEntry.objects.count() == count


@pytest.mark.django_db
def test_saving_a_partly_loaded_object_neither_queries_nor_invents_changes(django_assert_num_queries):
    unit = OrgUnit.objects.create(name="人事部", code="HR")
    partial = OrgUnit.objects.only("id", "name").get(pk=unit.pk)
    partial.name = "人力资源部"
    partial.save(update_fields=["name"])
    entry = ChangeLogEntry.objects.latest("id")
    assert entry.before == {"name": "人事部"} and entry.after == {"name": "人力资源部"}


@pytest.mark.django_db
def test_outside_a_request_the_source_is_system_without_actor():
    unit = OrgUnit.objects.create(name="办公室", code="BGS")
    entry = entries_for(unit)[-1]
    assert entry.source == "system" and entry.actor is None and entry.actor_name == ""


@pytest.mark.django_db
def test_many_to_many_changes_are_recorded(actor):
    role = Role.objects.create(code="tester", name="测试")
    perms = list(Permission.objects.order_by("id")[:2])
    with context.using(user=actor):
        role.permissions.add(*perms)
        role.permissions.remove(perms[0])
        role.permissions.add(perms[1])  # no change: nothing written
    updates = [e for e in entries_for(role) if e.action == "update"]
    assert [u.after for u in updates] == [
        {"permissions": sorted(p.pk for p in perms)},
        {"permissions": [perms[1].pk]},
    ]
    assert updates[0].before == {"permissions": []}


@pytest.mark.django_db
def test_record_event_keeps_values_exactly_as_hashed():
    """Decimal, datetime, large floats, tuples and unicode survive the database round trip
    with the same hash (SQLite JSON text and PostgreSQL jsonb)."""
    unit = OrgUnit.objects.create(name="采购组", code="CG")
    moment = datetime.datetime(2026, 1, 5, 14, 30, 7, 123456, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    data = {
        "amount": Decimal("50000.00"),
        "when": moment,
        "day": datetime.date(2026, 1, 5),
        "big": 1e20,
        "ratio": 0.1 + 0.2,
        "whole": 2.0,
        "count": 12345678901234567890,
        "items": ("a", "b"),
        "text": "信息化 \"配置\" 申请\n第二行",
        3: "non-string key",
        "nested": {"z": [1, {"y": None}], "a": True},
    }
    entry = changelog.record_event(unit, data=data)
    stored = ChangeLogEntry.objects.get(pk=entry.pk)
    assert stored.after["amount"] == "50000.00"
    assert stored.after["when"] == "2026-01-05T06:30:07.123456+00:00"  # UTC
    assert stored.after["items"] == ["a", "b"] and stored.after["3"] == "non-string key"
    assert changelog.entry_is_intact(stored)
    assert changelog.verify_chain() == []


def _entry(**overrides):
    values = {
        "time": datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC), "actor_id": None, "actor_name": "",
        "request_id": "", "source": "system", "ip": "2001:0db8:0000:0000:0000:0000:0000:0001",
        "content_type_id": 1, "object_id": "1", "object_repr": "x", "action": "event", "before": None,
        "after": {"n": 1e16},
    }
    return ChangeLogEntry(**{**values, **overrides})


def test_hash_is_by_value_for_numbers_and_by_type_otherwise():
    original = _entry()
    # What PostgreSQL hands back: jsonb prints 1e16 as an integer, inet compresses IPv6.
    as_read_back = _entry(after={"n": 10000000000000000}, ip="2001:db8::1")
    assert changelog.entry_digest(original, "0" * 64) == changelog.entry_digest(as_read_back, "0" * 64)
    assert changelog.entry_digest(original, "0" * 64) != changelog.entry_digest(
        _entry(after={"n": "10000000000000000"}), "0" * 64
    )
    assert changelog.entry_digest(original, "0" * 64) != changelog.entry_digest(_entry(after={"n": 1e16 + 2}), "0" * 64)


@pytest.mark.django_db
def test_refresh_from_db_resets_the_before_values():
    """Another writer's change must not be attributed to this save."""
    unit = OrgUnit.objects.create(name="甲", code="JIA")
    other = OrgUnit.objects.get(pk=unit.pk)
    other.name = "乙"
    other.save()
    unit.refresh_from_db()
    count = ChangeLogEntry.objects.count()
    unit.save()
    assert ChangeLogEntry.objects.count() == count


# -- zhidu check-audit ------------------------------------------------------------------------
@pytest.mark.django_db
def test_check_audit_reports_ok_with_the_number_of_entries(actor):
    make_history(actor)
    code, out, _err = run_check()
    assert code == 0
    assert out.strip() == f"OK, {ChangeLogEntry.objects.count()} entries verified"


@pytest.mark.django_db
def test_check_audit_on_an_empty_log():
    assert run_check()[:2] == (0, "OK, 0 entries verified\n")


@pytest.mark.django_db
def test_an_entry_edited_with_raw_sql_is_detected(actor):
    make_history(actor)
    victim = ChangeLogEntry.objects.filter(action="update").get()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET actor_name = %s WHERE id = %s", ["li", victim.pk])  # noqa: S608
    code, _out, err = run_check()
    assert code == 1
    assert f"#{victim.pk}: content does not match its hash" in err


@pytest.mark.django_db
def test_editing_the_values_and_rehashing_the_entry_breaks_the_next_link(actor):
    make_history(actor)
    first, second = ChangeLogEntry.objects.order_by("id")[:2]
    first.after = {**first.after, "name": "伪造"}
    forged_hash = changelog.entry_digest(first, first.prev_hash)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET after = %s, hash = %s WHERE id = %s",  # noqa: S608
            [ChangeLogEntry._meta.get_field("after").get_db_prep_save(first.after, connection), forged_hash, first.pk],
        )
    code, _out, err = run_check()
    assert code == 1
    assert f"#{second.pk}: previous-hash link broken" in err


@pytest.mark.django_db
def test_a_deleted_middle_entry_is_detected(actor):
    make_history(actor)
    ids = list(ChangeLogEntry.objects.order_by("id").values_list("id", flat=True))
    middle = ids[len(ids) // 2]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [middle])  # noqa: S608
    code, _out, err = run_check()
    assert code == 1
    following = ids[ids.index(middle) + 1]
    assert f"#{following}: previous-hash link broken" in err


@pytest.mark.django_db
def test_deleting_the_newest_entry_is_detected(actor):
    make_history(actor)
    newest = ChangeLogEntry.objects.order_by("-id").first()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [newest.pk])  # noqa: S608
    code, _out, err = run_check()
    assert code == 1
    assert "newest entries were removed" in err


@pytest.mark.django_db
def test_a_missing_head_row_is_detected(actor):
    make_history(actor)
    ChangeLogHead.objects.all().delete()
    code, _out, err = run_check()
    assert code == 1 and "head row is missing" in err


@pytest.mark.django_db(transaction=True)  # the command closes the connections when it ends
def test_the_console_command_exits_1_when_tampered(actor):
    from zhidu.cli import main

    make_history(actor)
    main(["check-audit"])  # intact: returns normally (exit 0)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET object_repr = 'x' WHERE id = (SELECT MIN(id) FROM {TABLE})")  # noqa: S608
    with pytest.raises(SystemExit) as exc:
        main(["check-audit"])
    assert exc.value.code == 1


@pytest.mark.django_db
def test_a_user_who_acted_cannot_be_deleted_only_deactivated(actor):
    """The actor id is hashed; deleting the user would make the entries look tampered with."""
    from django.db.models import ProtectedError

    make_history(actor, n=1)
    with pytest.raises(ProtectedError):
        actor.delete()


# -- PostgreSQL: concurrent writers form one chain --------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_chain():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (run with DATABASE_URL=postgresql://…); SQLite serialises writers anyway")
    threads_n, per_thread = 6, 5
    barrier = threading.Barrier(threads_n)
    errors = []

    def worker(i):
        try:
            barrier.wait(timeout=30)
            for j in range(per_thread):
                with transaction.atomic(), context.using(source=context.Source.JOB):
                    OrgUnit.objects.create(name=f"并发{i}-{j}", code=f"C{i}-{j}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    entries = list(ChangeLogEntry.objects.order_by("id"))
    assert len(entries) == threads_n * per_thread
    prev = changelog.GENESIS
    for entry in entries:
        assert entry.prev_hash == prev
        prev = entry.hash
    assert changelog.verify().ok
    assert ChangeLogHead.objects.get().last_hash == prev
