"""Pages of the approval engine: my approvals, a task, a request, delegations, and the policy editor.

Views only read and call services (DESIGN rule 1). Every queryset goes through `restrict()`;
out of scope is 404, visible but not permitted is 403. A refused decision re-renders the task
page with the message in place and the typed opinion kept.
"""

from __future__ import annotations

import copy
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from zhidu.core.errors import Conflict, RuleViolation
from zhidu.core.scoping import has_perm_anywhere

from . import selectors, services
from .choices import TaskStatus
from .editor import apply_op, diff_lines, editor_options, editor_rules
from .forms import DecisionForm, DelegationForm, TransferForm, parse_editor
from .models import ApprovalPolicy, ApprovalPolicyVersion, ApprovalRequest, ApprovalTask, Delegation
from .policy import describe, empty_rule
from .presets import presets_for
from .registry import get_process, processes


# --------------------------------------------------------------------------- helpers
def can_view_policies(user) -> bool:
    return user.is_superuser or has_perm_anywhere(user, ApprovalPolicy, "view") or can_edit_policies(user)


def can_edit_policies(user) -> bool:
    return user.is_superuser or has_perm_anywhere(user, ApprovalPolicy, "change")


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                    require_https=request.is_secure()):
        return target
    return fallback


def _subject_url(subject) -> str | None:
    getter = getattr(subject, "get_absolute_url", None)
    return getter() if getter else None


def facts_of(approval) -> list[dict]:
    """The facts the routing used, labelled with the process's field labels where it declares them."""
    process = get_process(approval.process_key)
    labels = dict(getattr(process, "fields", None) or [])
    labels.setdefault("department", _("Department"))
    labels.setdefault("amount", _("Amount"))
    return [{"key": key, "label": labels.get(key, key), "value": value}
            for key, value in (approval.context_data or {}).items() if key != "requester"]  # shown apart


def _status_for(exc: Exception) -> int:
    return 409 if isinstance(exc, Conflict) else 400


# --------------------------------------------------------------------------- my approvals
@login_required
def my_tasks(request):
    """我的审批: open tasks, then what I decided, then my own requests."""
    open_tasks = list(selectors.open_tasks_for(request.user)[:200])
    for task in open_tasks:
        task.overdue = task.is_overdue()
        task.subject_url = _subject_url(task.request.subject)
    decided = list(selectors.decided_by(request.user)[:50])
    for task in decided:
        task.subject_url = _subject_url(task.request.subject)
    mine = list(selectors.requests_by(request.user).prefetch_related("subject")[:50])
    return render(request, "approvals/my_tasks.html", {"open_tasks": open_tasks, "decided": decided, "mine": mine})


def _task_page(request, task, *, decision_form=None, transfer_form=None, status=200):
    approval = task.request
    subject = approval.subject
    events = list(selectors.timeline_for(subject)) if subject is not None else []
    person = services.person_of(request.user)
    is_assignee = person is not None and person.pk == task.assignee_id
    context = {
        "task": task, "approval": approval, "subject": subject, "subject_url": _subject_url(subject),
        "events": events, "facts": facts_of(approval),
        "decision_form": decision_form or DecisionForm(),
        "transfer_form": transfer_form or TransferForm(user=request.user),
        "can_transfer": task.status == TaskStatus.OPEN and approval.is_pending
        and (is_assignee or request.user.is_superuser),
        "next": request.POST.get("next") or request.GET.get("next") or "",
    }
    return render(request, "approvals/task_detail.html", context, status=status)


def _visible_task(request, pk):
    qs = ApprovalTask.objects.restrict(request.user, "view").select_related(
        "request", "request__policy_version", "request__requester", "assignee", "acting_for")
    return get_object_or_404(qs, pk=pk)


@login_required
def task_detail(request, pk):
    return _task_page(request, _visible_task(request, pk))


