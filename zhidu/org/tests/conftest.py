import pytest

from zhidu.org.roles import seed_roles


@pytest.fixture
def roles(db):
    """The built-in role catalogue, seeded as in production."""
    seed_roles()
    from zhidu.org.models import Role

    return {r.code: r for r in Role.objects.all()}


@pytest.fixture
def superuser(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root", "root@example.com", "Root-Passw0rd!")
