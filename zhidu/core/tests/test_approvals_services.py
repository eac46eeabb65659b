"""The approval engine's operations (DESIGN "The approval engine", issue #2 §3, VAR-01, SW-08)."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from zhidu.core import params
from zhidu.core.approvals import selectors, services
from zhidu.core.approvals.choices import RequestStatus, TaskStatus
from zhidu.core.approvals.models import ApprovalTask, Delegation
from zhidu.core.approvals.presets import THRESHOLD_PARAM
from zhidu.core.errors import Conflict, RuleViolation
from zhidu.core.models import TimelineEvent

from .approvals_support import CALLS, PROCESS, make_policy, one_rule, org_fixture, preset_definition, step  # noqa: F401


def submit(org, subject, requester=None):
    requester = requester or org.alice
    return services.submit(subject=subject, process_key=PROCESS, requester=requester, actor=requester.user)


def open_tasks(approval):
    return list(approval.tasks.filter(status=TaskStatus.OPEN).select_related("assignee").order_by("id"))


def verbs(subject):
    return [e.verb for e in selectors.timeline_for(subject)]


# ------------------------------------------------------------------ routing (VAR-01 A)
@pytest.mark.parametrize(("amount", "approver"), [("50000.00", "it_leader"), ("50000.01", "cfo"),
                                                  ("30000.00", "it_leader"), ("60000.00", "cfo")])
def test_preset_a_routes_by_amount(org, amount, approver):
    """篇1 第九条(2), PRC-03: ≤ 50,000.00 (inclusive) → IT supervising leader only; above → CFO."""
    make_policy(preset_definition("A"))
    approval = submit(org, org.subject(amount))
    tasks = open_tasks(approval)
    assert [t.assignee for t in tasks] == [getattr(org, approver)]
    assert approval.context_data["amount"] == amount
    services.decide(task=tasks[0], actor=tasks[0].assignee.user, decision="approve", opinion="同意")
    approval.refresh_from_db()
    assert approval.status == RequestStatus.APPROVED
    assert CALLS[-1][0] == "approved"


def test_threshold_parameter_change_reroutes_without_editing_the_policy(org):
    make_policy(preset_definition("A"))
    params.set_value(key=THRESHOLD_PARAM, value="100000.00", actor=org.gm.user, note="board decision 2026-3")
    approval = submit(org, org.subject("60000.00"))
    assert [t.assignee for t in open_tasks(approval)] == [org.it_leader]


def test_submit_freezes_version_facts_and_writes_timeline(org):
    policy = make_policy(preset_definition("A"))
    subject = org.subject("1200.50")
    approval = submit(org, subject)
    assert approval.policy_version == policy.current_version
    assert approval.rule_index == 0 and approval.status == RequestStatus.PENDING
    assert approval.context_data["department"] == {"id": org.sales_team.pk, "label": "销售一组"}
    assert selectors.approval_for(subject) == approval
    assert verbs(subject) == ["submitted"]
    with pytest.raises(Conflict) as exc:
        submit(org, subject)
    assert exc.value.code == "already_pending"


def test_no_policy_no_rule_no_approver(org):
    subject = org.subject()
    with pytest.raises(RuleViolation) as exc:
        submit(org, subject)
    assert exc.value.code == "no_policy"
    make_policy(one_rule(step("x", "cfo"), condition={"all": [{"field": "amount", "op": "gt", "value": "1000000"}]}))
    with pytest.raises(RuleViolation) as exc:
        submit(org, subject)
    assert exc.value.code == "no_rule"
    make_policy(one_rule(step("x", "steering_member")))
    with pytest.raises(RuleViolation) as exc:
        submit(org, subject)
    assert exc.value.code == "no_approver"
    assert "steering_member" in exc.value.message
    assert not selectors.approval_for(subject)  # nothing half-created


# ------------------------------------------------------------------ resolvers
def test_role_chain_nearest_unit_first_and_requester_skipped(org):
    make_policy(one_rule(step("head", "dept_head", resolver="role_chain")))
    approval = submit(org, org.subject(), requester=org.alice)
    assert [t.assignee for t in open_tasks(approval)] == [org.team_lead]
    # The team lead's own request goes to the next holder up the chain, never to themselves.
    approval = submit(org, org.subject(), requester=org.team_lead)
    assert [t.assignee for t in open_tasks(approval)] == [org.sales_head]


def test_requester_holding_the_org_role_is_refused(org):
    make_policy(one_rule(step("leader", "it_leader")))
    with pytest.raises(RuleViolation) as exc:
        submit(org, org.subject(), requester=org.it_leader)
    assert exc.value.code == "self_approval"


def test_owner_department_head_and_role_and_named_person(org):
    make_policy(one_rule(
        step("owner", "", resolver="owner_department", context_key="owner"),
        step("owner_role", "dept_head", resolver="owner_department", context_key="owner"),
        step("named", "", resolver="person", person=org.office_head.pk),
    ))
    approval = submit(org, org.subject(owner=org.sales))
    assert [t.assignee for t in open_tasks(approval)] == [org.sales_head]
    services.decide(task=open_tasks(approval)[0], actor=org.sales_head.user, decision="approve")
    approval.refresh_from_db()
    assert [t.assignee for t in open_tasks(approval)] == [org.sales_head]
    services.decide(task=open_tasks(approval)[0], actor=org.sales_head.user, decision="approve")
    assert [t.assignee for t in open_tasks(approval)] == [org.office_head]


# ------------------------------------------------------------------ modes
def test_any_one_mode_first_approval_closes_the_step(org):
    org.bob.role_assignments.create(role=org.cfo.role_assignments.first().role)
    make_policy(one_rule(step("cfo", "cfo", mode="any"), step("gm", "general_manager")))
    approval = submit(org, org.subject())
    first, second = open_tasks(approval)
    assert {first.assignee, second.assignee} == {org.cfo, org.bob}
    services.decide(task=first, actor=first.assignee.user, decision="approve", opinion="可以")
    second.refresh_from_db()
    assert second.status == TaskStatus.CANCELLED
    assert [t.assignee for t in open_tasks(approval)] == [org.gm]


def test_all_mode_waits_for_everyone(org):
    make_policy(one_rule(step("heads", "dept_head", resolver="role_org", mode="all")))
    approval = submit(org, org.subject(), requester=org.bob)
    tasks = open_tasks(approval)
    assert {t.assignee for t in tasks} == {org.sales_head, org.team_lead}
    services.decide(task=tasks[0], actor=tasks[0].assignee.user, decision="approve")
    approval.refresh_from_db()
    assert approval.status == RequestStatus.PENDING and len(open_tasks(approval)) == 1
    services.decide(task=tasks[1], actor=tasks[1].assignee.user, decision="approve")
    approval.refresh_from_db()
    assert approval.status == RequestStatus.APPROVED


# ------------------------------------------------------------------ decisions
def test_reject_closes_everything(org):
    make_policy(one_rule(step("heads", "dept_head", resolver="role_org", mode="all"), step("gm", "general_manager")))
    approval = submit(org, org.subject(), requester=org.bob)
    tasks = open_tasks(approval)
    services.decide(task=tasks[0], actor=tasks[0].assignee.user, decision="reject", opinion="预算不足")
    approval.refresh_from_db()
    assert approval.status == RequestStatus.REJECTED and approval.finished_at
    assert not open_tasks(approval)
    assert CALLS[-1][0] == "rejected"
    event = TimelineEvent.objects.filter(verb="rejected").get()
    assert event.message == "预算不足" and event.actor == tasks[0].assignee.user


def test_return_then_resubmit(org):
    make_policy(preset_definition("A"))
    subject = org.subject("3000.00")
    approval = submit(org, subject)
    task = open_tasks(approval)[0]
    services.decide(task=task, actor=org.it_leader.user, decision="return", opinion="请补充配置说明")
    approval.refresh_from_db()
    assert approval.status == RequestStatus.RETURNED
    assert CALLS[-1][0] == "returned"
    again = submit(org, subject)
    assert again.pk != approval.pk and again.status == RequestStatus.PENDING
    assert selectors.approval_for(subject) == again
    assert verbs(subject) == ["submitted", "returned", "submitted"]


def test_opinion_required_refused_with_message(org):
    """SW-08, 篇1 第十七条: a step that requires an opinion refuses an approval without one."""
    make_policy(one_rule(step("leader", "it_leader", opinion_required=True)))
    approval = submit(org, org.subject())
    task = open_tasks(approval)[0]
    with pytest.raises(RuleViolation) as exc:
        services.decide(task=task, actor=org.it_leader.user, decision="approve", opinion="  ")
    assert exc.value.code == "opinion_required" and exc.value.article == "篇1 第十七条"
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    services.decide(task=task, actor=org.it_leader.user, decision="approve", opinion="同意采购")


def test_reject_without_opinion_refused_by_parameter(org):
    make_policy(one_rule(step("leader", "it_leader")))
    task = open_tasks(submit(org, org.subject()))[0]
    with pytest.raises(RuleViolation):
        services.decide(task=task, actor=org.it_leader.user, decision="reject")
    params.set_value(key="approvals.opinion_required_to_refuse", value=False, actor=None, note="test")
    services.decide(task=task, actor=org.it_leader.user, decision="reject")


def test_choices_var01_b(org):
    """VAR-01 (B), 篇14/5 第十四条, PRC-05: the office reviewer chooses purchase or reallocation (调剂)."""
    make_policy(preset_definition("B"))
    approval = submit(org, org.subject("999999.00"))
    review = open_tasks(approval)[0]
    assert review.assignee == org.office_head and review.step_key == "it_authority"
    with pytest.raises(RuleViolation) as exc:
        services.decide(task=review, actor=org.office_head.user, decision="approve", opinion="同意")
    assert exc.value.code == "choice_required"
    with pytest.raises(RuleViolation):
        services.decide(task=review, actor=org.office_head.user, decision="approve", opinion="同意", choice="steal")
    services.decide(task=review, actor=org.office_head.user, decision="approve", opinion="库存调剂",
                    choice="reallocate")
    approval.refresh_from_db()
    assert approval.choice == "reallocate"
    gm_task = open_tasks(approval)[0]
    assert gm_task.assignee == org.gm and gm_task.step_key == "general_manager"


def test_preset_c_three_steps(org):
    make_policy(preset_definition("C"))
    approval = submit(org, org.subject())
    for who in ("office_head", "gm", "parent"):
        task = open_tasks(approval)[0]
        assert task.assignee == getattr(org, who)
        services.decide(task=task, actor=task.assignee.user, decision="approve", opinion="同意")
    approval.refresh_from_db()
    assert approval.status == RequestStatus.APPROVED


def test_only_the_assignee_decides(org):
    make_policy(one_rule(step("leader", "it_leader")))
    task = open_tasks(submit(org, org.subject()))[0]
    with pytest.raises(PermissionDenied):
        services.decide(task=task, actor=org.cfo.user, decision="approve")


def test_decision_on_closed_task_is_a_conflict(org):
    make_policy(one_rule(step("leader", "it_leader")))
    task = open_tasks(submit(org, org.subject()))[0]
    services.decide(task=task, actor=org.it_leader.user, decision="approve", opinion="同意")
    with pytest.raises(Conflict) as exc:
        services.decide(task=task, actor=org.it_leader.user, decision="reject", opinion="改主意了")
    assert exc.value.code == "task_closed"
    assert "it_leader" in exc.value.message  # who closed it
    assert ApprovalTask.objects.get(pk=task.pk).status == TaskStatus.APPROVED


def test_version_pinning_running_request_keeps_its_version(org):
    """Editing the policy mid-flight does not change a running request's chain."""
    policy = make_policy(one_rule(step("leader", "it_leader"), step("cfo", "cfo")))
    old_version = policy.current_version
    approval = submit(org, org.subject())
    services.save_policy_version(policy=policy, definition=one_rule(step("leader", "it_leader"), step("gm", "general_manager")),
                                 actor=org.gm.user, note="GM instead of CFO", strict=False)
    policy.refresh_from_db()
    assert policy.current_version.number == 2
    services.decide(task=open_tasks(approval)[0], actor=org.it_leader.user, decision="approve")
    approval.refresh_from_db()
    assert approval.policy_version == old_version
    assert [t.assignee for t in open_tasks(approval)] == [org.cfo]
    newer = submit(org, org.subject())
    services.decide(task=open_tasks(newer)[0], actor=org.it_leader.user, decision="approve")
    assert [t.assignee for t in open_tasks(newer)] == [org.gm]


