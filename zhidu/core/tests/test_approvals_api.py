"""API of approvals and parameters: bodies of 200/201/400/403/404/409 answers."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation
from rest_framework.test import APIClient

from zhidu.core import params
from zhidu.core.approvals import services
from zhidu.core.approvals.choices import RequestStatus, TaskStatus
from zhidu.core.approvals.models import ApprovalPolicy

from .approvals_support import PROCESS, make_policy, one_rule, org_fixture, preset_definition, step  # noqa: F401


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def api():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")  # assertions read the English msgids


@pytest.fixture
def admin(db):
    return get_user_model().objects.create_superuser("root", "root@example.com", "Root-Passw0rd!")


def submit(org, amount="1000.00", requester=None):
    requester = requester or org.alice
    return services.submit(subject=org.subject(amount), process_key=PROCESS, requester=requester,
                           actor=requester.user)


def test_my_tasks_list_and_query_count(api, org, django_assert_num_queries):
    make_policy(preset_definition("A"))
    submit(org, "50000.00")
    submit(org, "60000.00")
    api.force_authenticate(org.it_leader.user)
    with django_assert_num_queries(4):  # count, person, tasks, subjects (GFK prefetch)
        body = api.get("/api/approvals/tasks/").json()
    assert body["count"] == 1
    task = body["results"][0]
    assert task["amount"] == "50000.00" and task["assignee"]["name"] == "it_leader"
    assert task["requester"]["name"] == "alice" and task["step_key"] == "it_leader" and task["overdue"] is False
    for amount in ("1.00", "2.00", "3.00"):
        submit(org, amount)
    fresh = get_user_model().objects.get(pk=org.it_leader.user.pk)
    api.force_authenticate(fresh)
    with django_assert_num_queries(4):
        assert api.get("/api/approvals/tasks/").json()["count"] == 4


def test_decide_via_api(api, org):
    make_policy(one_rule(step("leader", "it_leader", opinion_required=True), step("cfo", "cfo")))
    approval = submit(org)
    task = approval.tasks.get()
    url = f"/api/approvals/tasks/{task.pk}/decide/"
    # 400: opinion required, with the article.
    api.force_authenticate(org.it_leader.user)
    response = api.post(url, {"decision": "approve", "opinion": ""}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "opinion_required" and response.json()["article"] == "篇1 第十七条"
    assert "opinion" in response.json()["detail"]
    # 400: invalid decision value, with field errors.
    response = api.post(url, {"decision": "maybe"}, format="json")
    assert response.status_code == 400 and "decision" in response.json()["errors"]
    # 403: visible (the requester sees her request's tasks) but not hers to decide.
    api.force_authenticate(org.alice.user)
    response = api.post(url, {"decision": "approve", "opinion": "ok"}, format="json")
    assert response.status_code == 403 and "it_leader" in response.json()["detail"]
    # 404: out of scope.
    api.force_authenticate(org.outsider.user)
    assert api.post(url, {"decision": "approve", "opinion": "ok"}, format="json").status_code == 404
    assert api.get(f"/api/approvals/tasks/{task.pk}/").status_code == 404
    # 200, then 409 on the closed task.
    api.force_authenticate(org.it_leader.user)
    response = api.post(url, {"decision": "approve", "opinion": "同意"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == TaskStatus.APPROVED
    response = api.post(url, {"decision": "reject", "opinion": "no"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "task_closed" and "already closed" in response.json()["detail"]
    # The request shows its chain.
    body = api.get(f"/api/approvals/requests/{approval.pk}/").json()
    assert [s["key"] for s in body["steps"]] == ["leader", "cfo"] and body["current_step"] == 1
    assert [t["status"] for t in body["tasks"]] == ["approved", "open"]


def test_transfer_and_withdraw_via_api(api, org):
    make_policy(one_rule(step("leader", "it_leader")))
    approval = submit(org)
    task = approval.tasks.get()
    api.force_authenticate(org.it_leader.user)
    response = api.post(f"/api/approvals/tasks/{task.pk}/transfer/", {"to_person": org.cfo.pk}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    response = api.post(f"/api/approvals/tasks/{task.pk}/transfer/", {"to_person": org.cfo.pk, "reason": "出差"},
                        format="json")
    assert response.status_code == 201 and response.json()["assignee"]["id"] == org.cfo.pk
    api.force_authenticate(org.bob.user)
    assert api.post(f"/api/approvals/requests/{approval.pk}/withdraw/", {}, format="json").status_code == 404
    api.force_authenticate(org.alice.user)
    response = api.post(f"/api/approvals/requests/{approval.pk}/withdraw/", {"reason": "取消"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == RequestStatus.WITHDRAWN
    response = api.post(f"/api/approvals/requests/{approval.pk}/withdraw/", {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "request_closed"


def test_policies_api_admin_only(api, org, admin):
    api.force_authenticate(org.alice.user)
    assert api.get("/api/approvals/policies/").status_code == 403
    api.force_authenticate(admin)
    definition = one_rule(step("leader", "it_leader"))
    response = api.post("/api/approvals/policies/", {"process_key": PROCESS, "name": "P", "definition": definition},
                        format="json")
    assert response.status_code == 201
    policy_id = response.json()["id"]
    assert response.json()["current_version"]["number"] == 1
    response = api.post("/api/approvals/policies/", {"process_key": PROCESS, "name": "P2", "definition": definition},
                        format="json")
    assert response.status_code == 409 and response.json()["code"] == "policy_exists"
    bad = {"rules": [{"name": "R", "steps": [{"name": "S", "resolver": "role_org", "role": ""}]}]}
    response = api.post(f"/api/approvals/policies/{policy_id}/versions/", {"definition": bad}, format="json")
    assert response.status_code == 400 and "rules.0.steps.0.role" in response.json()["errors"]
    response = api.post(f"/api/approvals/policies/{policy_id}/versions/",
                        {"definition": one_rule(step("cfo", "cfo")), "note": "CFO", "expected_version": 1},
                        format="json")
    assert response.status_code == 201 and response.json()["number"] == 2
    versions = api.get(f"/api/approvals/policies/{policy_id}/versions/").json()
    assert [v["number"] for v in versions] == [2, 1]
    assert api.get("/api/approvals/policies/999999/").status_code == 404
    response = api.post("/api/approvals/policies/apply-preset/", {"process_key": "procurement.purchase",
                                                                  "variant": "Q"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "unknown_preset"
    response = api.post("/api/approvals/policies/apply-preset/", {"process_key": "procurement.purchase",
                                                                  "variant": "C"}, format="json")
    assert response.status_code == 201 and response.json()["preset"] == "procurement.purchase:C"
    assert ApprovalPolicy.objects.filter(process_key="procurement.purchase", is_active=True).count() == 1


def test_params_api(api, org, admin):
    url = "/api/params/approvals.default_deadline_hours/"
    api.force_authenticate(org.alice.user)
    assert api.get("/api/params/").status_code == 403
    api.force_authenticate(admin)
    listing = api.get("/api/params/").json()
    keys = [p["key"] for p in listing]
    assert "approvals.default_deadline_hours" in keys and "procurement.approval_threshold" in keys
    row = api.get(url).json()
    assert row["value"] == 48 and row["is_default"] and row["article"] == "篇1 第十七条"
    assert api.get("/api/params/no.such/").status_code == 404
    response = api.patch(url, {"value": "abc"}, format="json")
    assert response.status_code == 400 and "value" in response.json()["errors"]
    response = api.patch(url, {"value": 24, "note": "办公会"}, format="json")
    assert response.status_code == 200 and response.json()["value"] == 24 and not response.json()["is_default"]
    assert params.get("approvals.default_deadline_hours") == 24
    history = api.get(f"{url}history/").json()
    assert history[0]["new_value"] == 24 and history[0]["note"] == "办公会" and history[0]["actor"] == "root"
    money = api.patch("/api/params/procurement.approval_threshold/", {"value": "60000.00", "note": "x"}, format="json")
    assert money.status_code == 200 and money.json()["value"] == "60000.00"
    # A non-admin who may see cannot change: 403 (here: nobody but the superuser may see at all).
    api.force_authenticate(org.cfo.user)
    assert api.patch(url, {"value": 12}, format="json").status_code == 403


def test_delegations_api(api, org):
    api.force_authenticate(org.it_leader.user)
    response = api.post("/api/approvals/delegations/", {"delegate_id": org.cfo.pk, "start": "2030-01-01T00:00:00Z",
                                                        "end": "2029-01-01T00:00:00Z"}, format="json")
    assert response.status_code == 400 and "end" in response.json()["errors"]
    response = api.post("/api/approvals/delegations/", {"delegate_id": org.cfo.pk, "start": "2030-01-01T00:00:00Z",
                                                        "end": "2030-01-08T00:00:00Z", "reason": "年假"}, format="json")
    assert response.status_code == 201 and response.json()["delegate"]["id"] == org.cfo.pk
    assert api.get("/api/approvals/delegations/").json()["count"] == 1
    delegation_id = response.json()["id"]
    api.force_authenticate(org.bob.user)
    assert api.post(f"/api/approvals/delegations/{delegation_id}/end/").status_code == 404
    api.force_authenticate(org.cfo.user)
    assert api.post(f"/api/approvals/delegations/{delegation_id}/end/").status_code == 200
