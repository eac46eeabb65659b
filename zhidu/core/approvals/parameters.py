"""Regulation parameters of the approval engine itself (SW-08, 篇1 第十七条: handle steps promptly).

The texts ask that workflow steps be handled "promptly" (及时办理) without a number (catalogue
§26.2), so the organisation sets the hours here before go-live.
"""

from django.utils.translation import gettext_lazy as _

from zhidu.core import params

DEFAULT_DEADLINE_HOURS = "approvals.default_deadline_hours"
ESCALATION_AFTER_HOURS = "approvals.escalation_after_hours"
OPINION_REQUIRED_TO_REFUSE = "approvals.opinion_required_to_refuse"
OPINION_ALWAYS_REQUIRED = "approvals.opinion_always_required"


def define_all() -> None:
    group = _("Approvals")
    params.define(
        key=DEFAULT_DEADLINE_HOURS,
        kind=params.Kind.HOURS,
        default=48,
        label=_("Default time to decide an approval step"),
        article="篇1 第十七条",
        requirement="SW-08",
        help=_("Used for steps whose policy sets no deadline. When it passes, the assignee is reminded once; "
               "0 means steps have no deadline."),
        group=group,
        max_value=24 * 365,
        replace=True,
    )
    params.define(
        key=ESCALATION_AFTER_HOURS,
        kind=params.Kind.HOURS,
        default=24,
        label=_("Escalate an overdue step after"),
        article="篇1 第十七条",
        requirement="SW-08",
        help=_("Hours after the deadline at which an undecided step is escalated to the assignee's line manager "
               "(or the head of their department), who may then decide it. 0 turns escalation off."),
        group=group,
        max_value=24 * 365,
        replace=True,
    )
    params.define(
        key=OPINION_REQUIRED_TO_REFUSE,
        kind=params.Kind.BOOL,
        default=True,
        label=_("An opinion is required to reject or return"),
        article="篇1 第十七条",
        requirement="SW-08",
        help=_("Whoever rejects a request or returns it for changes must write why (明确填写办理意见)."),
        group=group,
        replace=True,
    )
    params.define(
        key=OPINION_ALWAYS_REQUIRED,
        kind=params.Kind.BOOL,
        default=False,
        label=_("An opinion is required for every decision"),
        article="篇1 第十七条",
        requirement="SW-08",
        help=_("When on, approving also needs a written opinion, whatever the step says."),
        group=group,
        replace=True,
    )