def test_policy_versions_are_immutable_and_stale_edits_refused(org):
    policy = make_policy(one_rule(step("leader", "it_leader")))
    version = policy.current_version
    with pytest.raises(ValueError):
        version.save()
    services.save_policy_version(policy=policy, definition=one_rule(step("cfo", "cfo")), actor=None, expected_version=1,
                                 strict=False)
    with pytest.raises(Conflict):
        services.save_policy_version(policy=policy, definition=one_rule(step("gm", "general_manager")), actor=None,
                                     expected_version=1, strict=False)


# ------------------------------------------------------------------ withdraw, transfer, delegation
def test_withdraw(org):
    make_policy(one_rule(step("leader", "it_leader")))
    approval = submit(org, org.subject())
    with pytest.raises(PermissionDenied):
        services.withdraw(approval=approval, actor=org.bob.user)
    services.withdraw(approval=approval, actor=org.alice.user, reason="需求取消")
    approval.refresh_from_db()
    assert approval.status == RequestStatus.WITHDRAWN
    assert not open_tasks(approval)
    assert CALLS[-1][0] == "withdrawn"
    with pytest.raises(Conflict):
        services.withdraw(approval=approval, actor=org.alice.user)


def test_transfer(org):
    make_policy(one_rule(step("leader", "it_leader")))
    approval = submit(org, org.subject())
    task = open_tasks(approval)[0]
    with pytest.raises(RuleViolation):
        services.transfer(task=task, actor=org.it_leader.user, to_person=org.cfo, reason="")
    with pytest.raises(RuleViolation) as exc:
        services.transfer(task=task, actor=org.it_leader.user, to_person=org.alice, reason="出差")
    assert exc.value.code == "self_approval"
    with pytest.raises(PermissionDenied):
        services.transfer(task=task, actor=org.cfo.user, to_person=org.cfo, reason="出差")
    new_task = services.transfer(task=task, actor=org.it_leader.user, to_person=org.cfo, reason="出差，请代为审批")
    task.refresh_from_db()
    assert task.status == TaskStatus.TRANSFERRED
    assert new_task.assignee == org.cfo and new_task.source_task == task and new_task.origin == "transfer"
    event = TimelineEvent.objects.get(verb="transferred")
    assert event.message == "出差，请代为审批" and event.data["to"] == org.cfo.pk
    services.decide(task=new_task, actor=org.cfo.user, decision="approve")
    approval.refresh_from_db()
    assert approval.status == RequestStatus.APPROVED


