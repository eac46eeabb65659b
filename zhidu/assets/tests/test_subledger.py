"""Sub-ledgers (分帐), 帐、物、签相符 and handover lists (设备交接清单): SCH-08, SCH-10, AST-24.

Services (membership, totals, summary, reconciliation from a real stock-take and real label
printing, the handover with two confirmations), pages (scope 404/403, export, print, pinned
queries) and the API (400/403/404/409)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from rest_framework.test import APIClient

from zhidu.assets.choices import AssetStatus
from zhidu.assets.models import Asset, SubLedger
from zhidu.assets.services import depreciated_value
from zhidu.assets.services import stocktake as stocktake_services
from zhidu.assets.services import subledger as services
from zhidu.core.errors import Conflict, RuleViolation
from zhidu.core.testing import assert_constant_queries, make_user, read_csv, read_xlsx

from .factories import AssetCategoryFactory, AssetFactory, LocationFactory, OrgUnitFactory

pytestmark = pytest.mark.django_db

STAFF_PERMS = ["assets.view_subledger", "assets.add_subledger", "assets.change_subledger",
               "assets.delete_subledger", "assets.view_subledgerhandover", "assets.add_subledgerhandover",
               "assets.change_subledgerhandover", "assets.delete_subledgerhandover", "assets.view_asset",
               "assets.view_stocktakeplan", "assets.add_stocktakeplan", "assets.count_stocktakeplan",
               "assets.reconcile_stocktakeplan", "org.view_orgunit", "org.view_person"]
VIEW_PERMS = ["assets.view_subledger", "assets.view_subledgerhandover", "assets.view_asset"]


@pytest.fixture
def s():
    school = OrgUnitFactory(name="信息中心")
    other = OrgUnitFactory(name="财务部")
    lab = LocationFactory(code="LAB1", name="网络教室一")
    row = LocationFactory(code="LAB1-A", name="网络教室一 A 排", parent=lab)
    meeting = LocationFactory(code="MR", name="多媒体会议室")
    pc = AssetCategoryFactory(code="pc", name="计算机")
    projector = AssetCategoryFactory(code="projector", name="投影仪")
    lab_pcs = [AssetFactory(number=f"ZC-2026-00000{i}", department=school, location=lab, category=pc)
               for i in (1, 2)]
    lab_pcs.append(AssetFactory(number="ZC-2026-000003", department=school, location=row, category=pc))
    disposed = AssetFactory(number="ZC-2026-000009", department=school, location=lab, category=pc,
                            status=AssetStatus.DISPOSED)
    beamer = AssetFactory(number="ZC-2026-000004", department=school, location=meeting, category=projector,
                          purchase_price=Decimal("12000.00"))
    stray = AssetFactory(number="ZC-2026-000005", department=school, location=meeting, category=pc)
    staff = make_user(perms=STAFF_PERMS, scope=None, department=school)
    keeper = make_user(department=school, name="网络教室管理教师甲")
    successor = make_user(department=school, name="网络教室管理教师乙")
    viewer = make_user(perms=VIEW_PERMS, scope=school, department=school)
    outsider = make_user(perms=STAFF_PERMS, scope=other, department=other)
    lab_ledger = services.save_subledger(actor=staff, code="lab1", name="网络教室一", department=school,
                                         keeper=keeper.person, locations=[lab])
    meeting_ledger = services.save_subledger(actor=staff, code="mr", name="多媒体会议室", department=school,
                                             categories=[projector], locations=[meeting])
    return {**locals()}


# --------------------------------------------------------------------------- services


def test_membership_uses_sub_locations_and_skips_cards_off_the_books(s):
    numbers = set(services.subledger_assets(s["lab_ledger"]).values_list("number", flat=True))
    assert numbers == {"ZC-2026-000001", "ZC-2026-000002", "ZC-2026-000003"}  # the A-row card too, not the disposed
    assert list(services.subledger_assets(s["meeting_ledger"]).values_list("number", flat=True)) == ["ZC-2026-000004"]
    by_unit = services.save_subledger(actor=s["staff"], code="school-pc", name="计算机", department=s["school"],
                                      categories=[s["pc"]], departments=[s["school"]])
    assert services.subledger_assets(by_unit).count() == 4


def test_a_subledger_needs_a_criterion_and_a_unique_code(s):
    with pytest.raises(RuleViolation, match="at least one|至少"):
        services.save_subledger(actor=s["staff"], code="x", name="空", department=s["school"])
    with pytest.raises(RuleViolation):
        services.save_subledger(actor=s["staff"], code="lab1", name="重复", department=s["school"],
                                locations=[s["lab"]])


def test_totals_match_the_depreciated_value_of_each_card(s):
    today = datetime.date(2026, 7, 1)
    cards = services.subledger_assets(s["lab_ledger"])
    totals = services.ledger_totals(cards, today=today)
    expected = sum(depreciated_value(a, on=today) for a in cards.select_related("category"))
    assert totals["count"] == 3
    assert totals["price"] == Decimal("15000.00")
    assert totals["value"] == expected.quantize(Decimal("0.01"))
    assert totals["value"] < totals["price"]


def test_summary_general_vs_subledgers_and_cards_in_none(s):
    summary = services.ledger_summary(SubLedger.objects.all(), Asset.objects.all(), today=datetime.date(2026, 7, 1))
    assert summary["general"]["count"] == 5  # the disposed card is off the books
    rows = {r["subledger"].code: r for r in summary["subledgers"]}
    assert rows["lab1"]["count"] == 3 and rows["mr"]["count"] == 1
    assert rows["mr"]["price"] == Decimal("12000.00")
    assert summary["unassigned"]["count"] == 1  # the computer standing in the meeting room
    assert summary["general"]["price"] == Decimal("32000.00")


def _states(subledger):
    rows = services.reconciliation_queryset(services.subledger_assets(subledger))
    return {a.number: (a.count_state, a.label_state) for a in rows}


def test_reconciliation_from_a_real_stocktake_and_label_printing(s, client):
    assert set(_states(s["lab_ledger"]).values()) == {("not_counted", "not_printed")}
    # labels printed from the ledger's label sheet (the real view), then one card renumbered
    client.force_login(s["staff"])
    ids = [a.pk for a in s["lab_pcs"]]
    response = client.get(reverse("assets:labels"), {"asset": ids[:2], "sheet": "a4-3x8"})
    assert response.status_code == 200
    printed = Asset.objects.get(pk=ids[0])
    assert printed.label_number == "ZC-2026-000001" and printed.label_printed_at is not None
    card = client.get(f"/api/assets/assets/{ids[0]}/").json()  # the API reads the label state too
    assert card["label_number"] == "ZC-2026-000001" and card["label_printed_at"]
    Asset.objects.filter(pk=ids[1]).update(number="ZC-2026-000022")
    html = client.get(reverse("assets:asset_detail", args=[ids[1]])).content.decode()
    assert 'data-field="label"' in html and "(ZC-2026-000002)" in html  # the card shows its outdated label
    # a stock-take of the lab: one found, the others missing
    plan = stocktake_services.create_plan(actor=s["staff"], title="期末清点", kind="semester", location=s["lab"])
    stocktake_services.start_counting(plan=plan, actor=s["staff"])
    stocktake_services.record_scan(plan=plan, payload="ZC-2026-000001", actor=s["staff"])
    assert _states(s["lab_ledger"])["ZC-2026-000001"][0] == "not_counted"  # counting not finished yet
    stocktake_services.finish_counting(plan=plan, actor=s["staff"])
    assert _states(s["lab_ledger"]) == {
        "ZC-2026-000001": ("found", "ok"),
        "ZC-2026-000022": ("missing", "outdated"),
        "ZC-2026-000003": ("missing", "not_printed"),
    }
    mismatches = services.reconciliation_queryset(services.subledger_assets(s["lab_ledger"])).filter(services.MISMATCH)
    assert sorted(mismatches.values_list("number", flat=True)) == ["ZC-2026-000003", "ZC-2026-000022"]


def test_handover_two_confirmations_change_the_keeper(s):
    ledger = s["lab_ledger"]
    handover = services.start_handover(subledger=ledger, to_keeper=s["successor"].person, actor=s["staff"])
    assert handover.number.startswith("JJ-") and handover.lines.count() == 3
    with pytest.raises(Conflict):
        services.start_handover(subledger=ledger, to_keeper=s["successor"].person, actor=s["staff"])
    with pytest.raises(RuleViolation, match="3"):
        services.confirm_handover(handover=handover, actor=s["keeper"])  # nothing checked yet
    with pytest.raises(PermissionDenied):
        services.confirm_handover(handover=handover, actor=s["staff"])  # nobody signs for the keepers
    line = handover.lines.get(asset_number="ZC-2026-000002")
    services.check_handover_line(line=line, actor=s["keeper"], present=False, condition="借给教务处未归还")
    assert services.mark_unchecked_present(handover=handover, actor=s["keeper"]) == 2
    handover = services.confirm_handover(handover=handover, actor=s["keeper"])
    assert handover.outgoing_confirmed_at and handover.status == "open"
    with pytest.raises(Conflict):
        services.check_handover_line(line=line, actor=s["keeper"], present=True)
    with pytest.raises(Conflict):
        services.confirm_handover(handover=handover, actor=s["keeper"])
    handover = services.confirm_handover(handover=handover, actor=s["successor"])
    assert handover.status == "completed" and handover.completed_at and handover.incoming_confirmed_at
    ledger.refresh_from_db()
    assert ledger.keeper == s["successor"].person
    assert list(handover.lines.filter(present=False).values_list("asset_number", flat=True)) == ["ZC-2026-000002"]
    with pytest.raises(Conflict):
        services.cancel_handover(handover=handover, actor=s["staff"])


def test_handover_needs_a_keeper_and_a_different_successor(s):
    with pytest.raises(RuleViolation):
        services.start_handover(subledger=s["meeting_ledger"], to_keeper=s["keeper"].person, actor=s["staff"])
    with pytest.raises(RuleViolation):
        services.start_handover(subledger=s["lab_ledger"], to_keeper=s["keeper"].person, actor=s["staff"])


# --------------------------------------------------------------------------- pages


def test_pages_scope_export_and_print(s, client):
    ledger = s["lab_ledger"]
    handover = services.start_handover(subledger=ledger, to_keeper=s["successor"].person, actor=s["staff"])
    urls = [reverse("assets:subledger_detail", args=[ledger.pk]),
            reverse("assets:subledger_assets", args=[ledger.pk]),
            reverse("assets:subledger_reconciliation", args=[ledger.pk]),
            reverse("assets:subledger_reconciliation_print", args=[ledger.pk]),
            reverse("assets:handover_detail", args=[handover.pk]),
            reverse("assets:handover_print", args=[handover.pk])]
    client.force_login(s["outsider"])  # another department: sees neither the sub-ledger nor its handover
    for url in urls:
        assert client.get(url).status_code == 404, url
    client.force_login(s["staff"])
    for url in urls:
        assert client.get(url).status_code == 200, url
    html = client.get(urls[1]).content.decode()
    assert 'data-total="count">3<' in html
    rows = read_xlsx(client.get(urls[1], {"export": "xlsx"}))
    assert len(rows) == 4  # header + 3 cards
    rows = read_csv(client.get(urls[2], {"export": "csv"}))
    assert len(rows) == 4  # nothing counted or labelled yet: every card is a mismatch
    assert "ZC-2026-000003" in client.get(urls[3]).content.decode()
    html = client.get(reverse("assets:ledger_summary")).content.decode()
    assert 'data-row="unassigned"' in html and "网络教室一" in html
    client.force_login(s["outsider"])
    assert "网络教室一" not in client.get(reverse("assets:ledger_summary")).content.decode()


def test_keeper_sees_the_subledger_and_checks_the_handover(s, client):
    ledger = s["lab_ledger"]
    client.force_login(s["keeper"])  # no role: the keeper's own sub-ledger (owner rule)
    assert client.get(reverse("assets:subledger_detail", args=[ledger.pk])).status_code == 200
    html = client.get(reverse("assets:subledger_assets", args=[ledger.pk])).content.decode()
    assert "ZC-2026-000003" in html
    assert client.get(reverse("assets:subledger_detail", args=[s["meeting_ledger"].pk])).status_code == 404
    html = client.get(reverse("assets:handover_create", args=[ledger.pk])).content.decode()
    assert "网络教室管理教师乙" in html  # the owner unit's people, though the keeper may not list staff
    response = client.post(reverse("assets:handover_create", args=[ledger.pk]), {"to_keeper": s["successor"].person.pk})
    assert response.status_code == 302
    handover = ledger.handovers.get()
    line = handover.lines.get(asset_number="ZC-2026-000001")
    client.post(reverse("assets:handover_line", args=[handover.pk, line.pk]), {"present": "0", "condition": "丢失"})
    line.refresh_from_db()
    assert line.present is False and line.condition == "丢失"
    client.post(reverse("assets:handover_action", args=[handover.pk, "mark-present"]))
    client.post(reverse("assets:handover_action", args=[handover.pk, "confirm"]))
    client.force_login(s["viewer"])  # sees it, is not a keeper: cannot sign, cannot cancel
    assert client.post(reverse("assets:handover_action", args=[handover.pk, "cancel"])).status_code == 403
    client.force_login(s["successor"])
    client.post(reverse("assets:handover_action", args=[handover.pk, "confirm"]))
    ledger.refresh_from_db()
    assert ledger.keeper == s["successor"].person
    html = client.get(reverse("assets:handover_detail", args=[handover.pk])).content.decode()
    assert "data-absent" in html and "丢失" in html


def test_viewer_cannot_edit_or_start_a_handover(s, client):
    client.force_login(s["viewer"])
    ledger = s["lab_ledger"]
    assert client.get(reverse("assets:subledger_edit", args=[ledger.pk])).status_code == 403
    assert client.get(reverse("assets:handover_create", args=[ledger.pk])).status_code == 403
    assert client.get(reverse("assets:subledger_create")).status_code == 403


def test_create_form(s, client):
    client.force_login(s["staff"])
    response = client.post(reverse("assets:subledger_create"), {"code": "av", "name": "电教器材",
                                                                "department": s["school"].pk})
    assert response.status_code == 200 and not SubLedger.objects.filter(code="av").exists()  # no criterion
    response = client.post(reverse("assets:subledger_create"), {
        "code": "av", "name": "电教器材", "department": s["school"].pk, "categories": [s["projector"].pk],
        "is_active": "on"})
    assert response.status_code == 302
    assert list(SubLedger.objects.get(code="av").categories.all()) == [s["projector"]]
    edit = reverse("assets:subledger_edit", args=[SubLedger.objects.get(code="av").pk])
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"code": "av", "name": "电教器材库", "department": s["school"].pk,
                                  "categories": [s["projector"].pk], "keeper": s["keeper"].person.pk})
    assert response.status_code == 302
    assert SubLedger.objects.get(code="av").keeper == s["keeper"].person
    response = client.post(edit, {"code": "av", "name": "电教器材库", "department": s["school"].pk,
                                  "categories": [s["projector"].pk], "keeper": s["successor"].person.pk})
    assert response.status_code == 200  # refused in place: the keeper changes through a handover (SCH-10)
    assert SubLedger.objects.get(code="av").keeper == s["keeper"].person


def test_list_pages_have_a_fixed_number_of_queries(s, client):
    client.force_login(s["staff"])
    ledger = s["lab_ledger"]
    n = [0]

    def grow():
        n[0] += 1
        for i in range(3):
            loc = LocationFactory(parent=s["lab"])
            AssetFactory(department=s["school"], location=loc, category=s["pc"])
            services.save_subledger(actor=s["staff"], code=f"g{n[0]}-{i}", name=f"分帐{i}", department=s["school"],
                                    keeper=s["keeper"].person, locations=[loc], categories=[s["pc"]])
            other = services.save_subledger(actor=s["staff"], code=f"h{n[0]}-{i}", name=f"交接{i}",
                                            department=s["school"], keeper=s["keeper"].person, locations=[loc])
            services.start_handover(subledger=other, to_keeper=s["successor"].person, actor=s["staff"])

    client.get(reverse("assets:subledger_list"))  # warm the process-wide caches
    # session, user, grants, person, navbar, notifications … + the page's own queries: the sub-ledger
    # and its 3 criteria + the location tree; count and rows (or the grouped sums); filter choices
    pinned = [("assets:subledger_list", [], 12), ("assets:ledger_summary", [], 17),
              ("assets:handover_list", [], 12), ("assets:subledger_assets", [ledger.pk], 24),
              ("assets:subledger_reconciliation", [ledger.pk], 18)]
    for name, args, expected in pinned:
        assert_constant_queries(client, reverse(name, args=args), grow, expected=expected)


# --------------------------------------------------------------------------- API


def test_api_subledgers(s):
    api = APIClient()
    api.force_authenticate(s["staff"])
    response = api.post("/api/assets/subledgers/", {"code": "api", "name": "API", "department": s["school"].pk},
                        format="json")
    assert response.status_code == 400 and response.json()["detail"]
    response = api.post("/api/assets/subledgers/", {"code": "api", "name": "API", "department": s["school"].pk,
                                                    "locations": [s["meeting"].pk]}, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    response = api.patch(f"/api/assets/subledgers/{pk}/", {"categories": [s["pc"].pk]}, format="json")
    assert response.status_code == 200 and response.json()["categories"] == [s["pc"].pk]
    assert response.json()["locations"] == [s["meeting"].pk]
    lab = s["lab_ledger"].pk
    assert api.get(f"/api/assets/subledgers/{lab}/totals/").json()["count"] == 3
    cards = api.get(f"/api/assets/subledgers/{lab}/assets/").json()
    assert cards["count"] == 3
    rows = api.get(f"/api/assets/subledgers/{lab}/reconciliation/").json()["results"]
    assert {r["count_state"] for r in rows} == {"not_counted"}
    summary = api.get("/api/assets/subledgers/summary/").json()
    assert summary["general"]["count"] == 5 and summary["unassigned"]["count"] == 0
    api.force_authenticate(s["outsider"])
    assert api.get(f"/api/assets/subledgers/{lab}/").status_code == 404
    assert api.get(f"/api/assets/subledgers/{lab}/totals/").status_code == 404
    api.force_authenticate(s["viewer"])
    assert api.get(f"/api/assets/subledgers/{lab}/").status_code == 200
    assert api.patch(f"/api/assets/subledgers/{lab}/", {"name": "x"}, format="json").status_code == 403
    response = api.post(f"/api/assets/subledgers/{lab}/handover/", {"to_keeper": s["successor"].person.pk},
                        format="json")
    assert response.status_code == 403


def test_api_handover(s):
    api = APIClient()
    api.force_authenticate(s["keeper"])
    lab = s["lab_ledger"].pk
    response = api.post(f"/api/assets/subledgers/{lab}/handover/", {"to_keeper": s["keeper"].person.pk},
                        format="json")
    assert response.status_code == 400  # the same person
    response = api.post(f"/api/assets/subledgers/{lab}/handover/", {"to_keeper": s["successor"].person.pk},
                        format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    pk, lines = data["id"], data["lines"]
    assert len(lines) == 3
    assert api.post(f"/api/assets/handovers/{pk}/confirm/").status_code == 400  # unchecked items
    response = api.post(f"/api/assets/handovers/{pk}/check/", {"line": lines[0]["id"], "present": False,
                                                               "condition": "缺失"}, format="json")
    assert response.status_code == 200
    assert api.post(f"/api/assets/handovers/{pk}/check/", {"line": 999999, "present": True},
                    format="json").status_code == 404
    assert api.post(f"/api/assets/handovers/{pk}/mark-present/").status_code == 200
    api.force_authenticate(s["viewer"])
    assert api.post(f"/api/assets/handovers/{pk}/confirm/").status_code == 403
    api.force_authenticate(s["outsider"])
    assert api.get(f"/api/assets/handovers/{pk}/").status_code == 404
    api.force_authenticate(s["keeper"])
    assert api.post(f"/api/assets/handovers/{pk}/confirm/").status_code == 200
    assert api.post(f"/api/assets/handovers/{pk}/confirm/").status_code == 409
    api.force_authenticate(s["successor"])
    response = api.post(f"/api/assets/handovers/{pk}/confirm/")
    assert response.status_code == 200 and response.json()["status"] == "completed"
    api.force_authenticate(s["staff"])
    assert api.post(f"/api/assets/handovers/{pk}/cancel/").status_code == 409
    assert api.get("/api/assets/handovers/", {"status": "completed"}).json()["count"] == 1
    assert api.get("/api/assets/handovers/", {"status": "open"}).json()["count"] == 0
    assert api.get("/api/assets/subledgers/", {"q": "多媒体"}).json()["count"] == 1


# --------------------------------------------------------------------------- demo


def test_demo_subledgers_load_through_the_services_and_are_idempotent():
    from zhidu.assets import demo_subledger
    from zhidu.org import demo as org_demo
    from zhidu.org.roles import seed_roles

    seed_roles()
    org = org_demo.load()
    server_room = LocationFactory(code="HQ-B1-DC", name="中心机房")
    LocationFactory(code="HQ-1F-M101", name="第一会议室")
    AssetFactory(number="ZC-DEMO-0001", department=org.unit("XXZX"), location=server_room)
    assert demo_subledger.load(org) == {"subledgers": 2}
    room = SubLedger.objects.get(code="xxzx-jf")
    assert room.keeper is not None and room.keeper.department == org.unit("XXZX")
    assert Asset.objects.get(number="ZC-DEMO-0001").label_number == "ZC-DEMO-0001"
    assert demo_subledger.load(org) == {"subledgers": 0}


def test_home_panel_lists_handovers_to_confirm(s, client, django_assert_num_queries):
    from zhidu.assets.subledger_setup import handovers_to_confirm_panel

    handover = services.start_handover(subledger=s["lab_ledger"], to_keeper=s["successor"].person, actor=s["staff"])

    class Req:
        pass

    request = Req()
    request.user = type(s["keeper"]).objects.get(pk=s["keeper"].pk)
    with django_assert_num_queries(2):  # person, handovers with sub-ledger and keepers
        panel = handovers_to_confirm_panel(request)
    assert [h.number for h in panel["handovers"]] == [handover.number]
    request.user = type(s["staff"]).objects.get(pk=s["staff"].pk)
    assert handovers_to_confirm_panel(request) is None  # not a keeper: nothing to sign
    client.force_login(s["successor"])
    html = client.get("/").content.decode()
    assert 'data-panel="assets.handovers_to_confirm"' in html and handover.number in html
