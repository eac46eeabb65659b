"""Pages of the approval engine and the regulation parameters: the home panel, the task page with its
decision form, delegations, the policy editor and the parameters page."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from zhidu.core import params
from zhidu.core.approvals import services
from zhidu.core.approvals.choices import RequestStatus, TaskStatus
from zhidu.core.approvals.models import ApprovalPolicy, Delegation
from zhidu.core.approvals.ui import waiting_for_me_panel
from zhidu.core.params.models import ParameterChange

from .approvals_support import PROCESS, make_policy, one_rule, org_fixture, preset_definition, step  # noqa: F401


@pytest.fixture(autouse=True)
def english(client, settings):
    """Assertions read the English msgids: pages follow the language cookie (LanguageMiddleware)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def admin(db):
    return get_user_model().objects.create_superuser("root", "root@example.com", "Root-Passw0rd!")


def submit(org, amount="1000.00", requester=None):
    requester = requester or org.alice
    return services.submit(subject=org.subject(amount), process_key=PROCESS, requester=requester,
                           actor=requester.user)


def open_task(approval):
    return approval.tasks.get(status=TaskStatus.OPEN)


# ------------------------------------------------------------------ home panel
def _panel_queries(user):
    request = RequestFactory().get("/")
    request.user = get_user_model().objects.get(pk=user.pk)  # fresh: no cached person id
    with CaptureQueriesContext(connection) as ctx:
        data = waiting_for_me_panel(request)
    return len(ctx.captured_queries), data


def test_home_panel_query_count_is_fixed(org):
    make_policy(preset_definition("A"))
    submit(org, "100.00")
    count_one, data = _panel_queries(org.it_leader.user)
    assert [t.amount for t in data["tasks"]] == ["100.00"]
    for amount in ("200.00", "300.00", "400.00"):
        submit(org, amount)
    count_four, data = _panel_queries(org.it_leader.user)
    assert len(data["tasks"]) == 4
    assert count_one == count_four == 3  # person, tasks with requests and requesters, subjects of one type
    assert _panel_queries(org.bob.user)[1] is None  # nothing waits: the panel hides


def test_home_page_shows_waiting_tasks_with_overdue_badge(client, org):
    make_policy(one_rule(step("leader", "it_leader", deadline_hours=1)))
    approval = services.submit(subject=org.subject("12345.60"), process_key=PROCESS, requester=org.alice,
                               actor=org.alice.user, now=timezone.now() - datetime.timedelta(days=30))
    client.force_login(org.it_leader.user)
    html = client.get("/").content.decode()
    assert 'id="home-approvals"' in html
    assert approval.subject_label in html and "alice" in html
    assert "¥12,345.60" in html
    assert 'data-role="overdue"' in html


# ------------------------------------------------------------------ task page and decision form
def test_task_page_and_refused_decision_keeps_input(client, org):
    make_policy(one_rule(step("leader", "it_leader", opinion_required=True)))
    approval = submit(org)
    task = open_task(approval)
    client.force_login(org.it_leader.user)
    page = client.get(f"/approvals/tasks/{task.pk}/")
    assert page.status_code == 200 and 'class="approval-decision"' in page.content.decode()
    response = client.post(f"/approvals/tasks/{task.pk}/decide/", {"decision": "approve", "opinion": "",
                                                                   "next": "/approvals/"})
    assert response.status_code == 400
    assert "explicit opinion" in response.content.decode()
    response = client.post(f"/approvals/tasks/{task.pk}/decide/", {"decision": "approve", "opinion": "同意采购",
                                                                   "next": "/approvals/"})
    assert response.status_code == 302 and response["Location"] == "/approvals/"
    approval.refresh_from_db()
    assert approval.status == RequestStatus.APPROVED
    # A second decision on the closed step: 409 with the reason, nothing changes.
    response = client.post(f"/approvals/tasks/{task.pk}/decide/", {"decision": "reject", "opinion": "x"})
    assert response.status_code == 409 and "already closed" in response.content.decode()


def test_decide_redirect_is_never_offsite(client, org):
    make_policy(one_rule(step("leader", "it_leader")))
    task = open_task(submit(org))
    client.force_login(org.it_leader.user)
    response = client.post(f"/approvals/tasks/{task.pk}/decide/", {"decision": "approve",
                                                                   "next": "https://evil.example/"})
    assert response["Location"] == "/approvals/"


def test_task_scope_404_and_403(client, org):
    make_policy(one_rule(step("leader", "it_leader")))
    approval = submit(org)
    task = open_task(approval)
    client.force_login(org.outsider.user)
    assert client.get(f"/approvals/tasks/{task.pk}/").status_code == 404
    assert client.post(f"/approvals/tasks/{task.pk}/decide/", {"decision": "approve"}).status_code == 404
    # The requester sees the task (their own request) but may not decide it.
    client.force_login(org.alice.user)
    assert client.get(f"/approvals/tasks/{task.pk}/").status_code == 200
    assert client.post(f"/approvals/tasks/{task.pk}/decide/", {"decision": "approve"}).status_code == 403
    assert client.get(f"/approvals/requests/{approval.pk}/").status_code == 200


