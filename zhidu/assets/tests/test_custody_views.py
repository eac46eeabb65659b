"""Pages of custody: issue form, signing page, prints, template editor, actions, lists (pinned queries)."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from zhidu.assets import services
from zhidu.assets.choices import AssetStatus
from zhidu.assets.models import AssetIssue, AssetReturn, Clearance, ResponsibilityLetter
from zhidu.core.testing import make_user

from .test_custody_support import ACCESSORIES, World, png_data_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return World()


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _issue(world, user, assets):
    issue = services.issue_assets(person=user.person, assets=assets, actor=world.it)
    services.sign_letter(letter=issue.letter, actor=user, typed_name=user.person.name, signature=png_data_url())
    return issue


def test_issue_form_then_sign_page_then_prints(world):
    a1, a2 = world.asset(), world.asset()
    it = login(world.it)
    page = it.get(reverse("assets:issue_create"))
    assert page.status_code == 200 and a1.number in page.content.decode()
    r = it.post(reverse("assets:issue_create"), {"person": world.alice.person.pk, "assets": [a1.pk, a2.pk]})
    assert r.status_code == 302, r.content.decode()[:2000]
    issue = AssetIssue.objects.get()
    assert r["Location"] == reverse("assets:issue_detail", args=[issue.pk])
    detail = it.get(r["Location"])
    assert detail.status_code == 200 and issue.letter.number in detail.content.decode()

    alice = login(world.alice)
    home = alice.get("/")
    assert "data-panel=\"assets.letters_to_sign\"" in home.content.decode()
    sign_url = reverse("assets:letter_sign", args=[issue.letter.pk])
    page = alice.get(sign_url)
    body = page.content.decode()
    assert page.status_code == 200 and "data-signature-canvas" in body and "assets/signature.js" in body
    assert "<script>" not in body  # no inline script (CSP)
    assert it.get(sign_url).status_code == 403  # IT sees the letter but does not sign for the custodian
    assert login(world.outsider).get(sign_url).status_code == 404

    r = alice.post(sign_url, {"typed_name": "别人", "signature": png_data_url()})
    assert r.status_code == 200 and "李丽" in r.content.decode()  # error in place
    r = alice.post(sign_url, {"typed_name": "李丽", "signature": png_data_url()}, REMOTE_ADDR="192.168.1.20")
    assert r.status_code == 302
    letter = ResponsibilityLetter.objects.get(pk=issue.letter.pk)
    assert letter.status == "signed" and letter.signed_ip == "192.168.1.20"
    a1.refresh_from_db()
    assert a1.status == AssetStatus.IN_USE

    r = alice.get(reverse("assets:letter_print", args=[letter.pk]))
    assert r.status_code == 200 and "设备管理责任书" in r.content.decode() and "signature.png" in r.content.decode()
    r = alice.get(reverse("assets:letter_signature", args=[letter.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "image/png"
    r = it.get(reverse("assets:issue_slip", args=[issue.pk]))
    assert r.status_code == 200 and issue.number in r.content.decode() and a2.number in r.content.decode()
    assert "电源适配器" in r.content.decode()


def test_issue_form_shows_replacement_refusal_in_place(world):
    old, new = world.asset(), world.asset()
    _issue(world, world.alice, [old])
    r = login(world.it).post(reverse("assets:issue_create"), {"person": world.alice.person.pk, "assets": [new.pk],
                                                              "replaces": old.pk})
    assert r.status_code == 200 and "篇1 第九条(4)" in r.content.decode()
    assert AssetIssue.objects.count() == 1


def test_return_form_check_and_clearance_sign_off(world):
    asset = world.asset()
    _issue(world, world.alice, [asset])
    it = login(world.it)
    page = it.get(reverse("assets:return_create") + f"?asset={asset.pk}")
    assert page.status_code == 200 and "鼠标" in page.content.decode()
    r = it.post(reverse("assets:return_create") + f"?asset={asset.pk}",
                {"asset": asset.pk, "accessories": ["电源适配器"], "condition": "good"})
    assert r.status_code == 302
    ret = AssetReturn.objects.get()
    assert ret.missing_accessories == ["鼠标"]
    clearance = services.open_clearance(person=world.alice.person)
    r = it.post(reverse("assets:clearance_sign_off", args=[clearance.pk]), follow=True)
    assert "篇1 第九条(5)" in r.content.decode()
    r = it.post(reverse("assets:return_check", args=[ret.pk]), {"accessories": ACCESSORIES, "condition": "good"})
    assert r.status_code == 302
    ret.refresh_from_db()
    assert ret.status == "complete"
    it.post(reverse("assets:clearance_sign_off", args=[clearance.pk]))
    clearance.refresh_from_db()
    assert clearance.status == Clearance.Status.SIGNED_OFF
    assert it.get(reverse("assets:return_print", args=[ret.pk])).status_code == 200
    assert it.get(reverse("assets:clearance_detail", args=[clearance.pk])).status_code == 200


def test_template_editor_and_preview(world):
    it = login(world.it)
    page = it.get(reverse("assets:letter_template"))
    assert page.status_code == 200 and "{{ items }}" in page.content.decode()
    r = it.post(reverse("assets:letter_template_preview"), {"body": "致 {{ person }}"})
    assert r.status_code == 200 and "致 张三" in r.content.decode()
    r = it.post(reverse("assets:letter_template"), {"name": "新版", "body": "{% if %}"})
    assert r.status_code == 200 and "is-invalid" in r.content.decode() or "alert" in r.content.decode()
    r = it.post(reverse("assets:letter_template"), {"name": "新版", "body": "致 {{ person }}：{{ items }}"})
    assert r.status_code == 302
    assert services.active_template().body == "致 {{ person }}：{{ items }}"
    assert login(world.alice).get(reverse("assets:letter_template")).status_code == 403


def test_change_loan_incident_pages(world):
    asset = world.asset()
    _issue(world, world.alice, [asset])
    alice = login(world.alice)
    r = alice.post(reverse("assets:change_create"), {"asset": asset.pk, "to_person": world.bob.person.pk,
                                                     "reason": "岗位调整"})
    assert r.status_code == 302, r.content.decode()[:3000]
    change_url = r["Location"]
    it = login(world.it)
    assert "change_execute" not in alice.get(change_url).content.decode()
    r = it.post(change_url + "execute/")
    assert r.status_code == 302
    spare = world.asset()
    r = alice.post(reverse("assets:loan_create"), {"asset": spare.pk, "purpose": "出差", "due_date": "2099-01-01"})
    assert r.status_code == 302
    assert alice.get(r["Location"]).status_code == 200
    r = it.post(reverse("assets:incident_create"), {"asset": asset.pk, "kind": "damage", "occurred_on": "2026-11-01",
                                                    "description": "屏幕损坏", "responsibility": "personal"})
    assert r.status_code == 302
    assert it.get(r["Location"]).status_code == 200


LISTS = ["issue_list", "letter_list", "return_list", "change_list", "loan_list", "reallocation_list",
         "preparation_list", "clearance_list", "incident_list"]


def _grow(world, n):
    for _ in range(n):
        asset = world.asset()
        _issue(world, world.alice, [asset])
        ret = services.return_asset(asset=asset, actor=world.it, returned_accessories=ACCESSORIES)
        services.check_return(ret=ret, actor=world.it)
        services.reallocate(asset=asset, to_department=world.other_dept if asset.department_id != world.other_dept.pk
                            else world.dept, reason="调剂", actor=world.it)
        services.record_incident(asset=asset, kind="damage", description="x", actor=world.it,
                                 responsible_person=world.bob.person)
        services.create_preparation_task(person=make_user(department=world.dept).person)
        services.open_clearance(person=make_user(department=world.dept).person)
        held = world.asset()
        _issue(world, world.alice, [held])
        services.request_custodian_change(asset=held, to_person=world.bob.person, reason="交接", actor=world.alice)
        services.request_loan(asset=world.asset(), borrower=world.bob.person, purpose="出差",
                              due_date=datetime.date.today() + datetime.timedelta(days=5), actor=world.bob)


@pytest.mark.parametrize("name", LISTS)
def test_list_pages_constant_queries(world, name, django_assert_num_queries):
    it = login(world.it)
    url = reverse(f"assets:{name}")
    _grow(world, 1)
    it.get(url)  # warm caches (content types, params)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert it.get(url).status_code == 200
    _grow(world, 3)
    with django_assert_num_queries(len(few.captured_queries)):
        assert it.get(url).status_code == 200


@pytest.mark.parametrize("name", LISTS)
def test_list_page_query_count_pinned(world, name, django_assert_num_queries):
    """Pinned: session, user, person, grants, the page's count and rows, menu and params (11)."""
    expected = 11
    it = login(world.it)
    _grow(world, 2)
    url = reverse(f"assets:{name}")
    it.get(url)
    with django_assert_num_queries(expected):
        it.get(url)


