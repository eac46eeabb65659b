"""The generic views every domain uses (DESIGN "User interface") and the core pages.

    from zhidu.core.views import ObjectListView, ObjectDetailView, ObjectFormView, ObjectDeleteView
"""

from .attachments import attachment_delete, attachment_download, attachment_upload
from .detail import DEFAULT_TABS, ObjectDetailView, Tab
from .edit import ObjectDeleteView, ObjectFormView
from .home import home
from .lists import ObjectListView
from .mixins import ScopedObjectMixin
from .printing import ObjectPrintView

__all__ = [
    "DEFAULT_TABS",
    "ObjectDeleteView",
    "ObjectDetailView",
    "ObjectFormView",
    "ObjectListView",
    "ObjectPrintView",
    "ScopedObjectMixin",
    "Tab",
    "attachment_delete",
    "attachment_download",
    "attachment_upload",
    "home",
]
