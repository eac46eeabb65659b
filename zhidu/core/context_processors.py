from django.apps import apps
from django.urls import NoReverseMatch, reverse

from .registry import MENU
from .scoping import has_perm_anywhere


def navigation(request):
    """The menu, filtered to what the user may see."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {"nav_menu": []}
    groups = []
    for group in sorted(MENU.values(), key=lambda g: g.order):
        items = []
        for item in group.items:
            if not item.any_user and item.model:
                if not has_perm_anywhere(user, apps.get_model(item.model), item.action):
                    continue
            elif not item.any_user and not user.is_superuser:
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            items.append({"label": item.label, "url": url, "icon": item.icon,
                          "active": request.path.startswith(url)})
        if items:
            groups.append({"label": group.label, "icon": group.icon, "items": items,
                           "active": any(i["active"] for i in items)})
    return {"nav_menu": groups}
