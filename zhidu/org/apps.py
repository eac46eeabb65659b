from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "zhidu.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self):
        from zhidu.core.registry import MenuItem, register_menu

        register_menu("org", _("Organisation and people"), "sitemap", [
            MenuItem(_("Org chart"), "org:unit_list", icon="sitemap", model="org.OrgUnit"),
            MenuItem(_("People"), "org:person_list", icon="users", model="org.Person"),
            MenuItem(_("Positions"), "org:position_list", icon="briefcase", model="org.Position"),
            MenuItem(_("Roles"), "org:role_list", icon="shield", model="org.Role"),
            MenuItem(_("Role assignments"), "org:assignment_list", icon="user-check", model="org.RoleAssignment"),
            MenuItem(_("Role aliases"), "org:alias_list", icon="language", model="org.RoleAlias"),
        ], order=80)

        from zhidu.core.approvals.timeline import register_verb

        # Employment lifecycle and role changes on a person's timeline (org.services).
        register_verb("hired", _("Registered (hire)"), icon="user-plus", color="green")
        register_verb("dept_transfer", _("Transferred to another department"), icon="arrows-right-left", color="cyan")
        register_verb("activated", _("Now employed"), icon="user-check", color="green")
        register_verb("leaving", _("Leaving"), icon="door-exit", color="orange")
        register_verb("left", _("Left the organisation"), icon="user-off", color="secondary")
        register_verb("rehired", _("Re-hired"), icon="user-plus", color="green")
        register_verb("role_assigned", _("Role assigned"), icon="shield-plus", color="blue")
        register_verb("role_revoked", _("Role revoked"), icon="shield-x", color="orange")
        register_verb("login_created", _("Login created"), icon="key", color="blue")
        register_verb("login_linked", _("Login linked"), icon="link", color="blue")
        register_verb("login_unlinked", _("Login unlinked"), icon="unlink", color="secondary")
