"""Builds the demo organisation (`manage.py load_demo`, run by `zhidu demo`).

Order: the `admin` superuser, the role catalogue (`zhidu.org.roles.seed_roles`), the
organisation (`zhidu.org.demo.load`), then every other Zhidu app's demo hook.

Demo hook contract (for `zhidu/<app>/demo.py`, e.g. zhidu/procurement/demo.py):

    def load(org: zhidu.org.demo.DemoOrg) -> None

* called on every `zhidu demo` start, after the organisation exists, inside the one
  transaction of `load_demo` and inside `context.using(source="system")`;
* must be idempotent (look up what it made, e.g. by a fixed title or number, and create only
  what is missing) and deterministic (fixed data and dates; no randomness without a seed);
* goes through the app's services, as a user would: `org.user("tanglei")` is the employee,
  `org.person("liuzhiqiang")` the IT supervising leader, `org.unit("XSB")` 销售部,
  `org.company`, `org.it_authority` (综合管理部); see zhidu.org.demo.PEOPLE for everyone.
Hooks run in INSTALLED_APPS order.
"""

import importlib
import importlib.util

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction

from . import context
from .demo import DEMO_PASSWORD

SKIP_APPS = {"zhidu.core", "zhidu.org"}


def app_demo_modules():
    """The `demo` modules of the installed Zhidu apps other than core and org, in order."""
    for config in apps.get_app_configs():
        if not config.name.startswith("zhidu.") or config.name in SKIP_APPS:
            continue
        module_name = f"{config.name}.demo"
        if importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        if callable(getattr(module, "load", None)):
            yield module


@transaction.atomic
def load_demo() -> bool:
    """Load (or complete) the demo data; True when something was created."""
    from zhidu.org import demo as org_demo
    from zhidu.org.roles import seed_roles

    User = get_user_model()
    created = False
    with context.using(source=context.Source.SYSTEM):
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", "admin@example.com", DEMO_PASSWORD)
            created = True
        stats = seed_roles()
        created = created or bool(stats["roles_created"])
        org = org_demo.load()
        created = created or org.created
        for module in app_demo_modules():
            module.load(org)
    return created
