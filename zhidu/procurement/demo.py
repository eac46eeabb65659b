"""Demo data of procurement: ~30 purchase requests in every state, made through the services and
the approval engine (so numbers, timelines, approvals and the change log are real), plus a few
self-purchase filings awaiting filing. Deterministic: the same requests every time.

Called by the demo loader as `load(org)`. `org` may be anything (a dict or an object); people
are found through their roles, so this module depends only on the role codes of the catalogue:
it_leader, cfo, it_authority_head, general_manager, it_staff, finance.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from zhidu.core.errors import RuleViolation

from . import services
from .choices import LineCategory, RejectedAction, RequestKind
from .models import PurchaseRequest, SelfPurchaseFiling
from .params import PROCESS_KEY

C = LineCategory

# (item, category, specification, quantity, unit, unit price)
ITEMS = {
    "t14": ("联想 ThinkPad T14 Gen 5 笔记本电脑", C.COMPUTER, "Ultra 7 155U / 32G / 1T SSD / 14\" 2.8K", 1, "台",
            "8999.00"),
    "x1": ("联想 ThinkPad X1 Carbon Gen 12", C.COMPUTER, "Ultra 7 165U / 32G / 1T SSD", 1, "台", "13999.00"),
    "m4000q": ("联想 扬天 M4000q 台式机", C.COMPUTER, "i5-13400 / 16G / 512G SSD / 23.8\" 显示器", 1, "台",
               "4299.00"),
    "p3": ("联想 ThinkStation P3 图形工作站", C.COMPUTER, "i9-14900K / 64G / 2T SSD / RTX A2000", 1, "台",
           "23800.00"),
    "calib": ("明基 SW272U 专业设计显示器", C.COMPUTER, "27\" 4K / 99% Adobe RGB / 遮光罩", 1, "台", "2400.00"),
    "monitor": ("戴尔 P2723D 27 英寸显示器", C.COMPUTER, "2560×1440 / IPS / 可升降", 1, "台", "1899.00"),
    "s5735": ("华为 S5735-L24T4X 接入交换机", C.NETWORK_DEVICE, "24 千兆电口 + 4 万兆光口", 1, "台", "3680.00"),
    "ap": ("华为 AirEngine 5761-11 无线 AP", C.NETWORK_DEVICE, "Wi-Fi 6 / 吸顶", 1, "台", "1450.00"),
    "core": ("华为 CloudEngine S6730 核心交换机", C.NETWORK_CORE, "24 万兆 + 6 40G 上联 / 双电源", 1, "台",
             "36800.00"),
    "server": ("华为 FusionServer 2288H V7 服务器", C.SERVER, "2×Xeon Silver 4410Y / 256G / 6×1.92T SSD / RAID",
               1, "台", "68500.00"),
    "storage": ("华为 OceanStor 5310 存储", C.STORAGE, "双控 / 24×3.84T SSD", 1, "套", "186000.00"),
    "m404": ("惠普 LaserJet Pro M404dn 激光打印机", C.OFFICE_DEVICE, "A4 黑白 / 双面 / 网络", 1, "台", "2299.00"),
    "mfp": ("惠普 LaserJet MFP M437nda 复合机", C.OFFICE_DEVICE, "A3 黑白 / 复印扫描", 1, "台", "6890.00"),
    "projector": ("爱普生 CB-X50 投影仪", C.OFFICE_DEVICE, "3600 流明 / XGA", 1, "台", "3999.00"),
    "camera": ("佳能 EOS R6 Mark II 相机", C.DIGITAL_DEVICE, "24-105mm 套机", 1, "台", "17999.00"),
    "u8": ("用友 U8+ 财务模块授权", C.SOFTWARE, "总账、报表、固定资产 / 10 站点", 1, "套", "38000.00"),
    "k3": ("金蝶 云星空 供应链模块", C.SOFTWARE, "采购、库存、销售 / 20 用户", 1, "套", "56000.00"),
    "office": ("WPS Office 2023 专业版授权", C.SOFTWARE, "每用户订阅 / 1 年", 1, "套", "328.00"),
    "antivirus": ("奇安信 天擎 终端安全授权", C.SOFTWARE, "200 点 / 3 年", 1, "套", "24000.00"),
    "toner": ("惠普 CF259A 硒鼓", C.CONSUMABLE, "原装", 1, "个", "689.00"),
    "ups": ("山特 C3KS 在线式 UPS", C.OTHER, "3kVA / 2 小时延时电池组", 1, "台", "7800.00"),
}

STANDARD = "《公司信息化设备配置标准（2026 版）》办公电脑 B 档"

# key, kind, title, purpose, software, lines [(item key, quantity)], target state, requester group, username of
# the requester in the demo organisation of zhidu.org.demo (others: the next person of the group)
PLAN = [
    ("draft", RequestKind.APPLICATION, "市场部新员工笔记本电脑", "三名新入职市场专员办公使用", "WPS Office、企业微信",
     [("t14", 3)], "draft", "dept", "gaomin"),
    ("draft_incomplete", RequestKind.PLAN, "2026 年下半年财务部电脑更新计划", "", "用友 U8+ 客户端",
     [("m4000q", 6), ("monitor", 6)], "draft", "dept", "zhengxiuying"),
    ("draft2", RequestKind.APPLICATION, "会议室投影仪更换", "三楼会议室投影仪亮度不足", "无", [("projector", 1)],
     "draft", "dept", "yeqing"),
    ("leader1", RequestKind.APPLICATION, "销售部笔记本电脑更新", "销售人员外出办公，旧电脑超过五年使用年限",
     "WPS Office、CRM 客户端", [("t14", 4)], "at_leader", "dept", "tanglei"),
    ("leader2", RequestKind.APPLICATION, "人事部打印机", "人事部原打印机故障无法维修", "无", [("m404", 2)],
     "at_leader", "dept", "linfang"),
    ("leader_boundary", RequestKind.APPLICATION, "设计工作站（5 万元整）", "宣传设计与视频剪辑",
     "Adobe Creative Cloud", [("p3", 2), ("calib", 1)], "at_leader", "dept", "luoting"),
    ("cfo1", RequestKind.PLAN, "财务部软件升级", "总账与固定资产模块升级，满足新会计准则",
     "用友 U8+ 财务模块", [("u8", 1), ("m4000q", 4)], "at_cfo", "dept", "fengjing"),
    ("cfo2", RequestKind.APPLICATION, "机房核心交换机与服务器", "机房核心网络与虚拟化平台扩容",
     "VMware vSphere / 华为 eSight", [("core", 1), ("server", 1)], "at_cfo", "it", "liqiang"),
    ("returned1", RequestKind.APPLICATION, "总经办高配笔记本", "领导出差办公", "WPS Office",
     [("x1", 2)], "returned", "dept", "yeqing"),
    ("returned2", RequestKind.APPLICATION, "市场部活动相机", "活动拍摄与新闻宣传", "Adobe Lightroom",
     [("camera", 1)], "returned", "dept", "gaomin"),
    ("rejected1", RequestKind.APPLICATION, "全员第二显示器", "提升办公效率", "无", [("monitor", 20)],
     "rejected", "dept", "zengxiao"),
    ("rejected2", RequestKind.APPLICATION, "财务部复合机", "打印量增加", "无", [("mfp", 2)], "rejected", "dept", "qianli"),
    ("approved1", RequestKind.APPLICATION, "仓库无线覆盖", "仓库盘点使用 PDA，需要无线网络", "无",
     [("ap", 6), ("s5735", 1)], "approved", "dept", "caiming"),
    ("approved2", RequestKind.APPLICATION, "终端安全软件续期", "原终端杀毒授权到期（SEC-01）", "奇安信天擎",
     [("antivirus", 1)], "approved", "it", "zhoumin"),
    ("quoting1", RequestKind.APPLICATION, "生产部台式机", "车间统计员使用", "WPS Office、MES 客户端",
     [("m4000q", 5)], "quoting", "dept", "jialiang"),
    ("ordered1", RequestKind.APPLICATION, "办公楼接入交换机更换", "老旧交换机频繁掉线", "无", [("s5735", 4)],
     "ordered", "it", "zhangwei"),
    ("ordered2", RequestKind.APPLICATION, "行政部打印机", "行政部打印量大", "无", [("m404", 3), ("toner", 6)],
     "ordered_waiver", "dept", "yeqing"),
    ("ordered3", RequestKind.PLAN, "供应链系统采购", "上线采购与库存管理", "金蝶云星空", [("k3", 1)], "ordered",
     "dept", "weixia"),
    ("partial1", RequestKind.APPLICATION, "研发中心笔记本电脑", "研发人员移动办公", "IDE、WPS Office",
     [("t14", 5)], "partially_accepted", "dept", "xiepeng"),
    ("accepted1", RequestKind.APPLICATION, "UPS 电源", "机房外配线间断电保护", "无", [("ups", 2)], "accepted",
     "it", "liqiang"),
    ("stocked1", RequestKind.APPLICATION, "销售部客服坐席台式机", "客服坐席扩容", "呼叫中心客户端",
     [("m4000q", 8), ("monitor", 8)], "stocked_in", "dept", "liangyan"),
    ("stocked2", RequestKind.APPLICATION, "会议室无线 AP", "会议室无线信号差", "无", [("ap", 4)], "stocked_in", "it", "zhoumin"),
    ("stocked3", RequestKind.APPLICATION, "WPS 正版化", "软件正版化（SW-02）", "WPS Office", [("office", 50)],
     "stocked_in", "it", "sunli"),
    ("reimbursed1", RequestKind.APPLICATION, "财务部打印机", "财务凭证打印", "无", [("m404", 2)], "reimbursed",
     "dept", "zhengxiuying"),
    ("closed1", RequestKind.APPLICATION, "北京分公司笔记本电脑", "客户经理外出办公", "WPS Office", [("x1", 1)], "closed",
     "dept", "changyue"),
    ("closed2", RequestKind.APPLICATION, "研发中心三维设计工作站", "三维设计", "AutoCAD、SolidWorks", [("p3", 1)], "closed",
     "dept", "yuanhao"),
    ("realloc1", RequestKind.APPLICATION, "实习生电脑", "暑期实习生临时使用", "WPS Office", [("m4000q", 3)],
     "reallocated", "dept", "panting"),
    ("realloc2", RequestKind.APPLICATION, "培训室显示器", "培训室显示器老化", "无", [("monitor", 4)],
     "reallocated", "dept", "linfang"),
    ("withdrawn1", RequestKind.APPLICATION, "市场部相机", "展会拍摄", "无", [("camera", 1)], "withdrawn", "dept", "luoting"),
    ("withdrawn2", RequestKind.APPLICATION, "华北区新增岗位台式机", "华北区新设销售内勤岗位", "WPS Office", [("m4000q", 1)],
     "withdrawn_draft", "dept", "caoyang"),
]

SUPPLIERS = ["联想（北京）有限公司", "京东企业购", "神州数码集团股份有限公司", "本地授权经销商 · 恒信科技"]

FILINGS = [
    ("扫描仪", C.OFFICE_DEVICE, "富士通 fi-7160", "60 页/分钟，双面扫描，A4", "富士通", "京东企业购", 40,
     "PaperStream Capture 随机软件", 1, "3280.00", False, "zhengxiuying"),
    ("移动硬盘", C.DIGITAL_DEVICE, "西部数据 My Passport 4TB", "USB 3.2，4TB", "西部数据", "天猫官方旗舰店", 25,
     "无", 2, "1198.00", False, "zengxiao"),
    ("数位板", C.DIGITAL_DEVICE, "Wacom Intuos Pro M", "8192 级压感", "和冠", "京东自营", 12, "Wacom 驱动程序", 1,
     "2599.00", False, "luoting"),
    ("标签打印机", C.OFFICE_DEVICE, "兄弟 PT-P710BT", "蓝牙，24mm 标签", "兄弟", "苏宁易购", 60, "P-touch Editor", 1,
     "699.00", True, "yeqing"),
]


def _holders(role_code: str):
    from zhidu.org.selectors import holders_of_role

    return [p for p in holders_of_role(role_code) if p.user_id]


def _people():
    """The demo cast, found by role (see the module docstring)."""
    from zhidu.org.models import OrgUnit, Person

    it_units = list(OrgUnit.objects.filter(is_it_authority=True).values_list("path", flat=True))
    approver_ids = set()
    cast = {}
    for code in ("it_leader", "cfo", "it_authority_head", "general_manager", "it_staff", "finance"):
        people = _holders(code)
        cast[code] = people[0] if people else None
        approver_ids.update(p.pk for p in people if code in ("it_leader", "cfo", "general_manager"))
    staff = (Person.objects.filter(user__isnull=False, status="active").exclude(pk__in=approver_ids)
             .select_related("department", "user").order_by("employee_no"))
    dept, it = [], []
    for person in staff:
        in_it = any(person.department.path.startswith(path) for path in it_units)
        (it if in_it else dept).append(person)
    cast["dept"] = dept or it
    cast["it"] = it or dept
    return cast


def _lines(spec):
    result = []
    for key, quantity in spec:
        item, category, specification, _q, unit, price = ITEMS[key]
        result.append(services.LineInput(item=item, category=category, specification=specification,
                                         quantity=quantity, unit=unit, unit_price=Decimal(price)))
    return result


def _open_task(request):
    from zhidu.core.approvals import selectors as approval_selectors

    approval = approval_selectors.approval_for(request)
    if approval is None:
        return None
    return (approval.tasks.filter(status="open", assignee__user__isnull=False).select_related("assignee__user")
            .order_by("id").first())


def _decide(request, decision, opinion, choice=""):
    from zhidu.core.approvals import services as approvals

    task = _open_task(request)
    approvals.decide(task=task, actor=task.assignee.user, decision=decision, opinion=opinion, choice=choice)
    request.refresh_from_db()


def _approve_all(request, opinion="同意。", choice=""):
    while request.status == "submitted":
        task = _open_task(request)
        step_choices = [c["value"] for c in task.step.get("choices") or []]
        _decide(request, "approve", opinion, choice if choice in step_choices else (step_choices[0] if step_choices
                                                                                    else ""))


def _advance(request, state, cast, index):
    """Take a freshly created draft to `state` (see PLAN)."""
    requester = request.requester.user
    it = cast["it_staff"].user if cast.get("it_staff") else requester
    finance = cast["finance"].user if cast.get("finance") else it
    it_person = cast["it_staff"] or request.requester
    today = timezone.localdate()
    if state == "draft":
        return
    if state == "withdrawn_draft":
        services.withdraw_request(request=request, actor=requester, reason="岗位暂缓设立，申请取消。")
        return
    services.submit_request(request=request, actor=requester)
    request.refresh_from_db()
    if state in ("at_leader", "at_cfo"):
        return
    if state == "withdrawn":
        services.withdraw_request(request=request, actor=requester, reason="展会取消，不再需要。")
        return
    if state == "returned":
        _decide(request, "return", "请补充现有设备的使用情况及配置标准依据。")
        return
    if state == "rejected":
        _decide(request, "reject", "预算不足，且现有设备可以满足需要，不予采购。")
        return
    if state == "reallocated":
        _approve_all(request, "库存有闲置设备，调剂使用。", choice="reallocate")
        return
    _approve_all(request, "同意采购，请按规定比价。", choice="purchase")
    if state == "approved":
        return
    total = request.total_amount
    n_quotes = 1 if state == "quoting" else (2 if state == "ordered_waiver" else 3)
    for q in range(n_quotes):
        amount = (total * (Decimal("0.97") + Decimal(q) * Decimal("0.02"))).quantize(Decimal("0.01"))
        services.add_quotation(request=request, actor=it, supplier_name=SUPPLIERS[(index + q) % len(SUPPLIERS)],
                               contact=f"销售经理 · 138{index:04d}{q:04d}", amount=min(amount, total),
                               quoted_on=today - datetime.timedelta(days=20 - q))
    if state == "quoting":
        return
    if state == "ordered_waiver":
        services.waive_quotations(request=request, actor=it,
                                  reason="该型号为原厂集采框架协议产品，仅两家授权经销商可供货。")
    cheapest = request.quotations.order_by("amount").first()
    services.create_order(request=request, actor=it, supplier_name=cheapest.supplier_name,
                          contract_no=f"HT-{today.year}-{index + 1:04d}", amount=cheapest.amount,
                          signed_on=today - datetime.timedelta(days=15), quotation=cheapest,
                          notes="货到验收合格后付款。")
    if state in ("ordered", "ordered_waiver"):
        return
    lines = list(request.lines.all())
    if state == "partially_accepted":
        first = lines[0]
        results = [services.AcceptanceInput(line_id=first.pk, accepted_quantity=first.quantity - 1,
                                            rejected_quantity=1, rejected_action=RejectedAction.EXCHANGE,
                                            notes="一台屏幕有坏点，已联系供应商换货。")]
        results += [services.AcceptanceInput(line_id=pl.pk, accepted_quantity=pl.quantity) for pl in lines[1:]]
    else:
        results = [services.AcceptanceInput(line_id=pl.pk, accepted_quantity=pl.quantity, notes="与合同配置清单一致")
                   for pl in lines]
    services.record_acceptance(request=request, actor=it, accepted_by=it_person, results=results,
                               notes="按合同设备配置清单逐项核对。")
    if state in ("partially_accepted", "accepted"):
        return
    services.create_stock_in(request=request, actor=it, received_by=it_person, location="综合楼 2 层 IT 库房")
    if state == "stocked_in":
        return
    order = request.order
    services.record_reimbursement(request=request, actor=finance, amount=order.amount,
                                  invoice_no=f"{44001 + index:05d}{today.year}{index:04d}",
                                  reimbursed_on=today - datetime.timedelta(days=3))
    if state == "closed":
        services.close_request(request=request, actor=it)


def load(org=None, *, stdout=None) -> dict:
    """Create the procurement demo data (idempotent: nothing happens when requests exist)."""
    from zhidu.core.approvals import services as approvals
    from zhidu.core.approvals.models import ApprovalPolicy

    if PurchaseRequest.objects.exists():
        return {"requests": 0, "filings": 0}
    cast = _people()
    if not cast["dept"]:
        return {"requests": 0, "filings": 0}
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    if not ApprovalPolicy.objects.filter(process_key=PROCESS_KEY, is_active=True).exists():
        approvals.apply_preset(PROCESS_KEY, "A", admin, note="演示数据：VAR-01 方案 A")
    created = 0
    skipped = []
    counters = {"dept": 0, "it": 0}
    # Reallocation (调剂) is a choice of VAR-01 (B): those requests run last, under preset B, which is
    # then put back to A (the policy history shows it).
    ordered_plan = sorted(enumerate(PLAN), key=lambda item: item[1][6] == "reallocated")
    switched = False
    named = getattr(org, "people", None) or {}
    for index, (key, kind, title, purpose, software, spec, state, group, username) in ordered_plan:
        requester = named.get(username)
        if requester is None or requester.user_id is None or requester.status != "active":
            people = cast[group]
            requester = people[counters[group] % len(people)]
            counters[group] += 1
        if state == "reallocated" and not switched:
            approvals.apply_preset(PROCESS_KEY, "B", admin, note="演示数据：方案 B（办公室审核可选择调剂）")
            switched = True
        try:
            with transaction.atomic():
                request = services.create_request(
                    requester=requester, actor=requester.user, kind=kind, title=title, purpose=purpose,
                    software_needs=software,
                    configuration_standard=STANDARD if key != "draft_incomplete" else "",
                    lines=_lines(spec), needed_by=timezone.localdate() + datetime.timedelta(days=30 + index),
                )
                _advance(request, state, cast, index)
            created += 1
        except RuleViolation as exc:  # a role the demo organisation lacks: skip that request
            skipped.append(f"{key}: {exc}")
    if switched:
        approvals.apply_preset(PROCESS_KEY, "A", admin, note="演示数据：恢复方案 A（篇1 第九条(2)）")
    filings = 0
    for i, (item, category, model, perf, maker, supplier, days, software, qty, amount, filed, username) in enumerate(
            FILINGS):
        person = named.get(username)
        if person is None or person.user_id is None:
            person = cast["dept"][(i * 3) % len(cast["dept"])]
        filing = services.register_self_purchase(
            actor=person.user, registered_by=person, item=item, category=category, model_name=model,
            performance=perf, manufacturer=maker, supplier=supplier,
            purchase_date=timezone.localdate() - datetime.timedelta(days=days), software_info=software,
            quantity=qty, amount=Decimal(amount))
        if filed and cast.get("it_staff"):
            services.file_self_purchase(filing=filing, actor=cast["it_staff"].user, note="已核对并登记入资产台账。")
        filings += 1
    if stdout is not None:
        stdout.write(f"procurement: {created} purchase requests, {filings} self-purchase filings\n")
        for line in skipped:
            stdout.write(f"  skipped {line}\n")
    return {"requests": created, "filings": filings, "skipped": skipped,
            "unfiled": SelfPurchaseFiling.objects.filter(status="unfiled").count()}
