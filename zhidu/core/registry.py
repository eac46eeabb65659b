"""What apps contribute to the shared UI: menu entries and panels on the home page.

Apps register in their AppConfig.ready(), so the core never imports a domain app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    icon: str = "point"
    model: str | None = None  # "app_label.ModelName": shown when the user may view it somewhere
    action: str = "view"
    any_user: bool = False


@dataclass
class MenuGroup:
    key: str
    label: str
    icon: str
    order: int = 100
    items: list[MenuItem] = field(default_factory=list)


@dataclass(frozen=True)
class HomePanel:
    """A block on 我的待办: `build(request)` returns a context dict, or None to hide it."""

    key: str
    template: str
    build: Callable
    order: int = 100


MENU: dict[str, MenuGroup] = {}
HOME_PANELS: dict[str, HomePanel] = {}


def register_menu(group_key: str, group_label, icon: str, items: list[MenuItem], order: int = 100) -> None:
    group = MENU.setdefault(group_key, MenuGroup(key=group_key, label=group_label, icon=icon, order=order))
    known = {i.url_name for i in group.items}
    group.items.extend(i for i in items if i.url_name not in known)


def register_home_panel(panel: HomePanel) -> None:
    HOME_PANELS[panel.key] = panel
