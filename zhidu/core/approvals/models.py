"""The approval engine's data (DESIGN "The approval engine", issue #2 §3).

Routing is data: an `ApprovalPolicy` per process type with immutable, numbered
`ApprovalPolicyVersion`s holding the definition (rules → conditions → chain of steps, see
`zhidu.core.approvals.policy`). An `ApprovalRequest` freezes the version it started with; its
`ApprovalTask`s are the decisions people owe. `Delegation` sends a person's tasks to a
stand-in during an absence (委托).
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhidu.core.models.base import BaseModel

from .choices import RequestStatus, TaskStatus


class ApprovalPolicy(BaseModel):
    """How requests of one process type are routed; edited by administrators, versioned.

    At most one active policy per process. The definition lives in `current_version`; every
    edit creates a new version, and requests keep the version they started with.
    """

    process_key = models.CharField(_("process"), max_length=60, db_index=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    current_version = models.ForeignKey(
        "ApprovalPolicyVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("current version"),
    )

    scope_unit_field = None

    class Meta:
        verbose_name = _("approval policy")
        verbose_name_plural = _("approval policies")
        ordering = ["process_key", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["process_key"], condition=Q(is_active=True), name="core_approvalpolicy_one_active",
                violation_error_message=_("A process can have only one active approval policy."),
            ),
        ]

    def __str__(self):
        return self.name


class ApprovalPolicyVersion(BaseModel):
    """One immutable version of a policy's definition, with who made it, when and why."""

    policy = models.ForeignKey(
        ApprovalPolicy, on_delete=models.PROTECT, related_name="versions", verbose_name=_("policy")
    )
    number = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(_("definition"), default=dict)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("author"),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    preset = models.CharField(_("preset"), max_length=60, blank=True)

    scope_unit_field = None

    class Meta:
        verbose_name = _("approval policy version")
        verbose_name_plural = _("approval policy versions")
        ordering = ["policy", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="core_approvalpolicyversion_unique_number"),
        ]

    def __str__(self):
        return f"{self.policy} v{self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("An approval policy version is immutable; create a new version instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("An approval policy version is immutable and cannot be deleted.")


class ApprovalRequest(BaseModel):
    """One run of a subject (a purchase request, a permission change…) through its policy."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    subject = GenericForeignKey("content_type", "object_id")
    subject_label = models.CharField(_("subject"), max_length=200, blank=True)
    process_key = models.CharField(_("process"), max_length=60)
    policy_version = models.ForeignKey(
        ApprovalPolicyVersion, on_delete=models.PROTECT, related_name="requests", verbose_name=_("policy version")
    )
    rule_index = models.PositiveSmallIntegerField(_("rule"), default=0)
    rule_name = models.CharField(_("rule"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.PENDING, db_index=True
    )
    current_step = models.PositiveSmallIntegerField(_("current step"), default=0)
    choice = models.CharField(_("choice"), max_length=40, blank=True)
    requester = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, related_name="approval_requests", verbose_name=_("requester")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    context_data = models.JSONField(_("facts"), default=dict, blank=True)

    scope_unit_field = "requester__department"
    scope_owner_fields = ("requester",)

    class Meta:
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-submitted_at"], name="core_approvalreq_subject"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], condition=Q(status="pending"),
                name="core_approvalrequest_one_pending",
                violation_error_message=_("This object is already in approval."),
            ),
        ]

    def __str__(self):
        return self.subject_label or f"{self.process_key} #{self.pk}"

    @classmethod
    def scope_participant_q(cls, person_id, action):
        if action != "view":
            return None
        return Q(pk__in=ApprovalTask.objects.filter(Q(assignee_id=person_id) | Q(acting_for_id=person_id))
                 .values("request_id"))

    @property
    def is_pending(self) -> bool:
        return self.status == RequestStatus.PENDING

    @property
    def rule(self) -> dict:
        rules = (self.policy_version.definition or {}).get("rules", [])
        return rules[self.rule_index] if self.rule_index < len(rules) else {"steps": []}

    @property
    def steps(self) -> list[dict]:
        return self.rule.get("steps", [])


class ApprovalTask(BaseModel):
    """A decision one person owes on one step of a request (待办)."""

    class Origin(models.TextChoices):
        POLICY = "policy", _("Policy")
        TRANSFER = "transfer", _("Transferred")
        DELEGATION = "delegation", _("Delegated")
        ESCALATION = "escalation", _("Escalated")

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="tasks",
                                verbose_name=_("approval request"))
    step_index = models.PositiveSmallIntegerField(_("step"))
    step_name = models.CharField(_("step"), max_length=200)
    step_key = models.CharField(_("step key"), max_length=60, blank=True)
    assignee = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, related_name="approval_tasks", verbose_name=_("assignee")
    )
    acting_for = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("acting for")
    )
    status = models.CharField(_("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    origin = models.CharField(_("origin"), max_length=12, choices=Origin.choices, default=Origin.POLICY)
    source_task = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="derived_tasks",
        verbose_name=_("from task"),
    )
    opinion = models.TextField(_("opinion"), blank=True)
    choice = models.CharField(_("choice"), max_length=40, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("decided by"),
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)

    scope_unit_field = "request__requester__department"
    scope_owner_fields = ("assignee", "acting_for")

    class Meta:
        verbose_name = _("approval task")
        verbose_name_plural = _("approval tasks")
        ordering = ["request", "step_index", "id"]
        indexes = [
            models.Index(fields=["assignee", "status", "due_at"], name="core_approvaltask_inbox"),
            models.Index(fields=["status", "due_at"], name="core_approvaltask_due"),
        ]

    def __str__(self):
        return f"{self.request} · {self.step_name} · {self.assignee}"

    @classmethod
    def scope_participant_q(cls, person_id, action):
        """The requester and everyone with a task on the request see all its tasks (the chain)."""
        if action != "view":
            return None
        mine = ApprovalTask.objects.filter(Q(assignee_id=person_id) | Q(acting_for_id=person_id)).values("request_id")
        return Q(request__requester_id=person_id) | Q(request_id__in=mine)

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN

    def is_overdue(self, now=None) -> bool:
        from django.utils import timezone

        return self.is_open and self.due_at is not None and self.due_at <= (now or timezone.now())

    @property
    def step(self) -> dict:
        steps = self.request.steps
        return steps[self.step_index] if self.step_index < len(steps) else {}


class Delegation(BaseModel):
    """委托: during [start, end) tasks resolved to `person` go to `delegate` (recorded as acting_for).

    `process_keys` limits it to some processes; empty means every process.
    """

    person = models.ForeignKey(
        "org.Person", on_delete=models.CASCADE, related_name="delegations_given", verbose_name=_("absent person")
    )
    delegate = models.ForeignKey(
        "org.Person", on_delete=models.CASCADE, related_name="delegations_received", verbose_name=_("delegate")
    )
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    process_keys = models.JSONField(_("processes"), default=list, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_unit_field = "person__department"
    scope_owner_fields = ("person", "delegate")

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["-start", "-id"]
        indexes = [models.Index(fields=["person", "is_active", "start", "end"], name="core_delegation_lookup")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="core_delegation_end_after_start",
                violation_error_message=_("The end of a delegation must be after its start."),
            ),
            models.CheckConstraint(
                condition=~Q(person=models.F("delegate")), name="core_delegation_not_self",
                violation_error_message=_("A person cannot delegate to themselves."),
            ),
        ]

    def __str__(self):
        return f"{self.person} → {self.delegate}"

    def covers(self, process_key: str) -> bool:
        return not self.process_keys or process_key in self.process_keys
