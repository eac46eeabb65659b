from django.core.management.base import BaseCommand

from zhidu.core import context


class Command(BaseCommand):
    help = "Create or update the built-in roles (§25.1) and role aliases (GOV-11); idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-permissions", action="store_true",
            help="Make each built-in role hold exactly its default permissions (removes extra grants).",
        )

    def handle(self, *args, **options):
        from zhidu.org.roles import seed_roles

        with context.using(source=context.Source.SYSTEM):
            stats = seed_roles(reset_permissions=options["reset_permissions"])
        self.stdout.write(
            "roles: {roles_created} created, {roles_updated} updated; {permissions_added} permissions added; "
            "{aliases_created} aliases created".format(**stats)
        )
