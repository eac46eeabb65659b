#!/usr/bin/env python
"""Deterministic benchmark data: an organisation and N purchase requests in mixed states.

    uv run python bench/generate.py --requests 10000 --db sqlite:///var/bench.sqlite3 --reset
    uv run python bench/generate.py --requests 100000 \
        --db postgresql://postgres@127.0.0.1:5432/zhidu_bench --reset

The same --seed and --requests give the same data (names, amounts, states, dates) on every
machine and database. What is created:

* the org: a group company with 12 departments (综合管理部 is the IT authority) of 2–3
  sections each; max(200, N/40) people with a login each, roles seeded from the catalogue
  (`org.roles.seed_roles`), the employee role for everybody, a dept_head per department;
* the bench accounts of `bench/common.py` (password BENCH_PASSWORD): bench_it (it_staff,
  whole organisation), bench_head (dept_head of 生产技术部 and its sections), bench_leader
  (it_leader), bench_cfo (cfo), bench_employee;
* the VAR-01 preset (A) as the active purchase approval policy;
* N purchase requests (numbers CG-YYYY-NNNNNN, created 2023-01 … 2026-10 in id order) with
  1–4 lines each, in the states of a live system (draft, in approval, returned, rejected,
  withdrawn, approved … closed); for every submitted request an ApprovalRequest with its task
  (to the it_leader up to 50,000.00 CNY inclusive, else the CFO, as preset A routes).

Speed: requests, lines, approvals, people and logins are written with `bulk_create` in
batches, which sends no signals, so **bench data bypasses the change log** (and writes no
timeline events, quotations, orders, acceptances or stock-ins; the list pages read none of
them). `--changelog` also writes one hash-chained "create" entry per request and per line,
as the services would, so the change-log table has a realistic size; `zhidu check-audit`
verifies that chain. The org units and roles go through the ORM and are change-logged as usual.

The schema: `--schema syncdb` (default) builds the tables from the current models with
migrations disabled (like `pytest --nomigrations`); `--schema migrate` runs the migrations.
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
import time
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

BATCH = 2000
START = datetime.datetime(2023, 1, 1, 1, 0, tzinfo=datetime.UTC)
END = datetime.datetime(2026, 10, 31, 9, 0, tzinfo=datetime.UTC)
THRESHOLD = Decimal("50000.00")

# code, name, sections, is_it_authority
DEPARTMENTS = [
    ("ZHGLB", "综合管理部", ["信息中心", "行政科"], True),
    ("CWB", "财务部", ["会计科", "资金科"], False),
    ("RSB", "人事部", ["招聘科", "薪酬科"], False),
    ("SCJSB", "生产技术部", ["生产一科", "生产二科", "调度室"], False),
    ("AQHBB", "安全环保部", ["安全科", "环保科"], False),
    ("XSB", "销售部", ["华东区", "华北区", "华南区"], False),
    ("CGB", "采购部", ["采购一科", "采购二科"], False),
    ("JDB", "机电部", ["机修科", "电气科"], False),
    ("ZJZX", "质检中心", ["化验室", "计量室"], False),
    ("WLB", "物流部", ["仓储科", "运输科"], False),
    ("YFZX", "研发中心", ["软件一部", "软件二部", "测试部"], False),
    ("DQB", "党群工作部", ["宣传科", "工会"], False),
]
HEAD_DEPARTMENT = "SCJSB"  # bench_head is dept_head here

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰飞鹏辉建国志红宇晨浩然思雨欣怡子涵梓轩佳琪"

# item, category, specification, unit, base unit price
ITEMS = [
    ("ThinkPad T14 笔记本电脑", "computer", "i7/16G/512G SSD/14英寸", "台", 6500),
    ("联想启天 M437 台式机", "computer", "i5/16G/512G SSD", "台", 4800),
    ("华为 MateBook 14", "computer", "i5/16G/1T SSD", "台", 5999),
    ("戴尔 U2723QE 显示器", "digital_device", "27英寸 4K", "台", 3200),
    ("惠普 M406dn 激光打印机", "office_device", "A4 黑白 双面 网络", "台", 2600),
    ("爱普生 CB-X06 投影仪", "office_device", "3600流明 XGA", "台", 3900),
    ("佳能 LiDE 400 扫描仪", "office_device", "A4 平板", "台", 900),
    ("华为 S5735 交换机", "network_device", "48口千兆 4光口", "台", 5200),
    ("无线 AP", "network_device", "WiFi 6 吸顶式", "台", 1200),
    ("海康威视 网络摄像机", "digital_device", "400万像素 红外", "台", 800),
    ("WPS Office 专业版授权", "software", "年度授权", "套", 420),
    ("终端杀毒软件授权", "software", "企业版 终端授权", "套", 80),
    ("硒鼓 HP 58A", "consumable", "原装", "个", 650),
    ("UPS 不间断电源", "other", "3kVA 在线式", "台", 4500),
]
IT_ONLY_ITEMS = [
    ("机架式服务器", "server", "2×银牌4314/256G/8×2.4T", "台", 38000),
    ("存储扩展柜", "storage", "12×8T NL-SAS", "台", 26000),
]
TITLES = ["办公电脑更新", "新员工办公设备配置", "打印机更换", "会议室投影设备", "网络设备扩容", "软件正版化采购",
          "显示器更换", "视频监控补点", "UPS 电源更换", "扫描设备配置", "年度耗材采购", "移动办公设备"]
PURPOSES = ["现有设备使用超过六年，故障频繁，影响日常办公。", "新入职员工办公使用。", "部门业务扩展，需增加办公设备。",
            "会议室改造，需配置投影及音视频设备。", "落实软件正版化要求。", "满足生产现场信息化需要。"]

# status, weight: the mix of a system that has run for a few years
STATUS_MIX = [
    ("draft", 8), ("submitted", 12), ("returned", 3), ("rejected", 4), ("withdrawn", 2), ("approved", 8),
    ("reallocated", 1), ("quoting", 7), ("ordered", 7), ("partially_accepted", 3), ("accepted", 6),
    ("stocked_in", 8), ("reimbursed", 8), ("closed", 23),
]
APPROVED_OR_LATER = {"approved", "reallocated", "quoting", "ordered", "partially_accepted", "accepted", "stocked_in",
                     "reimbursed", "closed"}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10_000, help="number of purchase requests (default 10000)")
    parser.add_argument("--people", type=int, default=None, help="number of people (default max(200, N/40))")
    parser.add_argument("--db", required=True,
                        help="DATABASE_URL, e.g. sqlite:///var/bench.sqlite3 or "
                             "postgresql://postgres@127.0.0.1:5432/zhidu_bench")
    parser.add_argument("--seed", type=int, default=20260302, help="random seed (default 20260302)")
    parser.add_argument("--reset", action="store_true",
                        help="empty the database first (deletes the SQLite file / drops the public schema)")
    parser.add_argument("--schema", choices=("syncdb", "migrate"), default="syncdb",
                        help="build tables from the models (syncdb, default) or run the migrations")
    parser.add_argument("--changelog", action="store_true",
                        help="also write hash-chained change-log entries for the requests and lines")
    return parser.parse_args(argv)


def log(message: str) -> None:
    print(message, flush=True)


# -- database ------------------------------------------------------------------------------
def reset_sqlite(url: str) -> None:
    path = url.split("sqlite:///", 1)[1]
    if not path or path == ":memory:":
        return
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(path + suffix).unlink(missing_ok=True)
    Path(path).parent.mkdir(parents=True, exist_ok=True)


def reset_postgres() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA IF EXISTS public CASCADE")
        cursor.execute("CREATE SCHEMA public")


def build_schema(schema: str) -> None:
    from django.core.management import call_command

    call_command("migrate", run_syncdb=(schema == "syncdb"), verbosity=0, interactive=False)


def refuse_if_populated() -> None:
    from django.db import connection

    from zhidu.procurement.models import PurchaseRequest

    if PurchaseRequest._meta.db_table in connection.introspection.table_names() and PurchaseRequest.objects.exists():
        sys.exit("The database already holds purchase requests: pass --reset to start from an empty one.")


@contextmanager
def manual_timestamps(*models):
    """Let bulk_create keep the `created`/`updated` we set (auto_now* would overwrite them)."""
    saved = []
    for model in models:
        for name in ("created", "updated"):
            field = model._meta.get_field(name)
            saved.append((field, field.auto_now, field.auto_now_add))
            field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


# -- the organisation ------------------------------------------------------------------------
def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def build_org(rng: random.Random, people_count: int):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from zhidu.org.choices import UnitKind
    from zhidu.org.models import OrgUnit, Person, Role, RoleAssignment
    from zhidu.org.roles import seed_roles

    seed_roles()
    roles = {role.code: role for role in Role.objects.all()}

    root = OrgUnit.objects.create(name="龙化能源集团有限公司", code="BENCH", kind=UnitKind.COMPANY)
    departments, leaves = {}, []
    for order, (code, name, sections, it_authority) in enumerate(DEPARTMENTS, start=1):
        dept = OrgUnit.objects.create(name=name, code=code, parent=root, kind=UnitKind.DEPARTMENT,
                                      is_it_authority=it_authority, sort_order=order)
        departments[code] = dept
        leaves.append(dept)
        for i, section in enumerate(sections, start=1):
            leaves.append(OrgUnit.objects.create(name=section, code=f"{code}-{i}", parent=dept,
                                                 kind=UnitKind.SECTION, sort_order=i))

    User = get_user_model()
    password = make_password(common.BENCH_PASSWORD)
    special = [
        (common.IT_STAFF, "白信息", departments["ZHGLB"]),
        (common.DEPT_HEAD, "黄主任", departments[HEAD_DEPARTMENT]),
        (common.IT_LEADER, "王主管", departments["ZHGLB"]),
        (common.CFO, "李财务总监", departments["CWB"]),
        (common.EMPLOYEE, "张员工", departments[HEAD_DEPARTMENT]),
    ]
    rows = [(username, name, unit) for username, name, unit in special]
    for n in range(1, people_count + 1):
        rows.append((f"u{n:06d}", person_name(rng), rng.choice(leaves)))
    users = User.objects.bulk_create(
        [User(username=username, email=f"{username}@bench.example.cn", password=password, is_active=True)
         for username, _name, _unit in rows],
        batch_size=BATCH,
    )
    people = Person.objects.bulk_create(
        [Person(employee_no=f"B{i:06d}", name=name, department=unit, user=user, status="active",
                hire_date=datetime.date(2015, 1, 1) + datetime.timedelta(days=rng.randrange(3650)))
         for i, ((_username, name, unit), user) in enumerate(zip(rows, users, strict=True), start=1)],
        batch_size=BATCH,
    )
    by_username = {row[0]: person for row, person in zip(rows, people, strict=True)}

    assignments = [RoleAssignment(person=p, role=roles["employee"], unit=None) for p in people]
    assignments += [
        RoleAssignment(person=by_username[common.IT_STAFF], role=roles["it_staff"], unit=None),
        RoleAssignment(person=by_username[common.IT_LEADER], role=roles["it_leader"], unit=None),
        RoleAssignment(person=by_username[common.CFO], role=roles["cfo"], unit=None),
        RoleAssignment(person=by_username[common.DEPT_HEAD], role=roles["dept_head"],
                       unit=departments[HEAD_DEPARTMENT], include_subtree=True),
    ]
    # A head for every other department: the first person found in it.
    heads = {HEAD_DEPARTMENT: by_username[common.DEPT_HEAD]}
    for person, (_u, _n, unit) in zip(people[len(special):], rows[len(special):], strict=True):
        code = unit.code.split("-")[0]
        if code not in heads:
            heads[code] = person
            assignments.append(RoleAssignment(person=person, role=roles["dept_head"], unit=departments[code],
                                              include_subtree=True))
    RoleAssignment.objects.bulk_create(assignments, batch_size=BATCH)
    for code, person in heads.items():
        OrgUnit.objects.filter(pk=departments[code].pk).update(head=person)

    requesters = people[len(special):] + [by_username[common.EMPLOYEE]] * 3
    return {"root": root, "departments": departments, "people": people, "requesters": requesters,
            "by_username": by_username}


# -- requests ----------------------------------------------------------------------------------
def make_lines(rng: random.Random, it_authority: bool) -> list[tuple]:
    lines = []
    for position in range(1, rng.choice((1, 1, 2, 2, 2, 3, 4)) + 1):
        pool = ITEMS + IT_ONLY_ITEMS if it_authority and rng.random() < 0.15 else ITEMS
        item, category, spec, unit, base = rng.choice(pool)
        quantity = rng.choice((1, 1, 1, 2, 2, 3, 4, 5, 6, 8, 10, 12))
        price = (Decimal(base) * Decimal(rng.randrange(85, 116)) / 100).quantize(Decimal("1.00"))
        lines.append((position, item, category, spec, unit, quantity, price))
    return lines


def weighted_status(rng: random.Random) -> str:
    total = sum(w for _s, w in STATUS_MIX)
    pick = rng.uniform(0, total)
    for status, weight in STATUS_MIX:
        pick -= weight
        if pick <= 0:
            return status
    return STATUS_MIX[-1][0]


def generate_requests(rng: random.Random, org, count: int, *, changelog: bool) -> dict:
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from zhidu.core.approvals.models import ApprovalPolicy, ApprovalRequest, ApprovalTask
    from zhidu.core.models import DocumentSequence
    from zhidu.procurement.models import PurchaseLine, PurchaseRequest
    from zhidu.procurement.params import PROCESS_KEY

    policy = ApprovalPolicy.objects.get(process_key=PROCESS_KEY, is_active=True)
    version = policy.current_version
    ct = ContentType.objects.get_for_model(PurchaseRequest)
    leader = org["by_username"][common.IT_LEADER]
    cfo = org["by_username"][common.CFO]
    requesters = org["requesters"]
    span = (END - START).total_seconds()
    sequences: dict[int, int] = {}
    stats = {"requests": 0, "lines": 0, "approvals": 0, "tasks": 0, "changelog": 0}

    with manual_timestamps(PurchaseRequest, PurchaseLine, ApprovalRequest, ApprovalTask):
        for start in range(0, count, BATCH):
            stop = min(count, start + BATCH)
            requests, line_rows, approval_rows = [], [], []
            for i in range(start, stop):
                requester = rng.choice(requesters)
                dept = requester.department
                created = START + datetime.timedelta(seconds=span * i / count + rng.randrange(3600))
                year = created.astimezone(datetime.timezone(datetime.timedelta(hours=8))).year
                sequences[year] = sequences.get(year, 0) + 1
                lines = make_lines(rng, dept.code.startswith("ZHGLB"))
                total = sum((Decimal(q) * p for *_x, q, p in lines), Decimal("0.00")).quantize(Decimal("0.01"))
                status = weighted_status(rng)
                submitted = status != "draft"
                submitted_at = created + datetime.timedelta(hours=rng.randrange(1, 72)) if submitted else None
                decided = status in APPROVED_OR_LATER or status in ("rejected",)
                decided_at = submitted_at + datetime.timedelta(hours=rng.randrange(2, 120)) if decided else None
                updated = decided_at or submitted_at or created
                if status == "closed":
                    updated = decided_at + datetime.timedelta(days=rng.randrange(10, 90))
                request = PurchaseRequest(
                    number=f"CG-{year}-{sequences[year]:06d}",
                    kind="plan" if rng.random() < 0.1 else "application",
                    title=f"{dept.name}{rng.choice(TITLES)}",
                    requester=requester, department=dept,
                    purpose=rng.choice(PURPOSES), software_needs="Windows 11、WPS Office",
                    configuration_standard="公司标准办公电脑配置（2026版）",
                    needed_by=(created + datetime.timedelta(days=rng.randrange(14, 90))).date(),
                    status=status, total_amount=total,
                    routing_amount=total if submitted else None,
                    approval_choice=("reallocate" if status == "reallocated" else
                                     "purchase" if status in APPROVED_OR_LATER else ""),
                    submitted_at=submitted_at, decided_at=decided_at,
                    closed_at=updated if status == "closed" else None,
                    created_by=requester.user, created=created, updated=updated,
                )
                requests.append(request)
                line_rows.append(lines)
                approval_rows.append((status, submitted_at, decided_at, total))

            with transaction.atomic():
                PurchaseRequest.objects.bulk_create(requests, batch_size=BATCH)
                line_objs = []
                for request, lines in zip(requests, line_rows, strict=True):
                    for position, item, category, spec, unit, quantity, price in lines:
                        line_objs.append(PurchaseLine(
                            request=request, position=position, item=item, category=category, specification=spec,
                            quantity=quantity, unit=unit, unit_price=price,
                            amount=(Decimal(quantity) * price).quantize(Decimal("0.01")),
                            created=request.created, updated=request.created,
                        ))
                PurchaseLine.objects.bulk_create(line_objs, batch_size=BATCH)

                approvals, tasks = [], []
                for request, (status, submitted_at, decided_at, total) in zip(requests, approval_rows, strict=True):
                    if submitted_at is None:
                        continue
                    to_cfo = total > THRESHOLD
                    a_status, t_status = {
                        "submitted": ("pending", "open"), "returned": ("returned", "returned"),
                        "rejected": ("rejected", "rejected"), "withdrawn": ("withdrawn", "cancelled"),
                    }.get(status, ("approved", "approved"))
                    finished = decided_at or (None if a_status == "pending" else submitted_at
                                              + datetime.timedelta(hours=30))
                    approvals.append(ApprovalRequest(
                        content_type=ct, object_id=str(request.pk), subject_label=str(request)[:200],
                        process_key=PROCESS_KEY, policy_version=version, rule_index=1 if to_cfo else 0,
                        rule_name="Above the threshold" if to_cfo else "Up to the threshold (inclusive)",
                        status=a_status, requester=request.requester, submitted_by=request.created_by,
                        submitted_at=submitted_at, finished_at=finished, context_data={"amount": str(total)},
                        created=submitted_at, updated=finished or submitted_at,
                    ))
                    assignee = cfo if to_cfo else leader
                    tasks.append(ApprovalTask(
                        step_index=0, step_name="CFO approval" if to_cfo else "IT supervising leader approval",
                        step_key="cfo" if to_cfo else "it_leader", assignee=assignee, status=t_status,
                        opinion="" if t_status in ("open", "cancelled") else rng.choice(
                            ["同意。", "同意采购，注意比价。", "请补充配置说明。", "预算不足，暂缓。"]),
                        decided_at=finished if t_status not in ("open", "cancelled") else None,
                        decided_by=assignee.user if t_status not in ("open", "cancelled") else None,
                        due_at=submitted_at + datetime.timedelta(hours=48),
                        created=submitted_at, updated=finished or submitted_at,
                    ))
                ApprovalRequest.objects.bulk_create(approvals, batch_size=BATCH)
                for approval, task in zip(approvals, tasks, strict=True):
                    task.request = approval
                ApprovalTask.objects.bulk_create(tasks, batch_size=BATCH)
                if changelog:
                    stats["changelog"] += write_changelog([*requests, *line_objs])

            stats["requests"] += len(requests)
            stats["lines"] += len(line_objs)
            stats["approvals"] += len(approvals)
            stats["tasks"] += len(tasks)
            if stop % 10_000 == 0 or stop == count:
                log(f"  {stop:>7} requests")

    for year, last in sequences.items():
        DocumentSequence.objects.update_or_create(key="CG", year=year, defaults={"last": last})
    return stats


def write_changelog(objects) -> int:
    """One chained "create" entry per object, exactly as the post_save handler writes it."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from zhidu.core.changelog import GENESIS, entry_digest, normalize, snapshot
    from zhidu.core.models.changelog import ChangeLogEntry, ChangeLogHead

    with transaction.atomic():
        head, _ = ChangeLogHead.objects.select_for_update().get_or_create(id=1)
        prev = head.last_hash or GENESIS
        entries = []
        for obj in objects:
            entry = ChangeLogEntry(
                time=obj.created, actor=None, actor_name="", request_id="", source="bench", ip=None,
                content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
                object_id=str(obj.pk), object_repr=str(obj)[:200], action=ChangeLogEntry.Action.CREATE,
                before=None, after=normalize(snapshot(obj)), prev_hash=prev,
            )
            entry.hash = prev = entry_digest(entry, prev)
            entries.append(entry)
        ChangeLogEntry.objects.bulk_create(entries, batch_size=1000)
        last = ChangeLogEntry.objects.order_by("-id").values_list("id", "hash").first()
        head.last_id, head.last_hash = last
        head.save(update_fields=["last_id", "last_hash"])
    return len(entries)