def see_people(person):
    """The picker offers only people the user may see (org.view_person): grant it org-wide."""
    from django.contrib.auth.models import Permission

    from zhidu.org.models import RoleAssignment

    role = RoleAssignment.objects.filter(person=person).first().role
    role.permissions.add(Permission.objects.get(codename="view_person", content_type__app_label="org"))
    RoleAssignment.objects.filter(person=person).update(unit=None)


def test_transfer_and_withdraw_pages(client, org):
    see_people(org.it_leader)
    make_policy(one_rule(step("leader", "it_leader"), step("cfo", "cfo")))
    approval = submit(org)
    task = open_task(approval)
    client.force_login(org.it_leader.user)
    response = client.post(f"/approvals/tasks/{task.pk}/transfer/", {"to_person": "nobody", "reason": "出差"})
    assert response.status_code == 400 and "search results" in response.content.decode()
    response = client.post(f"/approvals/tasks/{task.pk}/transfer/", {"to_person": org.alice.pk,
                                                                     "reason": "出差"})
    assert response.status_code == 400 and "own request" in response.content.decode()
    response = client.post(f"/approvals/tasks/{task.pk}/transfer/", {"to_person": org.office_head.pk,
                                                                     "reason": "出差"})
    assert response.status_code == 302
    assert open_task(approval).assignee == org.office_head
    client.force_login(org.alice.user)
    response = client.post(f"/approvals/requests/{approval.pk}/withdraw/", {"reason": "不需要了"})
    assert response.status_code == 302
    approval.refresh_from_db()
    assert approval.status == RequestStatus.WITHDRAWN
    page = client.get(f"/approvals/requests/{approval.pk}/").content.decode()
    assert "不需要了" in page and 'data-verb="withdrawn"' in page


def test_my_tasks_page(client, org, django_assert_max_num_queries):
    make_policy(preset_definition("A"))
    for amount in ("10.00", "20.00", "30.00"):
        submit(org, amount)
    client.force_login(org.it_leader.user)
    with django_assert_max_num_queries(15):
        response = client.get("/approvals/")
    assert response.status_code == 200 and response.content.decode().count("data-task=") == 3


def test_delegation_page(client, org):
    see_people(org.it_leader)
    client.force_login(org.it_leader.user)
    assert client.get("/approvals/delegations/").status_code == 200
    now = timezone.localtime()
    fmt = "%Y-%m-%dT%H:%M"
    response = client.post("/approvals/delegations/", {"delegate": org.it_leader.pk,
                                                       "start": now.strftime(fmt),
                                                       "end": (now + datetime.timedelta(days=2)).strftime(fmt)})
    assert response.status_code == 400 and "themselves" in response.content.decode()
    response = client.post("/approvals/delegations/", {"delegate": org.office_head.pk,
                                                       "start": now.strftime(fmt),
                                                       "end": (now + datetime.timedelta(days=2)).strftime(fmt),
                                                       "reason": "年假"})
    assert response.status_code == 302
    delegation = Delegation.objects.get()
    assert delegation.delegate == org.office_head
    assert client.post(f"/approvals/delegations/{delegation.pk}/end/").status_code == 302
    delegation.refresh_from_db()
    assert not delegation.is_active


# ------------------------------------------------------------------ policy editor
def test_policy_pages_need_permission(client, org):
    client.force_login(org.alice.user)
    assert client.get("/approvals/policies/").status_code == 403
    assert client.get(f"/approvals/policies/new/{PROCESS}/").status_code == 403


def editor_post(**overrides):
    data = {
        "name": "Unit requests", "note": "initial",
        "r-0-name": "Small", "r-0-match": "all",
        "r-0-c-0-field": "amount", "r-0-c-0-op": "lte", "r-0-c-0-value": "", "r-0-c-0-param":
            "procurement.approval_threshold",
        "r-0-s-0-name": "Leader", "r-0-s-0-key": "leader", "r-0-s-0-resolver": "role_org", "r-0-s-0-role": "it_leader",
        "r-0-s-0-mode": "any", "r-0-s-0-deadline_hours": "24", "r-0-s-0-opinion_required": "on",
        "r-0-s-0-choices": "", "r-0-s-0-person": "", "r-0-s-0-context_key": "",
        "_op": "save",
    }
    data.update(overrides)
    return data


