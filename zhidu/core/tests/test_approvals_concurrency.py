"""Two people deciding at once never advance a chain twice (DESIGN "The approval engine").

Runs on PostgreSQL, where `select_for_update` row locks are what serialises the decisions:

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres ZHIDU_TEST_DB_NAME=test_zhidu_approvals \
        uv run pytest zhidu/core/tests/test_approvals_concurrency.py --nomigrations
"""

import threading

import pytest
from django.db import connection

from zhidu.core.approvals import services
from zhidu.core.approvals.choices import RequestStatus, TaskStatus
from zhidu.core.errors import Conflict
from zhidu.org.models import Role, RoleAssignment

from .approvals_support import CALLS, FACTS, PROCESS, build_org, make_policy, one_rule, step

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL row locks; run with DATABASE_URL=postgresql://… (SQLite serialises "
                              "writers with IMMEDIATE transactions, so there is no race to test)"),
    pytest.mark.django_db(transaction=True),
]


def _race(calls):
    """Run the callables at the same moment in threads; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except Conflict as exc:
            results[index] = exc.code
        except Exception as exc:  # anything else is reported by the assertion below
            results[index] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def org_tx():
    FACTS.clear()
    CALLS.clear()
    return build_org()


def test_two_approvers_of_an_any_one_step_at_once(org_tx):
    org = org_tx
    RoleAssignment.objects.create(person=org.bob, role=Role.objects.get(code="cfo"))
    make_policy(one_rule(step("cfo", "cfo", mode="any"), step("gm", "general_manager")))
    approval = services.submit(subject=org.subject(), process_key=PROCESS, requester=org.alice, actor=org.alice.user)
    first, second = approval.tasks.order_by("id")
    results = _race([
        lambda: services.decide(task=first, actor=first.assignee.user, decision="approve", opinion="同意") and "ok",
        lambda: services.decide(task=second, actor=second.assignee.user, decision="approve", opinion="同意") and "ok",
    ])
    assert sorted(results) == ["ok", "task_closed"], results
    assert approval.tasks.filter(step_index=1).count() == 1  # the GM's step was created once
    assert approval.tasks.filter(step_index=0, status=TaskStatus.APPROVED).count() == 1


def test_the_same_task_decided_twice_at_once(org_tx):
    org = org_tx
    make_policy(one_rule(step("leader", "it_leader")))
    approval = services.submit(subject=org.subject(), process_key=PROCESS, requester=org.alice, actor=org.alice.user)
    task = approval.tasks.get()
    results = _race([
        lambda: services.decide(task=task, actor=org.it_leader.user, decision="approve", opinion="同意") and "ok",
        lambda: services.decide(task=task, actor=org.it_leader.user, decision="reject", opinion="不同意") and "ok",
    ])
    assert sorted(results) == ["ok", "task_closed"], results
    approval.refresh_from_db()
    assert approval.status in (RequestStatus.APPROVED, RequestStatus.REJECTED)
    assert len([c for c in CALLS if c[2] == approval.pk]) == 1  # on_approved or on_rejected, exactly once