def analyze() -> None:
    """Fresh planner statistics, as a database that has run for a while has them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.db.startswith("sqlite") and args.reset:
        reset_sqlite(args.db)
    common.setup_django(args.db, syncdb=args.schema == "syncdb")
    from django.db import connection

    if args.reset and connection.vendor == "postgresql":
        reset_postgres()
    if not args.reset:
        refuse_if_populated()
    t0 = time.perf_counter()
    build_schema(args.schema)
    log(f"schema ({args.schema}) on {common.describe_db(args.db)}: {time.perf_counter() - t0:.1f}s")

    rng = random.Random(args.seed)
    people = args.people or max(200, args.requests // 40)
    t1 = time.perf_counter()
    org = build_org(rng, people)
    from zhidu.procurement.approval import apply_preset

    apply_preset("A", actor=None)
    log(f"org: {len(org['departments'])} departments, {len(org['people'])} people with logins "
        f"({time.perf_counter() - t1:.1f}s)")

    t2 = time.perf_counter()
    stats = generate_requests(rng, org, args.requests, changelog=args.changelog)
    took = time.perf_counter() - t2
    analyze()
    log(f"requests: {stats['requests']} with {stats['lines']} lines, {stats['approvals']} approvals, "
        f"{stats['tasks']} tasks, {stats['changelog']} change-log entries in {took:.1f}s "
        f"({stats['requests'] / took:.0f} requests/s)")
    log(f"bench accounts: {common.IT_STAFF}, {common.DEPT_HEAD}, {common.IT_LEADER}, {common.CFO}, "
        f"{common.EMPLOYEE} (password {common.BENCH_PASSWORD})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
