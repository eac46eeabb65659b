"""Schemathesis against the OpenAPI description of /api/schema/ (DESIGN "Testing").

Every operation of the schema is called in-process through Django's WSGI application (no
server, no network) with generated requests, valid and invalid ones, authenticated as a
superuser with an API token (`Authorization: Token <key>`), over the demo data
(zhidu.core.demo_data.load_demo: the demo organisation with the role catalogue, VAR-01 preset A,
purchase requests in every state through the approval engine, and what the other apps' demo hooks
make). Every answer must not be a server error (5xx), must have a documented content type and
must match the response schema of its status code. Error statuses (400/403/404/409) are not
documented in the schema, so schemathesis' status_code_conformance is not run.

* One pytest item per operation. The data is made once for the module inside a transaction that
  is rolled back at the end; each item runs in a savepoint of its own (pytest-django's
  `django_db`), so an operation that deletes or changes objects leaves the next one the same data.
  The WSGI application runs in the test's thread and connection (werkzeug's test client).
* Path ids and foreign keys of request bodies are pointed at existing objects three times in
  four (`_point_at_existing`), otherwise almost every request would stop at 404 / "does not exist".
* Bounded and deterministic: `max_examples` generated requests per operation (phases "examples"
  and "fuzzing"), derandomized, no example database. The "coverage" phase (every boundary value of
  every field) costs ~10× more and is off; run it locally with ZHIDU_FUZZ_COVERAGE=1, and more
  examples with ZHIDU_FUZZ_EXAMPLES=50.
* No operation is excluded.
"""

from __future__ import annotations

import contextlib
import os
from functools import cache

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.urls import Resolver404, resolve
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

SCHEMA_PATH = "/api/schema/"
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]
MAX_EXAMPLES = int(os.environ.get("ZHIDU_FUZZ_EXAMPLES", "8"))
COVERAGE_PHASE = os.environ.get("ZHIDU_FUZZ_COVERAGE", "") == "1"


@cache
def _raw_schema() -> dict:
    """What /api/schema/ serves (test_served_schema_is_the_fuzzed_one checks that), generated
    without a request: the database is not available while pytest collects the tests."""
    return SchemaGenerator().get_schema(request=None, public=True)


schema = schemathesis.openapi.from_dict(_raw_schema(), config=schemathesis.Config.from_dict({
    "seed": 2026,
    "phases": {
        "examples": {"enabled": True},
        "fuzzing": {"enabled": True},
        "coverage": {"enabled": COVERAGE_PHASE, "unexpected-methods": []},
        "stateful": {"enabled": False},
    },
}))
schema.app = WSGIHandler()


@contextlib.contextmanager
def _connection_kept_open():
    """Django closes "obsolete" database connections when a request starts and ends; inside the
    test's transaction that would break it (django.test.Client disconnects the same receivers)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def fuzz_token(django_db_setup, django_db_blocker):
    """The demo data and the API token of a superuser who is also a person of the demo company
    (so that creating requests, delegations … reaches the services), made once for the module in
    a transaction rolled back at its end."""
    from zhidu.core.demo_data import load_demo
    from zhidu.core.testing import make_user
    from zhidu.org.demo import COMPANY_CODE
    from zhidu.org.models import OrgUnit

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            load_demo()
            company = OrgUnit.objects.get(code=COMPANY_CODE)
            user = make_user(username="api-fuzz", name="接口测试", superuser=True, department=company)
            yield Token.objects.create(user=user).key
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --------------------------------------------------------------------------- existing objects
def _existing(model_label: str) -> list:
    from django.apps import apps

    return list(apps.get_model(model_label)._default_manager.order_by("pk").values_list("pk", flat=True)[:50])


def _path_lookup_values(path: str) -> list:
    """The ids (or parameter keys) of the objects that the operation's viewset works on."""
    try:
        match = resolve(path.replace("{id}", "1").replace("{key}", "x"))
    except Resolver404:
        return []
    view = getattr(match.func, "cls", None)
    if getattr(view, "lookup_field", None) == "key":
        from zhidu.core.params.registry import definitions

        return sorted(p.key for p in definitions())
    queryset = getattr(view, "queryset", None)
    return [] if queryset is None else _existing(queryset.model._meta.label)


def _pick(generated, existing: list):
    """An existing id instead of a generated whole number three times in four, chosen by the number
    (so a failing example replays and shrinks the same); anything else stays for the 400/404."""
    if not existing or isinstance(generated, bool) or not isinstance(generated, int) or generated % 4 == 3:
        return generated
    return existing[generated % len(existing)]


