"""Home page (我的待办)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ..registry import HOME_PANELS


@login_required
def home(request):
    """我的待办: what waits for me, then what I asked for; panels come from the apps."""
    panels = []
    for panel in sorted(HOME_PANELS.values(), key=lambda p: p.order):
        data = panel.build(request)
        if data is not None:
            panels.append({"template": panel.template, **data})
    return render(request, "core/home.html", {"panels": panels})