def test_delegation_routes_new_and_open_tasks(org):
    make_policy(one_rule(step("leader", "it_leader")))
    now = timezone.now()
    waiting = submit(org, org.subject())
    services.create_delegation(person=org.it_leader, delegate=org.office_head, start=now - datetime.timedelta(hours=1),
                               end=now + datetime.timedelta(days=3), actor=org.it_leader.user, reason="休假")
    moved = open_tasks(waiting)[0]
    assert moved.assignee == org.office_head and moved.acting_for == org.it_leader
    fresh = open_tasks(submit(org, org.subject()))[0]
    assert fresh.assignee == org.office_head and fresh.acting_for == org.it_leader and fresh.origin == "delegation"
    assert "delegated" in [e.verb for e in TimelineEvent.objects.all()]
    services.decide(task=fresh, actor=org.office_head.user, decision="approve", opinion="代批")
    assert TimelineEvent.objects.filter(verb="approved", data__acting_for=org.it_leader.pk).exists()
    # Only one's own approvals can be delegated; a delegation limited to other processes does not apply.
    with pytest.raises(PermissionDenied):
        services.create_delegation(person=org.cfo, delegate=org.bob, start=now, end=now + datetime.timedelta(days=1),
                                   actor=org.alice.user)
    services.end_delegation(delegation=Delegation.objects.get(), actor=org.it_leader.user)
    assert open_tasks(submit(org, org.subject()))[0].assignee == org.it_leader
    services.create_delegation(person=org.it_leader, delegate=org.cfo, start=now, end=now + datetime.timedelta(days=1),
                               actor=org.it_leader.user, process_keys=[PROCESS])
    assert open_tasks(submit(org, org.subject()))[0].assignee == org.cfo


