"""Schemathesis against the OpenAPI description of /api/schema/ (DESIGN "Testing").

Every operation of the schema is called in-process through Django's WSGI application (no
server, no network) with generated requests, authenticated as a superuser through an API token
(`Authorization: Token <key>`) over demo data (the demo organisation, its purchase requests in
every state and VAR-01 preset A, see zhidu.core.demo_data.load_demo). Each response must not be
a server error and must match the schema (status code, content type, body).

One pytest item per operation, each inside its own rolled-back transaction on top of the data
made once for the module, so an operation that deletes or changes objects does not change what
the next operation sees. Generation is bounded and derandomized: the same requests every run.

Path parameters: `{id}` / `{key}` are drawn from the objects that exist (besides the generated
values, which mostly answer 404), so the operations on one object reach the services.
"""

from __future__ import annotations

import contextlib
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
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

SCHEMA_PATH = "/api/schema/"
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]


@cache
def _raw_schema() -> dict:
    """The schema /api/schema/ serves (test_served_schema_is_the_fuzzed_one checks they are equal),
    generated without a request: the database is not available while pytest collects."""
    return SchemaGenerator().get_schema(request=None, public=True)


import os  # noqa: E402
_PHASES = os.environ.get("FUZZ_PHASES", "examples,coverage,fuzzing").split(",")
schema = schemathesis.openapi.from_dict(_raw_schema(), config=schemathesis.Config.from_dict({
    "seed": 1, "phases": {p: {"enabled": p in _PHASES} for p in ("examples", "coverage", "fuzzing", "stateful")}}))
schema.app = WSGIHandler()


@contextlib.contextmanager
def _connection_kept_open():
    """Django closes "obsolete" connections when a request starts and finishes; inside the test's
    transaction that would break it. django.test.Client disconnects the same receivers."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def fuzz_data(django_db_setup, django_db_blocker):
    """Demo data and a superuser's token, made once inside a transaction rolled back at the end."""
    from zhidu.core.demo_data import load_demo
    from zhidu.core.testing import make_user
    from zhidu.org.models import OrgUnit

    with django_db_blocker.unblock(), _connection_kept_open():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            load_demo()
            company = OrgUnit.objects.get(code="HX")
            fuzzer = make_user(username="fuzzer", name="接口测试", superuser=True, department=company)
            token = Token.objects.create(user=fuzzer)
            yield {"token": token.key}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _existing(model_label: str, lookup: str = "pk") -> list:
    from django.apps import apps

    model = apps.get_model(model_label)
    return list(model._default_manager.order_by("pk").values_list(lookup, flat=True)[:50])


def _path_lookup_values(path: str) -> list:
    """The ids (or parameter keys) of the objects the operation's view works on."""
    try:
        match = resolve(path.replace("{id}", "1").replace("{key}", "x"))
    except Resolver404:
        return []
    view = getattr(match.func, "cls", None)
    if getattr(view, "lookup_field", None) == "key":
        from zhidu.core.params.registry import definitions

        return sorted(p.key for p in definitions())
    queryset = getattr(view, "queryset", None)
    if queryset is None:
        return []
    return _existing(queryset.model._meta.label)


def _pick(generated, existing: list):
    """An existing id instead of a generated whole number, three times in four, chosen by the number
    itself (deterministic, so a failure shrinks and replays); other values are left for the 404/400."""
    if not existing or isinstance(generated, bool) or not isinstance(generated, int) or generated % 4 == 3:
        return generated
    return existing[generated % len(existing)]


# Fields of request bodies that refer to other objects by id.
FOREIGN_KEYS = {
    "department": "org.OrgUnit", "parent": "org.OrgUnit", "unit": "org.OrgUnit",
    "person": "org.Person", "manager": "org.Person", "head": "org.Person", "delegate_id": "org.Person",
    "to_person": "org.Person", "received_by": "org.Person", "accepted_by": "org.Person",
    "position": "org.Position", "role": "org.Role",
}


def _point_at_existing(case) -> None:
    """Most generated ids would answer 404 / "does not exist" before reaching a service: point most
    path ids and foreign keys of the body at objects of the demo data instead."""
    params = case.path_parameters or {}
    for name in ("id", "key"):
        if name in params:
            values = _path_lookup_values(case.operation.path)
            if name == "key" and isinstance(params[name], str) and values and not params[name].endswith("3"):
                params[name] = values[len(params[name]) % len(values)]
            else:
                params[name] = _pick(params[name], values)
    if isinstance(case.body, dict):
        for field, model in FOREIGN_KEYS.items():
            if field in case.body:
                case.body[field] = _pick(case.body[field], _existing(model))


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=int(os.environ.get("FUZZ_N", "10")), derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_api(case, fuzz_data):
    _point_at_existing(case)
    with _connection_kept_open():
        case.call_and_validate(headers={"Authorization": f"Token {fuzz_data['token']}"}, checks=CHECKS)


@pytest.mark.django_db
def test_served_schema_is_the_fuzzed_one(client):
    response = client.get(SCHEMA_PATH, HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json() == _raw_schema()


import collections, atexit, json as _json  # noqa
_STATS = collections.defaultdict(collections.Counter)


@schema.hook
def after_call(context, case, response):
    _STATS[f"{case.method} {case.operation.path}"][response.status_code] += 1
    if response.status_code in (400, 409) and case.method in ("POST", "PUT", "PATCH"):
        try:
            d = response.json().get("detail", "")[:120]
        except Exception:
            d = "?"
        _STATS[f"{case.method} {case.operation.path} 4xx"][d] += 1


atexit.register(lambda: open("/tmp/fz/stats.json", "w").write(_json.dumps(_STATS, indent=0)))
