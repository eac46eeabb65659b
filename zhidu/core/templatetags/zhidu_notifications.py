"""`{% notification_bell %}`: the bell with the unread count in the navbar (base.html)."""

from django import template

from zhidu.core.notifications import unread_count

register = template.Library()


@register.inclusion_tag("notifications/_bell.html", takes_context=True)
def notification_bell(context):
    user = context.get("user")
    return {"unread": unread_count(user) if user is not None and user.is_authenticated else 0}
