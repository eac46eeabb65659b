"""Core models. Each concern lives in its own module; this package re-exports them."""

from zhidu.core.approvals.models import (  # noqa: F401
    ApprovalPolicy,
    ApprovalPolicyVersion,
    ApprovalRequest,
    ApprovalTask,
    Delegation,
)
from zhidu.core.params.models import ParameterChange, ParameterRevision, ParameterValue  # noqa: F401

from .background import BackgroundJob  # noqa: F401
from .base import BaseModel  # noqa: F401
from .changelog import ChangeLogEntry, ChangeLogHead  # noqa: F401
from .jobs import JobRun  # noqa: F401
from .notifications import Notification  # noqa: F401
from .records import Attachment, DocumentSequence, TimelineEvent  # noqa: F401