def test_delegate_is_never_the_requester(org):
    make_policy(one_rule(step("leader", "it_leader")))
    now = timezone.now()
    services.create_delegation(person=org.it_leader, delegate=org.alice, start=now - datetime.timedelta(minutes=1),
                               end=now + datetime.timedelta(days=1), actor=org.it_leader.user)
    task = open_tasks(submit(org, org.subject(), requester=org.alice))[0]
    assert task.assignee == org.it_leader and task.acting_for is None


# ------------------------------------------------------------------ reminders and escalation
def test_reminder_once_then_escalation_to_line_manager(org):
    """SW-08: overdue steps are reminded once per deadline passage, then escalated after a second period."""
    make_policy(one_rule(step("leader", "it_leader", deadline_hours=8)))
    # Monday 23 November 2026, 09:00 in Shanghai: 8 working hours end on Tuesday at 09:30
    # (09:00–12:00 and 13:30–17:30 on Monday, 08:30–09:30 on Tuesday; DESIGN rule 7).
    start = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    approval = services.submit(subject=org.subject(), process_key=PROCESS, requester=org.alice, actor=org.alice.user,
                               now=start)
    task = open_tasks(approval)[0]
    assert task.due_at == datetime.datetime(2026, 11, 24, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    hours = lambda h: task.due_at + datetime.timedelta(hours=h)  # noqa: E731
    assert services.remind_overdue(now=hours(-1)) == {"reminded": 0, "escalated": 0}
    assert services.remind_overdue(now=hours(1)) == {"reminded": 1, "escalated": 0}
    assert services.remind_overdue(now=hours(2)) == {"reminded": 0, "escalated": 0}  # not repeated
    task.refresh_from_db()
    assert task.reminded_at == hours(1)
    # escalation_after_hours defaults to 24: at deadline + 24 h the line manager (gm) gets the step too.
    assert services.remind_overdue(now=hours(23)) == {"reminded": 0, "escalated": 0}
    assert services.remind_overdue(now=hours(25)) == {"reminded": 0, "escalated": 1}
    assert services.remind_overdue(now=hours(32))["escalated"] == 0
    escalated = [t for t in open_tasks(approval) if t.origin == "escalation"]
    assert [t.assignee for t in escalated] == [org.gm]
    subject_verbs = [e.verb for e in TimelineEvent.objects.order_by("id")]
    assert subject_verbs.count("reminded") == 1 and subject_verbs.count("escalated") == 1
    # The manager decides; the original task closes.
    services.decide(task=escalated[0], actor=org.gm.user, decision="approve", opinion="同意")
    task.refresh_from_db()
    approval.refresh_from_db()
    assert task.status == TaskStatus.CANCELLED and approval.status == RequestStatus.APPROVED


def test_reminded_again_when_the_deadline_moves(org):
    make_policy(one_rule(step("leader", "it_leader", deadline_hours=2)))
    start = timezone.now()
    approval = services.submit(subject=org.subject(), process_key=PROCESS, requester=org.alice, actor=org.alice.user,
                               now=start)
    task = open_tasks(approval)[0]
    due = task.due_at
    assert services.remind_overdue(now=due + datetime.timedelta(hours=1))["reminded"] == 1
    task.due_at = due + datetime.timedelta(hours=3)
    task.save()
    assert services.remind_overdue(now=due + datetime.timedelta(hours=2))["reminded"] == 0
    assert services.remind_overdue(now=due + datetime.timedelta(hours=4))["reminded"] == 1


def test_escalation_without_manager_goes_to_unit_head_and_can_be_off(org):
    make_policy(one_rule(step("named", "", resolver="person", person=org.outsider.pk, deadline_hours=1)))
    org.it_dept.head = org.it_leader
    org.it_dept.save()
    start = timezone.now()
    approval = services.submit(subject=org.subject(), process_key=PROCESS, requester=org.alice, actor=org.alice.user,
                               now=start)
    params.set_value(key="approvals.escalation_after_hours", value=0, actor=None, note="off")
    assert services.remind_overdue(now=start + datetime.timedelta(hours=100))["escalated"] == 0
    params.set_value(key="approvals.escalation_after_hours", value=1, actor=None, note="on")
    assert services.remind_overdue(now=start + datetime.timedelta(hours=100))["escalated"] == 1
    assert {t.assignee for t in open_tasks(approval)} == {org.outsider, org.it_leader}


def test_periodic_job_is_registered(db):
    from zhidu.core.approvals import tasks
    from zhidu.core.jobs import REGISTRY

    assert "approvals.remind_overdue" in REGISTRY
    assert tasks.remind_overdue_tasks(now=timezone.now() - datetime.timedelta(days=1)) == {"reminded": 0, "escalated": 0}


def test_amount_fact_is_stored_for_the_home_panel(org):
    make_policy(preset_definition("A"))
    approval = submit(org, org.subject("42.10"))
    assert Decimal(approval.context_data["amount"]) == Decimal("42.10")
