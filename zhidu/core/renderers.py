"""A form renderer that writes <select> elements in Python (issue #3 "Performance").

Django renders a select through a template that includes one template per option, and that
include again for the option's attributes: about 0.1–0.2 ms of CPU per option. A list page's
filter form has a few hundred options (categories, units, locations, suppliers, models), which
made it a third of the page's time (bench/profile_list.py). This renderer writes the same
markup for the stock select templates directly and leaves every other template to Django.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.html import format_html, format_html_join

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def render_attrs(attrs: dict):
    """As django/forms/widgets/attrs.html: ` name="value"`, a bare ` name` for True, nothing for False."""
    return format_html_join("", "{}", (
        (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, str(value)),)
        for name, value in attrs.items() if value is not False
    ))


class FastSelectRenderer(DjangoTemplates):
    """DjangoTemplates, except the stock <select> (and its options) written in Python."""

    def render(self, template_name, context, request=None):
        if template_name == SELECT_TEMPLATE:
            html = render_select(context["widget"])
            if html is not None:
                return html
        return super().render(template_name, context, request=request)


def render_select(widget: dict) -> str | None:
    """The markup of django/forms/widgets/select.html, or None when an option has its own template."""
    body = []
    for group_name, options, _index in widget["optgroups"]:
        if any(option["template_name"] != OPTION_TEMPLATE for option in options):
            return None
        rows = format_html_join(
            "", '\n  <option value="{}"{}>{}</option>\n',
            ((str(option["value"]), render_attrs(option["attrs"]), option["label"]) for option in options),
        )
        if group_name:
            body.append(format_html('\n  <optgroup label="{}">{}\n  </optgroup>', group_name, rows))
        else:
            body.append(rows)
    return format_html('<select name="{}"{}>{}\n</select>', widget["name"], render_attrs(widget["attrs"]),
                       format_html_join("", "{}", ((part,) for part in body)))
