import pytest
from zhidu.core.testing import make_user

@pytest.mark.django_db
def test_probe(client):
    u = make_user(superuser=True)
    other = make_user()
    client.force_login(u)
    r = client.post("/api/approvals/delegations/", {"delegate_id": other.person.pk, "start": "2030-01-01T00:00:00Z", "end": "9999-12-31T23:59:59Z"}, content_type="application/json")
    print(r.status_code, r.content[:300])
