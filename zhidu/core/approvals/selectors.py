"""Read queries of the approval engine, reused by pages, the API, the home panel and other apps."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch
from django.utils import timezone

from zhidu.core.models import TimelineEvent
from zhidu.core.scoping import user_person_id

from .choices import RequestStatus, TaskStatus
from .models import ApprovalRequest, ApprovalTask


def approval_for(subject) -> ApprovalRequest | None:
    """The latest approval request of `subject` (None if it was never submitted)."""
    if subject is None or subject.pk is None:
        return None
    content_type = ContentType.objects.get_for_model(subject, for_concrete_model=False)
    return (
        ApprovalRequest.objects.filter(content_type=content_type, object_id=str(subject.pk))
        .select_related("policy_version", "requester")
        .order_by("-submitted_at", "-id")
        .first()
    )


def approvals_for(subject):
    """Every approval request of `subject`, newest first."""
    content_type = ContentType.objects.get_for_model(subject, for_concrete_model=False)
    return (ApprovalRequest.objects.filter(content_type=content_type, object_id=str(subject.pk))
            .select_related("policy_version", "requester").order_by("-submitted_at", "-id"))


def open_tasks_for(user):
    """The open tasks waiting for `user` (我的待办), oldest deadline first; subjects prefetched."""
    person_id = user_person_id(user) if getattr(user, "is_authenticated", False) else None
    if person_id is None:
        return ApprovalTask.objects.none()
    return (
        ApprovalTask.objects.filter(assignee_id=person_id, status=TaskStatus.OPEN, request__status=RequestStatus.PENDING)
        .select_related("request", "request__requester", "request__requester__department", "request__content_type",
                        "acting_for")
        .prefetch_related("request__subject")
        .order_by("due_at", "id")
    )


def tasks_of(request: ApprovalRequest) -> list[ApprovalTask]:
    return list(request.tasks.select_related("assignee", "acting_for", "decided_by").order_by("step_index", "id"))


def panel_for(approval: ApprovalRequest | None, user) -> dict | None:
    """What `approvals/_panel.html` shows: the chain of steps with their tasks, and the user's open task."""
    if approval is None:
        return None
    tasks = tasks_of(approval)
    person_id = user_person_id(user) if getattr(user, "is_authenticated", False) else None
    now = timezone.now()
    steps = []
    for index, step in enumerate(approval.steps):
        step_tasks = [t for t in tasks if t.step_index == index]
        if approval.status == RequestStatus.APPROVED or index < approval.current_step:
            state = "done"
        elif index == approval.current_step:
            state = "current" if approval.status == RequestStatus.PENDING else "stopped"
        else:
            state = "future"
        for task in step_tasks:
            task.overdue = task.is_overdue(now)
        steps.append({"index": index, "number": index + 1, "step": step, "tasks": step_tasks, "state": state})
    my_task = None
    if person_id is not None and approval.status == RequestStatus.PENDING:
        my_task = next((t for t in tasks if t.status == TaskStatus.OPEN and t.assignee_id == person_id), None)
    can_withdraw = approval.status == RequestStatus.PENDING and getattr(user, "is_authenticated", False) and (
        approval.requester_id == person_id or approval.submitted_by_id == user.pk)
    return {"approval": approval, "steps": steps, "my_task": my_task,
            "my_step": approval.steps[my_task.step_index] if my_task else None, "can_withdraw": can_withdraw}


def timeline_for(subject):
    """The timeline events of any object, oldest first, with their actors."""
    content_type = ContentType.objects.get_for_model(subject, for_concrete_model=False)
    return (TimelineEvent.objects.filter(content_type=content_type, object_id=str(subject.pk))
            .select_related("actor", "actor__person").order_by("time", "id"))


def requests_by(user):
    """Approval requests the user made (for 'what I asked for')."""
    person_id = user_person_id(user) if getattr(user, "is_authenticated", False) else None
    if person_id is None:
        return ApprovalRequest.objects.none()
    return ApprovalRequest.objects.filter(requester_id=person_id).select_related("policy_version")


def decided_by(user):
    """Tasks the user has handled (decided, returned or transferred), newest first."""
    person_id = user_person_id(user) if getattr(user, "is_authenticated", False) else None
    if person_id is None:
        return ApprovalTask.objects.none()
    return (ApprovalTask.objects.filter(assignee_id=person_id)
            .exclude(status__in=[TaskStatus.OPEN, TaskStatus.CANCELLED])
            .select_related("request", "request__requester", "request__content_type")
            .prefetch_related(Prefetch("request__subject"))
            .order_by("-decided_at", "-id"))
