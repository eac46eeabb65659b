"""`manage.py seed_asset_catalogue`: create the AST-01 asset categories that are missing (idempotent)."""

from django.core.management.base import BaseCommand

from zhidu.assets.services import seed_catalogue


class Command(BaseCommand):
    help = "Create the standard asset categories with their card fields (AST-01); idempotent."

    def handle(self, *args, **options):
        stats = seed_catalogue()
        self.stdout.write(f"asset categories created: {stats['categories_created']}")
