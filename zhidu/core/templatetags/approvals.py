"""Template tags of the approval engine: `{% load approvals %}`.

    {% approval_panel_data approval user as panel %}   the chain of steps and the user's open task
    {% approval_of obj as approval %}                   the latest approval request of an object
    {{ event.verb|verb_label }} {{ event.verb|verb_icon }} {{ event.verb|verb_color }}
    {{ task.status|task_status_color }} {{ approval.status|request_status_color }}
"""

from django import template

from zhidu.core.approvals import selectors
from zhidu.core.approvals.timeline import verb_info

register = template.Library()

TASK_COLORS = {"open": "blue", "approved": "green", "rejected": "red", "returned": "orange",
               "transferred": "cyan", "cancelled": "secondary"}
REQUEST_COLORS = {"pending": "blue", "approved": "green", "rejected": "red", "returned": "orange",
                  "withdrawn": "secondary"}


@register.simple_tag
def approval_panel_data(approval, user):
    return selectors.panel_for(approval, user)


@register.simple_tag
def approval_of(obj):
    return selectors.approval_for(obj)


@register.filter
def verb_label(verb):
    return verb_info(verb).label


@register.filter
def verb_icon(verb):
    return verb_info(verb).icon


@register.filter
def verb_color(verb):
    return verb_info(verb).color


@register.filter
def task_status_color(status):
    return TASK_COLORS.get(status, "secondary")


@register.filter
def request_status_color(status):
    return REQUEST_COLORS.get(status, "secondary")


@register.filter
def get_item(mapping, key):
    """`{{ errors|get_item:"name" }}`: a dict value in a template."""
    if not mapping:
        return None
    return mapping.get(key)


@register.filter(name="tr")
def translate_label(text):
    """Translate a label stored in data (a preset's English msgid); other text passes through."""
    from zhidu.core.approvals.policy import tr

    return tr(text)
