"""Operations of the approval engine (DESIGN "The approval engine", issue #2 §3).

Every function is one domain operation: keyword-only, atomic, guarded, and it writes a timeline
event on the SUBJECT (submitted, approved, rejected, returned, withdrawn, transferred, delegated,
reminded, escalated) with the opinion as message. The change log records every row change.

Concurrency: every operation that changes a running request locks its `ApprovalRequest` row
(`select_for_update`) and re-reads the task under the lock, so two people deciding at once never
advance the chain twice; the second gets a `Conflict` saying the step was already handled.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhidu.core import params
from zhidu.core.calendar import add_working_hours
from zhidu.core.errors import Conflict, RuleViolation
from zhidu.core.models import TimelineEvent
from zhidu.org.models import Person

from . import parameters
from .choices import Decision, Mode, RequestStatus, TaskStatus
from .models import ApprovalPolicy, ApprovalPolicyVersion, ApprovalRequest, ApprovalTask, Delegation
from .policy import select_rule, tr, validate_definition
from .registry import ProcessType, get_process
from .resolvers import Assignment, apply_delegation, escalation_target, resolve_people

__all__ = [
    "apply_preset", "create_delegation", "create_policy", "decide", "end_delegation", "remind_overdue",
    "save_policy_version", "submit", "transfer", "withdraw",
]


# =========================================================================== helpers
def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def person_of(actor) -> Person | None:
    if not getattr(actor, "is_authenticated", False):
        return None
    cached = getattr(actor, "_zhidu_person", False)
    if cached is False:
        cached = Person.objects.filter(user=actor).first()
        actor._zhidu_person = cached
    return cached


def _process(key: str) -> ProcessType:
    process = get_process(key)
    if process is None:
        raise RuleViolation(_("Unknown approval process “%(key)s”.") % {"key": key}, code="unknown_process")
    return process


def _jsonable(value):
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return {"id": value.pk, "label": str(value)}
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return str(value)


def _context(process: ProcessType, subject, requester: Person) -> dict:
    context = dict(process.context(subject) or {})
    context.setdefault("requester", requester)
    return context


def _event(request: ApprovalRequest, *, verb: str, actor=None, message: str = "", data: dict | None = None):
    return TimelineEvent.objects.create(
        content_type_id=request.content_type_id, object_id=request.object_id, actor=_user(actor), verb=verb,
        message=message or "", data={"approval": request.pk, **(data or {})},
    )


def _task_link(task: ApprovalTask) -> str:
    try:
        return reverse("approvals:task", args=[task.pk])
    except NoReverseMatch:  # pragma: no cover - URLs not mounted
        return ""


def _notify(people: Iterable[Person], *, verb: str, message: str, link: str = "") -> None:
    from zhidu.core.notifications import notify

    notify(users=[p for p in people if p is not None], verb=verb, message=message, link=link)


def _due(step: dict, now) -> datetime.datetime | None:
    """Deadlines count working hours (DESIGN rule 7): a step opened on Friday evening is not
    overdue on Saturday morning, nor during the National Day holiday."""
    hours = step.get("deadline_hours") or params.get(parameters.DEFAULT_DEADLINE_HOURS)
    return add_working_hours(now, int(hours)) if hours else None


def _lock(request_id: int) -> ApprovalRequest:
    return ApprovalRequest.objects.select_for_update(of=("self",)).select_related("policy_version").get(pk=request_id)


def _callback(request: ApprovalRequest, name: str) -> None:
    process = get_process(request.process_key)
    callback = getattr(process, name, None) if process else None
    if callback is not None:
        callback(request.subject, request)


def _step_label(step: dict) -> str:
    return tr(step.get("name")) or step.get("key", "")


def _create_task(request: ApprovalRequest, *, index: int, step: dict, assignment: Assignment, now,
                 origin=ApprovalTask.Origin.POLICY, source_task=None, actor=None) -> ApprovalTask:
    task = ApprovalTask.objects.create(
        request=request, step_index=index, step_name=(step.get("name") or "")[:200], step_key=step.get("key", "")[:60],
        assignee=assignment.assignee, acting_for=assignment.acting_for, status=TaskStatus.OPEN,
        origin=ApprovalTask.Origin.DELEGATION if assignment.acting_for and origin == ApprovalTask.Origin.POLICY
        else origin,
        source_task=source_task, due_at=_due(step, now),
    )
    if assignment.acting_for is not None:
        _event(request, verb="delegated", actor=actor,
               message=_("%(delegate)s acts for %(person)s on step “%(step)s”.") % {
                   "delegate": assignment.assignee, "person": assignment.acting_for, "step": _step_label(step)},
               data={"task": task.pk, "step": index, "assignee": assignment.assignee.pk,
                     "acting_for": assignment.acting_for.pk})
    _notify([assignment.assignee], verb="approval.task", link=_task_link(task),
            message=_("%(requester)s asks for your approval: %(subject)s (step “%(step)s”).") % {
                "requester": request.requester, "subject": request.subject_label, "step": _step_label(step)})
    return task


def _activate_step(request: ApprovalRequest, index: int, *, context: dict, actor, now) -> None:
    """Create the tasks of step `index`, or finish the request as approved after the last step."""
    steps = request.steps
    if index >= len(steps):
        request.status = RequestStatus.APPROVED
        request.finished_at = now
        request.save(update_fields=["status", "finished_at", "updated"])
        _notify([request.requester], verb="approval.result", link="",
                message=_("Your request %(subject)s was approved.") % {"subject": request.subject_label})
        _callback(request, "on_approved")
        return
    step = steps[index]
    people = resolve_people(step, context=context, requester=request.requester)
    assignments = apply_delegation(people, process_key=request.process_key, requester=request.requester, now=now)
    request.current_step = index
    request.save(update_fields=["current_step", "updated"])
    for assignment in assignments:
        _create_task(request, index=index, step=step, assignment=assignment, now=now, actor=actor)


def _closed_refusal(task: ApprovalTask, request: ApprovalRequest) -> Conflict:
    if task.status != TaskStatus.OPEN:
        who = task.decided_by.get_username() if task.decided_by_id and task.decided_by else str(task.assignee)
        when = timezone.localtime(task.decided_at).strftime("%Y-%m-%d %H:%M") if task.decided_at else ""
        return Conflict(
            _("This approval step is already closed (%(status)s by %(who)s at %(time)s); it cannot be decided "
              "again. Reload the page to see the current state.")
            % {"status": task.get_status_display(), "who": who, "time": when},
            code="task_closed",
        )
    return Conflict(
        _("This request is no longer in approval (%(status)s); it cannot be decided. Reload the page to see "
          "the current state.") % {"status": request.get_status_display()},
        code="request_closed",
    )


def _close_open_tasks(request: ApprovalRequest, *, now, exclude: Iterable[int] = (), step_index=None,
                      only_ids: Iterable[int] | None = None) -> int:
    qs = request.tasks.filter(status=TaskStatus.OPEN).exclude(pk__in=list(exclude))
    if step_index is not None:
        qs = qs.filter(step_index=step_index)
    if only_ids is not None:
        qs = qs.filter(pk__in=list(only_ids))
    count = 0
    for task in qs:  # saved one by one so the change log records each
        task.status = TaskStatus.CANCELLED
        task.decided_at = now
        task.save(update_fields=["status", "decided_at", "updated"])
        count += 1
    return count


# =========================================================================== submit
def submit(*, subject, process_key: str, requester: Person, actor, now=None) -> ApprovalRequest:
    """Send `subject` for approval under the active policy of `process_key`.

    Freezes the policy's current version on the request, picks the first rule whose condition
    holds for `context(subject)` and creates the first step's tasks. RuleViolation when no
    policy or rule applies or a step resolves to nobody (the message names the missing role);
    Conflict when the subject is already in approval.
    """
    process = _process(process_key)
    now = now or timezone.now()
    with transaction.atomic():
        policy = (ApprovalPolicy.objects.select_related("current_version")
                  .filter(process_key=process_key, is_active=True).first())
        if policy is None or policy.current_version is None:
            raise RuleViolation(
                _("No active approval policy is set up for “%(process)s”; an administrator sets it up under "
                  "Settings → Approval policies.") % {"process": process.label},
                code="no_policy",
            )
        version = policy.current_version
        content_type = ContentType.objects.get_for_model(subject, for_concrete_model=False)
        if ApprovalRequest.objects.filter(content_type=content_type, object_id=str(subject.pk),
                                          status=RequestStatus.PENDING).exists():
            raise Conflict(_("%(subject)s is already in approval.") % {"subject": subject}, code="already_pending")
        context = _context(process, subject, requester)
        match = select_rule(version.definition, context)
        if match is None:
            raise RuleViolation(
                _("No rule of the approval policy “%(policy)s” (version %(number)s) applies to this request; "
                  "an administrator must add a rule for it.") % {"policy": policy.name, "number": version.number},
                code="no_rule",
            )
        try:
            with transaction.atomic():
                request = ApprovalRequest.objects.create(
                    content_type=content_type, object_id=str(subject.pk), subject_label=str(subject)[:200],
                    process_key=process_key, policy_version=version, rule_index=match.index,
                    rule_name=(match.rule.get("name") or "")[:200], status=RequestStatus.PENDING, current_step=0,
                    requester=requester, submitted_by=_user(actor), submitted_at=now,
                    context_data={k: _jsonable(v) for k, v in context.items()},
                )
        except IntegrityError:
            raise Conflict(_("%(subject)s is already in approval.") % {"subject": subject},
                           code="already_pending") from None
        request.policy_version = version
        _event(request, verb="submitted", actor=actor,
               message=_("Submitted for approval (policy “%(policy)s” v%(number)s, rule “%(rule)s”).") % {
                   "policy": policy.name, "number": version.number, "rule": tr(request.rule_name)},
               data={"policy_version": version.pk, "rule": match.index})
        _activate_step(request, 0, context=context, actor=actor, now=now)
    return request


# =========================================================================== decide
def decide(*, task: ApprovalTask, actor, decision: str, opinion: str = "", choice: str = "",
           now=None) -> ApprovalTask:
    """Approve, reject or return (退回) on an open task.

    The opinion is required when the step says so (SW-08), to reject or return (parameter
    approvals.opinion_required_to_refuse), or always (approvals.opinion_always_required). A
    step with declared choices (VAR-01 B: purchase / reallocate 调剂, PRC-05) needs one of them
    to approve. Conflict when the task is no longer open.
    """
    if decision not in Decision.values:
        raise RuleViolation(_("Choose approve, reject or return."), code="invalid_decision")
    opinion = (opinion or "").strip()
    choice = (choice or "").strip()
    now = now or timezone.now()
    with transaction.atomic():
        request = _lock(task.request_id)
        task = ApprovalTask.objects.select_related("assignee", "decided_by").get(pk=task.pk)
        task.request = request
        if task.status != TaskStatus.OPEN or request.status != RequestStatus.PENDING:
            raise _closed_refusal(task, request)
        person = person_of(actor)
        if person is None or person.pk != task.assignee_id:
            raise PermissionDenied(_("Only %(name)s can decide this step.") % {"name": task.assignee})
        step = task.step
        needs_opinion = (
            step.get("opinion_required")
            or params.get(parameters.OPINION_ALWAYS_REQUIRED)
            or (decision != Decision.APPROVE and params.get(parameters.OPINION_REQUIRED_TO_REFUSE))
        )
        if needs_opinion and not opinion:
            raise RuleViolation(
                _("Write your opinion: the regulation requires whoever handles an approval step to state an "
                  "explicit opinion (篇1 第十七条, SW-08)."),
                code="opinion_required", article="篇1 第十七条",
            )
        declared = [c["value"] for c in step.get("choices") or []]
        if decision == Decision.APPROVE and declared and choice not in declared:
            labels = "、".join(tr(c["label"]) for c in step["choices"])
            raise RuleViolation(_("Choose one of: %(choices)s.") % {"choices": labels}, code="choice_required")
        if choice and choice not in declared:
            raise RuleViolation(_("This step offers no such choice."), code="invalid_choice")
        task.status = {Decision.APPROVE: TaskStatus.APPROVED, Decision.REJECT: TaskStatus.REJECTED,
                       Decision.RETURN: TaskStatus.RETURNED}[decision]
        task.opinion = opinion
        task.choice = choice
        task.decided_at = now
        task.decided_by = _user(actor)
        task.save(update_fields=["status", "opinion", "choice", "decided_at", "decided_by", "updated"])
        verb = {Decision.APPROVE: "approved", Decision.REJECT: "rejected", Decision.RETURN: "returned"}[decision]
        data = {"task": task.pk, "step": task.step_index, "step_name": task.step_name, "assignee": task.assignee_id,
                "acting_for": task.acting_for_id, "choice": choice}
        if decision == Decision.APPROVE:
            if choice:
                request.choice = choice
                request.save(update_fields=["choice", "updated"])
            event = _event(request, verb=verb, actor=actor, message=opinion, data={**data, "final": False})
            if _after_approval(request, task, step=step, actor=actor, now=now):
                event.data["final"] = True
                event.save(update_fields=["data"])
        else:
            _close_open_tasks(request, now=now, exclude=[task.pk])
            request.status = RequestStatus.REJECTED if decision == Decision.REJECT else RequestStatus.RETURNED
            request.finished_at = now
            request.save(update_fields=["status", "finished_at", "updated"])
            _event(request, verb=verb, actor=actor, message=opinion, data=data)
            message = (_("Your request %(subject)s was rejected: %(opinion)s") if decision == Decision.REJECT
                       else _("Your request %(subject)s was returned for changes: %(opinion)s"))
            _notify([request.requester], verb=f"approval.{verb}", link="",
                    message=message % {"subject": request.subject_label, "opinion": opinion})
            _callback(request, "on_rejected" if decision == Decision.REJECT else "on_returned")
    return task


def _after_approval(request: ApprovalRequest, task: ApprovalTask, *, step: dict, actor, now) -> bool:
    """Advance the chain after an approval; True when the request is now fully approved."""
    if step.get("mode", Mode.ANY) == Mode.ANY:
        _close_open_tasks(request, now=now, exclude=[task.pk], step_index=task.step_index)
    else:
        # 会签: everyone must approve; an escalation copy of this task (or its original) is settled too.
        linked = list(request.tasks.filter(status=TaskStatus.OPEN, source_task=task).values_list("pk", flat=True))
        if task.source_task_id and task.origin == ApprovalTask.Origin.ESCALATION:
            linked.append(task.source_task_id)
        if linked:
            _close_open_tasks(request, now=now, only_ids=linked)
        if request.tasks.filter(step_index=task.step_index, status=TaskStatus.OPEN).exists():
            return False
    context = _context(_process(request.process_key), request.subject, request.requester) \
        if task.step_index + 1 < len(request.steps) else {}
    _activate_step(request, task.step_index + 1, context=context, actor=actor, now=now)
    return request.status == RequestStatus.APPROVED


# =========================================================================== withdraw
def withdraw(*, approval: ApprovalRequest, actor, reason: str = "", now=None) -> ApprovalRequest:
    """The requester (or whoever submitted) takes a request back while it is in approval."""
    now = now or timezone.now()
    with transaction.atomic():
        request = _lock(approval.pk)
        if request.status != RequestStatus.PENDING:
            raise Conflict(
                _("Only a request in approval can be withdrawn; this one is %(status)s.")
                % {"status": request.get_status_display()},
                code="request_closed",
            )
        person = person_of(actor)
        is_requester = person is not None and person.pk == request.requester_id
        if not (is_requester or (request.submitted_by_id and request.submitted_by_id == getattr(actor, "pk", None))):
            raise PermissionDenied(_("Only the requester can withdraw this request."))
        _close_open_tasks(request, now=now)
        request.status = RequestStatus.WITHDRAWN
        request.finished_at = now
        request.save(update_fields=["status", "finished_at", "updated"])
        _event(request, verb="withdrawn", actor=actor, message=(reason or "").strip())
        _callback(request, "on_withdrawn")
    return request


# =========================================================================== transfer
def transfer(*, task: ApprovalTask, actor, to_person: Person, reason: str, now=None) -> ApprovalTask:
    """转办: the assignee hands an open task to another person, with a reason. Returns the new task."""
    reason = (reason or "").strip()
    now = now or timezone.now()
    if not reason:
        raise RuleViolation(_("Give the reason for transferring this step."), code="reason_required")
    with transaction.atomic():
        request = _lock(task.request_id)
        task = ApprovalTask.objects.select_related("assignee", "decided_by").get(pk=task.pk)
        task.request = request
        if task.status != TaskStatus.OPEN or request.status != RequestStatus.PENDING:
            raise _closed_refusal(task, request)
        person = person_of(actor)
        if not ((person is not None and person.pk == task.assignee_id) or getattr(actor, "is_superuser", False)):
            raise PermissionDenied(_("Only %(name)s can transfer this step.") % {"name": task.assignee})
        to_person = Person.objects.filter(pk=getattr(to_person, "pk", to_person)).first()
        if to_person is None or to_person.status != "active":
            raise RuleViolation(_("Choose a person who currently works here."), code="invalid_person")
        if to_person.pk == request.requester_id:
            raise RuleViolation(_("The requester cannot approve their own request."), code="self_approval")
        if to_person.pk == task.assignee_id:
            raise RuleViolation(_("The step is already assigned to %(name)s.") % {"name": to_person},
                                code="invalid_person")
        if request.tasks.filter(step_index=task.step_index, status=TaskStatus.OPEN, assignee=to_person).exists():
            raise RuleViolation(_("%(name)s already has this step to decide.") % {"name": to_person},
                                code="invalid_person")
        task.status = TaskStatus.TRANSFERRED
        task.opinion = reason
        task.decided_at = now
        task.decided_by = _user(actor)
        task.save(update_fields=["status", "opinion", "decided_at", "decided_by", "updated"])
        step = task.step
        new_task = _create_task(request, index=task.step_index, step=step, assignment=Assignment(assignee=to_person),
                                now=now, origin=ApprovalTask.Origin.TRANSFER, source_task=task, actor=actor)
        _event(request, verb="transferred", actor=actor, message=reason,
               data={"task": task.pk, "new_task": new_task.pk, "step": task.step_index, "from": task.assignee_id,
                     "to": to_person.pk, "to_name": to_person.name})
    return new_task


# =========================================================================== delegation
def create_delegation(*, person: Person, delegate: Person, start, end, actor, process_keys=(), reason: str = "",
                      now=None) -> Delegation:
    """委托: while `person` is away, their approval tasks go to `delegate` (recorded as acting for them).

    Open tasks of `person` are moved at once when the window has begun; tasks created later in
    the window are assigned to the delegate directly.
    """
    now = now or timezone.now()
    acting = person_of(actor)
    if not ((acting is not None and acting.pk == person.pk) or getattr(actor, "is_superuser", False)
            or _may_manage_delegations(actor)):
        raise PermissionDenied(_("You can only delegate your own approvals."))
    if delegate.pk == person.pk:
        raise ValidationError({"delegate": [_("A person cannot delegate to themselves.")]})
    if delegate.status != "active":
        raise ValidationError({"delegate": [_("Choose a person who currently works here.")]})
    if end <= start:
        raise ValidationError({"end": [_("The end of a delegation must be after its start.")]})
    unknown = [k for k in process_keys if get_process(k) is None]
    if unknown:
        raise ValidationError({"process_keys": [_("Unknown process: %(keys)s") % {"keys": ", ".join(unknown)}]})
    with transaction.atomic():
        delegation = Delegation.objects.create(
            person=person, delegate=delegate, start=start, end=end, process_keys=list(process_keys),
            reason=(reason or "")[:200], created_by=_user(actor),
        )
        if start <= now < end:
            tasks = (ApprovalTask.objects.filter(assignee=person, status=TaskStatus.OPEN,
                                                 request__status=RequestStatus.PENDING)
                     .select_related("request").order_by("pk"))
            for task in tasks:
                if not delegation.covers(task.request.process_key):
                    continue
                request = _lock(task.request_id)
                if request.requester_id == delegate.pk:
                    continue
                if request.tasks.filter(step_index=task.step_index, status=TaskStatus.OPEN,
                                        assignee=delegate).exists():
                    continue
                task.request = request
                task.status = TaskStatus.TRANSFERRED
                task.decided_at = now
                task.decided_by = _user(actor)
                task.save(update_fields=["status", "decided_at", "decided_by", "updated"])
                _create_task(request, index=task.step_index, step=task.step,
                             assignment=Assignment(assignee=delegate, acting_for=person), now=now,
                             origin=ApprovalTask.Origin.DELEGATION, source_task=task, actor=actor)
    return delegation


def _may_manage_delegations(actor) -> bool:
    from zhidu.core.scoping import has_perm_anywhere

    return has_perm_anywhere(actor, Delegation, "change")


def end_delegation(*, delegation: Delegation, actor, now=None) -> Delegation:
    """End a delegation now (tasks already given to the delegate stay with them)."""
    now = now or timezone.now()
    acting = person_of(actor)
    if not ((acting is not None and acting.pk in (delegation.person_id, delegation.delegate_id))
            or getattr(actor, "is_superuser", False) or _may_manage_delegations(actor)):
        raise PermissionDenied(_("You can only end your own delegations."))
    with transaction.atomic():
        delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
        if not delegation.is_active:
            raise Conflict(_("This delegation has already ended."), code="delegation_closed")
        delegation.is_active = False
        if delegation.end > now:
            delegation.end = max(now, delegation.start + datetime.timedelta(seconds=1))
        delegation.save(update_fields=["is_active", "end", "updated"])
    return delegation


# =========================================================================== reminders and escalation
def remind_overdue(*, now=None) -> dict:
    """Remind the assignees of overdue open tasks once per deadline passage; escalate those still open
    `approvals.escalation_after_hours` after the deadline (SW-08, 篇1 第十七条).

    A reminder is recorded in `reminded_at` (a task is reminded again only if its deadline moves
    past the last reminder). Escalation gives the step to the assignee's line manager (or the head of
    their unit) as an additional task on the same step, once (`escalated_at`).
    """
    now = now or timezone.now()
    counts = {"reminded": 0, "escalated": 0}
    overdue = ApprovalTask.objects.filter(status=TaskStatus.OPEN, request__status=RequestStatus.PENDING,
                                          due_at__lte=now)
    to_remind = list(overdue.filter(models.Q(reminded_at__isnull=True) | models.Q(reminded_at__lt=models.F("due_at")))
                     .values_list("pk", flat=True))
    for pk in to_remind:
        if _remind_one(pk, now=now):
            counts["reminded"] += 1
    hours = params.get(parameters.ESCALATION_AFTER_HOURS)
    if hours:
        limit = now - datetime.timedelta(hours=int(hours))
        to_escalate = list(overdue.filter(escalated_at__isnull=True, due_at__lte=limit).values_list("pk", flat=True))
        for pk in to_escalate:
            if _escalate_one(pk, now=now, limit=limit):
                counts["escalated"] += 1
    return counts


def _remind_one(pk: int, *, now) -> bool:
    with transaction.atomic():
        request_id = ApprovalTask.objects.filter(pk=pk).values_list("request_id", flat=True).first()
        if request_id is None:
            return False
        request = _lock(request_id)
        task = ApprovalTask.objects.select_related("assignee").get(pk=pk)
        if (task.status != TaskStatus.OPEN or request.status != RequestStatus.PENDING or task.due_at is None
                or task.due_at > now or (task.reminded_at is not None and task.reminded_at >= task.due_at)):
            return False
        task.reminded_at = now
        task.save(update_fields=["reminded_at", "updated"])
        _event(request, verb="reminded",
               message=_("%(name)s was reminded: step “%(step)s” was due %(due)s.") % {
                   "name": task.assignee, "step": tr(task.step_name),
                   "due": timezone.localtime(task.due_at).strftime("%Y-%m-%d %H:%M")},
               data={"task": task.pk, "step": task.step_index, "assignee": task.assignee_id,
                     "due_at": task.due_at.isoformat()})
        _notify([task.assignee], verb="approval.reminder", link=_task_link(task),
                message=_("Reminder: %(subject)s waits for your approval since %(due)s (step “%(step)s”).") % {
                    "subject": request.subject_label, "step": tr(task.step_name),
                    "due": timezone.localtime(task.due_at).strftime("%Y-%m-%d %H:%M")})
    return True


def _escalate_one(pk: int, *, now, limit) -> bool:
    with transaction.atomic():
        request_id = ApprovalTask.objects.filter(pk=pk).values_list("request_id", flat=True).first()
        if request_id is None:
            return False
        request = _lock(request_id)
        task = ApprovalTask.objects.select_related("assignee", "assignee__manager", "assignee__department").get(pk=pk)
        task.request = request
        if (task.status != TaskStatus.OPEN or request.status != RequestStatus.PENDING or task.escalated_at is not None
                or task.due_at is None or task.due_at > limit):
            return False
        task.escalated_at = now
        task.save(update_fields=["escalated_at", "updated"])
        busy = set(request.tasks.filter(step_index=task.step_index, status=TaskStatus.OPEN)
                   .values_list("assignee_id", flat=True))
        target = escalation_target(task.assignee, exclude_ids={request.requester_id} | busy)
        data = {"task": task.pk, "step": task.step_index, "assignee": task.assignee_id,
                "to": target.pk if target else None}
        if target is None:
            _event(request, verb="escalated", data=data,
                   message=_("Step “%(step)s” of %(name)s is overdue; nobody above them could be found to "
                             "escalate to.") % {"step": tr(task.step_name), "name": task.assignee})
            return True
        new_task = _create_task(request, index=task.step_index, step=task.step, assignment=Assignment(assignee=target),
                                now=now, origin=ApprovalTask.Origin.ESCALATION, source_task=task)
        data["new_task"] = new_task.pk
        _event(request, verb="escalated", data=data,
               message=_("Step “%(step)s” of %(name)s is overdue and was escalated to %(target)s, who may decide "
                         "it.") % {"step": tr(task.step_name), "name": task.assignee, "target": target})
    return True


# =========================================================================== policies and presets
def create_policy(*, process_key: str, name: str, actor, definition: dict, note: str = "", description: str = "",
                  preset: str = "", strict: bool = True) -> ApprovalPolicy:
    """A new active policy for a process (replacing no other: one active policy per process)."""
    _process(process_key)
    normalized = validate_definition(definition, strict=strict)
    with transaction.atomic():
        if ApprovalPolicy.objects.filter(process_key=process_key, is_active=True).exists():
            raise Conflict(_("This process already has an active approval policy; edit it instead."),
                           code="policy_exists")
        policy = ApprovalPolicy.objects.create(process_key=process_key, name=name[:100], description=description)
        _new_version(policy, definition=normalized, actor=actor, note=note, preset=preset)
    return policy


def _new_version(policy: ApprovalPolicy, *, definition: dict, actor, note: str, preset: str = ""):
    last = policy.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = ApprovalPolicyVersion.objects.create(
        policy=policy, number=last + 1, definition=definition, author=_user(actor), note=(note or "")[:500],
        preset=preset[:60],
    )
    policy.current_version = version
    policy.save(update_fields=["current_version", "updated"])
    return version


def save_policy_version(*, policy: ApprovalPolicy, definition: dict, actor, note: str = "",
                        expected_version: int | None = None, preset: str = "",
                        strict: bool = True) -> ApprovalPolicyVersion:
    """Save an edited definition as the policy's new current version (requests already running keep
    the version they started with).

    `expected_version` (the version the editor started from) refuses the save with a Conflict when
    someone else saved in the meantime, so no edit is silently overwritten.
    """
    normalized = validate_definition(definition, strict=strict)
    with transaction.atomic():
        policy = ApprovalPolicy.objects.select_for_update(of=("self",)).select_related("current_version").get(pk=policy.pk)
        current = policy.current_version
        if expected_version is not None and current is not None and current.number != expected_version:
            raise Conflict(
                _("Someone saved version %(number)s of this policy while you were editing; reload it and apply "
                  "your changes again.") % {"number": current.number},
                code="stale_version",
            )
        if current is not None and current.definition == normalized and not preset:
            raise ValidationError({"rules": [_("Nothing changed: the definition is the same as the current version.")]})
        return _new_version(policy, definition=normalized, actor=actor, note=note, preset=preset)


def apply_preset(process_key: str, variant: str, actor, *, note: str = "") -> ApprovalPolicyVersion:
    """Make the preset for `variant` (e.g. VAR-01 "A") the current version of the process's policy,
    creating the policy if there is none. Returns the new version."""
    from .presets import get_preset

    preset = get_preset(process_key, variant)
    if preset is None:
        raise RuleViolation(_("There is no preset %(variant)s for “%(process)s”.") % {
            "variant": variant, "process": process_key}, code="unknown_preset")
    note = note or _("Preset %(variant)s applied: %(label)s") % {"variant": variant, "label": preset.label}
    tag = f"{process_key}:{variant}"
    with transaction.atomic():
        policy = ApprovalPolicy.objects.select_for_update().filter(process_key=process_key, is_active=True).first()
        if policy is None:
            _process(process_key)
            policy = ApprovalPolicy.objects.create(process_key=process_key, name=str(preset.policy_name)[:100])
            return _new_version(policy, definition=validate_definition(preset.definition, strict=False),
                                actor=actor, note=note, preset=tag)
        return save_policy_version(policy=policy, definition=preset.definition, actor=actor, note=note, preset=tag,
                                   strict=False)
