"""Builds the demo organisation. Extended by each app's demo module."""

from django.contrib.auth import get_user_model
from django.db import transaction

from .demo import DEMO_PASSWORD


@transaction.atomic
def load_demo() -> bool:
    User = get_user_model()
    if User.objects.filter(username="admin").exists():
        return False
    User.objects.create_superuser("admin", "admin@example.com", DEMO_PASSWORD)
    return True
