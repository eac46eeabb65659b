from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load the demo organisation (idempotent)."

    def handle(self, *args, **options):
        from zhidu.core.demo_data import load_demo

        created = load_demo()
        self.stdout.write("demo data loaded" if created else "demo data already present")
