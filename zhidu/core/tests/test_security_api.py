"""API security: token requests obey the same scope as sessions, CSRF on session-authenticated
writes, and API changes are attributed to the token's user in the change log (issue #2 §5).

A small OrgUnit viewset on the API base (ScopedModelViewSet) is mounted by this module's own
URLconf, so the test does not depend on the org app's API evolving.
"""

import pytest
from django.test import Client
from django.urls import include, path
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.routers import SimpleRouter

from zhidu.core.api.views import ScopedModelViewSet
from zhidu.core.models import ChangeLogEntry
from zhidu.org.models import OrgUnit
from zhidu.org.roles import seed_roles
from zhidu.org.tests.factories import OrgUnitFactory, UserFactory

from .auth_support import user_with_roles


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrgUnit
        fields = ("id", "name", "code", "parent")


class UnitViewSet(ScopedModelViewSet):
    queryset = OrgUnit.objects.order_by("id")
    serializer_class = UnitSerializer


router = SimpleRouter()
router.register("units", UnitViewSet, basename="test-unit")
urlpatterns = [path("api/security-test/", include(router.urls)), path("", include("zhidu.urls"))]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]
URL = "/api/security-test/units/"


@pytest.fixture
def world():
    """Two departments; a department head of A (view only, scoped to A's subtree)."""
    seed_roles()
    a = OrgUnitFactory(name="甲部门", code="A")
    a_child = OrgUnitFactory(name="甲一科", code="A1", parent=a)
    b = OrgUnitFactory(name="乙部门", code="B")
    head = user_with_roles("head_a", ("dept_head", a), unit=a)
    return {"a": a, "a_child": a_child, "b": b, "head": head, "token": Token.objects.create(user=head)}


def token_client(token):
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


def session_client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("how", ["token", "session"])
def test_token_and_session_see_the_same_scope(world, how):
    client = token_client(world["token"]) if how == "token" else session_client(world["head"])
    listed = client.get(URL)
    assert listed.status_code == 200
    codes = {row["code"] for row in listed.json()["results"]}
    assert codes == {"A", "A1"}  # own subtree only (DESIGN rule 6)
    assert client.get(f"{URL}{world['b'].pk}/").status_code == 404  # out of scope
    assert client.get(f"{URL}{world['a'].pk}/").status_code == 200
    # visible but not permitted: 403
    response = client.patch(f"{URL}{world['a'].pk}/", {"name": "改名"}, content_type="application/json")
    assert response.status_code == 403
    assert client.post(URL, {"name": "新", "code": "N"}, content_type="application/json").status_code == 403


def test_session_api_writes_need_the_csrf_token():
    root = UserFactory(username="root")
    root.is_superuser = True
    root.save()
    client = Client(enforce_csrf_checks=True)
    client.force_login(root)
    refused = client.post(URL, {"name": "新部门", "code": "N1"}, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert not OrgUnit.objects.filter(code="N1").exists()
    # reads need no token
    assert client.get(URL).status_code == 200
    # with the token from the cookie (what htmx sends as X-CSRFToken) the write goes through
    client.get("/accounts/")
    csrf = client.cookies["csrftoken"].value
    ok = client.post(URL, {"name": "新部门", "code": "N1"}, content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert ok.status_code == 201


def test_token_writes_need_no_csrf_and_are_attributed_to_the_token_user():
    root = UserFactory(username="root")
    root.is_superuser = True
    root.save()
    token = Token.objects.create(user=root)
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.post(URL, {"name": "信息中心", "code": "IT"}, content_type="application/json")
    assert response.status_code == 201
    unit = OrgUnit.objects.get(code="IT")
    entry = ChangeLogEntry.objects.filter(object_id=str(unit.pk), action="create").get()
    assert entry.actor_id == root.pk
    assert entry.actor_name == "root"
    assert entry.source == "api"
    assert entry.request_id == response["X-Request-ID"]
    assert entry.ip == "127.0.0.1"


def test_a_revoked_token_is_refused(world):
    client = token_client(world["token"])
    assert client.get(URL).status_code == 200
    world["token"].delete()
    assert client.get(URL).status_code == 401
    assert Client(HTTP_AUTHORIZATION="Token not-a-token").get(URL).status_code == 401
    assert Client().get(URL).status_code == 401