def test_home_panel_query_count_fixed(world, django_assert_num_queries):
    from zhidu.assets.views.custody import letters_to_sign_panel

    class Req:
        pass

    for _ in range(3):
        services.issue_assets(person=world.alice.person, assets=[world.asset()], actor=world.it)
    request = Req()
    from django.contrib.auth import get_user_model

    request.user = get_user_model().objects.get(pk=world.alice.pk)
    with django_assert_num_queries(2):
        panel = letters_to_sign_panel(request)
    assert len(panel["letters"]) == 3


def test_every_detail_page_renders(world):
    _grow(world, 1)
    it = login(world.it)
    from zhidu.assets.models import AssetLoan, CustodianChange, DamageIncident, Reallocation

    for obj in [ResponsibilityLetter.objects.first(), AssetIssue.objects.first(), AssetReturn.objects.first(),
                CustodianChange.objects.first(), AssetLoan.objects.first(), Reallocation.objects.first(),
                Clearance.objects.first(), DamageIncident.objects.first()]:
        response = it.get(obj.get_absolute_url())
        assert response.status_code == 200, obj
        assert it.get(obj.get_absolute_url() + "?tab=timeline").status_code == 200
    letter = ResponsibilityLetter.objects.filter(status="signed").first()
    body = it.get(letter.get_absolute_url()).content.decode()
    assert "data-signature-image" in body and "李丽" in body
    assert it.get(reverse("assets:reallocation_print", args=[Reallocation.objects.first().pk])).status_code == 200
