"""The demo organisation: accounts printed by `zhidu demo`. Loaded by `manage.py load_demo`."""

DEMO_PASSWORD = "Zhidu@2026"


def demo_accounts() -> list[tuple[str, str]]:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(username__in=[u for u, _ in DEMO_ACCOUNTS])
    present = set(users.values_list("username", flat=True))
    return [(u, d) for u, d in DEMO_ACCOUNTS if u in present]


DEMO_ACCOUNTS: list[tuple[str, str]] = [
    ("admin", "系统管理员 / administrator"),
]
