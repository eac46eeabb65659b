"""The demo organisation: accounts printed by `zhidu demo`. Loaded by `manage.py load_demo`
(zhidu.core.demo_data.load_demo; the organisation itself is zhidu.org.demo)."""

DEMO_PASSWORD = "Zhidu@2026"


def demo_accounts() -> list[tuple[str, str]]:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(username__in=[u for u, _ in DEMO_ACCOUNTS])
    present = set(users.values_list("username", flat=True))
    return [(u, d) for u, d in DEMO_ACCOUNTS if u in present]


#: The key demo logins (username, who they are). Every demo person has a login; these show the roles.
DEMO_ACCOUNTS: list[tuple[str, str]] = [
    ("admin", "系统管理员 / administrator"),
    ("tanglei", "员工（销售部华东区）/ employee"),
    ("machao", "部门经理（销售部）/ department head"),
    ("liangyan", "部门信息员（销售部）/ department IT officer"),
    ("liuzhiqiang", "信息化主管领导（副总经理，分管综合管理部）/ IT supervising leader"),
    ("zhaolihua", "财务总监 / CFO"),
    ("chenjianhua", "总经理 / general manager"),
    ("wangjianguo", "综合管理部经理（信息化主管部门负责人）/ IT authority head"),
    ("zhangwei", "IT 管理员（信息中心）/ IT staff"),
    ("huanglei", "人事部经理（人事）/ HR"),
    ("sunli", "耗材管理员 / consumables keeper"),
    ("liqiang", "数据保管员、系统管理员 / data custodian"),
    ("qianli", "审计（只读）/ auditor"),
    ("dumin", "上级单位审批人（华信控股集团）/ parent organisation approver"),
]