def test_policy_editor_create_edit_and_history(client, org, admin):
    client.force_login(admin)
    assert client.get("/approvals/policies/").status_code == 200
    assert client.get(f"/approvals/policies/new/{PROCESS}/").status_code == 200
    # Row operations re-render without saving.
    response = client.post(f"/approvals/policies/new/{PROCESS}/", editor_post(_op="add_step:0"))
    assert response.status_code == 200 and 'name="r-0-s-1-name"' in response.content.decode()
    assert not ApprovalPolicy.objects.filter(process_key=PROCESS).exists()
    # Errors are shown next to their field, input kept.
    response = client.post(f"/approvals/policies/new/{PROCESS}/", editor_post(**{"r-0-s-0-role": "",
                                                                               "r-0-s-0-deadline_hours": "0"}))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Choose the role that decides this step." in html and "between 1 and 8760" in html
    assert 'value="Leader"' in html
    response = client.post(f"/approvals/policies/new/{PROCESS}/", editor_post())
    assert response.status_code == 302
    policy = ApprovalPolicy.objects.get(process_key=PROCESS, is_active=True)
    assert policy.current_version.number == 1
    assert policy.current_version.definition["rules"][0]["steps"][0]["opinion_required"] is True
    # Edit: a second step, saved as version 2; the history shows both with a readable diff.
    edit_url = f"/approvals/policies/{policy.pk}/edit/"
    assert client.get(edit_url).status_code == 200
    second = editor_post(**{"r-0-s-1-name": "CFO", "r-0-s-1-key": "cfo", "r-0-s-1-resolver": "role_org",
                            "r-0-s-1-role": "cfo", "r-0-s-1-mode": "any", "expected_version": "1",
                            "note": "add CFO"})
    assert client.post(edit_url, second).status_code == 302
    policy.refresh_from_db()
    assert policy.current_version.number == 2 and policy.current_version.author == admin
    detail = client.get(f"/approvals/policies/{policy.pk}/").content.decode()
    assert 'data-version="2"' in detail and 'data-version="1"' in detail and "add CFO" in detail
    assert '<span class="text-green">+ ' in detail
    # Saving from a stale version is refused (someone else saved meanwhile).
    response = client.post(edit_url, editor_post(expected_version="1", note="stale"))
    assert response.status_code == 409
    assert client.get(f"/approvals/policies/{policy.pk}/versions/1/").status_code == 200


def test_policy_editor_named_person_by_employee_number(client, org, admin):
    client.force_login(admin)
    data = editor_post(**{"r-0-s-0-resolver": "person", "r-0-s-0-role": "", "r-0-s-0-person": "NOPE"})
    response = client.post(f"/approvals/policies/new/{PROCESS}/", data)
    assert response.status_code == 400 and "does not exist" in response.content.decode()
    assert 'value="NOPE"' in response.content.decode()
    data["r-0-s-0-person"] = org.cfo.employee_no
    assert client.post(f"/approvals/policies/new/{PROCESS}/", data).status_code == 302
    policy = ApprovalPolicy.objects.get(process_key=PROCESS, is_active=True)
    assert policy.current_version.definition["rules"][0]["steps"][0]["person"] == org.cfo.pk
    assert org.cfo.employee_no in client.get(f"/approvals/policies/{policy.pk}/edit/").content.decode()


def test_apply_preset_from_the_list(client, org, admin):
    client.force_login(admin)
    response = client.post("/approvals/policies/apply-preset/", {"process_key": "procurement.purchase",
                                                                 "variant": "B"})
    policy = ApprovalPolicy.objects.get(process_key="procurement.purchase", is_active=True)
    assert response.status_code == 302
    assert policy.current_version.preset == "procurement.purchase:B"
    assert client.post("/approvals/policies/apply-preset/", {"process_key": "nope", "variant": "A"}).status_code == 404


# ------------------------------------------------------------------ parameters page
def test_parameters_page(client, org, admin):
    client.force_login(org.alice.user)
    assert client.get("/params/").status_code == 403
    assert client.get("/params/approvals.default_deadline_hours/").status_code == 403
    client.force_login(admin)
    html = client.get("/params/").content.decode()
    assert 'data-param="approvals.default_deadline_hours"' in html and "篇1 第十七条" in html and "SW-08" in html
    assert client.get("/params/no.such/").status_code == 404
    url = "/params/approvals.default_deadline_hours/"
    response = client.post(url, {"value": "-3", "note": "x"})
    assert response.status_code == 400 and "cannot be negative" in response.content.decode()
    response = client.post(url, {"value": "24", "note": ""})
    assert response.status_code == 400
    response = client.post(url, {"value": "24", "note": "办公会决定"})
    assert response.status_code == 302
    assert params.get("approvals.default_deadline_hours") == 24
    change = ParameterChange.objects.get()
    assert (change.old_value, change.new_value, change.actor, change.note) == (None, 24, admin, "办公会决定")
    history = client.get("/params/approvals.default_deadline_hours/history/").content.decode()
    assert "办公会决定" in history
    assert "办公会决定" in client.get("/params/history/").content.decode()
    listing = client.get("/params/").content.decode()
    assert "root" in listing  # who changed it last


def test_parameter_bool_and_choice_forms(client, org, admin):
    client.force_login(admin)
    assert client.get("/params/approvals.opinion_always_required/").status_code == 200
    assert client.post("/params/approvals.opinion_always_required/", {"value": "true", "note": "SW-08"}).status_code == 302
    assert params.get("approvals.opinion_always_required") is True
    response = client.post("/params/procurement.approval_threshold/", {"value": "50000.001", "note": "x"})
    assert response.status_code == 400
