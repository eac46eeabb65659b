"""Core models. Each concern lives in its own module; this package re-exports them."""

from .base import BaseModel  # noqa: F401
from .changelog import ChangeLogEntry, ChangeLogHead  # noqa: F401
from .records import Attachment, DocumentSequence, TimelineEvent  # noqa: F401
