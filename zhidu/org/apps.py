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