#: Fields of request bodies that name another object by its id.
FOREIGN_KEYS = {
    "department": "org.OrgUnit", "parent": "org.OrgUnit", "unit": "org.OrgUnit",
    "person": "org.Person", "manager": "org.Person", "head": "org.Person", "delegate_id": "org.Person",
    "to_person": "org.Person", "received_by": "org.Person", "accepted_by": "org.Person",
    "position": "org.Position", "role": "org.Role",
}


def _point_at_existing(case) -> None:
    params = case.path_parameters or {}
    if isinstance(params.get("id"), int):
        params["id"] = _pick(params["id"], _path_lookup_values(case.operation.path))
    if isinstance(params.get("key"), str):
        keys = _path_lookup_values(case.operation.path)
        if keys and len(params["key"]) % 4 != 3:
            params["key"] = keys[len(params["key"]) % len(keys)]
    if isinstance(case.body, dict):
        for field, model in FOREIGN_KEYS.items():
            if field in case.body:
                case.body[field] = _pick(case.body[field], _existing(model))


# --------------------------------------------------------------------------- the tests
@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_api(case, fuzz_token):
    _point_at_existing(case)
    with _connection_kept_open():
        case.call_and_validate(headers={"Authorization": f"Token {fuzz_token}"}, checks=CHECKS)


@pytest.mark.django_db
def test_served_schema_is_the_fuzzed_one(client):
    response = client.get(SCHEMA_PATH, HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json() == _raw_schema()


# --------------------------------------------------------------------------- what it found
# Each of these was a server error or an answer that contradicted the schema.
@pytest.fixture
def admin_api(client, db):
    from zhidu.core.testing import make_user

    client.force_login(make_user(superuser=True))
    return client


def test_unknown_api_url_answers_json_404(admin_api):
    response = admin_api.post("/api/procurement/requests/0.5/submit/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"
    assert "text/html" in admin_api.get("/no-such-page/")["Content-Type"]


def test_delete_of_an_object_in_use_answers_409():
    from django.db.models import ProtectedError

    from zhidu.core.api.exceptions import exception_handler

    response = exception_handler(ProtectedError("in use", {"ZC-2026-000001 台式机", "ZC-2026-000002 台式机"}), {})
    assert response.status_code == 409 and response.data["code"] == "protected"
    assert "2" in response.data["detail"] and "ZC-2026-00000" in response.data["detail"]


def test_id_filters_refuse_what_is_no_id(admin_api):
    for url in ("/api/org/people/?manager=-4.5e66", "/api/org/people/?manager=99999999999999999999",
                "/api/org/role-assignments/?person=1e30"):
        response = admin_api.get(url)
        assert response.status_code == 400 and response.json()["code"] == "invalid", url
    assert admin_api.get("/api/org/people/?manager=7").status_code == 200


def test_nested_errors_say_where(admin_api):
    response = admin_api.post("/api/procurement/requests/", {"title": "x", "lines": [
        {"item": "a", "quantity": 1, "unit_price": "1.00"}, {"item": "b", "quantity": 1, "unit_price": "abc"}]},
        content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("lines.1.unit_price: ") and "ErrorDetail" not in response.json()["detail"]


def test_patch_answers_empty_relations_as_null(admin_api):
    from zhidu.core.testing import make_role, make_user
    from zhidu.org.models import RoleAssignment

    person = make_user(name="张三").person
    response = admin_api.patch(f"/api/org/people/{person.pk}/", {"title": "工程师"}, content_type="application/json")
    assert response.status_code == 200
    assert {k: response.json()[k] for k in ("position_name", "manager_name")} == {"position_name": None,
                                                                                 "manager_name": None}
    assignment = RoleAssignment.objects.create(person=person, role=make_role("fuzz-role"))
    response = admin_api.patch(f"/api/org/role-assignments/{assignment.pk}/", {"note": "x"},
                               content_type="application/json")
    assert response.status_code == 200 and response.json()["unit_name"] is None


def test_delegation_dates_must_be_plausible(admin_api):
    from zhidu.core.testing import make_user

    stand_in = make_user(name="李四").person
    me = make_user(name="王五", superuser=True)
    admin_api.force_login(me)
    payload = {"delegate_id": stand_in.pk, "start": "0401-05-28T02:05:03Z", "end": "2030-01-01T00:00:00Z"}
    response = admin_api.post("/api/approvals/delegations/", payload, content_type="application/json")
    assert response.status_code == 400 and "start" in response.json()["errors"]
    payload["start"] = "2029-12-01T00:00:00Z"
    response = admin_api.post("/api/approvals/delegations/", payload, content_type="application/json")
    assert response.status_code == 201 and response.json()["start"] == "2029-12-01T08:00:00+08:00"