@login_required
@require_POST
def decide(request, pk):
    task = _visible_task(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _task_page(request, task, decision_form=form, status=400)
    try:
        services.decide(task=task, actor=request.user, decision=form.cleaned_data["decision"],
                        opinion=form.cleaned_data["opinion"], choice=form.cleaned_data["choice"])
    except RuleViolation as exc:
        form.add_error(DecisionForm.FIELD_FOR_CODE.get(exc.code), exc.message)
        task.refresh_from_db()
        return _task_page(request, task, decision_form=form, status=_status_for(exc))
    labels = {"approve": _("You approved %(subject)s."), "reject": _("You rejected %(subject)s."),
              "return": _("You returned %(subject)s for changes.")}
    messages.success(request, labels[form.cleaned_data["decision"]] % {"subject": task.request.subject_label})
    return redirect(_safe_next(request, reverse("approvals:my_tasks")))


@login_required
@require_POST
def transfer(request, pk):
    task = _visible_task(request, pk)
    form = TransferForm(request.POST, user=request.user)
    if not form.is_valid():
        return _task_page(request, task, transfer_form=form, status=400)
    try:
        new_task = services.transfer(task=task, actor=request.user, to_person=form.cleaned_data["to_person"],
                                     reason=form.cleaned_data["reason"])
    except RuleViolation as exc:
        form.add_error("to_person" if exc.code in ("invalid_person", "self_approval") else None, exc.message)
        task.refresh_from_db()
        return _task_page(request, task, transfer_form=form, status=_status_for(exc))
    messages.success(request, _("The step was transferred to %(name)s.") % {"name": new_task.assignee})
    return redirect(reverse("approvals:my_tasks"))


# --------------------------------------------------------------------------- requests
def _visible_request(request, pk):
    qs = ApprovalRequest.objects.restrict(request.user, "view").select_related("policy_version",
                                                                               "policy_version__policy", "requester")
    return get_object_or_404(qs, pk=pk)


@login_required
def request_detail(request, pk):
    approval = _visible_request(request, pk)
    subject = approval.subject
    return render(request, "approvals/request_detail.html", {
        "approval": approval, "subject": subject, "subject_url": _subject_url(subject),
        "events": list(selectors.timeline_for(subject)) if subject is not None else [],
        "facts": facts_of(approval), "rules": describe(approval.policy_version.definition),
        "history": list(selectors.approvals_for(subject)) if subject is not None else [],
    })


@login_required
@require_POST
def withdraw(request, pk):
    approval = _visible_request(request, pk)
    try:
        services.withdraw(approval=approval, actor=request.user, reason=request.POST.get("reason", "")[:500])
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The request was withdrawn from approval."))
    return redirect(_safe_next(request, reverse("approvals:request", args=[approval.pk])))


# --------------------------------------------------------------------------- delegations
@login_required
@require_http_methods(["GET", "POST"])
def delegations(request):
    """委托: my delegations (given and received) and a form to delegate my approvals while away."""
    person = services.person_of(request.user)
    form = DelegationForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if person is None:
            raise PermissionDenied(_("Your account is not linked to a person."))
        if form.is_valid():
            try:
                services.create_delegation(
                    person=person, delegate=form.cleaned_data["delegate"], start=form.cleaned_data["start"],
                    end=form.cleaned_data["end"], process_keys=form.cleaned_data["process_keys"],
                    reason=form.cleaned_data["reason"], actor=request.user)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            except RuleViolation as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Your approvals are delegated to %(name)s.") % {
                    "name": form.cleaned_data["delegate"]})
                return redirect("approvals:delegations")
    rows = []
    if person is not None:
        from django.db.models import Q

        rows = list(Delegation.objects.filter(Q(person=person) | Q(delegate=person))
                    .select_related("person", "delegate").order_by("-start", "-id")[:100])
    return render(request, "approvals/delegations.html", {"form": form, "delegations": rows, "person": person,
                                                          "process_labels": {p.key: p.label for p in processes()}},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def end_delegation(request, pk):
    delegation = get_object_or_404(Delegation.objects.restrict(request.user, "view"), pk=pk)
    try:
        services.end_delegation(delegation=delegation, actor=request.user)
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The delegation has ended."))
    return redirect("approvals:delegations")


# --------------------------------------------------------------------------- policies
def _require_policy_viewer(user):
    if not can_view_policies(user):
        raise PermissionDenied(_("Only administrators can see approval policies."))


def _require_policy_editor(user):
    if not can_edit_policies(user):
        raise PermissionDenied(_("Only administrators can change approval policies."))


@login_required
def policy_list(request):
    _require_policy_viewer(request.user)
    policies = list(ApprovalPolicy.objects.select_related("current_version", "current_version__author")
                    .order_by("process_key", "-is_active", "name"))
    by_process = {}
    for policy in policies:
        by_process.setdefault(policy.process_key, []).append(policy)
    rows = []
    for process in processes():
        active = next((p for p in by_process.get(process.key, []) if p.is_active), None)
        current_preset = active.current_version.preset if active and active.current_version else ""
        rows.append({"process": process, "policies": by_process.pop(process.key, []), "active": active,
                     "presets": presets_for(process.key), "current_preset": current_preset})
    orphans = [p for ps in by_process.values() for p in ps]  # policies of processes no app registers now
    return render(request, "approvals/policy_list.html", {"rows": rows, "orphans": orphans,
                                                          "can_edit": can_edit_policies(request.user)})


@login_required
def policy_detail(request, pk):
    _require_policy_viewer(request.user)
    policy = get_object_or_404(ApprovalPolicy.objects.select_related("current_version"), pk=pk)
    versions = list(policy.versions.select_related("author", "author__person").order_by("-number"))
    previous = {v.number: v for v in versions}
    history = []
    for version in versions:
        before = previous.get(version.number - 1)
        history.append({"version": version, "rules": describe(version.definition),
                        "diff": diff_lines(before.definition if before else None, version.definition)})
    return render(request, "approvals/policy_detail.html", {
        "policy": policy, "process": get_process(policy.process_key), "history": history,
        "can_edit": can_edit_policies(request.user),
        "pending_count": ApprovalRequest.objects.filter(policy_version__policy=policy, status="pending").count(),
    })


@login_required
def policy_version(request, pk, number):
    _require_policy_viewer(request.user)
    version = get_object_or_404(ApprovalPolicyVersion.objects.select_related("policy", "author"), policy_id=pk,
                                number=number)
    return render(request, "approvals/policy_version.html", {"version": version, "policy": version.policy,
                                                             "rules": describe(version.definition),
                                                             "definition": json.dumps(version.definition, indent=2,
                                                                                      ensure_ascii=False)})


def _editor_page(request, *, policy, process, definition, errors=None, name="", note="",
                 expected_version=None, status=200):
    errors = errors or {}
    return render(request, "approvals/policy_edit.html", {
        "policy": policy, "process": process, "rules": editor_rules(definition, errors),
        "top_errors": errors.get("rules", []) + errors.get("__all__", []) + errors.get("non_field_errors", []),
        "name_errors": errors.get("name", []),
        "options": editor_options(process), "name": name, "note": note, "expected_version": expected_version,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request, pk):
    """Edit a policy as a structured form; saving creates a new version."""
    _require_policy_editor(request.user)
    policy = get_object_or_404(ApprovalPolicy.objects.select_related("current_version"), pk=pk)
    process = get_process(policy.process_key)
    current = policy.current_version
    if request.method == "GET":
        definition = copy.deepcopy(current.definition) if current else {"rules": [empty_rule()]}
        return _editor_page(request, policy=policy, process=process, definition=definition, name=policy.name,
                            expected_version=current.number if current else None)
    return _editor_post(request, policy=policy, process=process)


@login_required
@require_http_methods(["GET", "POST"])
def policy_create(request, process_key):
    _require_policy_editor(request.user)
    process = get_process(process_key)
    if process is None:
        raise Http404
    if request.method == "GET":
        return _editor_page(request, policy=None, process=process, definition={"rules": [empty_rule()]},
                            name=str(process.label))
    return _editor_post(request, policy=None, process=process)


def _editor_post(request, *, policy, process):
    definition = parse_editor(request.POST)
    op = request.POST.get("_op", "save")
    name = (request.POST.get("name") or "").strip()
    note = (request.POST.get("note") or "").strip()
    expected = request.POST.get("expected_version")
    expected = int(expected) if expected and expected.isdigit() else None
    page = {"policy": policy, "process": process, "name": name, "note": note, "expected_version": expected}
    if op != "save":
        return _editor_page(request, definition=apply_op(definition, op), **page)
    try:
        if policy is None:
            if not name:
                raise ValidationError({"name": [_("Give the policy a name.")]})
            policy = services.create_policy(process_key=process.key, name=name, actor=request.user,
                                            definition=definition, note=note)
        else:
            if name and name != policy.name:
                policy.name = name[:100]
                policy.save(update_fields=["name", "updated"])
            services.save_policy_version(policy=policy, definition=definition, actor=request.user, note=note,
                                         expected_version=expected)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"rules": exc.messages}
        return _editor_page(request, definition=definition, errors=errors, status=400, **page)
    except RuleViolation as exc:
        return _editor_page(request, definition=definition, errors={"rules": [exc.message]},
                            status=_status_for(exc), **page)
    messages.success(request, _("Saved as version %(number)s.") % {"number": policy.current_version.number})
    target = reverse("approvals:policy_detail", args=[policy.pk])
    if getattr(request, "htmx", False):
        from django_htmx.http import HttpResponseClientRedirect

        return HttpResponseClientRedirect(target)
    return redirect(target)


@login_required
@require_POST
def apply_preset(request):
    _require_policy_editor(request.user)
    process_key = request.POST.get("process_key", "")
    variant = request.POST.get("variant", "")
    if get_process(process_key) is None:
        raise Http404
    try:
        version = services.apply_preset(process_key, variant, request.user)
    except (RuleViolation, ValidationError) as exc:
        messages.error(request, getattr(exc, "message", None) or "; ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("approvals:policy_list")
    messages.success(request, _("Preset %(variant)s applied as version %(number)s.") % {
        "variant": variant, "number": version.number})
    return redirect("approvals:policy_detail", version.policy_id)
