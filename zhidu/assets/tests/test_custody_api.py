"""API of custody actions: 201/200, 400 (rule), 403 (visible, not permitted), 404 (out of scope), 409 (state)."""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from zhidu.assets.choices import AssetStatus
from zhidu.assets.models import AssetIssue, Clearance, ResponsibilityLetter
from zhidu.core.testing import make_user

from .test_custody_support import ACCESSORIES, World, png_data_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return World()
API = "/api/assets"


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_issue_sign_return_check_clearance_flow(world):
    it, alice = client_for(world.it), client_for(world.alice)
    a1, a2 = world.asset(), world.asset()
    r = it.post(f"{API}/issues/", {"person_id": world.alice.person.pk, "asset_ids": [a1.pk, a2.pk]}, format="json")
    assert r.status_code == 201, r.content
    issue = r.json()
    assert issue["number"].startswith("CK-") and len(issue["lines"]) == 2
    letter_id = issue["letter"]["id"]

    r = it.post(f"{API}/issues/", {"person_id": world.bob.person.pk, "asset_ids": [a1.pk]}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "reserved"
    r = it.post(f"{API}/issues/", {"person_id": world.bob.person.pk, "asset_ids": []}, format="json")
    assert r.status_code == 400

    # the custodian sees and signs their letter; IT may not sign for them (403), others do not see it (404)
    r = client_for(world.bob).post(f"{API}/letters/{letter_id}/sign/", {"typed_name": "李丽",
                                                                         "signature": png_data_url()}, format="json")
    assert r.status_code == 404
    r = it.post(f"{API}/letters/{letter_id}/sign/", {"typed_name": "李丽", "signature": png_data_url()},
                format="json")
    assert r.status_code == 403
    r = alice.post(f"{API}/letters/{letter_id}/sign/", {"typed_name": "李四", "signature": png_data_url()},
                   format="json")
    assert r.status_code == 400 and r.json()["code"] == "name_mismatch"
    r = alice.post(f"{API}/letters/{letter_id}/sign/", {"typed_name": "李丽", "signature": "data:image/png;base64,xx"},
                   format="json")
    assert r.status_code == 400
    r = alice.post(f"{API}/letters/{letter_id}/sign/", {"typed_name": "李丽", "signature": png_data_url()},
                   format="json", REMOTE_ADDR="10.1.2.3")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "signed" and r.json()["signed_ip"] == "10.1.2.3" and r.json()["has_signature"]
    r = alice.post(f"{API}/letters/{letter_id}/sign/", {"typed_name": "李丽", "signature": png_data_url()},
                   format="json")
    assert r.status_code == 409
    a1.refresh_from_db()
    assert a1.status == AssetStatus.IN_USE

    # departure: clearance blocked until returned and checked
    from zhidu.org import services as org_services

    org_services.change_status(person=world.alice.person, status="leaving", actor=world.it)
    clearance = Clearance.objects.get(person=world.alice.person)
    r = it.get(f"{API}/clearances/{clearance.pk}/")
    assert {row["number"] for row in r.json()["held"]} == {a1.number, a2.number}
    r = it.post(f"{API}/clearances/{clearance.pk}/sign-off/")
    assert r.status_code == 400 and "篇1 第九条(5)" in r.json()["detail"]
    for asset in (a1, a2):
        r = it.post(f"{API}/returns/", {"asset_id": asset.pk, "returned_accessories": ACCESSORIES,
                                        "condition": "good"}, format="json")
        assert r.status_code == 201, r.content
        r = it.post(f"{API}/returns/{r.json()['id']}/check/", {}, format="json")
        assert r.status_code == 200 and r.json()["status"] == "complete"
    r = it.post(f"{API}/clearances/{clearance.pk}/sign-off/")
    assert r.status_code == 200 and r.json()["status"] == "signed_off"
    r = it.post(f"{API}/clearances/{clearance.pk}/sign-off/")
    assert r.status_code == 409


def test_replacement_refused_until_return_checked(world):
    it = client_for(world.it)
    old, new = world.asset(), world.asset()
    r = it.post(f"{API}/issues/", {"person_id": world.alice.person.pk, "asset_ids": [old.pk]}, format="json")
    letter = ResponsibilityLetter.objects.get(pk=r.json()["letter"]["id"])
    client_for(world.alice).post(f"{API}/letters/{letter.pk}/sign/", {"typed_name": "李丽",
                                                                       "signature": png_data_url()}, format="json")
    payload = {"person_id": world.alice.person.pk, "asset_ids": [new.pk], "replaces": {str(new.pk): old.pk}}
    r = it.post(f"{API}/issues/", payload, format="json")
    assert r.status_code == 400 and "篇1 第九条(4)" in r.json()["detail"]
    r = it.post(f"{API}/returns/", {"asset_id": old.pk, "returned_accessories": ACCESSORIES}, format="json")
    it.post(f"{API}/returns/{r.json()['id']}/check/", {}, format="json")
    r = it.post(f"{API}/issues/", payload, format="json")
    assert r.status_code == 201


def test_permissions_and_scope(world):
    asset = world.asset()
    plain = client_for(world.bob)
    r = plain.post(f"{API}/issues/", {"person_id": world.bob.person.pk, "asset_ids": [asset.pk]}, format="json")
    assert r.status_code == 403
    r = plain.post(f"{API}/reallocations/", {"asset_id": asset.pk, "to_department_id": world.dept.pk,
                                            "reason": "x"}, format="json")
    assert r.status_code == 403
    issue = client_for(world.it).post(f"{API}/issues/", {"person_id": world.alice.person.pk,
                                                         "asset_ids": [asset.pk]}, format="json").json()
    r = plain.get(f"{API}/issues/{issue['id']}/")
    assert r.status_code == 404
    r = client_for(world.alice).get(f"{API}/issues/{issue['id']}/")
    assert r.status_code == 200  # the custodian sees their own issue
    r = client_for(world.alice).post(f"{API}/issues/{issue['id']}/cancel/")
    assert r.status_code == 403
    r = client_for(world.it).post(f"{API}/issues/{issue['id']}/cancel/")
    assert r.status_code == 200 and AssetIssue.objects.get(pk=issue["id"]).status == "cancelled"


def test_change_loan_reallocation_incident(world):
    it, alice = client_for(world.it), client_for(world.alice)
    asset = world.asset()
    r = it.post(f"{API}/issues/", {"person_id": world.alice.person.pk, "asset_ids": [asset.pk]}, format="json")
    alice.post(f"{API}/letters/{r.json()['letter']['id']}/sign/", {"typed_name": "李丽",
                                                                   "signature": png_data_url()}, format="json")
    # the custodian requests the change; IT executes; B signs
    r = alice.post(f"{API}/custodian-changes/", {"asset_id": asset.pk, "to_person_id": world.bob.person.pk,
                                                 "reason": "工作交接"}, format="json")
    assert r.status_code == 201, r.content
    change_id = r.json()["id"]
    r = alice.post(f"{API}/custodian-changes/{change_id}/execute/")
    assert r.status_code == 403
    r = it.post(f"{API}/custodian-changes/{change_id}/execute/")
    assert r.status_code == 200 and r.json()["status"] == "awaiting"
    r = client_for(world.bob).post(f"{API}/letters/{r.json()['letter']['id']}/sign/",
                                   {"typed_name": "张伟", "signature": png_data_url()}, format="json")
    assert r.status_code == 200
    asset.refresh_from_db()
    assert asset.custodian == world.bob.person
    r = client_for(world.outsider).post(f"{API}/custodian-changes/", {"asset_id": asset.pk, "to_person_id":
                                        world.outsider.person.pk, "reason": "x"}, format="json")
    assert r.status_code == 403

    # loan: an employee asks for an in-stock device
    spare = world.asset()
    due = (datetime.date.today() + datetime.timedelta(days=7)).isoformat()
    r = alice.post(f"{API}/loans/", {"asset_id": spare.pk, "purpose": "外出培训", "due_date": due}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "pending"
    r = alice.post(f"{API}/loans/", {"asset_id": spare.pk, "purpose": "x", "due_date": due}, format="json")
    assert r.status_code == 409
    r = alice.post(f"{API}/loans/", {"asset_id": world.asset().pk, "borrower_id": world.bob.person.pk,
                                     "purpose": "x", "due_date": due}, format="json")
    assert r.status_code == 403

    # reallocation
    other = world.asset()
    r = it.post(f"{API}/reallocations/", {"asset_id": other.pk, "to_department_id": world.dept.pk,
                                          "reason": "调剂"}, format="json")
    assert r.status_code == 201 and r.json()["number"].startswith("TJ-")

    # incident
    r = it.post(f"{API}/incidents/", {"asset_id": asset.pk, "kind": "loss", "description": "遗失"}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["compensation"] == "6000.00" and r.json()["responsible_person"]["id"] == world.bob.person.pk
    r = it.post(f"{API}/incidents/", {"asset_id": asset.pk, "kind": "loss", "description": "遗失"}, format="json")
    assert r.status_code == 409


def test_template_edit_and_preview(world):
    it = client_for(world.it)
    from zhidu.assets import services

    template = services.active_template()
    r = it.post(f"{API}/letter-templates/{template.pk}/edit/", {"name": "新版", "body": "{{ person }}"},
                format="json")
    assert r.status_code == 200 and r.json()["body"] == "{{ person }}"
    r = it.post(f"{API}/letter-templates/{template.pk}/edit/", {"name": "x", "body": "{% if %}"}, format="json")
    assert r.status_code == 400
    r = it.post(f"{API}/letter-templates/preview/", {"body": "{{ person }}"}, format="json")
    assert r.status_code == 200 and r.json()["text"] == "张三"
    r = client_for(make_user()).post(f"{API}/letter-templates/preview/", {"body": "x"}, format="json")
    assert r.status_code == 403


def test_preparation_done_and_incident_submit(world):
    from zhidu.org import services as org_services

    it = client_for(world.it)
    person = org_services.create_person(employee_no="N0900", name="新人", department=world.dept, actor=world.it)
    task_id = it.get(f"{API}/preparation-tasks/").json()["results"][0]["id"]
    r = client_for(world.alice).post(f"{API}/preparation-tasks/{task_id}/done/", {}, format="json")
    assert r.status_code == 404  # not hers to see
    r = it.post(f"{API}/preparation-tasks/{task_id}/done/", {"notes": "笔记本已备好"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "done" and r.json()["person"]["id"] == person.pk
    r = it.post(f"{API}/preparation-tasks/{task_id}/done/", {}, format="json")
    assert r.status_code == 409

    make_user(name="刘处长", roles=["it_authority_head"])
    asset = world.asset(status=AssetStatus.IN_USE, custodian=world.alice.person)
    r = it.post(f"{API}/incidents/", {"asset_id": asset.pk, "kind": "damage", "description": "进水",
                                      "responsibility": "illicit"}, format="json")
    assert r.status_code == 201 and r.json()["rule"] == "double" and r.json()["compensation"] == "12000.00"
    incident_id = r.json()["id"]
    r = it.post(f"{API}/incidents/{incident_id}/submit/")
    assert r.status_code == 200 and r.json()["status"] == "pending"
    r = it.post(f"{API}/incidents/{incident_id}/submit/")
    assert r.status_code == 409
    r = client_for(world.alice).get(f"{API}/incidents/{incident_id}/")
    assert r.status_code == 200  # the responsible person sees the incident about her
